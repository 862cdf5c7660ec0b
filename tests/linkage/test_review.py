"""Clerical review: export a band of pairs, decide, import, and the next run obeys."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
from conftest import Linked, run_cli


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _person(data_dir: Path, record_id: int) -> str:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return str(
            con.execute(
                "SELECT person_id FROM link.person_map WHERE record_id = ?", [record_id]
            ).fetchall()[0][0]
        )


def test_review_round_trip(linked: Linked, data_copy: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    exported = run_cli("link", "review", "export", "--data-dir", data_copy,
                       "--low", "0.3", "--high", "0.95", "--out", review)
    assert exported.code == 0, exported.err
    rows = _read(review)
    assert len(rows) >= 4
    assert all(0.3 <= float(r["match_probability"]) < 0.95 for r in rows)
    assert all(r["decision"] == "" and r["date_of_birth_l"] and r["source_l"] for r in rows)
    # one pair the model accepted, to reject; one it did not, to accept
    reject = next(r for r in rows if r["accepted_by_model"] == "yes")
    accept = next(r for r in rows if r["accepted_by_model"] == "no"
                  and _person(data_copy, int(r["record_id_l"]))
                  != _person(data_copy, int(r["record_id_r"])))
    reject["decision"], accept["decision"] = "reject", "Accept"
    _write(review, rows)

    imported = run_cli("link", "review", "import", review, "--data-dir", data_copy)
    assert imported.code == 0, imported.err
    assert f"1 accepted, 1 rejected, {len(rows) - 2:,} left undecided" in imported.out

    models = linked.data_dir / "linkage" / "models" / "current"
    relinked = run_cli("link", "--data-dir", data_copy, "--models", models)
    assert relinked.code == 0, relinked.err
    a, b = int(accept["record_id_l"]), int(accept["record_id_r"])
    assert _person(data_copy, a) == _person(data_copy, b)
    a, b = int(reject["record_id_l"]), int(reject["record_id_r"])
    assert _person(data_copy, a) != _person(data_copy, b)
    with duckdb.connect(str(data_copy / "warehouse.duckdb"), read_only=True) as con:
        methods = dict(con.execute(
            "SELECT method, count(*) FROM link.links WHERE job = 'review' GROUP BY 1"
        ).fetchall())
    assert methods == {"review": 2}


def test_a_bad_review_file_is_refused_whole(
    linked: Linked, data_copy: Path, tmp_path: Path
) -> None:
    review = tmp_path / "review.csv"
    assert run_cli("link", "review", "export", "--data-dir", data_copy,
                   "--low", "0.3", "--high", "0.95", "--out", review).code == 0
    rows = _read(review)
    rows[0]["decision"] = "maybe"
    rows[1]["decision"] = "accept"
    rows[1]["record_id_r"] = "1"  # not a pair the run scored
    rows[2]["decision"] = "reject"
    _write(review, rows)
    result = run_cli("link", "review", "import", review, "--data-dir", data_copy)
    assert result.code == 2
    assert "2 problem(s), nothing stored" in result.err
    assert "line 2: decision must be accept, reject or empty, not 'maybe'" in result.err
    assert "line 3: the pair" in result.err
    with duckdb.connect(str(data_copy / "warehouse.duckdb"), read_only=True) as con:
        tables = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'review_decisions'"
        ).fetchall()[0][0]
        stored = con.execute("SELECT count(*) FROM link.review_decisions").fetchall()[0][0] \
            if tables else 0
    assert stored == 0


def test_export_map_has_one_row_per_key(linked: Linked) -> None:
    rows = _read(linked.map_file)
    keys = [(r["source"], r["key"]) for r in rows]
    assert len(keys) == len(set(keys))
    truth = _read(linked.england / "truth" / "records.csv")
    truth_keys = {(r["source"], r["key"]) for r in truth}
    # every key of the truth that was loaded is in the map, except non-consenting episodes'
    missing = truth_keys - set(keys)
    with duckdb.connect(str(linked.data_dir / "warehouse.duckdb"), read_only=True) as con:
        episodes = con.execute(
            "SELECT provider_code || '|' || episode_ref, bool_and(linkable) "
            "FROM raw.treatment_episodes GROUP BY 1"
        ).fetchall()
    loaded = {("treatment", key) for key, _ in episodes}
    unlinkable = {("treatment", key) for key, linkable in episodes if not linkable}
    assert missing & loaded <= unlinkable
    assert all(source == "treatment" for source, _ in missing)
    assert len(rows) > 10000
