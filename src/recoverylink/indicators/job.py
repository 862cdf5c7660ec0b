"""``recoverylink indicators``: every indicator for every area, year and rolling year.

Reads the mart (``recoverylink build``), counts numerators and denominators
in SQL (``sql/counts.sql``), adds the statistics (``statistics.py``) and the
case-mix comparison of areas (``casemix.py``) and writes each output as Parquet
and CSV, with a ``manifest.json`` saying what was built from what. The files
hold aggregates and model coefficients only: no person-level row leaves the
warehouse. Disclosure control is applied when the figures are published,
not here (these are for analysts).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from recoverylink.config import DuckDBConfig
from recoverylink.errors import InputError
from recoverylink.indicators import casemix, counts, statistics
from recoverylink.indicators.definitions import INDICATORS
from recoverylink.progress import NULL_PROGRESS, Progress
from recoverylink.warehouse.build import MART, TRUTH_MART, connect, require_warehouse

CASE_MIX_INDICATOR = "successful_completions"


class IndicatorsError(InputError):
    """The indicators cannot be computed: no mart built yet."""


@dataclass(frozen=True)
class IndicatorOptions:
    data_dir: Path
    duckdb: DuckDBConfig
    out_dir: Path | None = None
    truth: bool = False
    """Read ``truth_mart`` (built with ``build --truth``) instead of ``mart``."""
    population_scale: float = 1.0
    """Resident populations are multiplied by this (a synthetic England's scale)."""
    comparator_groups: int = 5

    @property
    def schema(self) -> str:
        return TRUTH_MART if self.truth else MART

    @property
    def output_dir(self) -> Path:
        if self.out_dir is not None:
            return self.out_dir
        name = "indicators-truth" if self.truth else "indicators"
        return self.data_dir / "outputs" / name


@dataclass
class IndicatorResult:
    out_dir: Path
    schema: str
    data_end: str
    files: dict[str, int]
    seconds: float
    values: pd.DataFrame = field(repr=False)
    case_mix_models: pd.DataFrame = field(repr=False)
    timings: dict[str, float] = field(default_factory=dict)


def definitions_table() -> pd.DataFrame:
    rows = []
    for ind in INDICATORS:
        row = asdict(ind)
        row["breakdowns"] = "; ".join(f"{level}/{group}" for level, group in ind.breakdowns)
        rows.append(row)
    return pd.DataFrame(rows)


def _case_mix(
    con: duckdb.DuckDBPyConnection,
    periods: pd.DataFrame,
    area_names: pd.DataFrame,
    groups: int,
    progress: Progress,
) -> dict[str, pd.DataFrame]:
    """The case-mix model of successful completion, fitted for each financial year.

    (At scale 1 a year's fit takes about 7 s; numpy already keeps both cores
    busy, so fitting the years in parallel processes gained nothing.)
    """
    years = periods[periods["period_type"] == counts.FINANCIAL_YEAR]["period"].tolist()
    progress.stage("case-mix models", len(years))
    by_year = counts.case_mix_persons(con)
    fitted = []
    for year in years:
        persons = by_year.get(year)
        if persons is not None and persons["completed"].nunique() == 2:
            fitted.append(_fit_year((year, persons, groups)))
        progress.advance()
    models = [f[0] for f in fitted]
    coefficients = [f[1] for f in fitted]
    areas = [f[2] for f in fitted]
    lines = [f[3] for f in fitted]
    first = ["period"]
    area_table = pd.concat(areas, ignore_index=True) if areas else pd.DataFrame()
    if not area_table.empty:
        area_table = area_table.merge(area_names, on="area_code", how="left")
    return {
        "case_mix_models": pd.DataFrame(models),
        "case_mix_coefficients": _first(pd.concat(coefficients, ignore_index=True), first)
        if coefficients else pd.DataFrame(),
        "case_mix_areas": _first(area_table, ["period", "area_code", "area_name"])
        if areas else pd.DataFrame(),
        "case_mix_funnel_lines": _first(pd.concat(lines, ignore_index=True), first)
        if lines else pd.DataFrame(),
    }


def _fit_year(
    item: tuple[str, pd.DataFrame, int],
) -> tuple[dict[str, object], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One year's model: its summary row, coefficients, areas and funnel lines."""
    year, persons, groups = item
    model = casemix.fit_case_mix(persons)
    compared = casemix.area_comparison(persons, model, comparator_groups=groups)
    summary: dict[str, object] = {
        "period": year,
        "indicator_id": CASE_MIX_INDICATOR,
        "persons": model.n,
        "completions": model.events,
        "c_statistic": model.c_statistic,
        "pseudo_r2": model.pseudo_r2,
        "aic": model.aic,
        "converged": model.converged,
        "separation": model.separation,
        "covariates": ", ".join(model.covariates),
        "dropped_covariates": ", ".join(model.dropped_covariates),
        "warnings": " | ".join(model.fit_warnings),
    }
    return (
        summary,
        model.coefficients.assign(period=year),
        compared.assign(period=year),
        casemix.funnel_lines(compared).assign(period=year),
    )


def _first(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame[columns + [c for c in frame.columns if c not in columns]]


def write_table(frame: pd.DataFrame, out_dir: Path, name: str) -> None:
    """``name.parquet`` and ``name.csv`` (dates as ISO text, missing values empty)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, out_dir / f"{name}.parquet")
    pacsv.write_csv(table, out_dir / f"{name}.csv")


def run_indicators(
    options: IndicatorOptions, progress: Progress = NULL_PROGRESS
) -> IndicatorResult:
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def timed(name: str, work: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        clock = time.perf_counter()
        result = work()
        timings[name] = time.perf_counter() - clock
        return result

    schema = options.schema
    require_warehouse(options.data_dir, "indicators", IndicatorsError)
    with connect(options.data_dir, options.duckdb, read_only=True) as con:
        built = con.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE schema_name = ? AND table_name = 'journeys'",
            [schema],
        ).fetchall()[0][0]
        if not built:
            how = "recoverylink build --truth DIR" if options.truth else "recoverylink build"
            raise IndicatorsError(
                f"indicators: no {schema} has been built in {options.data_dir}; "
                f"run `{how} --data-dir {options.data_dir}` first"
            )
        progress.stage("counting", 1)
        span = counts.data_span(con, schema)
        clock = time.perf_counter()
        periods = counts.prepare(
            con, schema, counts.CountsInput(span[0], span[1], options.population_scale)
        )
        raw = counts.counts(con)
        timings["counts"] = time.perf_counter() - clock
        progress.advance()
        area_names = con.execute(
            "SELECT area_code, any_value(area_name) AS area_name FROM areas GROUP BY area_code"
        ).df()
        progress.stage("statistics", 3)
        values = timed("values", lambda: statistics.indicator_values(raw))
        progress.advance()
        points = timed("funnel_points", lambda: statistics.funnel_points(values))
        progress.advance()
        lines = timed("funnel_lines", lambda: statistics.funnel_lines(values))
        progress.advance()
        clock = time.perf_counter()
        case_mix = _case_mix(con, periods, area_names, options.comparator_groups, progress)
        timings["case_mix"] = time.perf_counter() - clock

    tables = {
        "indicator_definitions": definitions_table(),
        "periods": periods,
        "indicator_values": values,
        "funnel_points": points,
        "funnel_lines": lines,
        **case_mix,
    }
    out = options.output_dir
    out.mkdir(parents=True, exist_ok=True)
    progress.stage("writing", len(tables))
    clock = time.perf_counter()
    for name, frame in tables.items():
        write_table(frame, out, name)
        progress.advance()
    timings["write"] = time.perf_counter() - clock
    progress.close()
    manifest = {
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data_dir": str(options.data_dir),
        "schema": schema,
        "data_start": span[0].isoformat(),
        "data_end": span[1].isoformat(),
        "population_scale": options.population_scale,
        "comparator_groups": options.comparator_groups,
        "tables": {name: len(frame) for name, frame in tables.items()},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return IndicatorResult(
        out_dir=out,
        schema=schema,
        data_end=span[1].isoformat(),
        files=manifest["tables"],  # type: ignore[arg-type]
        seconds=time.perf_counter() - started,
        values=values,
        case_mix_models=case_mix["case_mix_models"],
        timings=timings,
    )
