"""ONS death registrations (spec §4): ``deaths_<YYYY>.csv``.

The year in the file name is the registration year (the context's period): a
death may have happened in an earlier year but was registered in this one.
``drug_poisoning = y`` marks a drug-misuse death, so its underlying cause must be
in the ONS drug-poisoning list (codes.DRUG_POISONING_ICD10); ``n`` is allowed with
any cause (a poisoning without a controlled drug mentioned is not drug misuse).
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from recoverylink.spec import codes
from recoverylink.spec.checks import TableCheck, is_in
from recoverylink.spec.schema import (
    ICD10,
    POSTCODE,
    Need,
    Table,
    code,
    date,
    formatted,
    text,
    yes_no,
)


def death_rules(t: TableCheck) -> None:
    if t.has("date_of_death", "date_registered"):
        msg = "date_registered {value} is before date_of_death {date_of_death}"
        early = t.date("date_registered") < t.date("date_of_death")
        t.flag(early, "registration_before_death", "date_registered", msg)
    if t.has("date_of_death", "date_of_birth"):
        msg = "date_of_death {value} is before date_of_birth {date_of_birth}"
        unborn = t.date("date_of_death") < t.date("date_of_birth")
        t.flag(unborn, "death_before_birth", "date_of_death", msg)
    start, end = t.context.period_start, t.context.period_end
    if t.has("date_registered") and start is not None and end is not None:
        registered = t.date("date_registered")
        outside = (registered < np.datetime64(start)) | (registered > np.datetime64(end))
        msg = f"date_registered {{value}} is outside the file's year ({start.year})"
        t.flag(outside, "registration_outside_year", "date_registered", msg)
    if t.has("drug_poisoning", "underlying_cause"):
        flagged = t.valid("drug_poisoning") & t.equals("drug_poisoning", "y")
        category = pc.utf8_slice_codeunits(t.text("underlying_cause"), 0, 3)
        listed = is_in(category, codes.DRUG_POISONING_ICD10)
        msg = (
            "drug_poisoning = y but the underlying cause {underlying_cause!r} is not a "
            "drug-poisoning code (F11-F16, F18-F19, X40-X44, X60-X64, X85, Y10-Y14)"
        )
        wrong = flagged & t.valid("underlying_cause") & ~listed
        t.flag(wrong, "drug_poisoning_without_cause", "drug_poisoning", msg)


DEATHS = Table(
    "deaths",
    "deaths_<YYYY>.csv",
    (
        text("death_id"),
        text("surname", identifier=True),
        text("forenames", identifier=True),
        date("date_of_birth", identifier=True),
        code("sex", codes.SEX, identifier=True),
        formatted("postcode", POSTCODE, Need.OPTIONAL, identifier=True),
        date("date_of_death"),
        date("date_registered"),
        formatted("underlying_cause", ICD10),
        yes_no("drug_poisoning"),
    ),
    unique=(("death_id",),),
    checks=(death_rules,),
)
