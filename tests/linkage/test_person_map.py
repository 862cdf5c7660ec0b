"""What `recoverylink link` writes: the person map, links, runs; pseudonyms; no identifiers."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from pathlib import Path

import duckdb
import pytest
from conftest import KEY, Linked, run_cli

from recoverylink.linkage.jobs import JOB_NAMES, MODEL_FORMAT_VERSION


def warehouse(data_dir: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)


def test_every_linkable_record_has_one_person(linked: Linked) -> None:
    with warehouse(linked.data_dir) as con:
        con.execute(f"ATTACH '{linked.data_dir / 'identity.duckdb'}' AS idn (READ_ONLY)")
        expected = con.execute(
            "SELECT count(*) FROM raw.treatment_episodes WHERE linkable"
        ).fetchall()[0][0] + sum(
            con.execute(f"SELECT count(*) FROM idn.{t}").fetchall()[0][0]
            for t in ("pnc_nominals", "pnc_aliases", "drug_tests", "deaths")
        )
        rows, distinct = con.execute(
            "SELECT count(*), count(DISTINCT record_id) FROM link.person_map"
        ).fetchall()[0]
        unlinkable = con.execute(
            "SELECT count(*) FROM link.person_map JOIN raw.treatment_episodes USING (record_id) "
            "WHERE NOT linkable"
        ).fetchall()[0][0]
    assert rows == distinct == expected
    assert unlinkable == 0


def test_person_id_is_the_keyed_hmac_of_the_smallest_key(linked: Linked) -> None:
    people: dict[str, list[str]] = {}
    with linked.map_file.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            people.setdefault(row["person_id"], []).append(f"{row['source']}|{row['key']}")
    assert len(people) > 1000
    for person, keys in list(people.items())[:200]:
        message = b"recoverylink person v1|" + min(keys).encode("utf-8")
        digest = hmac.new(KEY.encode("utf-8"), message, hashlib.sha256).hexdigest()
        assert person == "P" + digest[:24]


def test_rule_links_have_probability_one_and_singletons_none(linked: Linked) -> None:
    with warehouse(linked.data_dir) as con:
        by_source = dict(
            con.execute(
                "SELECT method, min(match_probability) FROM link.links WHERE accepted GROUP BY 1"
            ).fetchall()
        )
        alone = con.execute(
            "SELECT count(*) FROM link.person_map p WHERE match_probability IS NULL AND "
            "(SELECT count(*) FROM link.person_map q WHERE q.person_id = p.person_id) > 1 "
            "AND source <> 'treatment'"
        ).fetchall()[0][0]
    assert by_source["rule"] == 1.0
    assert by_source["model"] >= 0.8
    assert alone == 0


def test_the_warehouse_link_tables_hold_no_identifier(linked: Linked) -> None:
    with warehouse(linked.data_dir) as con:
        con.execute(f"ATTACH '{linked.data_dir / 'identity.duckdb'}' AS idn (READ_ONLY)")
        values = {
            str(v)
            for table, column in [
                ("pnc_nominals", "pnc_id"), ("pnc_nominals", "surname"),
                ("pnc_nominals", "forenames"), ("deaths", "surname"),
                ("pnc_nominals", "date_of_birth"), ("pnc_nominals", "postcode"),
            ]
            for (v,) in con.execute(f"SELECT DISTINCT {column} FROM idn.{table}").fetchall()
            if v is not None
        }
        cells = {
            str(v)
            for table in ("person_map", "links", "runs")
            for row in con.execute(f"SELECT * FROM link.{table}").fetchall()
            for v in row
            if v is not None
        }
    assert len(values) > 1000
    assert not values & cells


def test_models_are_saved_as_versioned_json(linked: Linked) -> None:
    folder = linked.data_dir / "linkage" / "models" / "current"
    assert sorted(p.stem for p in folder.glob("*.json")) == sorted(JOB_NAMES)
    for name in JOB_NAMES:
        model = json.loads((folder / f"{name}.json").read_text("utf-8"))
        about = model["recoverylink"]
        assert about["format_version"] == MODEL_FORMAT_VERSION
        assert about["job"] == name and about["trained_in_run"] is True
        assert 0 < model["probability_two_random_records_match"] < 1
        levels = [lvl for c in model["comparisons"] for lvl in c["comparison_levels"]]
        assert all(0 < lvl["u_probability"] < 1 for lvl in levels
                   if not lvl.get("is_null_level") and "u_probability" in lvl)


def test_a_model_of_another_version_is_refused(
    linked: Linked, data_copy: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for path in (linked.data_dir / "linkage" / "models" / "current").glob("*.json"):
        model = json.loads(path.read_text("utf-8"))
        model["recoverylink"]["format_version"] = MODEL_FORMAT_VERSION + 1
        (models / path.name).write_text(json.dumps(model), "utf-8")
    result = run_cli("link", "--data-dir", data_copy, "--models", models)
    assert result.code == 2
    assert f"version {MODEL_FORMAT_VERSION + 1} model" in result.err


def test_scores_splink_well_ahead_of_the_baseline(linked: Linked) -> None:
    with (linked.data_dir / "linkage" / "report" / "scores.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    score = {(r["method"], r["source_a"], r["source_b"], r["scope"]): r for r in rows}
    for pair in [("treatment", "treatment"), ("treatment", "pnc"), ("deaths", "any")]:
        splink, baseline = score["splink", *pair, "all"], score["baseline", *pair, "all"]
        assert float(splink["f1"]) >= 0.95, pair
        assert float(splink["recall"]) >= float(baseline["recall"]) + 0.05, pair
    report = (linked.data_dir / "linkage" / "report" / "linkage-report.html").read_text("utf-8")
    assert "<svg" in report and "treatment_pnc" in report and "<script" not in report


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no pseudonymisation key"),
        ({"RECOVERYLINK_PSEUDONYM_KEY": "short"}, "must be at least 32 bytes"),
    ],
)
def test_link_needs_a_key(linked: Linked, env: dict[str, str], message: str) -> None:
    result = run_cli("link", "--data-dir", linked.data_dir, env=env)
    assert result.code == 2
    assert message in result.err


def test_link_without_stores_says_so(tmp_path: Path) -> None:
    result = run_cli("link", "--data-dir", tmp_path / "empty")
    assert result.code == 2
    assert result.err.startswith("error: link: ")
    assert "does not exist: load submissions with `recoverylink ingest FILES" in result.err


def test_unknown_engine_is_refused(tmp_path: Path) -> None:
    result = run_cli("link", "--data-dir", tmp_path, "--engine", "oracle")
    assert result.code == 2
    assert "unknown engine 'oracle'" in result.err
