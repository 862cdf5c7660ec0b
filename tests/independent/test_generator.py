"""The independent generator writes files the system accepts, and its truth fits the stores.

For a handful of scenarios (the default, and the extremes: tiny, no drug tests
and no death postcodes, no errors, heavy errors, one provider in one local
authority, a provider without consent, treatment alone) every file passes
``recoverylink validate``, ``recoverylink ingest`` loads them all, ``status``
shows the loads, and the stores hold exactly what the generator says it wrote.
Expected figures come from the generator's own bookkeeping or from reading its
files back, never from pasted numbers. The Scenario fields are checked to do
what they say on files read back directly.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pytest

from recoverylink.cli.main import main
from recoverylink.spec import validate_path

from .generator import SOURCES, GeneratedData, Scenario, generate

SCENARIOS: dict[str, Scenario] = {
    "default": Scenario(),
    "tiny": Scenario(people=20, seed=7),
    "no_tests_no_death_postcode": Scenario(
        people=300, seed=3, sources=SOURCES - {"drug_tests"}, death_postcode_fill=0.0
    ),
    "no_errors": Scenario(people=300, seed=4, dob_error_rate=0.0, initial_error_rate=0.0),
    "heavy_errors": Scenario(
        people=300,
        seed=5,
        dob_error_rate=0.3,
        initial_error_rate=0.3,
        alias_rate=1.0,
        postcode_fill=0.0,
        drug_test_pnc_id_fill=1.0,
        death_postcode_fill=1.0,
    ),
    "one_provider_one_la": Scenario(people=200, seed=6, providers=1, local_authorities=1),
    "no_consent_provider": Scenario(people=300, seed=8, no_consent_provider=True),
    "treatment_only": Scenario(
        people=150, seed=9, sources=frozenset({"treatment"}), postcode_fill=1.0, years=1
    ),
}


# --------------------------------------------------------------------------- reading back


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@dataclass
class Files:
    """The generated folder read back with nothing but csv and zipfile."""

    tables: dict[str, list[dict[str, str]]]  # table -> rows over all files
    providers: list[dict[str, str]]


def read_back(g: GeneratedData) -> Files:
    tables: dict[str, list[dict[str, str]]] = defaultdict(list)
    for paths in g.files.values():
        for path in paths:
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as z:
                    for name in z.namelist():
                        tables[name.removesuffix(".csv")] += read_csv(z.read(name))
            else:
                table = "drug_tests" if path.name.startswith("drug_tests") else "deaths"
                tables[table] += read_csv(path.read_bytes())
    return Files(tables, read_csv(g.providers_csv.read_bytes()))


def truth_rows(g: GeneratedData) -> list[dict[str, str]]:
    return read_csv(g.truth_csv.read_bytes())


# --------------------------------------------------------------------------- fixtures


@dataclass
class Loaded:
    g: GeneratedData
    data_dir: Path
    validate_code: int
    validate_report: dict[str, object]
    ingest_code: int
    ingest_out: str
    status_code: int
    status: dict[str, object]


def run_cli(*args: str | Path) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main([str(a) for a in args])
    return int(code), out.getvalue()


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loaded]:
    """The scenario generated, validated, ingested and its status read, once per module."""
    name = request.param
    base = tmp_path_factory.mktemp(f"independent-{name}")
    with pytest.MonkeyPatch.context() as mp:
        for var in list(os.environ):
            if var.startswith("RECOVERYLINK_") or var == "CI":
                mp.delenv(var)
        mp.setenv("COLUMNS", "250")
        mp.chdir(base)
        g = generate(SCENARIOS[name], base / "in")
        reports = base / "reports"
        v_code, v_out = run_cli(
            "validate", g.out, "--providers", g.providers_csv, "--report-dir", reports
        )
        report = json.loads((reports / "validation-report.json").read_text("utf-8"))
        data_dir = base / "data"
        i_code, i_out = run_cli("ingest", g.out, "--data-dir", data_dir)
        s_code, s_out = run_cli("status", "--data-dir", data_dir, "--json", "--limit", "0")
        status = json.loads(s_out) if s_code == 0 else {}
        yield Loaded(g, data_dir, v_code, report, i_code, i_out + v_out, s_code, status)


def warehouse(loaded: Loaded) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(loaded.data_dir / "warehouse.duckdb"), read_only=True)
    con.execute(f"ATTACH '{loaded.data_dir / 'identity.duckdb'}' AS idn (READ_ONLY)")
    return con


# --------------------------------------------------------------------------- the system accepts it


def test_every_file_is_valid(loaded: Loaded) -> None:
    g = loaded.g
    assert loaded.validate_code == 0, loaded.ingest_out
    report = loaded.validate_report
    assert report["valid"] is True and report["problems"] == []
    written = {p.name for paths in g.files.values() for p in paths} | {g.providers_csv.name}
    files = report["files"]
    assert isinstance(files, list)
    assert {Path(f["path"]).name for f in files} == written
    assert report["skipped"] == []
    assert {f["status"] for f in files} == {"valid"}


def test_each_file_is_valid_alone(loaded: Loaded) -> None:
    """Checked one by one through the library too (no register: unknown_provider skipped)."""
    g = loaded.g
    for paths in g.files.values():
        for path in paths[:3]:
            assert validate_path(path) == [], path.name


def test_ingest_loads_every_file(loaded: Loaded) -> None:
    g = loaded.g
    assert loaded.ingest_code == 0, loaded.ingest_out
    assert loaded.status_code == 0
    summaries = {s["kind"]: s for s in loaded.status["sources"]}  # type: ignore[union-attr]
    for source in ("treatment", *sorted(g.scenario.sources - {"treatment"})):
        paths = g.files.get(source, [])
        s = summaries[source]
        assert s["current_files"] == len(paths), source
        assert s["rejected_files"] == s["refused_files"] == s["superseded_files"] == 0
        rows = sum(sum(g.rows[p.name].values()) for p in paths)
        assert s["current_rows"] == rows, source
    for source in SOURCES - g.scenario.sources:
        assert source not in summaries or summaries[source]["current_files"] == 0
    assert summaries["providers"]["current_rows"] == g.scenario.providers
    current = loaded.status["current"]
    assert isinstance(current, list)
    expected = sum(len(v) for v in g.files.values()) + 1
    assert len(current) == loaded.status["current_total"] == expected
    assert loaded.status["not_loaded_total"] == 0


def test_the_stores_hold_what_was_written(loaded: Loaded) -> None:
    g, c = loaded.g, loaded.g.counts
    with warehouse(loaded) as con:

        def one(sql: str) -> int:
            row = con.execute(sql).fetchone()
            assert row is not None
            return int(row[0])

        assert one("SELECT count(*) FROM raw.treatment_episodes") == c["episode_rows"]
        key = "provider_code || '|' || episode_ref"
        assert one(f"SELECT count(DISTINCT {key}) FROM raw.treatment_episodes") == c["episodes"]
        consenting_rows = one("SELECT count(*) FROM raw.treatment_episodes WHERE linkable")
        refused = one(
            f"SELECT count(DISTINCT {key}) FROM raw.treatment_episodes WHERE NOT linkable"
        )
        assert refused == c["non_consenting"]
        assert one("SELECT count(*) FROM idn.treatment_episodes") == consenting_rows
        assert one("SELECT count(*) FROM raw.pnc_nominals") == c["nominals"]
        assert one("SELECT count(*) FROM raw.pnc_aliases") == c["aliases"]
        assert one("SELECT count(*) FROM raw.pnc_disposals") == c["disposals"]
        assert one("SELECT count(*) FROM raw.drug_tests") == c["drug_tests"]
        assert one("SELECT count(*) FROM raw.deaths") == c["deaths"]
        assert one("SELECT count(*) FROM ref.providers") == g.scenario.providers


def test_truth_covers_every_linkable_record_of_the_stores(loaded: Loaded) -> None:
    """The linkage's record keys (as linkage/sql/inputs.sql reads them) are exactly truth's."""
    g = loaded.g
    truth = truth_rows(g)
    keys = [(r["source"], r["key"]) for r in truth]
    assert len(keys) == len(set(keys)), "a (source, key) twice in truth/records.csv"
    assert all(r["person"] for r in truth)
    with warehouse(loaded) as con:
        stored = set(
            con.execute(
                """
                SELECT 'treatment', provider_code || '|' || episode_ref
                FROM raw.treatment_episodes WHERE linkable
                UNION SELECT 'pnc', pnc_id FROM idn.pnc_nominals
                UNION SELECT 'pnc', pnc_id FROM idn.pnc_aliases
                UNION SELECT 'drug_tests', test_id FROM raw.drug_tests
                UNION SELECT 'deaths', death_id FROM raw.deaths
                """
            ).fetchall()
        )
        refused = {
            k for (k,) in con.execute(
                "SELECT DISTINCT provider_code || '|' || episode_ref "
                "FROM raw.treatment_episodes WHERE NOT linkable"
            ).fetchall()
        }  # fmt: skip
    assert stored == g.linkable_keys()
    # non-consenting episodes are in truth (as the project's truth has them) but never linkable
    assert refused == set(g.non_consenting)
    assert {("treatment", k) for k in refused} <= set(keys)


# --------------------------------------------------------------------------- the files themselves


def test_truth_matches_the_files(loaded: Loaded) -> None:
    g = loaded.g
    f = read_back(g)
    truth = truth_rows(g)
    by_source: dict[str, set[str]] = defaultdict(set)
    for r in truth:
        by_source[r["source"]].add(r["key"])
    episodes = {f"{r['provider_code']}|{r['episode_ref']}" for r in f.tables["episodes"]}
    assert by_source["treatment"] == episodes
    assert by_source["pnc"] == {r["pnc_id"] for r in f.tables["nominals"]}
    assert {r["pnc_id"] for r in f.tables["aliases"]} <= by_source["pnc"]
    assert by_source["drug_tests"] == {r["test_id"] for r in f.tables["drug_tests"]}
    assert by_source["deaths"] == {r["death_id"] for r in f.tables["deaths"]}
    assert {r["source"] for r in truth} <= g.scenario.sources
    person = {(r["source"], r["key"]): r["person"] for r in truth}
    # a drug test's PNC id names the same person as the nominal
    for t in f.tables["drug_tests"]:
        if t["pnc_id"] and "pnc" in g.scenario.sources:
            assert person[("pnc", t["pnc_id"])] == person[("drug_tests", t["test_id"])]
    # a client reference is one person at one provider
    clients: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in f.tables["episodes"]:
        key = f"{e['provider_code']}|{e['episode_ref']}"
        clients[(e["provider_code"], e["client_ref"])].add(person[("treatment", key)])
    assert all(len(p) == 1 for p in clients.values())


def test_year_end_extracts_repeat_spanning_episodes(loaded: Loaded) -> None:
    """One file per provider and year; an episode open across a year end is in both years."""
    g = loaded.g
    s = g.scenario
    assert len(g.files["treatment"]) == s.providers * s.years
    f = read_back(g)
    seen = Counter(f"{r['provider_code']}|{r['episode_ref']}" for r in f.tables["episodes"])
    assert sum(seen.values()) == g.counts["episode_rows"]
    assert len(seen) == g.counts["episodes"]
    assert max(seen.values(), default=1) <= s.years
    if s.years > 1 and g.counts["episodes"] > 100:
        assert any(n > 1 for n in seen.values())


def test_scenario_fields_do_what_they_say(loaded: Loaded) -> None:
    g = loaded.g
    s = g.scenario
    f = read_back(g)
    person = {(r["source"], r["key"]): r["person"] for r in truth_rows(g)}
    episodes = f.tables["episodes"]
    consenting = [e for e in episodes if e["consent"] == "y"]
    codes = {r["provider_code"] for r in f.providers}
    assert len(codes) == s.providers == len(g.provider_codes)
    assert {e["provider_code"] for e in episodes} <= codes
    assert len({e["local_authority"] for e in consenting}) <= s.local_authorities
    assert len({r["local_authority"] for r in f.providers}) == min(s.providers, s.local_authorities)
    districts = [e["postcode_district"] != "" for e in consenting]
    if s.postcode_fill == 0:
        assert not any(districts)
    if s.postcode_fill == 1:
        assert all(districts)
    if "deaths" in s.sources:
        postcodes = [d["postcode"] != "" for d in f.tables["deaths"]]
        if s.death_postcode_fill == 0:
            assert not any(postcodes)
        if s.death_postcode_fill == 1:
            assert all(postcodes)
    first = g.provider_codes[0]
    if s.no_consent_provider:
        assert all(e["consent"] == "n" for e in episodes if e["provider_code"] == first)
    assert all(e["consent"] == "y" or e["date_of_birth"] == "" for e in episodes)
    if "pnc" in s.sources:
        if s.alias_rate == 0:
            assert f.tables["aliases"] == []
        if s.alias_rate == 1:
            assert {a["pnc_id"] for a in f.tables["aliases"]} == {
                n["pnc_id"] for n in f.tables["nominals"]
            }
        # the nominal holds the true date of birth and name: compare the other sources with it
        nominal = {person[("pnc", n["pnc_id"])]: n for n in f.tables["nominals"]}
        compared = slipped = wrong_initials = 0
        for e in consenting:
            n = nominal.get(person[("treatment", f"{e['provider_code']}|{e['episode_ref']}")])
            if n is None:
                continue
            compared += 1
            slipped += e["date_of_birth"] != n["date_of_birth"]
            wrong_initials += (e["first_initial"], e["last_initial"]) != (
                n["forenames"][0],
                next(ch for ch in n["surname"] if ch.isalpha()),
            )
        if s.dob_error_rate == 0:
            assert slipped == 0
        if s.initial_error_rate == 0:
            assert wrong_initials == 0
        if compared >= 100 and s.dob_error_rate >= 0.3:
            assert 0.1 * compared < slipped < 0.5 * compared
        if compared >= 100 and s.initial_error_rate >= 0.3:
            assert 0.1 * compared < wrong_initials < 0.5 * compared
    if "drug_tests" in s.sources and "pnc" in s.sources:
        on_pnc = {person[("pnc", n["pnc_id"])] for n in f.tables["nominals"]}
        of_pnc = [
            t for t in f.tables["drug_tests"] if person[("drug_tests", t["test_id"])] in on_pnc
        ]
        with_id = [t["pnc_id"] != "" for t in of_pnc]
        if s.drug_test_pnc_id_fill == 0:
            assert not any(with_id)
        if s.drug_test_pnc_id_fill == 1:
            assert all(with_id)
        # people never on the PNC are tested without a PNC id
        assert sum(t["pnc_id"] != "" for t in f.tables["drug_tests"]) == sum(with_id)


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes_other_seed_other_people(tmp_path: Path) -> None:
    s = Scenario(people=120, seed=11)
    a, b = generate(s, tmp_path / "a"), generate(s, tmp_path / "b")
    names_a = sorted(p.relative_to(a.out) for p in a.out.rglob("*") if p.is_file())
    names_b = sorted(p.relative_to(b.out) for p in b.out.rglob("*") if p.is_file())
    assert names_a == names_b
    for name in names_a:
        assert (a.out / name).read_bytes() == (b.out / name).read_bytes(), name
    c = generate(replace(s, seed=12), tmp_path / "c")
    assert c.truth_csv.read_bytes() != a.truth_csv.read_bytes()


def test_the_sources_chosen_do_not_change_the_people(tmp_path: Path) -> None:
    """Leaving a source out writes less, but the records that are written are the same."""
    s = Scenario(people=150, seed=13)
    full = generate(s, tmp_path / "full")
    part = generate(replace(s, sources=frozenset({"treatment", "deaths"})), tmp_path / "part")
    assert "treatment" in part.files and set(part.files) <= {"treatment", "deaths"}
    for name in ("treatment", "deaths"):
        for p, q in zip(full.files[name], part.files[name], strict=True):
            assert p.name == q.name and p.read_bytes() == q.read_bytes()
    assert set(part.truth) <= set(full.truth)


def test_bad_scenarios_are_refused() -> None:
    with pytest.raises(ValueError):
        Scenario(local_authorities=0)
    with pytest.raises(ValueError):
        Scenario(dob_error_rate=1.5)
    with pytest.raises(ValueError):
        Scenario(sources=frozenset({"treatment", "prisons"}))


def test_the_strategy_draws_valid_folders(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A few scenarios from ``strategies.scenarios()``: every file valid (Hypothesis optional)."""
    hypothesis = pytest.importorskip("hypothesis")
    from .strategies import scenarios

    @hypothesis.settings(max_examples=8, deadline=None, database=None, derandomize=True)
    @hypothesis.given(scenarios(max_people=120))
    def check(s: Scenario) -> None:
        g = generate(s, tmp_path_factory.mktemp("drawn"))
        assert set(g.files) <= s.sources and "treatment" in g.files
        for paths in g.files.values():
            for path in paths:
                assert validate_path(path) == [], (s, path.name)

    check()
