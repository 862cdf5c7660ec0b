"""``recoverylink publish build`` from the command line."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from recoverylink.cli.main import main


def test_publish_build_end_to_end(published: Path) -> None:
    # the shared data dir was published by `recoverylink publish build --data-dir DIR`
    printed = (published.parent / "publish-build.out").read_text("utf-8")
    text = " ".join(printed.split())
    found = re.search(r"Suppressed ([\d,]+) counts from 1 to 4 and ([\d,]+) more", text)
    assert found, text
    primary, secondary = (int(g.replace(",", "")) for g in found.groups())
    assert primary > secondary > 0
    assert "studies: reconviction, long_term, mortality, top" in text
    database = published / "publish" / "publication.duckdb"
    con = duckdb.connect(str(database), read_only=True)
    try:
        (policy, source), = con.execute("SELECT policy_version, source FROM build_info").fetchall()
        studies = [r[0] for r in con.execute("SELECT study FROM studies ORDER BY sort_key")
                   .fetchall()]
    finally:
        con.close()
    assert policy == "1"
    assert source.endswith("outputs/indicators")
    assert studies == ["reconviction", "long_term", "mortality", "top"]
    assert not list((published / "publish").glob(".*.tmp"))  # renamed into place


def test_publish_build_needs_the_indicators(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish", "build", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"run `recoverylink indicators --data-dir {tmp_path}`" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "publish" / "publication.duckdb").exists()
