"""``recoverylink publish build``: the publication database and the downloads.

Reads only what ``recoverylink indicators`` (``outputs/indicators/``) and
``recoverylink study NAME`` (``outputs/studies/NAME/``) wrote, protects every
count by the disclosure policy (:mod:`recoverylink.publish.disclosure`), and
writes ``publish/publication.duckdb`` (built in a temporary file, then renamed
over the old one, so a reader never sees half a database) and
``publish/downloads/``. See docs/publication.md.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from recoverylink.config import DuckDBConfig
from recoverylink.errors import InputError
from recoverylink.indicators import casemix, statistics
from recoverylink.progress import NULL_PROGRESS, Progress
from recoverylink.publish import policy
from recoverylink.publish.disclosure import protect
from recoverylink.publish.indicator_cells import DENOMINATOR, KEY, NUMERATOR, build_cells
from recoverylink.publish.spreadsheets import write_downloads
from recoverylink.publish.study_protect import SUPPRESSED_COLUMNS, protect_study_table
from recoverylink.publish.study_tables import HEADLINE_COUNT_UNITS, SPECS
from recoverylink.sqlfiles import package_sql_blocks
from recoverylink.studies.job import NOT_APPLICABLE
from recoverylink.studies.registry import STUDIES

DATABASE_FILE = "publication.duckdb"
DOWNLOADS = "downloads"


class PublishError(InputError):
    """Nothing to publish yet: the indicators have not been computed."""


@dataclass(frozen=True)
class PublishOptions:
    data_dir: Path
    duckdb: DuckDBConfig
    out_dir: Path | None = None
    """Default: ``publish/`` in the data directory."""
    audit: bool = True
    """Check the suppression with the attacker's linear programme (and widen it)."""

    @property
    def output_dir(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.data_dir / "publish"


@dataclass
class PublishResult:
    database: Path
    downloads: Path
    tables: dict[str, int]
    primary: int
    secondary: int
    published_counts: int
    seconds: float
    studies: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


INDICATOR_FILES = ("indicator_values.parquet", "indicator_definitions.parquet",
                   "periods.parquet", "funnel_points.parquet", "case_mix_areas.parquet",
                   "manifest.json")
"""What publishing reads from ``outputs/indicators`` (``recoverylink indicators`` writes them)."""


def require_indicators(data_dir: Path) -> Path:
    """``outputs/indicators`` of ``data_dir``; one line saying what to run when it is not there."""
    source = data_dir / "outputs" / "indicators"
    missing = [name for name in INDICATOR_FILES if not (source / name).is_file()]
    if missing:
        what = ("it does not exist" if not data_dir.exists()
                else f"{source / missing[0]} is missing")
        raise PublishError(
            f"publish build: no indicators have been computed in {data_dir} ({what}); "
            f"run `recoverylink indicators --data-dir {data_dir}` (and the studies) first"
        )
    return source


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.parquet"
    if not path.is_file():
        raise PublishError(f"{path} does not exist: run `recoverylink indicators` first")
    return pd.read_parquet(path)


def _sql(con: duckdb.DuckDBPyConnection, block: str) -> None:
    con.execute(package_sql_blocks("recoverylink.publish", "publish")[block])


def _statuses(values: pd.DataFrame, mapping: pd.DataFrame, suppressed: np.ndarray
              ) -> pd.DataFrame:
    """``numerator_c`` and ``denominator_c`` for each indicator row."""
    cell_of = mapping.set_index(KEY)["cell"]
    out = values.copy()
    for side, quantities in (("numerator", NUMERATOR), ("denominator", DENOMINATOR)):
        keys = pd.MultiIndex.from_arrays([
            out["indicator_id"].map(quantities), out["period_start"], out["period_end"],
            out["area_code"], out["substance_group"],
        ])
        cells = cell_of.reindex(keys).to_numpy()
        has = ~pd.isna(cells)
        flag = np.zeros(len(out), bool)
        flag[has] = suppressed[cells[has].astype(np.int64)]
        out[f"{side}_c"] = flag
    return out


_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})*|\d+)(?![\d.,]*\d)")


def _small_number_in(text: str) -> bool:
    """Text naming a count from 1 to 4 ("4 deaths in 1,753 person-years")."""
    for match in _NUMBER.finditer(text or ""):
        if policy.is_primary(int(match.group(1).replace(",", ""))):
            return True
    return False


def _suppressed_values(raw: pd.DataFrame, published: pd.DataFrame) -> list[float]:
    """The numbers a study table had in the cells it publishes suppressed."""
    out: list[float] = []
    for column in raw.columns:
        if not pd.api.types.is_numeric_dtype(raw[column]):
            continue
        gone = raw[column].notna() & published[column].isna()
        out.extend(float(v) for v in raw.loc[gone, column])
    return out


def _headlines(
    study: str, frame: pd.DataFrame, hidden_values: list[float] | None = None
) -> pd.DataFrame:
    """A study's headlines as published: a count from 1 to 4, a figure whose note names
    one, and a figure equal to a cell suppressed in one of the study's tables (a
    headline is often a table's cell), are suppressed with their limits."""
    out = pd.DataFrame({
        "study": study,
        "headline_id": frame["id"].astype(str),
        "label": frame["label"].astype(str),
        "value": pd.to_numeric(frame["value"], errors="coerce"),
        "unit": frame["unit"].astype(object).fillna("").astype(str),
        "lower": pd.to_numeric(frame["lower"], errors="coerce"),
        "upper": pd.to_numeric(frame["upper"], errors="coerce"),
        "published": pd.to_numeric(frame["published"], errors="coerce"),
        "published_text": frame["published_text"].astype(object).fillna("").astype(str),
        "note": frame["note"].astype(object).fillna("").astype(str),
    })
    small_count = out["unit"].isin(HEADLINE_COUNT_UNITS) & out["value"].between(
        policy.PRIMARY_MIN, policy.PRIMARY_MAX
    )
    small_note = out["note"].map(_small_number_in).astype(bool)
    hidden = np.array(sorted(set(hidden_values or [])), dtype=np.float64)

    def equals_hidden(series: pd.Series) -> np.ndarray:
        v = series.to_numpy(np.float64, na_value=np.nan)
        if len(hidden) == 0:
            return np.zeros(len(v), bool)
        return np.array([bool(np.isfinite(x) and np.isclose(hidden, x, rtol=0, atol=1e-9).any())
                         for x in v])

    in_tables = (equals_hidden(out["value"]) | equals_hidden(out["lower"])
                 | equals_hidden(out["upper"]))
    suppressed = small_count | small_note | in_tables
    missing = out["value"].isna()
    out["status"] = np.where(suppressed, policy.SUPPRESSED,
                             np.where(missing, policy.NOT_AVAILABLE, policy.PUBLISHED))
    for column in ("value", "lower", "upper"):
        out[column] = out[column].astype("Float64").mask(suppressed, pd.NA)
    out["note"] = out["note"].mask(small_note, "")
    return out


def _report_parts(report: Path) -> tuple[dict[str, tuple[str, str]], str]:
    """Each table's title and caption, and the methods and caveats, from report.html."""
    if not report.is_file():
        return {}, ""
    text = report.read_text("utf-8")
    titles = {}
    for match in re.finditer(
        r'<h2 id="([\w-]+)">(.*?)</h2>\s*(?:<p class="caption">(.*?)</p>)?', text, re.S
    ):
        titles[match.group(1)] = (html.unescape(match.group(2)),
                                  html.unescape(match.group(3) or ""))
    methods = ""
    start = text.find('<h2 id="methods">')
    if start >= 0:
        end = text.find("</ul>", text.find('<h2 id="caveats">', start))
        methods = text[start:end + len("</ul>")] if end >= 0 else text[start:]
    return titles, methods


def _nullable(frame: pd.DataFrame) -> pd.DataFrame:
    """NaN as NULL for DuckDB: nullable dtypes for numbers."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].astype("Float64")
            out[column] = out[column].mask(out[column].isna(), pd.NA)
    return out


def _not_applicable_reason(out_dir: Path) -> str | None:
    """Why the study does not apply, from its ``not_applicable.json``; None if it has none."""
    path = out_dir / NOT_APPLICABLE
    if not path.is_file():
        return None
    try:
        reason = str(json.loads(path.read_text("utf-8")).get("reason", ""))
    except (ValueError, AttributeError):
        reason = ""
    return reason.removeprefix(f"study {out_dir.name}: ") or "does not apply to this data"


def _studies(folder: Path, progress_warn: list[str], left_out: list[dict[str, object]]
             ) -> tuple[
    pd.DataFrame, pd.DataFrame, dict[str, tuple[pd.DataFrame, str, str, str]], int, int
]:
    """The studies that have been run: their rows, headlines and protected tables; the
    others (not run, or not applicable to the data) go to ``left_out`` with the reason."""
    studies_rows = []
    headlines = []
    tables: dict[str, tuple[pd.DataFrame, str, str, str]] = {}
    primary = secondary = 0
    for sort_key, (name, (_, summary)) in enumerate(STUDIES.items(), start=1):
        out_dir = folder / name
        manifest_file = out_dir / "manifest.json"
        if not manifest_file.is_file():
            reason = _not_applicable_reason(out_dir)
            if reason is None:
                reason = f"not run (`recoverylink study {name}`)"
                progress_warn.append(f"study {name} has not been run "
                                     f"(`recoverylink study {name}`): left out")
            else:
                progress_warn.append(f"study {name} does not apply to this data ({reason}): "
                                     "left out")
            left_out.append({"study": name, "summary": summary, "reason": reason,
                             "sort_key": sort_key})
            continue
        manifest = json.loads(manifest_file.read_text("utf-8"))
        titles, methods = _report_parts(out_dir / "report.html")
        params = manifest.get("parameters", {})
        cohort = "; ".join(f"{k}: {v}" for k, v in params.items())
        studies_rows.append({
            "study": name, "title": manifest.get("title", name), "cohort": cohort,
            "summary": summary, "methods_html": methods, "sort_key": sort_key,
        })
        hidden_values: list[float] = []
        for table_name, spec in SPECS.get(name, {}).items():
            path = out_dir / f"{table_name}.csv"
            if not path.is_file():
                progress_warn.append(f"study {name} wrote no {table_name}.csv: left out")
                continue
            frame = pd.read_csv(path)
            published, result = protect_study_table(frame, spec)
            hidden_values.extend(_suppressed_values(frame, published))
            primary += int(result.primary.sum())
            secondary += int(result.secondary.sum())
            title, note = titles.get(table_name, (table_name.replace("_", " "), ""))
            tables[f"study_{name}_{table_name}"] = (published, title, note, name)
        headlines.append(
            _headlines(name, pd.read_csv(out_dir / "headlines.csv"), hidden_values)
        )
    study_frame = pd.DataFrame(
        studies_rows,
        columns=["study", "title", "cohort", "summary", "methods_html", "sort_key"],
    )
    head = pd.concat(headlines, ignore_index=True) if headlines else _headlines(
        "", pd.DataFrame(columns=["id", "label", "value", "unit", "lower", "upper", "published",
                                  "published_text", "note"])
    )
    return study_frame, head, tables, primary, secondary


CATALOGUE_TEXT = {
    "indicator_values": (
        "Indicator values by area, substance group and period",
        "Every indicator for England, each region and each local authority, all people and "
        "each substance group, each financial year and rolling 12 months: numerator, "
        "denominator, value, 95% and 99.8% limits, comparison with England and trend.",
        "indicators",
    ),
    "funnel_points": (
        "Funnel plot points", "Each local authority's point on the funnel plot of each "
        "indicator, financial year and substance group (published values only).",
        "indicators",
    ),
    "funnel_lines": (
        "Funnel plot lines", "The 95% and 99.8% funnel limits around England's value, "
        "drawn over the published local authorities' denominators.", "indicators",
    ),
    "case_mix_areas": (
        "Case-mix adjusted successful completions by local authority",
        "Observed and expected successful completions, their ratio and the adjusted rate, "
        "each financial year.", "case_mix",
    ),
    "case_mix_funnel_lines": (
        "Case-mix funnel lines", "The funnel around ratio 1 behind the case-mix comparison.",
        "case_mix",
    ),
    "study_headlines": (
        "Outcome studies: headline figures", "Each study's headline figures with 95% "
        "intervals, beside the published figure where there is one.", "studies",
    ),
}


def publication_scope(values: pd.DataFrame) -> pd.DataFrame:
    """The indicator rows that are published: every financial-year row, and rolling
    12-month rows for England and the regions only.

    Local authorities are published by financial year. Their rolling years would
    add eleven overlapping periods a year of small counts. Differences between
    overlapping periods could reveal what suppression hides, and each period is
    one more system of equations to audit.
    """
    local_rolling = (values["period_type"] == "rolling_12_months") & (
        values["level"] == "local_authority"
    )
    return values.loc[~local_rolling].reset_index(drop=True)


def build_publication(options: PublishOptions, progress: Progress = NULL_PROGRESS
                      ) -> PublishResult:
    """Build the publication database and the downloads; see the module's docstring."""
    started = time.monotonic()
    source = require_indicators(options.data_dir)
    values = publication_scope(_read(source, "indicator_values"))
    definitions = _read(source, "indicator_definitions")
    periods = _read(source, "periods")
    points = _read(source, "funnel_points")
    case_mix = _read(source, "case_mix_areas")
    manifest = json.loads((source / "manifest.json").read_text("utf-8"))
    notes: list[str] = []

    progress.stage("disclosure control: indicators", 1)
    table, mapping = build_cells(values)
    protection = protect(table, audit=options.audit)
    progress.advance()
    flagged = _statuses(values, mapping, protection.suppressed)
    cells_of = mapping.set_index(KEY)["cell"]
    fy_keys = case_mix.merge(
        periods[periods["period_type"] == "financial_year"][["period", "period_start",
                                                             "period_end"]],
        on="period",
    )
    for column, quantity in (("n", "in_treatment"), ("observed", "completed")):
        keys = pd.MultiIndex.from_arrays([
            pd.Series(quantity, index=fy_keys.index), fy_keys["period_start"],
            fy_keys["period_end"], fy_keys["area_code"], pd.Series("all", index=fy_keys.index),
        ])
        cells = cells_of.reindex(keys).to_numpy()
        if pd.isna(cells).any():
            raise PublishError(f"case-mix {column} has no matching indicator count")
        fy_keys[f"{column}_c"] = protection.suppressed[cells.astype(np.int64)]

    progress.stage("studies", 1)
    left_out: list[dict[str, object]] = []
    study_frame, headlines, study_tables, s_primary, s_secondary = _studies(
        options.data_dir / "outputs" / "studies", notes, left_out
    )
    progress.advance()

    out_dir = options.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / DATABASE_FILE
    temp = out_dir / f".{DATABASE_FILE}.tmp"
    temp.unlink(missing_ok=True)
    progress.stage("publication database", 1)
    con = duckdb.connect(str(temp), config={
        "memory_limit": options.duckdb.memory_limit, "threads": options.duckdb.threads,
    })
    try:
        con.register("raw_values", flagged)
        con.register("raw_points", points)
        con.register("raw_case_mix", fy_keys)
        con.register("raw_definitions", definitions)
        con.register("raw_periods", periods)
        for block in ("indicator_values", "funnel_points", "case_mix_areas", "indicators",
                      "periods", "areas"):
            _sql(con, block)
        published_values = con.execute(
            "SELECT * FROM indicator_values WHERE level = 'local_authority' "
            "AND period_type = 'financial_year' AND value_status = '' "
            "AND denominator_status = ''"
        ).df()
        lines = _funnel_lines(published_values)
        con.register("lines_frame", lines)
        con.execute("CREATE TABLE funnel_lines AS SELECT * FROM lines_frame")
        cm_published = con.execute(
            "SELECT period, observed, expected FROM case_mix_areas WHERE status = ''"
        ).df()
        cm_lines = _case_mix_lines(cm_published)
        con.register("cm_lines_frame", cm_lines)
        con.execute("CREATE TABLE case_mix_funnel_lines AS SELECT * FROM cm_lines_frame")
        con.register("studies_frame", study_frame)
        con.execute("CREATE TABLE studies AS SELECT * FROM studies_frame")
        con.register("left_out_frame", pd.DataFrame(
            left_out, columns=["study", "summary", "reason", "sort_key"]
        ).astype({"study": str, "summary": str, "reason": str, "sort_key": "int64"}))
        con.execute("CREATE TABLE studies_left_out AS SELECT * FROM left_out_frame")
        con.register("headlines_frame", _nullable(headlines))
        con.execute("CREATE TABLE study_headlines AS SELECT * FROM headlines_frame")
        catalogue: list[tuple[str, str, str, str, str | None, str, int]] = []
        for sort_key, (table_id, (title, description, topic)) in enumerate(
            CATALOGUE_TEXT.items(), start=1
        ):
            catalogue.append((table_id, title, description, topic, None,
                              _table_notes(table_id), sort_key))
        for offset, (table_id, (frame, title, note, study)) in enumerate(
            study_tables.items(), start=len(catalogue) + 1
        ):
            con.register("study_frame", _nullable(frame))
            con.execute(f'CREATE TABLE "{table_id}" AS SELECT * FROM study_frame')
            con.unregister("study_frame")
            catalogue.append((table_id, title, note or title, "studies", study,
                              "Suppressed cells are named in suppressed_columns.", offset))
        rows = {
            t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0])
            for t, *_ in catalogue
        }
        cat = pd.DataFrame(catalogue, columns=["table_id", "title", "description", "topic",
                                               "study", "notes", "sort_key"])
        cat["row_count"] = cat["table_id"].map(rows).astype("int64")
        cat["csv_file"] = cat["table_id"] + ".csv"
        con.register("catalogue_frame", cat)
        con.execute("CREATE TABLE catalogue AS SELECT * FROM catalogue_frame")
        con.execute(
            "CREATE TABLE build_info AS SELECT ?::TIMESTAMP AS built_at, ?::DATE AS data_end, "
            "?::VARCHAR AS policy_version, ?::VARCHAR AS source",
            [datetime.now(UTC).replace(tzinfo=None), manifest.get("data_end"),
             policy.POLICY_VERSION, str(source)],
        )
        _sql(con, "keys")
        tables = {name: int(n) for name, n in con.execute(
            "SELECT table_name, estimated_size FROM duckdb_tables() ORDER BY table_name"
        ).fetchall()}
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(temp, final)
    progress.advance()

    progress.stage("downloads", 1)
    downloads = out_dir / DOWNLOADS
    write_downloads(final, downloads)
    progress.advance()
    counts = int(table.published.sum())
    return PublishResult(
        database=final, downloads=downloads, tables=tables,
        primary=int(protection.primary.sum()) + s_primary,
        secondary=int(protection.secondary.sum()) + s_secondary,
        published_counts=counts, seconds=time.monotonic() - started,
        studies=list(study_frame["study"]), warnings=notes,
    )


def _table_notes(table_id: str) -> str:
    return ("[c]: suppressed for confidentiality; [x]: not available. Status columns say "
            "which." if table_id in ("indicator_values", "case_mix_areas", "study_headlines")
            else "")


def _funnel_lines(published: pd.DataFrame) -> pd.DataFrame:
    """Funnel lines over the published local authorities' denominators only."""
    columns = ["indicator_id", "period", "substance_group", "line", "point", "denominator",
               "value", "england_value"]
    rows = published[published["england_value"].notna()].copy()
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    for column in ("numerator", "denominator", "value", "england_value"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(np.float64)
    rows["numerator"] = rows["numerator"].fillna(0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lines = statistics.funnel_lines(rows)
    return lines[columns]


def _case_mix_lines(published: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for period, group in published.groupby("period", sort=True):
        if len(group) < 2 or not (group["expected"].astype(float) > 0).any():
            continue
        g = group.assign(observed=group["observed"].astype(np.float64),
                         expected=group["expected"].astype(np.float64))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lines = casemix.funnel_lines(g)
        frames.append(lines.drop(columns="target").assign(period=period))
    if not frames:
        return pd.DataFrame(columns=["period", "observed_events"])
    out = pd.concat(frames, ignore_index=True)
    return out[["period", *[c for c in out.columns if c != "period"]]]


__all__ = ["SUPPRESSED_COLUMNS", "PublishOptions", "PublishResult", "build_publication"]
