"""Replacement, refusal and no-op rules, with hand-made submissions and hand-worked answers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
import storeview
from builders import (
    alias,
    death,
    disposal,
    drug_test,
    episode,
    intervention,
    nominal,
    pnc_zip,
    providers_csv,
    top,
    treatment_zip,
    write_csv,
)
from conftest import Result

Cli = Callable[..., Result]


def query(data: Path, sql: str) -> list[tuple[object, ...]]:
    with storeview.Stores.open(data, storeview.SETTINGS) as stores:
        return stores.con.execute(sql).fetchall()


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return providers_csv(tmp_path / "ref", [("P1", "Provider One", "E06000001"),
                                            ("P2", "Provider Two", "E06000002")])  # fmt: skip


@pytest.fixture
def may(tmp_path: Path) -> Path:
    """P1's May 2021 submission: two open episodes, E1 with an intervention, E2 with a review."""
    return treatment_zip(
        tmp_path / "may",
        "P1",
        "2021-05",
        [episode("P1", "E1"), episode("P1", "E2", referral_date="2021-05-01",
                                      triage_date="2021-05-02")],
        [intervention("P1", "E1", "I1")],
        [top("P1", "E2", top_date="2021-05-03")],
    )  # fmt: skip


@pytest.fixture
def june(tmp_path: Path) -> Path:
    """P1's June 2021 submission: E1 now discharged, E2 gone, a new E3; I1 ended, a new I3."""
    return treatment_zip(
        tmp_path / "june",
        "P1",
        "2021-06",
        [
            episode("P1", "E1", discharge_date="2021-06-10",
                    discharge_reason="completed_drug_free"),
            episode("P1", "E3", referral_date="2021-06-01", triage_date="2021-06-01"),
        ],
        [
            intervention("P1", "E1", "I1", end_date="2021-06-05", exit_status="planned"),
            intervention("P1", "E3", "I3", referred_date="2021-06-01", start_date="2021-06-02"),
        ],
    )  # fmt: skip


def episodes(data: Path) -> set[tuple[object, ...]]:
    return set(
        query(data, "SELECT episode_ref, CAST(discharge_date AS VARCHAR), discharge_reason "
                    "FROM raw.treatment_episodes")
    )  # fmt: skip


def interventions(data: Path) -> set[tuple[object, ...]]:
    return set(
        query(data, "SELECT intervention_ref, episode_ref, CAST(end_date AS VARCHAR), exit_status "
                    "FROM raw.treatment_interventions")
    )  # fmt: skip


def ledger(data: Path) -> list[tuple[object, ...]]:
    return query(
        data,
        "SELECT load_id, file_name, status, replaces, replaced_by FROM ingest.loads "
        "ORDER BY load_id",
    )


def test_a_later_month_replaces_the_earlier_one(
    cli: Cli, tmp_path: Path, register: Path, may: Path, june: Path
) -> None:
    data = tmp_path / "data"
    assert cli("ingest", register, may, "--data-dir", data).code == 0
    assert episodes(data) == {("E1", None, None), ("E2", None, None)}
    assert interventions(data) == {("I1", "E1", None, None)}
    assert query(data, "SELECT episode_ref, CAST(top_date AS VARCHAR) FROM raw.treatment_top") == [
        ("E2", "2021-05-03")
    ]

    result = cli("ingest", june, "--data-dir", data)

    assert result.code == 0
    assert "replaced" in result.out
    # June's rows only: E2 and its review are gone with May's submission.
    assert episodes(data) == {("E1", "2021-06-10", "completed_drug_free"), ("E3", None, None)}
    assert interventions(data) == {("I1", "E1", "2021-06-05", "planned"), ("I3", "E3", None, None)}
    assert query(data, "SELECT count(*) FROM raw.treatment_top") == [(0,)]
    assert ledger(data) == [
        (1, "providers.csv", "current", None, None),
        (2, "treatment_P1_2021-05.zip", "superseded", None, 3),
        (3, "treatment_P1_2021-06.zip", "current", 2, None),
    ]
    # Identifiers of May's episodes went with them: two identity rows, both June's.
    assert query(
        data, "SELECT load_id, client_ref FROM identity.treatment_episodes ORDER BY 2"
    ) == [
        (3, "C-E1"),
        (3, "C-E3"),
    ]
    assert storeview.store_rows(data) == storeview.file_rows([june])


def test_loading_both_months_in_one_run_gives_the_same_stores(
    cli: Cli, tmp_path: Path, register: Path, may: Path, june: Path
) -> None:
    one_by_one, together = tmp_path / "one", tmp_path / "two"
    cli("ingest", register, "--data-dir", one_by_one)
    cli("ingest", may, "--data-dir", one_by_one)
    cli("ingest", june, "--data-dir", one_by_one)

    result = cli("ingest", june, may, register, "--data-dir", together)  # order given: any

    assert result.code == 0
    assert storeview.store_rows(together) == storeview.store_rows(one_by_one)
    assert ledger(together) == ledger(one_by_one)


def test_an_identical_resend_changes_nothing(
    cli: Cli, tmp_path: Path, register: Path, may: Path, june: Path
) -> None:
    data = tmp_path / "data"
    cli("ingest", register, may, june, "--data-dir", data)
    before = storeview.all_tables(data)

    again = cli("ingest", june, "--data-dir", data)
    earlier = cli("ingest", may, "--data-dir", data)  # identical to a file loaded, since replaced

    for result in (again, earlier):
        assert result.code == 0
        assert "unchanged" in result.out
        assert "identical to load" in result.out
    assert storeview.all_tables(data) == before


def test_an_older_submission_after_a_newer_one_is_refused(
    cli: Cli, tmp_path: Path, register: Path, june: Path
) -> None:
    data = tmp_path / "data"
    cli("ingest", register, june, "--data-dir", data)
    before = storeview.store_rows(data)
    april = treatment_zip(tmp_path / "april", "P1", "2021-04", [episode("P1", "E1")])

    result = cli("ingest", april, "--data-dir", data)

    assert result.code == 1
    assert "refused" in result.out
    assert "older than treatment_P1_2021-06.zip" in result.out
    assert storeview.store_rows(data) == before
    assert ledger(data)[-1] == (3, "treatment_P1_2021-04.zip", "refused", None, None)
    # Refused again, byte for byte: the ledger row stands, nothing is added.
    assert cli("ingest", april, "--data-dir", data).code == 1
    assert len(ledger(data)) == 3


def test_the_same_month_sent_again_with_corrections_replaces_it(
    cli: Cli, tmp_path: Path, register: Path, june: Path
) -> None:
    data = tmp_path / "data"
    cli("ingest", register, june, "--data-dir", data)
    corrected = treatment_zip(tmp_path / "fixed", "P1", "2021-06", [episode("P1", "E9")])

    result = cli("ingest", corrected, "--data-dir", data)

    assert result.code == 0
    assert "replaced" in result.out
    assert episodes(data) == {("E9", None, None)}
    assert [r[2] for r in ledger(data)] == ["current", "superseded", "current"]
    # Both versions are kept in the archive, under their checksums.
    kept = sorted((data / "landing" / "treatment").glob("*/treatment_P1_2021-06.zip"))
    sent = {hashlib.sha256(p.read_bytes()).hexdigest(): p.read_bytes() for p in (june, corrected)}
    assert {p.parent.name: p.read_bytes() for p in kept} == sent


def test_a_new_financial_year_is_a_new_slot(
    cli: Cli, tmp_path: Path, register: Path, june: Path
) -> None:
    data = tmp_path / "data"
    april_next = treatment_zip(
        tmp_path / "fy2", "P1", "2022-04",
        [episode("P1", "E7", referral_date="2022-04-01", triage_date="2022-04-02")],
    )  # fmt: skip

    result = cli("ingest", register, june, april_next, "--data-dir", data)

    assert result.code == 0
    assert episodes(data) == {
        ("E1", "2021-06-10", "completed_drug_free"),
        ("E3", None, None),
        ("E7", None, None),
    }
    assert query(data, "SELECT slot, status FROM ingest.loads WHERE kind = 'treatment' "
                       "ORDER BY load_id") == [
        ("treatment/P1/2021-22", "current"),
        ("treatment/P1/2022-23", "current"),
    ]  # fmt: skip


def test_a_non_consenting_episode_is_kept_without_attributors(
    cli: Cli, tmp_path: Path, register: Path
) -> None:
    data = tmp_path / "data"
    sub = treatment_zip(tmp_path / "nc", "P1", "2021-05",
                        [episode("P1", "E1"), episode("P1", "E2", consent="n")])  # fmt: skip

    assert cli("ingest", register, sub, "--data-dir", data).code == 0

    assert query(data, "SELECT episode_ref, consent, linkable FROM raw.treatment_episodes "
                       "ORDER BY 1") == [("E1", "y", True), ("E2", "n", False)]  # fmt: skip
    linked = "SELECT e.episode_ref FROM identity.treatment_episodes AS i "
    linked += "JOIN raw.treatment_episodes AS e USING (record_id)"
    assert query(data, linked) == [("E1",)]


def test_a_later_pnc_extract_replaces_the_earlier_one_and_keeps_record_ids(
    cli: Cli, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    a, b, c = "01/000001A", "01/000002B", "02/000003C"
    january = pnc_zip(tmp_path / "p1", "2021-01-31",
                      [nominal(a), nominal(b, surname="Jones")], [alias(a)],
                      [disposal(a, "D1"), disposal(b, "D2")])  # fmt: skip
    tests = write_csv(tmp_path / "dt" / "drug_tests_2021-02.csv", "drug_tests", [
        drug_test("T1", "2021-02-03", pnc_id=a),
        drug_test("T2", "2021-02-04", pnc_id=c),  # a PNC id the January extract lacks
        drug_test("T3", "2021-02-05"),
    ])  # fmt: skip
    june = pnc_zip(tmp_path / "p2", "2021-06-30",
                   [nominal(a, postcode="LS6 1AN"), nominal(c, surname="Patel")], [],
                   [disposal(a, "D1"), disposal(c, "D3")])  # fmt: skip

    assert cli("ingest", january, tests, "--data-dir", data).code == 0
    ids_before = dict(query(data, "SELECT pnc_id, record_id FROM identity.pnc_nominals"))
    result = cli("ingest", june, "--data-dir", data)

    assert result.code == 0
    ids_after = dict(query(data, "SELECT pnc_id, record_id FROM identity.pnc_nominals"))
    assert set(ids_after) == {a, c}  # B left with the January extract
    assert ids_after[a] == ids_before[a]  # the same person keeps the same record
    tested = dict(query(data, "SELECT test_id, nominal_record_id FROM raw.drug_tests"))
    assert tested == {"T1": ids_after[a], "T2": ids_after[c], "T3": None}
    assert set(query(data, "SELECT disposal_id, nominal_record_id FROM raw.pnc_disposals")) == {
        ("D1", ids_after[a]),
        ("D3", ids_after[c]),
    }
    assert query(data, "SELECT count(*) FROM raw.pnc_aliases") == [(0,)]
    assert query(data, "SELECT count(*) FROM identity.pnc_aliases") == [(0,)]
    assert set(storeview.broken_links(data).values()) == {0}

    older = pnc_zip(tmp_path / "p3", "2021-03-31", [nominal(b)])
    refused = cli("ingest", older, "--data-dir", data)
    assert refused.code == 1
    assert "older than pnc_2021-06-30.zip" in refused.out


def test_drug_tests_and_deaths_sent_again_with_other_content_replace(
    cli: Cli, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first = write_csv(tmp_path / "a" / "drug_tests_2021-02.csv", "drug_tests",
                      [drug_test("T1", "2021-02-03"), drug_test("T2", "2021-02-04")])  # fmt: skip
    second = write_csv(tmp_path / "b" / "drug_tests_2021-02.csv", "drug_tests",
                       [drug_test("T2", "2021-02-04"), drug_test("T4", "2021-02-09")])  # fmt: skip
    deaths_a = write_csv(tmp_path / "a" / "deaths_2021.csv", "deaths",
                         [death("R1", "2020-12-30", "2021-01-04")])  # fmt: skip
    deaths_b = write_csv(tmp_path / "b" / "deaths_2021.csv", "deaths",
                         [death("R1", "2020-12-30", "2021-01-04"),
                          death("R2", "2021-03-01", "2021-03-05")])  # fmt: skip
    cli("ingest", first, deaths_a, "--data-dir", data)

    result = cli("ingest", second, deaths_b, "--data-dir", data)

    assert result.code == 0
    assert "replaces load 1 of the same file name" in result.out
    assert sorted(query(data, "SELECT test_id FROM raw.drug_tests")) == [("T2",), ("T4",)]
    assert sorted(query(data, "SELECT death_id FROM raw.deaths")) == [("R1",), ("R2",)]
    assert query(data, "SELECT count(*) FROM identity.drug_tests") == [(2,)]
    assert query(data, "SELECT count(*) FROM identity.deaths") == [(2,)]
    assert cli("ingest", second, "--data-dir", data).out.count("unchanged") >= 1


def test_a_rejected_file_loads_nothing_and_its_problems_are_masked(
    cli: Cli, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    good = write_csv(tmp_path / "g" / "drug_tests_2021-02.csv", "drug_tests",
                     [drug_test("T1", "2021-02-03")])  # fmt: skip
    cli("ingest", good, "--data-dir", data)
    before = storeview.store_rows(data)
    # Born after the test: test_before_birth, whose message quotes the date of birth.
    bad = write_csv(tmp_path / "b" / "drug_tests_2021-03.csv", "drug_tests", [
        drug_test("T5", "2021-03-05", date_of_birth="2021-03-20", pnc_id="11/223344Q"),
        drug_test("T6", "2021-03-06"),
    ])  # fmt: skip

    result = cli("ingest", bad, "--data-dir", data)

    assert result.code == 1
    assert "rejected" in result.out
    assert "test_before_birth" in result.out
    assert storeview.store_rows(data) == before
    rows = query(data, "SELECT status, row_count, problem_count FROM ingest.loads "
                       "WHERE file_name = 'drug_tests_2021-03.csv'")  # fmt: skip
    assert rows == [("rejected", 2, 1)]
    kept = query(data, "SELECT rule, message, value FROM ingest.load_problems")
    assert [k[0] for k in kept] == ["test_before_birth"]
    status = cli("status", "--data-dir", data)
    log = (data / "logs" / "ingest.log").read_text()
    for text in (result.out, result.err, status.out, log, repr(kept)):
        assert "2021-03-20" not in text
        assert "11/223344Q" not in text
    assert "9999-99-99" in status.out  # the date of birth, by its shape


def test_treatment_from_a_provider_not_in_the_register_is_rejected(
    cli: Cli, tmp_path: Path, register: Path
) -> None:
    data = tmp_path / "data"
    before_register = treatment_zip(tmp_path / "x", "P1", "2021-05", [episode("P1", "E1")])
    unknown = treatment_zip(tmp_path / "y", "P9", "2021-05", [episode("P9", "E1")])

    early = cli("ingest", before_register, "--data-dir", data)
    late = cli("ingest", register, unknown, "--data-dir", data)
    again = cli("ingest", before_register, "--data-dir", data)  # the register is loaded now

    assert early.code == 1 and "unknown_provider" in early.out
    assert late.code == 1 and "unknown_provider" in late.out
    assert again.code == 0 and "loaded" in again.out
    assert episodes(data) == {("E1", None, None)}


def test_a_providers_register_is_merged_never_deleting(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = providers_csv(tmp_path / "a", [("P1", "One", "E06000001"), ("P2", "Two", "E06000002")],
                          name="providers_2021-01-01.csv")  # fmt: skip
    newer = providers_csv(tmp_path / "b", [("P1", "One Renamed", "E06000003"),
                                           ("P3", "Three", "E06000004")],
                          name="providers_2021-07-01.csv")  # fmt: skip
    older = providers_csv(tmp_path / "c", [("P4", "Four", "E06000001")],
                          name="providers_2020-01-01.csv")  # fmt: skip

    assert cli("ingest", first, newer, "--data-dir", data).code == 0
    refused = cli("ingest", older, "--data-dir", data)

    assert query(data, "SELECT provider_code, provider_name, local_authority "
                       "FROM ref.providers ORDER BY 1") == [
        ("P1", "One Renamed", "E06000003"),
        ("P2", "Two", "E06000002"),
        ("P3", "Three", "E06000004"),
    ]  # fmt: skip
    assert refused.code == 1
    assert "older than the register dated 2021-07-01" in refused.out
