"""Treatment submission (spec §1): episodes.csv, interventions.csv and top.csv.

Column order is the file layout the synthetic generator writes. Rules that need
the other files of the submission live in :mod:`recoverylink.spec.treatment_links`.
"""

from __future__ import annotations

import numpy as np

from recoverylink.spec import codes
from recoverylink.spec.checks import TableCheck, after_period
from recoverylink.spec.reference import local_authority_codes
from recoverylink.spec.schema import (
    INITIAL,
    POSTCODE_DISTRICT,
    Column,
    Need,
    Table,
    code,
    date,
    formatted,
    integer,
    text,
    yes_no,
)

SUBMISSION_MEMBERS = ("episodes.csv", "interventions.csv", "top.csv")

OPTIONAL, CONSENTED = Need.OPTIONAL, Need.CONSENTED
LA_SOURCE = "reference/local_authorities.csv (la_code)"


def provider_rules(t: TableCheck) -> None:
    """provider_code equals the file name's code; episodes' codes are in the register."""
    if not t.has("provider_code"):
        return
    filled = t.valid("provider_code")
    own = t.context.file_provider_code
    mismatch = np.zeros(t.size, dtype=bool)
    if own is not None:
        mismatch = filled & ~t.equals("provider_code", own)
        msg = f"provider_code {{value!r}} differs from {own!r} in the file name"
        t.flag(mismatch, "provider_code_mismatch", "provider_code", msg)
    known = t.context.provider_codes
    if known is not None and t.table.name == "episodes":
        unknown = filled & ~t.is_in("provider_code", known)
        if own is not None:
            # Rows carrying the file name's code are covered by the file-level problem.
            unknown &= mismatch
        msg = "provider {value!r} is not in the providers register"
        t.flag(unknown, "unknown_provider", "provider_code", msg)


def after_month(t: TableCheck, *columns: str) -> None:
    """Dates after the end of the submission month (the extract cannot hold the future)."""
    after_period(t, "after_submission_month", "the end of the submission month", *columns)


def before(t: TableCheck, later: str, earlier: str, rule: str, message: str) -> None:
    """Flag rows where ``later`` is before ``earlier`` (both valid dates)."""
    if t.has(later, earlier):
        t.flag(t.date(later) < t.date(earlier), rule, later, message)


def _month_day(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Position in the year, as month * 32 + day: orders dates within a year."""
    months = days.astype("datetime64[M]")
    return (months - years).astype("int64") * 32 + (days - months).astype("int64")


def age_in_years(born: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Completed years of age between datetime64[D] arrays (NaN where a date is NaT).

    >>> d = lambda *s: np.array(s, dtype="datetime64[D]")
    >>> age_in_years(d("2000-03-01", "2000-03-01", "NaT"), d("2018-02-28", "2018-03-01", "2018"))
    array([17., 18., nan])
    """
    years_b, years_o = born.astype("datetime64[Y]"), on.astype("datetime64[Y]")
    to_come = _month_day(on, years_o) < _month_day(born, years_b)
    age = (years_o - years_b).astype("int64") - to_come
    return np.where(np.isnat(born) | np.isnat(on), np.nan, age.astype("float64"))


def episode_rules(t: TableCheck) -> None:
    provider_rules(t)
    if t.has("consent"):
        refused = t.equals("consent", "n")
        for column in t.table.column_names:
            if column not in codes.NON_CONSENT_ALLOWED_COLUMNS and t.has(column):
                msg = "{column} must be empty when consent = n"
                t.flag(refused & t.filled(column), "non_consent_field_filled", column, msg)
    if t.has("date_of_birth", "referral_date"):
        dob, referral = t.date("date_of_birth"), t.date("referral_date")
        t.flag(
            dob >= referral,
            "dob_not_before_referral",
            "date_of_birth",
            "date_of_birth {value} is not before referral_date {referral_date}",
        )
        # Exact ages only where the day count leaves the answer in doubt (18 years are
        # 6,574-6,575 days, 101 years 36,889-36,890): a fraction of the rows.
        days = (referral - dob).astype("int64")
        doubt = (dob < referral) & ((days < 19 * 366) | (days > 100 * 365))
        age = np.full(t.size, np.nan)
        age[doubt] = age_in_years(dob[doubt], referral[doubt])
        t.flag(
            (age < 18) | (age > 100),
            "age_out_of_range",
            "date_of_birth",
            "the client is aged {age:.0f} at referral ({referral_date}); must be 18 to 100",
            extra={"age": age},
        )
    before(t, "triage_date", "referral_date", "triage_before_referral",
           "triage_date {value} is before referral_date {referral_date}")  # fmt: skip
    before(t, "discharge_date", "triage_date", "discharge_before_triage",
           "discharge_date {value} is before triage_date {triage_date}")  # fmt: skip
    ctx = t.context
    if t.has("discharge_date") and ctx.period_end is not None:
        msg = (
            f"discharge_date {{value}} is after the end of the submission month ({ctx.period_end})"
        )
        late = t.date("discharge_date") > np.datetime64(ctx.period_end)
        t.flag(late, "discharge_after_submission_month", "discharge_date", msg)
    if t.has("discharge_date") and ctx.period_start is not None:
        msg = (
            f"discharge_date {{value}} is before the financial year ({ctx.period_start}); "
            "the episode does not belong in this extract"
        )
        early = t.date("discharge_date") < np.datetime64(ctx.period_start)
        t.flag(early, "discharge_before_financial_year", "discharge_date", msg)
    after_month(t, "referral_date", "triage_date")
    if t.has("discharge_date", "discharge_reason"):
        dated, reason = t.filled("discharge_date"), t.filled("discharge_reason")
        msg = "discharge_reason is required with discharge_date {discharge_date}"
        t.flag(dated & ~reason, "discharge_reason_required", "discharge_reason", msg)
        msg = "discharge_reason {value!r} is given without a discharge_date"
        t.flag(reason & ~dated, "discharge_reason_without_date", "discharge_reason", msg)
    substance_rules(t)


def substance_rules(t: TableCheck) -> None:
    names = [c for c in ("substance_1", "substance_2", "substance_3") if t.has(c)]
    for i, later in enumerate(names):
        for earlier in names[:i]:
            same = t.valid(later) & t.valid(earlier) & t.same(later, earlier)
            msg = f"{{column}} {{value!r}} repeats {earlier}"
            t.flag(same, "substance_repeated", later, msg)


def intervention_rules(t: TableCheck) -> None:
    provider_rules(t)
    before(t, "start_date", "referred_date", "start_before_referred",
           "start_date {value} is before referred_date {referred_date}")  # fmt: skip
    before(t, "end_date", "start_date", "end_before_start",
           "end_date {value} is before start_date {start_date}")  # fmt: skip
    after_month(t, "referred_date", "start_date", "end_date")
    if t.has("end_date", "exit_status"):
        ended, status = t.filled("end_date"), t.filled("exit_status")
        msg = "exit_status is required with end_date {end_date}"
        t.flag(ended & ~status, "exit_status_required", "exit_status", msg)
        msg = "exit_status {value!r} is given without an end_date"
        t.flag(status & ~ended, "exit_status_without_end", "exit_status", msg)


def top_rules(t: TableCheck) -> None:
    provider_rules(t)
    after_month(t, "top_date")


def _days(name: str) -> Column:
    return integer(name, 0, 28)


EPISODES = Table(
    "episodes",
    "episodes.csv",
    (
        text("provider_code"),
        text("client_ref", identifier=True),
        text("episode_ref"),
        yes_no("consent"),
        formatted("first_initial", INITIAL, OPTIONAL, identifier=True),
        formatted("last_initial", INITIAL, OPTIONAL, identifier=True),
        date("date_of_birth", CONSENTED, identifier=True),
        code("sex", codes.SEX, CONSENTED, identifier=True),
        formatted("postcode_district", POSTCODE_DISTRICT, OPTIONAL, identifier=True),
        code("local_authority", local_authority_codes, CONSENTED, source=LA_SOURCE),
        code("ethnicity", codes.ETHNICITY, CONSENTED),
        date("referral_date"),
        code("referral_source", codes.REFERRAL_SOURCE, CONSENTED),
        date("triage_date"),
        code("substance_1", codes.SUBSTANCE, CONSENTED),
        code("substance_2", codes.SUBSTANCE, OPTIONAL),
        code("substance_3", codes.SUBSTANCE, OPTIONAL),
        code("injecting_status", codes.INJECTING_STATUS, CONSENTED),
        code("accommodation", codes.ACCOMMODATION, CONSENTED),
        code("employment", codes.EMPLOYMENT, CONSENTED),
        code("parental_status", codes.PARENTAL_STATUS, CONSENTED),
        yes_no("previously_treated", CONSENTED),
        date("discharge_date", OPTIONAL),
        code("discharge_reason", codes.DISCHARGE_REASON, OPTIONAL),
    ),
    unique=(("provider_code", "episode_ref"),),
    checks=(episode_rules,),
)

INTERVENTIONS = Table(
    "interventions",
    "interventions.csv",
    (
        text("provider_code"),
        text("episode_ref"),
        text("intervention_ref"),
        code("intervention_type", codes.INTERVENTION_TYPE),
        code("setting", codes.SETTING),
        date("referred_date"),
        date("start_date"),
        date("end_date", OPTIONAL),
        code("exit_status", codes.EXIT_STATUS, OPTIONAL),
    ),
    unique=(("provider_code", "intervention_ref"),),
    checks=(intervention_rules,),
)

TOP = Table(
    "top",
    "top.csv",
    (
        text("provider_code"),
        text("episode_ref"),
        date("top_date"),
        code("stage", codes.TOP_STAGE),
        *(_days(f"days_{d}") for d in ("opiates", "crack", "cocaine", "amphetamines")),
        *(_days(f"days_{d}") for d in ("cannabis", "alcohol", "injected")),
        _days("shoplifting_days"),
        _days("drug_selling_days"),
        _days("other_theft_days"),
        yes_no("assault"),
        integer("psychological_health", 0, 20),
        integer("physical_health", 0, 20),
        integer("quality_of_life", 0, 20),
        yes_no("acute_housing_problem"),
        yes_no("housing_risk"),
        _days("paid_work_days"),
        _days("education_days"),
    ),
    checks=(top_rules,),
)
