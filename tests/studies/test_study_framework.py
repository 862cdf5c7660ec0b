"""The study framework: options, the report writer and the command, with a stand-in study."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from recoverylink.cli.main import main
from recoverylink.studies import registry
from recoverylink.studies.base import (
    Chart,
    Headline,
    StudyError,
    StudyResult,
    Table,
    financial_year,
)
from recoverylink.studies.charts import bar_chart
from recoverylink.studies.report import fmt, write_report


def test_financial_year() -> None:
    start, end = financial_year("2006-07")
    assert (start.isoformat(), end.isoformat()) == ("2006-04-01", "2007-03-31")
    assert financial_year("1999-00")[1].isoformat() == "2000-03-31"
    for bad in ("2006", "2006-08", "06-07", "2006-7x"):
        with pytest.raises(StudyError):
            financial_year(bad)


def test_fmt() -> None:
    assert fmt(-47.25, "%") == "-47.2%"
    assert fmt(36.0, "%") == "36.0%"
    assert fmt(53851, "people") == "53,851"
    assert fmt(float("nan"), "%") == "-"
    assert fmt(None, "ratio") == "-"


def _result() -> StudyResult:
    return StudyResult(
        study="demo",
        title="A stand-in study",
        schema="mart",
        parameters={"year": "2006-07"},
        cohort=["10 people started a journey", "2 left out: <b>not linked</b>"],
        methods=["Counted by hand."],
        caveats=["Tiny."],
        headlines=[
            Headline("change", "Change in convictions", -47.0, "%", -55.0, -38.0,
                     published=-47.0, published_text="-47%"),
        ],
        tables=[Table("groups", "By group", pd.DataFrame({"group": ["=cmd|x", "b"], "n": [1, 2]}))],
    )


def test_write_report(tmp_path: Path) -> None:
    result = _result()
    result.charts.append(Chart("bars", "Bars", bar_chart(["a", "b"], [1.0, -2.0], "change (%)")))
    report = write_report(result, tmp_path / "out")
    html = report.read_text()
    assert "A stand-in study" in html and "-47.0%" in html and "-55.0% to -38.0%" in html
    assert "&lt;b&gt;not linked&lt;/b&gt;" in html  # text is escaped
    assert "<svg" in html
    groups = pd.read_csv(tmp_path / "out" / "groups.csv")
    assert groups["group"].tolist() == ["'=cmd|x", "b"]  # a formula is not left live
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["tables"] == {"groups": 2}
    assert manifest["headlines"][0]["published_text"] == "-47%"


def test_unknown_study(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["study", "nonsense", "--data-dir", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert "no study called 'nonsense'" in err and "reconviction" in err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["study", "--list"]) == 0
    out = capsys.readouterr().out
    for name in registry.STUDIES:
        assert name in out
