"""Drug tests on arrest, the Drug Test Record (spec §3): ``drug_tests_<YYYY-MM>.csv``.

The month in the file name is the context's period; every test falls within it.
``trigger_offence_code`` must be a code of reference/offence_codes.csv; it is not
required to carry the trigger-offence flag, since a test may follow an arrest for
another offence on an inspector's authority.
"""

from __future__ import annotations

import numpy as np

from recoverylink.spec import codes
from recoverylink.spec.checks import TableCheck
from recoverylink.spec.pnc import FORCE_SOURCE, OFFENCE_SOURCE
from recoverylink.spec.reference import offence_code_values, police_force_codes
from recoverylink.spec.schema import (
    INITIAL,
    PNC_ID,
    Need,
    Table,
    code,
    date,
    formatted,
    text,
    yes_no,
)


def drug_test_rules(t: TableCheck) -> None:
    if not t.has("test_date"):
        return
    tested = t.date("test_date")
    start, end = t.context.period_start, t.context.period_end
    if start is not None and end is not None:
        outside = (tested < np.datetime64(start)) | (tested > np.datetime64(end))
        msg = f"test_date {{value}} is outside the file's month ({start:%Y-%m})"
        t.flag(outside, "test_outside_month", "test_date", msg)
    if t.has("date_of_birth"):
        msg = "test_date {value} is not after date_of_birth {date_of_birth}"
        t.flag(tested <= t.date("date_of_birth"), "test_before_birth", "test_date", msg)


DRUG_TESTS = Table(
    "drug_tests",
    "drug_tests_<YYYY-MM>.csv",
    (
        text("test_id"),
        formatted("pnc_id", PNC_ID, Need.OPTIONAL, identifier=True),
        formatted("first_initial", INITIAL, Need.OPTIONAL, identifier=True),
        formatted("last_initial", INITIAL, Need.OPTIONAL, identifier=True),
        date("date_of_birth", identifier=True),
        code("sex", codes.SEX, identifier=True),
        code("police_force", police_force_codes, source=FORCE_SOURCE),
        date("test_date"),
        code("opiates", codes.TEST_RESULT),
        code("cocaine", codes.TEST_RESULT),
        code("trigger_offence_code", offence_code_values, source=OFFENCE_SOURCE),
        yes_no("required_assessment"),
    ),
    unique=(("test_id",),),
    checks=(drug_test_rules,),
)
