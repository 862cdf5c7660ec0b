"""``recoverylink build`` and ``recoverylink indicators`` on the hand-made episodes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from handmade_episodes import LA_A, build_stores

from recoverylink.cli.main import main

TABLES = (
    "indicator_definitions", "periods", "indicator_values", "funnel_points", "funnel_lines",
    "case_mix_models", "case_mix_coefficients", "case_mix_areas", "case_mix_funnel_lines",
)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("job")
    build_stores(data_dir)
    assert main(["build", "--data-dir", str(data_dir)]) == 0
    assert main(["indicators", "--data-dir", str(data_dir)]) == 0
    return data_dir / "outputs" / "indicators"


def test_every_table_is_written_as_parquet_and_csv(outputs: Path) -> None:
    manifest = json.loads((outputs / "manifest.json").read_text())
    assert manifest["schema"] == "mart"
    assert (manifest["data_start"], manifest["data_end"]) == ("2009-04-01", "2011-03-31")
    for name in TABLES:
        parquet = pd.read_parquet(outputs / f"{name}.parquet")
        csv = pd.read_csv(outputs / f"{name}.csv")
        assert len(parquet) == len(csv) == manifest["tables"][name], name
        assert list(parquet.columns) == list(csv.columns), name


def test_england_values_and_intervals(outputs: Path) -> None:
    values = pd.read_parquet(outputs / "indicator_values.parquet")
    row = values[
        (values["indicator_id"] == "successful_completions")
        & (values["period"] == "2009-10")
        & (values["area_code"] == "E92000001")
        & (values["substance_group"] == "all")
    ].iloc[0]
    # 7 of 13 (test_handmade): 53.846%. Wilson 95%, z = 1.959964, z^2 = 3.841459:
    # centre = (p + z^2/2n) / (1 + z^2/n) = (0.538462 + 0.147748) / 1.295497 = 0.529689
    # half = z * sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
    #      = 1.959964 * sqrt(0.0191170 + 0.0056827) / 1.295497 = 0.238250
    assert row["value"] == pytest.approx(100 * 7 / 13)
    assert row["lower_95"] == pytest.approx(100 * (0.529689 - 0.238250), abs=1e-3)
    assert row["upper_95"] == pytest.approx(100 * (0.529689 + 0.238250), abs=1e-3)
    assert row["compared_95"] == "not compared"  # England itself


def test_area_comparison_with_england(outputs: Path) -> None:
    values = pd.read_parquet(outputs / "indicator_values.parquet")
    row = values[
        (values["indicator_id"] == "successful_completions")
        & (values["period"] == "2009-10")
        & (values["area_code"] == LA_A)
        & (values["substance_group"] == "all")
    ].iloc[0]
    # area A: 4 of 8 = 50%, against England's 53.8%: with 8 people the interval
    # is wide, so similar
    assert (row["numerator"], row["denominator"]) == (4, 8)
    assert row["england_value"] == pytest.approx(100 * 7 / 13)
    assert row["compared_95"] == "similar"


def test_case_mix_model_for_each_year(outputs: Path) -> None:
    models = pd.read_parquet(outputs / "case_mix_models.parquet")
    # 2009-10: 13 people, 7 completed; 2010-11: 12 people, 3 completed
    assert dict(zip(models["period"], models["persons"], strict=True)) == {
        "2009-10": 13, "2010-11": 12,
    }
    assert dict(zip(models["period"], models["completions"], strict=True)) == {
        "2009-10": 7, "2010-11": 3,
    }
    areas = pd.read_parquet(outputs / "case_mix_areas.parquet")
    year = areas[areas["period"] == "2009-10"]
    # observed per area as counted by hand; expected sums to observed overall
    assert dict(zip(year["area_code"], year["observed"], strict=True))[LA_A] == 4
    assert year["expected"].sum() == pytest.approx(7.0, abs=1e-6)


def test_outputs_hold_no_person(outputs: Path) -> None:
    for path in outputs.iterdir():
        if path.suffix == ".csv":
            text = path.read_text()
            assert "person-" not in text and "unlinked:" not in text, path.name


def test_indicators_need_a_built_mart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_stores(tmp_path)
    assert main(["indicators", "--data-dir", str(tmp_path)]) == 2
    assert f"run `recoverylink build --data-dir {tmp_path}` first" in capsys.readouterr().err
