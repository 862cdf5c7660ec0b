"""Parameters of the synthetic England behaviour model, with documented defaults.

Every number that shapes the synthetic population lives here, so that
``docs/synthetic-england.md`` can list them and ``--param NAME=VALUE`` can
override any of them. Counts are for ``--scale 1`` (England) and are multiplied
by the scale. Rates are per person-year unless named otherwise.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from recoverylink.errors import SynthArgumentError

FIRST_FY = 2003  # financial year 2003-04
LAST_FY = 2011  # financial year 2011-12


@dataclass(frozen=True)
class SynthParams:
    # --- the period covered -------------------------------------------------
    first_fy: int = FIRST_FY
    last_fy: int = LAST_FY
    offending_from: str = "2000-01-01"  # PNC history starts here
    pnc_extract_date: str = "2014-01-31"  # the full-refresh extract date
    drug_tests_from: str = "2004-04-01"
    drug_tests_to: str = "2013-12-31"
    deaths_from_year: int = 2003
    deaths_to_year: int = 2013

    # --- treatment population (drug clients) --------------------------------
    # people already in a journey on 1 April 2003
    initial_stock: float = 95_000
    # people starting their first journey in the data, per financial year from 2003-04
    first_entrants_per_year: tuple[float, ...] = (
        42_000,
        42_000,
        41_000,
        40_000,
        38_000,
        36_000,
        33_000,
        30_000,
        28_000,
    )
    # alcohol-only clients starting a first journey each year (NDTMS adult alcohol)
    alcohol_entrants_per_year: float = 12_000
    share_opiate: float = 0.66  # heroin/other opiate primary (with or without crack)
    share_crack_with_opiate: float = 0.45  # of opiate users, crack as a secondary drug
    share_secondary_alcohol: float = 0.25  # non-opiate users with alcohol as second problem
    share_female: float = 0.27
    age_at_entry_mean: float = 31.0
    age_at_entry_sd: float = 8.0
    years_using_before_treatment: float = 8.0  # reported, used for TOP and docs
    share_consent_no: float = 0.03
    share_prior_treatment_before_data: float = 0.35  # first journey in data but treated before 2003

    # --- journeys -----------------------------------------------------------
    # journey length mixture: short (drop-out-prone) vs long (retained)
    share_short_journey: float = 0.30
    short_journey_mean_days: float = 110.0
    long_journey_mean_days: float = 1_700.0
    long_journey_min_days: float = 120.0
    # probability that a journey exit is successful, by financial year of exit
    # (from 2003-04), before area and person effects; the recovery agenda raised it
    success_at_exit_by_year: tuple[float, ...] = (
        0.31,
        0.34,
        0.40,
        0.42,
        0.47,
        0.53,
        0.61,
        0.67,
        0.72,
    )
    short_journey_success_factor: float = 0.35  # odds multiplier for journeys < 12 weeks
    share_other_exit: float = 0.08  # transfers in custody, moved away
    # exits referred on to services outside the system (a transfer that never arrives),
    # by financial year of exit; common under the old definitions, rarer later
    referred_on_by_year: tuple[float, ...] = (
        0.30,
        0.30,
        0.34,
        0.38,
        0.42,
        0.30,
        0.18,
        0.12,
        0.10,
    )
    offender_success_log_odds: float = -0.3  # offenders complete less often
    offender_short_journey_extra: float = -0.05  # and more often have short journeys
    offender_referred_on_factor: float = 0.3  # and are less often referred on
    # the most prolific offenders (above the median rate) drop out more often still
    prolific_success_log_odds: float = -1.2
    prolific_short_journey_extra: float = 0.55
    # area effects on the odds of a successful exit: two named extremes and a spread
    best_area: str = "E10000016"  # Kent
    best_area_log_odds: float = 1.1
    worst_area: str = "E10000013"  # Gloucestershire
    worst_area_log_odds: float = -1.9
    area_log_odds_sd: float = 0.22
    london_south_east_log_odds: float = 0.25  # London and the South East complete more often
    # returns after a journey ends
    return_prob_after_success: float = 0.30
    return_prob_after_dropout: float = 0.72
    return_prob_after_other: float = 0.60
    return_gap_mean_days: float = 300.0
    # "revolving door" clients: short journeys and quick returns
    share_cyclers: float = 0.28
    cycler_return_prob: float = 0.85
    cycler_gap_mean_days: float = 200.0
    cycler_short_journey: float = 0.75
    share_returns_via_cjs: float = 0.80  # returns triggered by an arrest (DIP route)
    # episodes within journeys
    share_journey_with_transfer: float = 0.12
    share_concurrent_second_provider: float = 0.05
    share_duplicate_client_ref: float = 0.01  # one provider registers the person twice
    share_wait_over_3_weeks: float = 0.09
    # circumstances at the start of treatment
    share_no_fixed_abode: float = 0.09
    share_housing_problem: float = 0.15
    share_parental_responsibility: float = 0.33
    share_injecting_opiate: float = 0.42

    # --- offending ----------------------------------------------------------
    pnc_only_people: float = 3_000_000  # offenders never in treatment
    share_offender_opiate: float = 0.50  # opiate/crack users with an offending career
    share_offender_other: float = 0.22
    trigger_rate_mean_opiate: float = 1.35  # proven trigger offences a year, offenders
    trigger_rate_mean_other: float = 1.10
    trigger_rate_shape: float = 0.9  # gamma shape: heterogeneity between offenders
    share_soliciting_female_opiate: float = 0.30  # women for whom soliciting is a main offence
    pre_entry_bump: float = 0.5  # extra offending in the 3 months before a CJS entry
    share_cautions: float = 0.15
    # target change in convictions in the 2 years after a journey start vs the 2 before
    change_retained: float = -0.30
    change_completed_returned: float = -0.30
    change_completed_not_returned: float = -0.45
    change_dropped_out: float = -0.45
    change_other: float = -0.30
    # offence-group factors after treatment start (relative to the person's average)
    factor_soliciting: float = 0.42
    factor_fraud: float = 0.42
    factor_theft: float = 0.92
    cjs_route_first_journey: float = 0.80  # offenders' first journeys that start through the CJS
    share_hard_core_dip: float = 0.7  # of CJS-route offenders below the 75th rate percentile who
    # do not stay or complete: offending rises sharply
    hard_core_multiplier: float = 3.0
    post_exit_factor_success: float = 0.10  # offending after a successful exit, vs journey level
    post_exit_factor_other: float = 0.12  # offending after any other exit, vs journey level
    # PNC-only offenders: rate of proven offences a year and the trigger share
    pnc_only_rate_mean: float = 0.45
    pnc_only_share_trigger: float = 0.30
    share_aliases: float = 0.18
    share_false_dob_alias: float = 0.35  # of aliases, a different date of birth

    # --- drug tests on arrest -----------------------------------------------
    test_prob_trigger_arrest: float = 0.55
    unproven_arrest_rate_factor: float = 0.35  # arrests that lead to no disposal
    share_test_with_pnc_id: float = 0.75
    # --- deaths -------------------------------------------------------------
    smr_opiate: float = 5.0
    smr_other_drug: float = 2.5
    smr_offender: float = 1.6
    drug_poisoning_rate_in_treatment: float = 0.0046
    drug_poisoning_rate_after_exit: float = 0.0075
    drug_poisoning_rate_never_treated_user: float = 0.004
    background_deaths_per_year: float = 60_000  # decoy deaths of people outside the model
    # --- recording errors ---------------------------------------------------
    dob_digit_slip: float = 0.025
    dob_day_month_swap: float = 0.010
    dob_first_january: float = 0.006
    initial_wrong: float = 0.008
    initial_missing: float = 0.006
    nickname_in_treatment: float = 0.10  # clients giving a nickname (Bill for William)
    surname_change_women: float = 0.06
    twins: float = 0.004
    police_dob_error: float = 0.02
    death_dob_error: float = 0.004
    # --- providers ----------------------------------------------------------
    population_per_provider: float = 120_000
    extra: dict[str, float] = field(default_factory=dict)

    def scaled(self, value: float, scale: float) -> int:
        return round(value * scale)


def make_params(overrides: dict[str, object] | None = None) -> SynthParams:
    """Defaults with ``overrides`` applied; unknown names are an error."""
    if not overrides:
        return SynthParams()
    names = {f.name for f in dataclasses.fields(SynthParams)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise SynthArgumentError(f"unknown synth parameter(s): {', '.join(unknown)}")
    converted: dict[str, object] = {}
    defaults = SynthParams()
    for name, value in overrides.items():
        current = getattr(defaults, name)
        try:
            if isinstance(current, tuple):
                items = value if isinstance(value, list | tuple) else str(value).split(",")
                converted[name] = tuple(float(v) for v in items)
            elif isinstance(current, bool):
                converted[name] = str(value).lower() in ("1", "true", "yes", "y")
            elif isinstance(current, int) and not isinstance(current, bool):
                converted[name] = int(float(str(value)))
            elif isinstance(current, float):
                converted[name] = float(str(value))
            else:
                converted[name] = value
        except ValueError as exc:
            raise SynthArgumentError(f"synth parameter {name}: cannot read {value!r}") from exc
    return dataclasses.replace(defaults, **converted)  # type: ignore[arg-type]
