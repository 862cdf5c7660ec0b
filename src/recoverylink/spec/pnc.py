"""Police National Computer extract (spec §2): nominals.csv, aliases.csv, disposals.csv.

The extract date in the file name (``pnc_<YYYY-MM-DD>.zip``) is the context's
``period_end``: nothing in the extract can happen after it.
"""

from __future__ import annotations

from recoverylink.spec import codes
from recoverylink.spec.checks import TableCheck, after_period
from recoverylink.spec.reference import offence_code_values, police_force_codes
from recoverylink.spec.schema import PNC_ID, POSTCODE, Need, Table, code, date, formatted, text

EXTRACT_MEMBERS = ("nominals.csv", "aliases.csv", "disposals.csv")

FORCE_SOURCE = "reference/police_forces.csv (force_code)"
OFFENCE_SOURCE = "reference/offence_codes.csv (offence_code)"


def after_extract(t: TableCheck, *columns: str) -> None:
    after_period(t, "after_extract_date", "the extract date", *columns)


def nominal_rules(t: TableCheck) -> None:
    after_extract(t, "date_of_birth")


def alias_rules(t: TableCheck) -> None:
    after_extract(t, "date_of_birth")


def disposal_rules(t: TableCheck) -> None:
    if t.has("offence_date", "disposal_date"):
        early = t.date("disposal_date") < t.date("offence_date")
        msg = "disposal_date {value} is before offence_date {offence_date}"
        t.flag(early, "disposal_before_offence", "disposal_date", msg)
    after_extract(t, "offence_date", "disposal_date")


def check_extract(
    nominals: TableCheck, aliases: TableCheck | None, disposals: TableCheck | None
) -> None:
    """Every alias and disposal references a nominal (when the columns are there)."""
    if not nominals.has("pnc_id"):
        return
    known = nominals.text("pnc_id")
    for child, rule in ((aliases, "orphan_alias"), (disposals, "orphan_disposal")):
        if child is None or not child.has("pnc_id"):
            continue
        orphan = child.valid("pnc_id") & ~child.is_in("pnc_id", known)
        child.flag(orphan, rule, "pnc_id", "pnc_id {value!r} is not in nominals.csv")


NOMINALS = Table(
    "nominals",
    "nominals.csv",
    (
        formatted("pnc_id", PNC_ID, identifier=True),
        text("surname", identifier=True),
        text("forenames", identifier=True),
        date("date_of_birth", identifier=True),
        code("sex", codes.SEX, identifier=True),
        formatted("postcode", POSTCODE, Need.OPTIONAL, identifier=True),
        code("police_force", police_force_codes, source=FORCE_SOURCE),
    ),
    unique=(("pnc_id",),),
    checks=(nominal_rules,),
)

ALIASES = Table(
    "aliases",
    "aliases.csv",
    (
        formatted("pnc_id", PNC_ID, identifier=True),
        text("surname", identifier=True),
        text("forenames", identifier=True),
        date("date_of_birth", identifier=True),
    ),
    checks=(alias_rules,),
)

DISPOSALS = Table(
    "disposals",
    "disposals.csv",
    (
        formatted("pnc_id", PNC_ID, identifier=True),
        text("disposal_id"),
        date("offence_date"),
        date("disposal_date"),
        code("disposal_type", codes.DISPOSAL_TYPE),
        code("offence_code", offence_code_values, source=OFFENCE_SOURCE),
    ),
    unique=(("disposal_id",),),
    checks=(disposal_rules,),
)
