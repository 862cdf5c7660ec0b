"""The downloads: CSV, the gptables workbook and ODS, and that no text becomes a formula."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from recoverylink.publish.spreadsheets import ODS, WORKBOOK, display, write_downloads

DANGEROUS = ["=1+1", "+44 113", "-2", "@SUM(A1)", "=HYPERLINK(\"http://x\")"]


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny publication database whose text cells start like formulas."""
    folder = tmp_path_factory.mktemp("downloads")
    database = folder / "publication.duckdb"
    con = duckdb.connect(str(database))
    con.execute(
        "CREATE TABLE study_headlines (study VARCHAR, headline_id VARCHAR, label VARCHAR, "
        "value DOUBLE, unit VARCHAR, lower DOUBLE, upper DOUBLE, published DOUBLE, "
        "published_text VARCHAR, note VARCHAR, status VARCHAR)"
    )
    rows = [
        ("demo", f"h{i}", text, 12.5 if i else None, "people", None, None, None, "", "x",
         "c" if i == 0 else "")
        for i, text in enumerate(DANGEROUS)
    ]
    con.executemany("INSERT INTO study_headlines VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute(
        "CREATE TABLE study_demo_table (label VARCHAR, people BIGINT, pct DOUBLE, "
        "suppressed_columns VARCHAR)"
    )
    con.execute(
        "INSERT INTO study_demo_table VALUES ('-3 days', NULL, NULL, 'people, pct'), "
        "('ok', 40, -1.5, '')"
    )
    con.execute(
        "CREATE TABLE catalogue AS SELECT * FROM (VALUES "
        "('study_headlines', 'Headlines', 'd', 'studies', NULL, '', 1, 5, 'study_headlines.csv'),"
        "('study_demo_table', 'Demo', 'd', 'studies', 'demo', '', 2, 2, 'study_demo_table.csv')"
        ") AS t(table_id, title, description, topic, study, notes, sort_key, row_count, csv_file)"
    )
    con.close()
    write_downloads(database, folder / "downloads")
    return folder / "downloads"


def test_csv_text_never_starts_a_formula(handmade: Path) -> None:
    text = (handmade / "study_headlines.csv").read_text("utf-8")
    for dangerous in DANGEROUS:
        assert f"'{dangerous}" in text.replace('""', '"')
    frame = pd.read_csv(handmade / "study_headlines.csv", dtype=str, keep_default_na=False)
    for cell in frame.to_numpy().ravel():
        assert not re.match(r"[=+\-@\t\r]", cell), cell
    demo = pd.read_csv(handmade / "study_demo_table.csv", dtype=str, keep_default_na=False)
    # a suppressed cell is [c]; a number stays a number (-1.5 is not text)
    assert demo.loc[0].tolist() == ["'-3 days", "[c]", "[c]", "people, pct"]
    assert demo.loc[1].tolist() == ["ok", "40", "-1.5", ""]
    # the headline with status c and no value: [c]
    assert frame.loc[0, "value"] == "[c]"


def test_xlsx_holds_text_as_text_and_no_formula(handmade: Path) -> None:
    with zipfile.ZipFile(handmade / WORKBOOK) as z:
        names = z.namelist()
        sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
        xml = "".join(z.read(n).decode("utf-8") for n in sheets)
        shared = z.read("xl/sharedStrings.xml").decode("utf-8") if (
            "xl/sharedStrings.xml" in names) else ""
        workbook = z.read("xl/workbook.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    for dangerous in ("=1+1", "+44 113", "@SUM(A1)"):
        assert dangerous in shared or dangerous in xml
    sheet_names = re.findall(r'<sheet name="([^"]+)"', workbook)
    assert sheet_names[:3] == ["Cover", "Contents", "Notes"]
    assert "Study headlines" in sheet_names and "demo table" in sheet_names
    assert "[c]" in shared and "[x]" in shared
    assert "Confidential" in shared  # the notes explain [c]


def test_ods_has_the_same_sheets_and_no_formula(handmade: Path) -> None:
    with zipfile.ZipFile(handmade / ODS) as z:
        content = z.read("content.xml").decode("utf-8")
    assert "table:formula" not in content
    sheets = pd.read_excel(handmade / ODS, engine="odf", sheet_name=None, dtype=str)
    assert list(sheets)[:3] == ["Cover", "Contents", "Notes"]
    headlines = sheets["Study headlines"]
    assert set(DANGEROUS) <= set(headlines["label"])
    assert headlines.loc[0, "value"] == "[c]"
    notes = " ".join(sheets["Notes"]["Note text"])
    assert "[c]" in notes and "[x]" in notes


def test_display_marks_by_status() -> None:
    frame = pd.DataFrame({
        "numerator": pd.array([None, 7], dtype="Int64"),
        "denominator": [None, 20.0],
        "value": [None, 35.0],
        "numerator_status": ["c", ""],
        "denominator_status": ["c", ""],
        "value_status": ["c", ""],
    })
    shown = display(frame)
    assert shown["numerator"].tolist() == ["[c]", 7]
    assert shown["value"].tolist() == ["[c]", 35.0]


def test_every_catalogued_table_is_downloadable(
    published: Path, publication: duckdb.DuckDBPyConnection
) -> None:
    downloads = published / "publish" / "downloads"
    catalogue = publication.execute("SELECT table_id, row_count, csv_file FROM catalogue").df()
    assert {"indicator_values", "funnel_points", "funnel_lines", "case_mix_areas",
            "study_headlines"} <= set(catalogue["table_id"])
    assert catalogue["table_id"].str.startswith("study_top_").any()
    for row in catalogue.itertuples():
        path = downloads / str(row.csv_file)
        with path.open(encoding="utf-8") as handle:
            lines = sum(1 for _ in handle) - 1
        # (a quoted field may hold a line break: never in these tables)
        assert lines == row.row_count, row.table_id
    values = pd.read_csv(downloads / "indicator_values.csv", dtype=str, nrows=200_000)
    assert (values["numerator"] == "[c]").any()
    assert (downloads / WORKBOOK).stat().st_size > 0 and (downloads / ODS).stat().st_size > 0
