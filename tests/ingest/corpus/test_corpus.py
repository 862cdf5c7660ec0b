"""The corpus: deliberately broken submissions, each with exactly the problems it must give.

Each case is a valid base submission (submissions.py, written by hand) with one
deliberate breakage. For each, ``recoverylink validate`` must report exactly the
listed problems (rule, file, row, column; nothing more, nothing less) and exit
1, and ``recoverylink ingest`` must refuse it and leave both stores exactly as
they were. Expected problems were worked out by hand from DATA_SPEC.md and
docs/data-spec-rules.md (row = the line the record starts on, the header being
line 1), never taken from the code's output. Hostile files run under the corpus
settings (conftest.CORPUS_SETTINGS): zip up to 2 MiB, CSV up to 4 MiB, a zip's
files up to 6 MiB together, ratio 100, fields up to 1 MiB.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from recoverylink.spec import RULES

from .conftest import MIB, Baseline, content_checksums, ledger, rows_in, run_cli
from .submissions import (
    DEATHS_NAME,
    DRUG_TESTS_NAME,
    PNC_NAME,
    TREATMENT_NAME,
    Case,
    Expected,
    Plain,
    Zip,
    deaths,
    drug_tests,
    noise,
    patch_central_directory,
    pnc,
    treatment,
    zip_bytes,
)

FORMULA = "=cmd|' /C calc'!A0"


def _zip(maker: Callable[[], Zip], edit: Callable[[Zip], object]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        submission = maker()
        edit(submission)
        return submission.write(folder)

    return build


def tr(edit: Callable[[Zip], object], name: str = TREATMENT_NAME) -> Callable[[Path], Path]:
    """A treatment submission with one breakage."""
    return _zip(lambda: treatment(name), edit)


def pn(edit: Callable[[Zip], object]) -> Callable[[Path], Path]:
    """A PNC extract with one breakage."""
    return _zip(pnc, edit)


def plain(maker: Callable[[], Plain], edit: Callable[[Plain], object]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        submission = maker()
        edit(submission)
        return submission.write(folder)

    return build


def ep(line: int, column: str, value: str) -> Callable[[Path], Path]:
    """Treatment submission whose episodes.csv has one changed value."""
    return tr(lambda z: z.csv("episodes.csv").set(line, column, value))


def iv(line: int, column: str, value: str) -> Callable[[Path], Path]:
    return tr(lambda z: z.csv("interventions.csv").set(line, column, value))


def tp(line: int, column: str, value: str) -> Callable[[Path], Path]:
    return tr(lambda z: z.csv("top.csv").set(line, column, value))


def E(rule: str, member: str | None = None, row: int | None = None, col: str | None = None):
    """An expected problem: rule, zip member (None: the submitted file), row, column."""
    return Expected(rule, member, row, col)


EPI, INT, TOPS = "episodes.csv", "interventions.csv", "top.csv"
NOM, ALI, DIS = "nominals.csv", "aliases.csv", "disposals.csv"


# Hostile builders -----------------------------------------------------------


def raw_members(members: dict[str, bytes], name: str = TREATMENT_NAME) -> Callable[[Path], Path]:
    """A zip of the base treatment members, some replaced or added as raw bytes."""

    def build(folder: Path) -> Path:
        submission = treatment(name)
        submission.members.update(members)
        return submission.write(folder)

    return build


def bomb(folder: Path) -> Path:
    """episodes.csv: 3.5 MiB of zeros, about 3.5 KiB compressed (ratio near 1000)."""
    return raw_members({EPI: b"0" * (7 * MIB // 2)})(folder)


def lying_compressed_size(folder: Path) -> Path:
    """The bomb, with its directory claiming 2 GiB compressed: a harmless-looking ratio."""
    path = bomb(folder)
    patch_central_directory(path, EPI, compress_size=0x7FFF_FFFF)
    return path


def lying_size(folder: Path) -> Path:
    """The bomb, with its directory claiming it uncompresses to 1,000 bytes."""
    path = bomb(folder)
    patch_central_directory(path, EPI, file_size=1000)
    return path


def member_too_large(folder: Path) -> Path:
    """episodes.csv of 4.5 MiB (limit 4 MiB), compressing about 4 times (zip under 2 MiB)."""
    return raw_members({EPI: noise(9 * MIB // 2)})(folder)


def members_too_large_together(folder: Path) -> Path:
    """Three members of 2.1 MiB each: 6.3 MiB together (limit 6 MiB), each within 4 MiB."""
    size = 21 * MIB // 10
    return raw_members(
        {EPI: noise(size, seed=1), INT: noise(size, seed=2), TOPS: noise(size, seed=3)}
    )(folder)


def zip_too_large(folder: Path) -> Path:
    """A zip of 2.5 MiB on disk (limit 2 MiB): stored, not compressed."""
    submission = treatment()
    submission.members[EPI] = noise(5 * MIB // 2, alphabet=bytes(range(32, 127)))
    submission.compression = zipfile.ZIP_STORED
    return submission.write(folder)


def many_entries(folder: Path) -> Path:
    """The base members plus 1,001 empty entries: a directory too long to list."""
    path = treatment().write(folder)
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(1001):
            archive.writestr(f"x{i}.csv", b"")
    return path


def encrypted(folder: Path) -> Path:
    """top.csv flagged as encrypted in the zip's directory."""
    path = treatment().write(folder)
    patch_central_directory(path, TOPS, flag_bits=0x01)
    return path


def bzip2(folder: Path) -> Path:
    submission = treatment()
    submission.compression = zipfile.ZIP_BZIP2
    return submission.write(folder)


def duplicate_member(folder: Path) -> Path:
    import warnings

    path = treatment().write(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the repeated name
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(TOPS, treatment().csv(TOPS).to_bytes())
    return path


def raw_file(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return build


def episodes_bytes(change: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    """The base treatment submission with episodes.csv's bytes changed by hand."""

    def build(folder: Path) -> Path:
        submission = treatment()
        submission.members[EPI] = change(submission.csv(EPI).to_bytes())
        return submission.write(folder)

    return build


def _replace_once(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1, old
    return data.replace(old, new)


def quoted_fields(z: Zip) -> None:
    """E1's client_ref holds a comma, quotes and a line break (lines 2-3); E3 (line 5) sex F."""
    episodes = z.csv(EPI)
    episodes.set(2, "client_ref", 'C1, "first"\nclient')
    episodes.set(4, "sex", "F")


def crlf_bad_sex(z: Zip) -> None:
    episodes = z.csv(EPI)
    episodes.newline = "\r\n"
    episodes.set(4, "sex", "F")


def latin1(z: Zip) -> None:
    episodes = z.csv(EPI)
    episodes.encoding = "latin-1"
    episodes.set(4, "client_ref", "Cé3")


def utf16(z: Zip) -> None:
    z.csv(EPI).encoding = "utf-16"


def deaths_bom_crlf(p: Plain) -> None:
    deaths_csv = p.csv()
    deaths_csv.bom = True
    deaths_csv.newline = "\r\n"
    deaths_csv.set(4, "sex", "m")


def formula_twice(z: Zip) -> None:
    """E2 (line 3) and E4 (line 5) share the episode_ref ``=cmd|' /C calc'!A0``."""
    z.csv(EPI).set(3, "episode_ref", FORMULA).set(5, "episode_ref", FORMULA)


CASES = [
    # Columns.
    Case("missing_column", tr(lambda z: z.csv(EPI).drop_column("ethnicity")),
         (E("missing_column", EPI, 1, "ethnicity"),)),
    Case("missing_column_top", tr(lambda z: z.csv(TOPS).drop_column("stage")),
         (E("missing_column", TOPS, 1, "stage"),)),
    Case("unknown_column", tr(lambda z: z.csv(EPI).add_column("nhs_number", "")),
         (E("unknown_column", EPI, 1, "nhs_number"),)),
    Case("duplicate_column", tr(lambda z: z.csv(EPI).add_column("sex", "male")),
         (E("duplicate_column", EPI, 1, "sex"),)),
    Case("renamed_case", tr(lambda z: z.csv(EPI).rename_column("referral_date", "Referral_Date")),
         (E("column_case", EPI, 1, "referral_date"),), {0: "Referral_Date"}),
    # Types and formats.
    Case("bad_date_format", ep(2, "referral_date", "06/04/2021"),
         (E("bad_date", EPI, 2, "referral_date"),), {0: "06/04/2021"}),
    Case("bad_date_impossible", iv(2, "start_date", "2021-04-31"),
         (E("bad_date", INT, 2, "start_date"),)),
    Case("bad_integer", tp(2, "days_opiates", "ten"), (E("bad_integer", TOPS, 2, "days_opiates"),)),
    Case("out_of_range", tp(3, "psychological_health", "21"),
         (E("out_of_range", TOPS, 3, "psychological_health"),)),
    Case("bad_format_postcode_district", ep(2, "postcode_district", "ls6"),
         (E("bad_format", EPI, 2, "postcode_district"),), {0: "aa9"}),
    Case("bad_format_initial", ep(2, "first_initial", "JS"),
         (E("bad_format", EPI, 2, "first_initial"),), {0: "AA"}),
    Case("bad_format_pnc_id", plain(drug_tests, lambda p: p.csv().set(2, "pnc_id", "6/123456A")),
         (E("bad_format", None, 2, "pnc_id"),), {0: "9/999999A"}),
    Case("bad_format_icd10", plain(deaths, lambda p: p.csv().set(3, "underlying_cause", "I2")),
         (E("bad_format", None, 3, "underlying_cause"),), {0: "I2"}),
    Case("bad_format_postcode", pn(lambda z: z.csv(NOM).set(2, "postcode", "ls6 1an")),
         (E("bad_format", NOM, 2, "postcode"),), {0: "aa9 9aa"}),
    # Code lists.
    Case("bad_code_sex", ep(2, "sex", "Male"), (E("bad_code", EPI, 2, "sex"),), {0: "Aaaa"}),
    Case("bad_code_local_authority", ep(4, "local_authority", "E99999999"),
         (E("bad_code", EPI, 4, "local_authority"),), {0: "E99999999"}),
    Case("bad_code_discharge_reason", ep(5, "discharge_reason", "completed"),
         (E("bad_code", EPI, 5, "discharge_reason"),)),
    Case("bad_code_consent", ep(4, "consent", "Y"), (E("bad_code", EPI, 4, "consent"),)),
    Case("bad_code_police_force", pn(lambda z: z.csv(NOM).set(3, "police_force", "E23999999")),
         (E("bad_code", NOM, 3, "police_force"),)),
    # Required-with rules.
    Case("non_consent_field_filled", ep(3, "date_of_birth", "1990-01-01"),
         (E("non_consent_field_filled", EPI, 3, "date_of_birth"),), {0: "9999-99-99"}),
    Case("required_with_consent", ep(4, "sex", ""), (E("required", EPI, 4, "sex"),), {0: ""}),
    Case("discharge_reason_required", ep(5, "discharge_reason", ""),
         (E("discharge_reason_required", EPI, 5, "discharge_reason"),)),
    Case("discharge_reason_without_date", ep(4, "discharge_reason", "dropped_out"),
         (E("discharge_reason_without_date", EPI, 4, "discharge_reason"),)),
    Case("exit_status_required", iv(2, "exit_status", ""),
         (E("exit_status_required", INT, 2, "exit_status"),)),
    Case("exit_status_without_end", iv(3, "exit_status", "planned"),
         (E("exit_status_without_end", INT, 3, "exit_status"),)),
    # Date logic.
    Case("triage_before_referral", ep(5, "triage_date", "2021-03-31"),
         (E("triage_before_referral", EPI, 5, "triage_date"),)),
    Case("discharge_before_triage", ep(5, "discharge_date", "2021-04-07"),
         (E("discharge_before_triage", EPI, 5, "discharge_date"),)),
    Case("discharge_after_submission_month", ep(5, "discharge_date", "2021-07-01"),
         (E("discharge_after_submission_month", EPI, 5, "discharge_date"),)),
    Case("discharge_before_financial_year",
         tr(lambda z: z.csv(EPI).set(4, "discharge_date", "2021-03-20")
            .set(4, "discharge_reason", "dropped_out")),
         (E("discharge_before_financial_year", EPI, 4, "discharge_date"),)),
    Case("top_after_submission_month", tp(4, "top_date", "2021-07-01"),
         (E("after_submission_month", TOPS, 4, "top_date"),)),
    Case("intervention_before_triage", iv(3, "start_date", "2020-12-14"),
         (E("intervention_before_triage", INT, 3, "start_date"),)),
    Case("intervention_after_discharge", iv(2, "end_date", "2021-06-25"),
         (E("intervention_after_discharge", INT, 2, "end_date"),)),
    Case("start_before_referred", iv(2, "start_date", "2021-04-13"),
         (E("start_before_referred", INT, 2, "start_date"),)),
    Case("end_before_start", iv(2, "end_date", "2021-04-19"),
         (E("end_before_start", INT, 2, "end_date"),)),
    Case("top_before_triage", tp(4, "top_date", "2020-12-14"),
         (E("top_outside_episode", TOPS, 4, "top_date"),)),
    Case("top_after_discharge", tp(3, "top_date", "2021-06-21"),
         (E("top_outside_episode", TOPS, 3, "top_date"),)),
    Case("death_before_birth",
         plain(deaths, lambda p: p.csv().set(3, "date_of_death", "1949-12-31")),
         (E("death_before_birth", None, 3, "date_of_death"),)),
    Case("registration_before_death",
         plain(deaths, lambda p: p.csv().set(3, "date_registered", "2021-02-27")),
         (E("registration_before_death", None, 3, "date_registered"),)),
    Case("registration_outside_year",
         plain(deaths, lambda p: p.csv().set(4, "date_registered", "2022-01-04")),
         (E("registration_outside_year", None, 4, "date_registered"),)),
    Case("drug_poisoning_without_cause",
         plain(deaths, lambda p: p.csv().set(3, "drug_poisoning", "y")),
         (E("drug_poisoning_without_cause", None, 3, "drug_poisoning"),)),
    Case("disposal_before_offence", pn(lambda z: z.csv(DIS).set(2, "disposal_date", "2019-02-28")),
         (E("disposal_before_offence", DIS, 2, "disposal_date"),)),
    Case("after_extract_date", pn(lambda z: z.csv(DIS).set(3, "disposal_date", "2021-07-01")),
         (E("after_extract_date", DIS, 3, "disposal_date"),)),
    Case("test_outside_month",
         plain(drug_tests, lambda p: p.csv().set(3, "test_date", "2021-07-01")),
         (E("test_outside_month", None, 3, "test_date"),)),
    Case("test_before_birth",
         plain(drug_tests, lambda p: p.csv().set(3, "date_of_birth", "2021-06-30")),
         (E("test_before_birth", None, 3, "test_date"),)),
    # Ages (E3 referred 2020-12-01; E4 referred 2021-04-01).
    Case("age_under_18", ep(4, "date_of_birth", "2003-12-02"),
         (E("age_out_of_range", EPI, 4, "date_of_birth"),)),
    Case("age_over_100", ep(5, "date_of_birth", "1920-03-31"),
         (E("age_out_of_range", EPI, 5, "date_of_birth"),)),
    Case("born_on_referral_day", ep(4, "date_of_birth", "2020-12-01"),
         (E("dob_not_before_referral", EPI, 4, "date_of_birth"),)),
    # Uniqueness of ids.
    Case("episode_ref_repeated", ep(5, "episode_ref", "E1"),
         (E("not_unique", EPI, 5, "episode_ref"),)),
    Case("intervention_ref_repeated", iv(3, "intervention_ref", "I1"),
         (E("not_unique", INT, 3, "intervention_ref"),)),
    Case("pnc_id_repeated", pn(lambda z: z.csv(NOM).set(3, "pnc_id", "06/123456A")),
         # D2 pointed at the second nominal's id, which is now gone.
         (E("not_unique", NOM, 3, "pnc_id"), E("orphan_disposal", DIS, 3, "pnc_id")),
         {0: "99/999999A"}),
    Case("test_id_repeated", plain(drug_tests, lambda p: p.csv().set(3, "test_id", "T1")),
         (E("not_unique", None, 3, "test_id"),)),
    Case("death_id_repeated", plain(deaths, lambda p: p.csv().set(4, "death_id", "D1")),
         (E("not_unique", None, 4, "death_id"),)),
    # References between files.
    Case("orphan_intervention", iv(3, "episode_ref", "E9"),
         (E("orphan_intervention", INT, 3, "episode_ref"),)),
    Case("orphan_top", tp(4, "episode_ref", "E9"), (E("orphan_top", TOPS, 4, "episode_ref"),)),
    Case("orphan_alias", pn(lambda z: z.csv(ALI).set(2, "pnc_id", "99/999999Z")),
         (E("orphan_alias", ALI, 2, "pnc_id"),), {0: "99/999999A"}),
    Case("orphan_disposal", pn(lambda z: z.csv(DIS).set(2, "pnc_id", "99/999999Z")),
         (E("orphan_disposal", DIS, 2, "pnc_id"),)),
    # Provider code against the file name.
    Case("provider_code_mismatch", ep(5, "provider_code", "P002"),
         (E("provider_code_mismatch", EPI, 5, "provider_code"),)),
    Case("file_named_for_another_provider", tr(lambda z: None, "treatment_P002_2021-06.zip"),
         tuple(E("provider_code_mismatch", EPI, r, "provider_code") for r in (2, 3, 4, 5))
         + tuple(E("provider_code_mismatch", INT, r, "provider_code") for r in (2, 3))
         + tuple(E("provider_code_mismatch", TOPS, r, "provider_code") for r in (2, 3, 4))),
    # File names and members.
    Case("bad_file_name", tr(lambda z: None, "treatment_P001_2021-13.zip"), (E("bad_file_name"),)),
    Case("missing_member", tr(lambda z: z.members.pop(TOPS)), (E("missing_member"),), {0: TOPS}),
    Case("unexpected_member", raw_members({"notes.txt": b"hello"}), (E("unexpected_member"),),
         {0: "notes.txt"}),
    Case("duplicate_member", duplicate_member, (E("duplicate_member"),), {0: TOPS}),
    Case("empty_member", raw_members({EPI: b""}), (E("empty_file", EPI),)),
    Case("empty_file", raw_file(DRUG_TESTS_NAME, b""), (E("empty_file"),)),
    Case("empty_zip", raw_file(TREATMENT_NAME, b""), (E("bad_zip"),)),
    # Encoding, line endings, quoted fields.
    Case("latin1_byte", tr(latin1), (E("bad_encoding", EPI, 4),), {0: "\\xe9"}),
    Case("utf16_member", tr(utf16), (E("bad_encoding", EPI),)),
    Case("utf16_file", plain(deaths, lambda p: setattr(p.csv(), "encoding", "utf-16")),
         (E("bad_encoding"),)),
    Case("utf16_without_bom", plain(deaths, lambda p: setattr(p.csv(), "encoding", "utf-16-le")),
         (E("bad_encoding"),)),
    Case("crlf_lines", tr(crlf_bad_sex), (E("bad_code", EPI, 4, "sex"),), {0: "A"}),
    Case("bom_and_crlf", plain(deaths, deaths_bom_crlf), (E("bad_code", None, 4, "sex"),)),
    Case("quoted_comma_and_newline", tr(quoted_fields), (E("bad_code", EPI, 5, "sex"),)),
    Case("unclosed_quote", episodes_bytes(lambda b: _replace_once(b, b",C4,", b',"C4,')),
         (E("bad_csv", EPI, 5),)),
    Case("wrong_field_count",
         episodes_bytes(lambda b: _replace_once(b, b"dropped_out\n", b"dropped_out,extra\n")),
         (E("wrong_field_count", EPI, 5),)),
    # Hostile files.
    Case("path_escapes_folder", raw_members({"../../evil.csv": b"x"}), (E("unexpected_member"),),
         {0: "../../evil.csv"}),
    Case("absolute_path", raw_members({"/tmp/evil.csv": b"x"}), (E("unexpected_member"),)),
    Case("nested_zip", raw_members({"inner.zip": zip_bytes({EPI: b"x"})}), (E("nested_archive"),),
         {0: "inner.zip"}),
    Case("zip_disguised_as_csv",
         raw_members({EPI: zip_bytes({EPI: treatment().csv(EPI).to_bytes()})}),
         (E("nested_archive"),), {0: EPI}),
    Case("zip_bomb", bomb, (E("compression_ratio"),), {0: EPI}),
    Case("bomb_with_lying_compressed_size", lying_compressed_size, (E("compression_ratio"),)),
    Case("bomb_with_lying_size", lying_size, (E("bad_zip"),), {0: EPI}),
    Case("member_too_large", member_too_large, (E("too_large"),), {0: EPI}),
    Case("members_too_large_together", members_too_large_together, (E("too_large"),), {0: None}),
    Case("zip_too_large", zip_too_large, (E("too_large"),)),
    Case("too_many_entries", many_entries, (E("too_large"),)),
    Case("encrypted_member", encrypted, (E("bad_zip"),), {0: TOPS}),
    Case("bzip2_member", bzip2, (E("bad_zip"),) * 3),
    Case("huge_field",
         plain(drug_tests, lambda p: p.csv().set(3, "test_id", "T" + "9" * MIB)),
         (E("field_too_large", None, 3, "test_id"),)),
    Case("binary_garbage_zip", raw_file(TREATMENT_NAME, noise(4096, bytes(range(256)))),
         (E("bad_zip"),)),
    Case("binary_garbage_csv", raw_file(DRUG_TESTS_NAME, noise(4096, bytes(range(256)))),
         (E("bad_encoding"),)),
    Case("binary_garbage_member", raw_members({EPI: noise(4096, bytes(range(256)))}),
         (E("bad_encoding", EPI),)),
    Case("formula_in_a_repeated_ref", tr(formula_twice), (E("not_unique", EPI, 5, "episode_ref"),),
         {0: FORMULA}),
]  # fmt: skip


def _file_of(case_path: Path, expected: Expected) -> str:
    return case_path.name + (f"/{expected.member}" if expected.member else "")


def test_the_corpus_is_big_and_names_real_rules() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    used = {e.rule for c in CASES for e in c.expected}
    assert used <= set(RULES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_reports_exactly_the_breakage(case: Case, tmp_path: Path, settings: Path) -> None:
    path = case.build(tmp_path)
    reports = tmp_path / "reports"
    result = run_cli("--config", settings, "validate", path, "--report-dir", reports)
    report = json.loads((reports / "validation-report.json").read_text("utf-8"))
    found = sorted((p["rule"], p["file"], p["row"], p["column"]) for p in report["problems"])
    wanted = sorted((e.rule, _file_of(path, e), e.row, e.column) for e in case.expected)
    assert found == wanted, result.out
    assert result.code == 1, result.out + result.err
    assert [f["status"] for f in report["files"]] == ["invalid"]
    for position, value in case.values.items():
        e = case.expected[position]
        where = (e.rule, _file_of(path, e), e.row, e.column)
        (match,) = [
            p for p in report["problems"] if (p["rule"], p["file"], p["row"], p["column"]) == where
        ]
        assert match["value"] == value
    with (reports / "validation-report.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(case.expected)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_ingest_refuses_and_leaves_the_stores_unchanged(
    case: Case, tmp_path: Path, settings: Path, baseline: Baseline
) -> None:
    path = case.build(tmp_path)
    data_dir = baseline.copy(tmp_path / "data")
    content, loads = content_checksums(data_dir), ledger(data_dir)
    ingested = run_cli("--config", settings, "ingest", path, "--data-dir", data_dir)
    assert ingested.code == 1, ingested.out + ingested.err
    # Nothing loaded: every table but the ledger is exactly as it was ...
    assert content_checksums(data_dir) == content
    # ... and the ledger kept what it had and records the rejection, with exactly
    # the problems that validate reports.
    after = ledger(data_dir)
    assert after[: len(loads)] == loads
    (rejection,) = after[len(loads) :]
    assert (rejection.file_name, rejection.status) == (path.name, "rejected")
    assert rejection.problem_count == len(case.expected)
    assert rejection.rules == tuple(sorted(Counter(e.rule for e in case.expected).items()))
    wanted = sorted(((e.rule, _file_of(path, e), e.row, e.column) for e in case.expected), key=str)
    assert list(rejection.problems) == wanted


def test_formula_is_escaped_in_the_csv_report(tmp_path: Path, settings: Path) -> None:
    path = tr(formula_twice)(tmp_path)
    assert run_cli("--config", settings, "validate", path).code == 1
    text = (tmp_path / "validation-report.csv").read_text("utf-8-sig")
    (line,) = [line for line in text.splitlines() if "not_unique" in line]
    # The value cell starts with a quote mark, never with "=".
    assert ",\"'=cmd|' /C calc'!A0\"," in line or ",'=cmd|' /C calc'!A0," in line
    assert ",=cmd" not in line


BASES = {
    TREATMENT_NAME: treatment,
    PNC_NAME: pnc,
    DRUG_TESTS_NAME: drug_tests,
    DEATHS_NAME: deaths,
}


@pytest.mark.parametrize("name", list(BASES))
def test_every_base_is_valid_and_loads(
    name: str, tmp_path: Path, settings: Path, baseline: Baseline
) -> None:
    """The bases really are valid, and loading one changes the stores (the check can fail)."""
    path = BASES[name]().write(tmp_path)
    checked = run_cli("--config", settings, "validate", path, "--report-dir", tmp_path / "r")
    assert checked.code == 0, checked.out
    data_dir = baseline.copy(tmp_path / "data")
    before = content_checksums(data_dir)
    assert rows_in(before) > 0
    ingested = run_cli("--config", settings, "ingest", path, "--data-dir", data_dir)
    assert ingested.code == 0, ingested.out + ingested.err
    assert content_checksums(data_dir) != before
    assert [(load.file_name, load.status) for load in ledger(data_dir)[-1:]] == [(name, "current")]


def test_a_formula_in_a_text_field_is_valid_and_stored_as_text(
    tmp_path: Path, settings: Path, baseline: Baseline
) -> None:
    """No rule forbids ``=cmd|...`` in free text: it is accepted, and kept exactly as sent."""
    submission = treatment()
    submission.csv(EPI).set(2, "client_ref", FORMULA)
    path = submission.write(tmp_path)
    assert run_cli("--config", settings, "validate", path).code == 0
    data_dir = baseline.copy(tmp_path / "data")
    ingested = run_cli("--config", settings, "ingest", path, "--data-dir", data_dir)
    assert ingested.code == 0, ingested.out + ingested.err
    with duckdb.connect(str(data_dir / "identity.duckdb"), read_only=True) as con:
        stored = con.execute(
            "SELECT count(*) FROM treatment_episodes WHERE client_ref = ?", [FORMULA]
        ).fetchone()
    assert stored == (1,)
