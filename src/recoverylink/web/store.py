"""Read-only access to the publication database (``publish/publication.duckdb``).

The small tables (areas, indicators, periods, studies, headlines, the
catalogue) are read into memory when the store opens; the large ones
(``indicator_values``, the funnels, the case mix) are queried per page through
a cursor of one read-only connection, one cursor per thread. The site reads
nothing else but the files in the downloads folder. See
/work/notes/publication_contract.md and docs/website.md.
"""

from __future__ import annotations

import difflib
import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from recoverylink.errors import InputError

ENGLAND = "E92000001"
FINANCIAL_YEAR = "financial_year"
ALL_SUBSTANCES = "all"

REQUIRED_TABLES = (
    "build_info",
    "areas",
    "indicators",
    "periods",
    "indicator_values",
    "funnel_points",
    "funnel_lines",
    "case_mix_areas",
    "case_mix_funnel_lines",
    "studies",
    "study_headlines",
    "catalogue",
)

SUBSTANCE_LABELS = {
    "all": "All substances",
    "opiate": "Opiate",
    "non_opiate": "Non-opiate only",
    "alcohol": "Alcohol only",
    "non_opiate_and_alcohol": "Non-opiate and alcohol",
}

Row = dict[str, Any]


class PublicationError(InputError):
    """The publication database is missing or is not one."""


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    region_code: str | None
    region_name: str | None
    comparator_group: int | None
    sort_key: int

    @property
    def level_label(self) -> str:
        return {"england": "Country", "region": "Region", "local_authority": "Local authority"}.get(
            self.level, self.level
        )

    def as_dict(self) -> Row:
        return {
            "area_code": self.code,
            "area_name": self.name,
            "level": self.level,
            "region_code": self.region_code,
            "region_name": self.region_name,
            "comparator_group": self.comparator_group,
        }


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[Row]:
    names = [column[0] for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PublicationStore:
    """The publication database, open read-only for the life of the website."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise PublicationError(
                f"no publication database at {self.path}: run `recoverylink publish build` first"
            )
        # A database of its own, with the file attached read-only: duckdb.connect(path) would
        # hand back the instance already open on that path, which after a new build is the
        # old file (publish build renames a new file into place).
        self._con = duckdb.connect(":memory:")
        try:
            self._con.execute(f"ATTACH {_literal(str(self.path))} AS publication (READ_ONLY)")
            self._con.execute("USE publication")
        except duckdb.Error as err:
            self._con.close()
            raise PublicationError(f"cannot open {self.path}: {err}") from None
        self._local = threading.local()
        tables = {
            row[0]
            for row in self._con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'publication' "
                "AND schema_name = 'main'"
            ).fetchall()
        }
        missing = [name for name in REQUIRED_TABLES if name not in tables]
        if missing:
            self._con.close()
            raise PublicationError(
                f"{self.path} is not a publication database (no {', '.join(missing)}): "
                "run `recoverylink publish build`"
            )
        self.tables = tables
        self._load()

    # -- the small tables, in memory ------------------------------------------------------

    def _load(self) -> None:
        con = self._con
        info = _rows(con.execute("SELECT * FROM build_info"))
        self.build_info: Row = info[0] if info else {}
        self.areas: list[Area] = [
            Area(
                code=row["area_code"],
                name=row["area_name"],
                level=row["level"],
                region_code=row["region_code"],
                region_name=row["region_name"],
                comparator_group=row["comparator_group"],
                sort_key=row["sort_key"],
            )
            for row in _rows(
                con.execute(
                    "SELECT * FROM areas ORDER BY "
                    "CASE level WHEN 'england' THEN 0 WHEN 'region' THEN 1 ELSE 2 END, "
                    "sort_key, area_name"
                )
            )
        ]
        self.area_by_code = {area.code: area for area in self.areas}
        self.indicators: list[Row] = _rows(
            con.execute("SELECT * FROM indicators ORDER BY sort_key, indicator_id")
        )
        self.indicator_by_id = {row["indicator_id"]: row for row in self.indicators}
        self.periods: list[Row] = _rows(
            con.execute("SELECT * FROM periods ORDER BY period_type, period_start")
        )
        self.financial_years: list[str] = [
            row["period"] for row in self.periods if row["period_type"] == FINANCIAL_YEAR
        ]
        latest = [
            row["period"]
            for row in self.periods
            if row["period_type"] == FINANCIAL_YEAR and row["is_latest"]
        ]
        self.latest_year: str | None = (
            latest[-1] if latest else (self.financial_years[-1] if self.financial_years else None)
        )
        present = {
            row[0]
            for row in con.execute(
                "SELECT DISTINCT substance_group FROM indicator_values"
            ).fetchall()
        }
        order = list(SUBSTANCE_LABELS)
        self.substance_groups: list[str] = sorted(
            present | {ALL_SUBSTANCES},
            key=lambda group: (order.index(group) if group in order else len(order), group),
        )
        self.studies: list[Row] = _rows(
            con.execute("SELECT * FROM studies ORDER BY sort_key, study")
        )
        self.study_by_name = {row["study"]: row for row in self.studies}
        headlines = _rows(
            con.execute("SELECT * FROM study_headlines ORDER BY study, headline_id")
        )
        self.headlines: dict[str, list[Row]] = {}
        for row in headlines:
            self.headlines.setdefault(row["study"], []).append(row)
        self.catalogue: list[Row] = _rows(
            con.execute("SELECT * FROM catalogue ORDER BY sort_key, table_id")
        )
        self.catalogue_by_id = {row["table_id"]: row for row in self.catalogue}

    # -- connections ----------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the read-only connection."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._con.cursor()
            cursor.execute("USE publication")
            self._local.cursor = cursor
        return cursor

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return _rows(self.cursor().execute(sql, list(params)))

    def close(self) -> None:
        self._con.close()

    # -- areas ----------------------------------------------------------------------------

    @property
    def england(self) -> Area:
        return self.area_by_code.get(ENGLAND) or Area(ENGLAND, "England", "england", None, None,
                                                      None, 0)

    @property
    def regions(self) -> list[Area]:
        return [area for area in self.areas if area.level == "region"]

    def local_authorities(self, region_code: str | None = None) -> list[Area]:
        return [
            area
            for area in self.areas
            if area.level == "local_authority"
            and (region_code is None or area.region_code == region_code)
        ]

    def search(self, words: str) -> list[Area]:
        """Areas whose code or name holds ``words`` (case and spacing ignored), best first."""
        needle = _normal(words)
        if not needle:
            return []
        ranked: list[tuple[int, int, str, Area]] = []
        for area in self.areas:
            code, name = area.code.lower(), _normal(area.name)
            if code == needle or name == needle:
                rank = 0
            elif name.startswith(needle) or code.startswith(needle):
                rank = 1
            elif re.search(r"\b" + re.escape(needle), name):
                rank = 2
            elif needle in name:
                rank = 3
            else:
                continue
            ranked.append((rank, area.sort_key, area.name, area))
        return [item[3] for item in sorted(ranked, key=lambda item: item[:3])]

    def suggestions(self, text: str, limit: int = 5) -> list[Area]:
        """Areas whose code or name is close to ``text``: for an unknown code."""
        found = self.search(text)[:limit]
        if found:
            return found
        codes = difflib.get_close_matches(text.upper(), list(self.area_by_code), n=limit,
                                          cutoff=0.6)
        names = {_normal(area.name): area for area in self.areas}
        by_name = difflib.get_close_matches(_normal(text), list(names), n=limit, cutoff=0.6)
        out: list[Area] = [self.area_by_code[code] for code in codes]
        out += [names[name] for name in by_name if names[name] not in out]
        return out[:limit]

    # -- indicator values -----------------------------------------------------------------

    def values(self, area_code: str, period: str, substance: str) -> dict[str, Row]:
        """Each indicator's row for an area, financial year and substance group."""
        rows = self.query(
            "SELECT * FROM indicator_values WHERE area_code = ? AND period_type = ? "
            "AND period = ? AND substance_group = ?",
            [area_code, FINANCIAL_YEAR, period, substance],
        )
        return {row["indicator_id"]: row for row in rows}

    def values_for_areas(self, level: str, period: str, substance: str,
                         region_code: str | None = None) -> list[Row]:
        """Every indicator's rows for the areas of one level (of one region)."""
        sql = (
            "SELECT * FROM indicator_values WHERE level = ? AND period_type = ? AND period = ? "
            "AND substance_group = ?"
        )
        params: list[object] = [level, FINANCIAL_YEAR, period, substance]
        if region_code is not None:
            sql += " AND region_code = ?"
            params.append(region_code)
        return self.query(sql + " ORDER BY indicator_id, area_name", params)

    def trend_years(self, period: str, years: int = 5) -> list[str]:
        """The ``years`` financial years ending with ``period`` that the data have."""
        if period not in self.financial_years:
            return []
        end = self.financial_years.index(period)
        return self.financial_years[max(0, end - years + 1): end + 1]

    def trends(self, area_codes: Sequence[str], years: Sequence[str],
               substance: str) -> dict[tuple[str, str], dict[str, Row]]:
        """(area, indicator) -> period -> row, for the financial years ``years``."""
        if not years or not area_codes:
            return {}
        rows = self.query(
            "SELECT * FROM indicator_values WHERE period_type = ? AND substance_group = ? "
            f"AND area_code IN ({', '.join('?' for _ in area_codes)}) "
            f"AND period IN ({', '.join('?' for _ in years)})",
            [FINANCIAL_YEAR, substance, *area_codes, *years],
        )
        out: dict[tuple[str, str], dict[str, Row]] = {}
        for row in rows:
            out.setdefault((row["area_code"], row["indicator_id"]), {})[row["period"]] = row
        return out

    # The funnels and the case mix of a year are the same for every area's page: kept.

    @functools.lru_cache(maxsize=64)  # noqa: B019 - the store lives as long as the site
    def funnel_points(self, period: str, substance: str) -> dict[str, list[Row]]:
        rows = self.query(
            "SELECT * FROM funnel_points WHERE period = ? AND substance_group = ? "
            "ORDER BY indicator_id, denominator, area_name",
            [period, substance],
        )
        out: dict[str, list[Row]] = {}
        for row in rows:
            out.setdefault(row["indicator_id"], []).append(row)
        return out

    @functools.lru_cache(maxsize=64)  # noqa: B019
    def funnel_lines(self, period: str, substance: str) -> dict[str, dict[str, list[Row]]]:
        rows = self.query(
            "SELECT * FROM funnel_lines WHERE period = ? AND substance_group = ? "
            "ORDER BY indicator_id, line, point",
            [period, substance],
        )
        out: dict[str, dict[str, list[Row]]] = {}
        for row in rows:
            out.setdefault(row["indicator_id"], {}).setdefault(row["line"], []).append(row)
        return out

    @functools.lru_cache(maxsize=32)  # noqa: B019
    def case_mix(self, period: str) -> list[Row]:
        return self.query(
            "SELECT * FROM case_mix_areas WHERE period = ? ORDER BY comparator_group, area_name",
            [period],
        )

    # -- studies and downloads ------------------------------------------------------------

    def study_tables(self, study: str) -> list[Row]:
        return [row for row in self.catalogue if row["study"] == study]

    def table(self, table_id: str, limit: int | None = None) -> tuple[list[str], list[Row]]:
        """The columns and rows of a published table named in the catalogue."""
        if table_id not in self.catalogue_by_id or table_id not in self.tables:
            raise KeyError(table_id)
        cursor = self.cursor().execute(
            f"SELECT * FROM {quote_identifier(table_id)}"
            + (f" LIMIT {int(limit)}" if limit is not None else "")
        )
        columns = [column[0] for column in cursor.description or []]
        return columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def jsonable(value: Any) -> Any:
    """A database value as JSON can hold it (dates as ISO text)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value
