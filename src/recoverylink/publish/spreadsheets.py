"""The downloads: every published table as CSV, and the main ones as spreadsheets.

- ``<table_id>.csv`` for every table in the catalogue: suppressed cells
  written ``[c]``, unavailable ones ``[x]``; text that a spreadsheet would
  take for a formula (starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return) gets a leading ``'`` (:func:`recoverylink.ingest.report.safe_frame`).
- ``recoverylink-outcomes.xlsx``, written by gptables (the Government
  Statistical Service's accessible spreadsheet layout): a cover sheet, a
  contents sheet, a notes sheet explaining ``[c]`` and ``[x]``, and one table
  per sheet. Text is always written as text (never as a formula).
- ``recoverylink-outcomes.ods`` (OpenDocument, pandas' ``odf`` engine): the
  same sheets.

The spreadsheets hold the indicators for England and the regions by
financial year; local authorities, the rolling 12 months and the funnel plot
data are too many rows for a spreadsheet to be readable (or for the ODS
writer to write in reasonable time) and are in the CSV files.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import duckdb
import gptables as gpt
import pandas as pd

from recoverylink.ingest.report import safe_frame
from recoverylink.publish import policy

WORKBOOK = "recoverylink-outcomes.xlsx"
ODS = "recoverylink-outcomes.ods"

STATUS_COLUMNS: dict[str, tuple[str, ...]] = {
    "numerator_status": ("numerator",),
    "denominator_status": ("denominator",),
    "value_status": ("value", "lower_95", "upper_95", "lower_99_8", "upper_99_8",
                     "england_value", "compared_95", "compared_99_8", "trend"),
}
"""Which columns each status column speaks for (``status`` speaks for every figure)."""

SUPPRESSED_COLUMNS = "suppressed_columns"

SHEETS: dict[str, tuple[str, str]] = {
    "indicator_values": (
        "Indicators",
        "SELECT * EXCLUDE (period_type, period_start, period_end, region_code) "
        "FROM indicator_values "
        "WHERE period_type = 'financial_year' AND level IN ('england', 'region') "
        "ORDER BY indicator_id, period, level DESC, area_code, substance_group",
    ),
    "case_mix_areas": ("Case mix", "SELECT * FROM case_mix_areas"),
    "study_headlines": ("Study headlines", "SELECT * FROM study_headlines"),
}
"""Tables in the spreadsheets beyond the study tables: table_id -> (sheet, query)."""

COVER_INTRO = [
    "Treatment outcomes for people who use drugs in England, from linked treatment, "
    "offending and death records: the eight treatment indicators by area, substance group "
    "and financial year, a case-mix adjusted comparison of areas, and outcome studies.",
    "This is synthetic data (an invented England), for demonstration only.",
]
COVER_ABOUT = [
    "Counts from 1 to 4 are suppressed and shown [c], as is any figure from which a "
    "suppressed count could be worked out (secondary suppression). Unavailable figures are "
    "shown [x]. Zeros are published.",
    "The spreadsheet holds England and the regions by financial year; local authorities, "
    "rolling 12-month periods and funnel plot data are in the CSV downloads.",
]


def display(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as people read it: ``[c]`` and ``[x]`` in place of NULLs."""
    out = frame.astype(object).copy()
    statuses = [c for c in frame.columns if c in STATUS_COLUMNS or c == "status"]
    covered: set[str] = set()
    for status in statuses:
        columns = STATUS_COLUMNS.get(status) or tuple(
            c for c in frame.columns
            if c not in statuses and (pd.api.types.is_numeric_dtype(frame[c])
                                      or c == "significance")
            and c not in ("comparator_group", "sort_key", "published")
        )
        for column in columns:
            if column not in frame.columns:
                continue
            covered.add(column)
            for code, mark in policy.SHORTHAND.items():
                hide = (frame[status] == code) & frame[column].isna()
                out.loc[hide.to_numpy(), column] = mark
    if SUPPRESSED_COLUMNS in frame.columns:
        for i, named in enumerate(frame[SUPPRESSED_COLUMNS].fillna("")):
            for column in filter(None, (c.strip() for c in named.split(","))):
                out.loc[out.index[i], column] = policy.SHORTHAND[policy.SUPPRESSED]
    for column in frame.columns:
        if column in covered or not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        missing = frame[column].isna().to_numpy() & out[column].isna().to_numpy()
        out.loc[missing, column] = policy.SHORTHAND[policy.NOT_AVAILABLE]
    return out


def _frames(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    catalogue = con.execute("SELECT * FROM catalogue ORDER BY sort_key").df()
    frames = {t: con.execute(f'SELECT * FROM "{t}"').df() for t in catalogue["table_id"]}
    return catalogue, frames


def write_downloads(database: Path, out_dir: Path) -> list[Path]:
    """Every download from the publication database; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database), read_only=True)
    try:
        catalogue, frames = _frames(con)
        sheets = {
            table_id: (sheet, con.execute(query).df())
            for table_id, (sheet, query) in SHEETS.items()
            if table_id in frames
        }
        studies = _studies_text(con)
    finally:
        con.close()
    written = []
    for table_id, frame in frames.items():
        path = out_dir / f"{table_id}.csv"
        safe_frame(display(frame)).to_csv(path, index=False)
        written.append(path)
    for row in catalogue.itertuples():
        if row.topic == "studies" and row.table_id != "study_headlines":
            table_id = str(row.table_id)
            sheets[table_id] = (_sheet_name(table_id), frames[table_id])
    titles = dict(zip(catalogue["table_id"], catalogue["title"], strict=True))
    # a table with no rows (no study run: no headlines) has no sheet: a spreadsheet
    # table needs a row (gptables refuses an empty one); its CSV is still written
    sheets = {t: (sheet, frame) for t, (sheet, frame) in sheets.items() if len(frame)}
    written.append(_workbook(out_dir / WORKBOOK, sheets, titles, studies))
    written.append(_ods(out_dir / ODS, sheets, titles, studies))
    return written


def _studies_text(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Which outcome studies the publication holds, and which it does not and why."""
    tables = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name IN "
        "('studies', 'studies_left_out')").fetchall()}
    if "studies" not in tables:  # not a publication build wrote (a hand-made one)
        return []
    included = [row[0] for row in con.execute(
        "SELECT title FROM studies ORDER BY sort_key").fetchall()]
    left_out: list[tuple[str, str]] = []
    if "studies_left_out" in tables:
        left_out = [(str(r[0]), str(r[1])) for r in con.execute(
            "SELECT study, reason FROM studies_left_out ORDER BY sort_key").fetchall()]
    lines = [
        "Outcome studies in this publication: "
        + ("; ".join(included) if included else "none") + "."
    ]
    if left_out:
        lines.append("Not in it: " + "; ".join(f"{s} ({why})" for s, why in left_out) + ".")
    return lines


def _sheet_name(table_id: str) -> str:
    name = table_id.removeprefix("study_").replace("_", " ")
    return name[:31]


def _notes_table() -> pd.DataFrame:
    return pd.DataFrame({
        "Note number": ["note1", "note2", "note3"],
        "Note text": [
            f"[c] {policy.SHORTHAND_NOTES['[c]']}",
            f"[x] {policy.SHORTHAND_NOTES['[x]']}",
            "Counts from 1 to 4 are suppressed, with enough other cells that no suppressed "
            "count can be worked out from totals or other breakdowns; rates, percentages and "
            "intervals from a suppressed count are suppressed too. Zeros are published.",
        ],
    })


def _sheet_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A sheet's cells: no blank cell (``[x]``: not applicable), no cell of symbols only
    (gptables refuses them, after GSS guidance: ``%`` is written ``per cent``), and no
    ``suppressed_columns`` (the ``[c]`` in its cells say it)."""
    frame = display(frame.drop(columns=[SUPPRESSED_COLUMNS], errors="ignore"))

    def fix(value: object) -> object:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
            return policy.SHORTHAND[policy.NOT_AVAILABLE]
        if isinstance(value, str) and value.strip() and not any(ch.isalnum() for ch in value):
            return "per cent" if value.strip() == "%" else policy.SHORTHAND[policy.NOT_AVAILABLE]
        return value

    return frame.astype(object).map(fix)


def _workbook(path: Path, sheets: dict[str, tuple[str, pd.DataFrame]],
              titles: dict[str, str], studies: list[str]) -> Path:
    gpt_sheets = {}
    for table_id, (sheet, frame) in sheets.items():
        gpt_sheets[sheet] = gpt.GPTable(
            table=_sheet_cells(frame),
            table_name=table_id[:250],
            title=titles.get(table_id, sheet) + " $$note1$$",
            subtitles=["[c] and [x] are explained on the Notes sheet $$note2$$ $$note3$$"],
            scope="England",
            source="RecoveryLink (synthetic data)",
        )
    cover = gpt.Cover(
        cover_label="Cover", title="RecoveryLink: drug treatment outcomes, England",
        intro=["## Introduction", *COVER_INTRO, *studies],
        about=["## About these data", *COVER_ABOUT],
    )
    with warnings.catch_warnings():
        # gptables' own pandas deprecation warnings, and its notice of blank cells
        # (there are none: _sheet_cells fills them)
        warnings.simplefilter("ignore")
        workbook = gpt.produce_workbook(
            filename=str(path),
            sheets=gpt_sheets,
            cover=cover,
            notes_table=_notes_table(),
            # text is text: nothing a cell holds is ever taken for a formula, URL or number
            workbook_options={
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        workbook.close()
    return path


def _ods(path: Path, sheets: dict[str, tuple[str, pd.DataFrame]], titles: dict[str, str],
         studies: list[str]) -> Path:
    contents = pd.DataFrame({
        "Sheet name": [sheet for sheet, _ in sheets.values()],
        "Table title": [titles.get(t, sheet) for t, (sheet, _) in sheets.items()],
    })
    cover = pd.DataFrame({
        "RecoveryLink: drug treatment outcomes, England": [*COVER_INTRO, *studies,
                                                           *COVER_ABOUT]
    })
    with pd.ExcelWriter(path, engine="odf") as writer:
        cover.to_excel(writer, sheet_name="Cover", index=False)
        contents.to_excel(writer, sheet_name="Contents", index=False)
        _notes_table().to_excel(writer, sheet_name="Notes", index=False)
        for sheet, frame in sheets.values():
            _sheet_cells(frame).to_excel(writer, sheet_name=sheet, index=False)
    return path
