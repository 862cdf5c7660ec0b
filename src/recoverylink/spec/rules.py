"""Every rule slug the validator reports, what it checks and the spec clause behind it.

Slugs are stable: reports, tests and downstream tools match on them. The table
in ``docs/data-spec-rules.md`` is written from this list (a test keeps the two
in step). Clauses refer to ``shared/spec/DATA_SPEC.md`` version 1.
"""

from __future__ import annotations

from typing import NamedTuple


class Rule(NamedTuple):
    checks: str
    clause: str


RULES: dict[str, Rule] = {
    # Files and archives.
    "bad_file_name": Rule(
        "the file name follows its dataset's pattern with a real month, date or year",
        "§1-§5 file names",
    ),
    "bad_zip": Rule("the archive is a readable, unencrypted zip file", "§1, §2"),
    "unexpected_member": Rule(
        "the zip holds only the expected CSV files, at its top level (no folders or paths)",
        "§1 'holding three CSV files'; §6 'reject anything else'",
    ),
    "missing_member": Rule("each expected CSV file is in the zip", "§1, §2"),
    "duplicate_member": Rule("no CSV file name appears twice in the zip", "§1, §2"),
    "bad_encoding": Rule("the file is UTF-8 (a byte-order mark is allowed)", "preamble"),
    "empty_file": Rule("the file has a header row", "preamble"),
    "bad_csv": Rule("the file is well-formed CSV (every quoted field is closed)", "preamble"),
    "wrong_field_count": Rule("every record has as many fields as the header", "preamble"),
    # Safety limits on hostile files (settings [ingest], docs/validate.md).
    "too_large": Rule(
        "a zip, a CSV file (alone or uncompressed in a zip) and a zip's files together "
        "stay within the size limits",
        "§6 'reject anything else'",
    ),
    "compression_ratio": Rule(
        "a zip member does not expand more than the ratio limit (a zip bomb)",
        "§6 'reject anything else'",
    ),
    "nested_archive": Rule(
        "a zip holds no archive, by name or by content", "§1 'holding three CSV files'"
    ),
    "field_too_large": Rule("no field is longer than the field size limit", "preamble"),
    # Header.
    "unknown_column": Rule("every column in the header belongs to the table", "preamble"),
    "missing_column": Rule("every column of the table is in the header", "§1-§5 tables"),
    "duplicate_column": Rule("no column appears twice in the header", "preamble"),
    "column_case": Rule("column names are written exactly, in lower-case snake_case", "preamble"),
    # Values.
    "required": Rule("a required field is filled", "§1-§5 (optional fields are named)"),
    "bad_date": Rule("a date is a real ISO date YYYY-MM-DD", "preamble"),
    "bad_code": Rule(
        "a coded field holds one of the listed lower-case codes or a reference code",
        "§1-§5 code lists; §5 reference data",
    ),
    "bad_integer": Rule("a count or score is a whole number", "§1 top.csv"),
    "out_of_range": Rule("a count is 0..28 days, a score 0..20", "§1 top.csv"),
    "bad_format": Rule(
        "initials, PNC ids, postcodes, postcode districts and ICD-10 codes are well formed",
        "§1-§4",
    ),
    "not_unique": Rule(
        "an identifier is used once (episode_ref and intervention_ref within provider, "
        "pnc_id, disposal_id, test_id, death_id, provider_code)",
        "§1-§5",
    ),
    # episodes.csv.
    "non_consent_field_filled": Rule(
        "an episode without consent fills only the columns the spec allows", "§1 consent"
    ),
    "age_out_of_range": Rule("the client is aged 18 to 100 at referral", "§1 date_of_birth"),
    "dob_not_before_referral": Rule("date_of_birth is before referral_date", "§1 date_of_birth"),
    "triage_before_referral": Rule("triage_date is on or after referral_date", "§1 triage_date"),
    "discharge_before_triage": Rule(
        "discharge_date is on or after triage_date", "§1 discharge_date"
    ),
    "discharge_after_submission_month": Rule(
        "discharge_date is not after the end of the submission month", "§1 discharge_date"
    ),
    "discharge_before_financial_year": Rule(
        "a discharged episode was open at some time in the submission's financial year",
        "§1 'every episode open at any time in the financial year'",
    ),
    "after_submission_month": Rule(
        "referral, triage, intervention and TOP dates are not after the submission month",
        "§1 'up to the end of the month'",
    ),
    "discharge_reason_required": Rule(
        "a discharged episode has a discharge_reason", "§1 discharge_reason"
    ),
    "discharge_reason_without_date": Rule(
        "a discharge_reason comes with a discharge_date", "§1 discharge_reason"
    ),
    "substance_repeated": Rule(
        "substance_2 and substance_3 differ from substance_1 and from each other",
        "§1 substance_2, substance_3",
    ),
    # Treatment submission as a whole.
    "provider_code_mismatch": Rule(
        "provider_code equals the code in the file name", "§1 provider_code"
    ),
    "unknown_provider": Rule(
        "the provider is in the providers register (skipped when no register is given)",
        "§1 provider_code; §5 providers",
    ),
    "orphan_intervention": Rule(
        "an intervention's episode is in episodes.csv", "§1 interventions.csv"
    ),
    "orphan_top": Rule("a TOP review's episode is in episodes.csv", "§1 top.csv"),
    "start_before_referred": Rule(
        "an intervention's start_date is on or after its referred_date", "§1 start_date"
    ),
    "intervention_before_triage": Rule(
        "an intervention starts on or after its episode's triage_date", "§1 start_date"
    ),
    "end_before_start": Rule("an intervention's end_date is on or after start_date", "§1 end_date"),
    "intervention_after_discharge": Rule(
        "an intervention does not start or end after its episode's discharge_date",
        "§1 end_date",
    ),
    "exit_status_required": Rule("an ended intervention has an exit_status", "§1 exit_status"),
    "exit_status_without_end": Rule("an exit_status comes with an end_date", "§1 exit_status"),
    "top_outside_episode": Rule(
        "top_date lies within its episode, triage to discharge", "§1 top_date"
    ),
    # PNC extract.
    "orphan_alias": Rule("each alias references a nominal", "§2 aliases.csv"),
    "orphan_disposal": Rule("each disposal references a nominal", "§2 disposals.csv"),
    "disposal_before_offence": Rule(
        "disposal_date is on or after offence_date", "§2 disposals.csv"
    ),
    "after_extract_date": Rule(
        "no date in the extract is after the extract date in its file name", "§2"
    ),
    # Drug tests.
    "test_outside_month": Rule("test_date lies within the file's month", "§3 test_date"),
    "test_before_birth": Rule("test_date is after date_of_birth", "§3"),
    # Deaths.
    "registration_before_death": Rule(
        "date_registered is on or after date_of_death", "§4 date_registered"
    ),
    "registration_outside_year": Rule(
        "date_registered lies within the file's year", "§4 date_registered"
    ),
    "death_before_birth": Rule("date_of_death is on or after date_of_birth", "§4"),
    "drug_poisoning_without_cause": Rule(
        "drug_poisoning = y only with an underlying cause in the ONS drug-poisoning list "
        "(F11-F16, F18-F19, X40-X44, X60-X64, X85, Y10-Y14)",
        "§4 drug_poisoning",
    ),
}
