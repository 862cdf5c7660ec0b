"""The generator's output: files, cumulative submissions, truth, reproducibility, bad arguments."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from recoverylink.errors import SynthArgumentError
from recoverylink.spec.codes import DISCHARGE_REASON_CLASS
from recoverylink.synth import generate
from recoverylink.synth.readback import latest_submissions


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def _zip_tables(path: Path) -> dict[str, pd.DataFrame]:
    with zipfile.ZipFile(path) as zf:
        return {name: _csv(zf.read(name)) for name in zf.namelist()}


def test_folder_layout(small_england: Path) -> None:
    assert (small_england / "manifest.json").exists()
    names = {p.name for p in small_england.iterdir()}
    assert {
        "treatment",
        "pnc",
        "drug_tests",
        "deaths",
        "reference",
        "truth",
        "manifest.json",
    } <= names
    assert [p.name for p in (small_england / "pnc").iterdir()] == ["pnc_2014-01-31.zip"]
    deaths = sorted(p.name for p in (small_england / "deaths").iterdir())
    assert deaths[0] == "deaths_2003.csv" and deaths[-1] == "deaths_2013.csv" and len(deaths) == 11
    tests = sorted(p.name for p in (small_england / "drug_tests").iterdir())
    assert tests[0] == "drug_tests_2004-04.csv"
    fys = sorted(p.name for p in (small_england / "treatment").iterdir())
    assert fys == [f"{y}-{(y + 1) % 100:02d}" for y in range(2003, 2012)]


def test_treatment_zip_names_and_members(small_england: Path) -> None:
    pattern = re.compile(r"^treatment_(P\w+)_(\d{4})-(\d{2})\.zip$")
    zips = sorted((small_england / "treatment").rglob("*.zip"))
    assert len(zips) > 500
    providers = set(
        pd.read_csv(small_england / "reference" / "providers.csv", dtype=str)["provider_code"]
    )
    for path in zips[::50]:
        m = pattern.match(path.name)
        assert m, path.name
        assert m.group(1) in providers
        with zipfile.ZipFile(path) as zf:
            assert sorted(zf.namelist()) == ["episodes.csv", "interventions.csv", "top.csv"]
            eps = _csv(zf.read("episodes.csv"))
        assert (eps["provider_code"] == m.group(1)).all()


def _provider_year(small_england: Path) -> tuple[str, list[Path]]:
    """The provider with the largest March 2007 extract, and its 2006-07 submissions in order."""
    folder = small_england / "treatment" / "2006-07"
    march = max(folder.glob("*_2007-03.zip"), key=lambda p: len(_zip_tables(p)["episodes.csv"]))
    code = march.name.split("_")[1]
    return code, sorted(folder.glob(f"treatment_{code}_*.zip"))


def test_submissions_are_cumulative_within_the_year(small_england: Path) -> None:
    _, months = _provider_year(small_england)
    assert len(months) >= 10
    previous: set[str] = set()
    for path in months:
        month_end = pd.Period(path.stem.split("_")[2], freq="M").end_time.strftime("%Y-%m-%d")
        eps = _zip_tables(path)["episodes.csv"]
        refs = set(eps["episode_ref"])
        # every episode of an earlier month is still in the extract
        assert previous <= refs
        previous = refs
        # nothing is discharged after the end of the submission month
        discharged = eps[eps["discharge_date"] != ""]
        assert (discharged["discharge_date"] <= month_end).all()
        assert (eps["triage_date"] <= month_end).all()


def test_discharge_appears_once_it_happens(small_england: Path) -> None:
    _, months = _provider_year(small_england)
    last = _zip_tables(months[-1])["episodes.csv"]
    done = last[(last["discharge_date"] != "") & (last["discharge_date"] >= "2006-04-01")]
    assert len(done) > 0
    first = _zip_tables(months[0])["episodes.csv"].set_index("episode_ref")
    month0_end = pd.Period(months[0].stem.split("_")[2], freq="M").end_time.strftime("%Y-%m-%d")
    later = done[done["discharge_date"] > month0_end]
    for ref in later["episode_ref"]:
        if ref in first.index:
            assert first.loc[ref, "discharge_date"] == ""
            assert first.loc[ref, "discharge_reason"] == ""


def test_non_consenting_episodes_hold_only_allowed_fields(small_england: Path) -> None:
    subs = latest_submissions(small_england / "treatment")
    eps = pd.concat([_zip_tables(p)["episodes.csv"] for p in subs])
    no = eps[eps["consent"] == "n"]
    assert len(no) > 0
    # the fields DATA_SPEC section 1 lets a non-consenting episode fill
    allowed = {
        "provider_code",
        "client_ref",
        "episode_ref",
        "consent",
        "referral_date",
        "triage_date",
        "discharge_date",
        "discharge_reason",
    }
    for col in set(eps.columns) - allowed:
        assert (no[col] == "").all(), col
    assert set(eps["discharge_reason"]) - {""} <= set(DISCHARGE_REASON_CLASS)


def test_truth_covers_every_record_once(small_england: Path) -> None:
    truth = pd.read_csv(small_england / "truth" / "records.csv", dtype=str, keep_default_na=False)
    assert list(truth.columns) == ["source", "key", "person"]
    assert not truth.duplicated(["source", "key"]).any()
    keys = {s: set(g["key"]) for s, g in truth.groupby("source")}
    subs = latest_submissions(small_england / "treatment")
    eps = pd.concat([_zip_tables(p)["episodes.csv"] for p in subs])
    assert set(eps["provider_code"] + "|" + eps["episode_ref"]) <= keys["treatment"]
    pnc = _zip_tables(small_england / "pnc" / "pnc_2014-01-31.zip")
    assert set(pnc["nominals.csv"]["pnc_id"]) == keys["pnc"]
    tests = pd.concat(_csv(p.read_bytes()) for p in (small_england / "drug_tests").glob("*.csv"))
    assert set(tests["test_id"]) == keys["drug_tests"]
    deaths = pd.concat(_csv(p.read_bytes()) for p in (small_england / "deaths").glob("*.csv"))
    assert set(deaths["death_id"]) == keys["deaths"]
    params = json.loads((small_england / "truth" / "parameters.json").read_text())
    assert (
        params["scale"] == pytest.approx(0.004) and "share_no_fixed_abode" in params["parameters"]
    )


def test_the_same_person_is_recorded_differently_across_sources(small_england: Path) -> None:
    """Linkage must be hard: recorded dates of birth of one person disagree now and then."""
    truth = pd.read_csv(small_england / "truth" / "records.csv", dtype=str, keep_default_na=False)
    subs = latest_submissions(small_england / "treatment")
    eps = pd.concat([_zip_tables(p)["episodes.csv"] for p in subs])
    eps = eps[eps["consent"] == "y"].copy()
    eps["person"] = (eps["provider_code"] + "|" + eps["episode_ref"]).map(
        truth[truth.source == "treatment"].set_index("key")["person"]
    )
    pnc = _zip_tables(small_england / "pnc" / "pnc_2014-01-31.zip")["nominals.csv"]
    pnc["person"] = pnc["pnc_id"].map(truth[truth.source == "pnc"].set_index("key")["person"])
    both = eps.drop_duplicates(["person", "client_ref"]).merge(
        pnc, on="person", suffixes=("", "_pnc")
    )
    assert len(both) > 200
    dob_differs = (both["date_of_birth"] != both["date_of_birth_pnc"]).mean()
    initial_differs = (both["first_initial"] != both["forenames"].str[0]).mean()
    assert 0.005 < dob_differs < 0.15
    assert 0.01 < initial_differs < 0.25


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    def digest(folder: Path) -> dict[str, str]:
        return {
            str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    generate(tmp_path / "a", 0.001, 5, workers=2)
    generate(tmp_path / "b", 0.001, 5, workers=1)
    generate(tmp_path / "c", 0.001, 6, workers=1)
    a, b, c = digest(tmp_path / "a"), digest(tmp_path / "b"), digest(tmp_path / "c")
    assert a == b
    assert a != c


@pytest.mark.parametrize("scale", [0.0, -1.0, 100.0])
def test_nonsense_scale_is_refused_before_writing(tmp_path: Path, scale: float) -> None:
    out = tmp_path / "out"
    with pytest.raises(SynthArgumentError, match="scale"):
        generate(out, scale, 1)
    assert not out.exists()


def test_negative_seed_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SynthArgumentError, match="seed"):
        generate(tmp_path / "out", 0.001, -3)
    assert not (tmp_path / "out").exists()


def test_non_empty_folder_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(SynthArgumentError, match="not empty"):
        generate(out, 0.001, 1)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_force_replaces_earlier_output_and_keeps_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(out, 0.001, 1, workers=1)
    (out / "notes.txt").write_text("mine")
    stale = out / "treatment" / "stale.zip"
    stale.write_bytes(b"old")
    generate(out, 0.001, 2, force=True, workers=1)
    assert not stale.exists()
    assert (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(SynthArgumentError, match="not a folder"):
        generate(target, 0.001, 1)


def test_unwritable_output_folder_is_refused(tmp_path: Path) -> None:
    # /proc refuses new folders even for root
    with pytest.raises(SynthArgumentError, match="cannot be"):
        generate(Path("/proc/recoverylink-synth-test/out"), 0.001, 1)
    assert not Path("/proc/recoverylink-synth-test").exists()


def test_unknown_parameter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SynthArgumentError, match="unknown synth parameter"):
        generate(tmp_path / "out", 0.001, 1, params={"no_such_thing": 1})
    assert not (tmp_path / "out").exists()
