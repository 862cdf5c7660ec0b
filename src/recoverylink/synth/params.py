"""Parameters of the synthetic England behaviour model, with documented defaults.

Every number that shapes the synthetic population lives here, so that
``docs/synthetic-england.md`` can list them and ``--param NAME=VALUE`` can
override any of them. Counts are for ``--scale 1`` (England) and are multiplied
by the scale. Rates are per person-year unless named otherwise.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from recoverylink.errors import SynthArgumentError

FIRST_FY = 2003  # financial year 2003-04
LAST_FY = 2011  # financial year 2011-12


@dataclass(frozen=True)
class SynthParams:
    # --- the period covered -------------------------------------------------
    first_fy: int = FIRST_FY  # first financial year of treatment submissions (2003-04)
    last_fy: int = LAST_FY  # last financial year of treatment submissions (2011-12)
    offending_from: str = "2000-01-01"  # PNC history starts here
    pnc_extract_date: str = "2014-01-31"  # the full-refresh extract date
    drug_tests_from: str = "2004-04-01"  # first day of testing on arrest in the files
    drug_tests_to: str = "2013-12-31"  # last day of testing on arrest in the files
    deaths_from_year: int = 2003  # first year of death registrations
    deaths_to_year: int = 2013  # last year of death registrations

    # --- treatment population (drug clients) --------------------------------
    # people already in a journey on 1 April 2003
    initial_stock: float = 82_000
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
    share_female: float = 0.27  # women among clients (offenders never treated: 20%)
    age_at_entry_mean: float = 31.0  # age at the first journey in the data (alcohol: 42)
    age_at_entry_sd: float = 8.0  # its spread (ages are kept within 18.5 to 80)
    share_consent_no: float = 0.02  # clients who never consent to sharing (1% more per episode)
    share_prior_treatment_before_data: float = 0.35  # first journey in data but treated before 2003

    # --- journeys -----------------------------------------------------------
    # journey length mixture: short (drop-out-prone) vs long (retained)
    share_short_journey: float = 0.24
    short_journey_mean_days: float = 110.0  # mean length of a short journey
    long_journey_mean_days: float = 1_700.0
    long_journey_min_days: float = 120.0  # shortest long journey (mean above)
    # probability that a journey exit is successful, by financial year of exit
    # (from 2003-04), before area and person effects; the recovery agenda raised it
    success_at_exit_by_year: tuple[float, ...] = (
        0.349,
        0.385,
        0.452,
        0.46,
        0.498,
        0.542,
        0.601,
        0.665,
        0.72,
    )
    short_journey_success_factor: float = 0.35  # odds multiplier for journeys < 12 weeks
    share_other_exit: float = 0.08  # transfers in custody, moved away
    # exits referred on to services outside the system (a transfer that never arrives),
    # by financial year of exit; common under the old definitions, rarer later
    referred_on_by_year: tuple[float, ...] = (0.3, 0.3, 0.34, 0.399, 0.459, 0.319, 0.18, 0.12, 0.1)
    offender_success_log_odds: float = -0.3  # offenders complete less often
    offender_short_journey_extra: float = -0.05  # and more often have short journeys
    offender_referred_on_factor: float = 0.3  # and are less often referred on
    # prolific offenders drop out more often still: level 1 above the median offending rate,
    # 1.6 above the 75th percentile
    prolific_success_log_odds: float = -1.2  # log-odds of success, per prolific level
    prolific_short_journey_extra: float = 0.55  # extra share of short journeys, per level
    # area effects on the odds of a successful exit: two named extremes and a spread
    best_area: str = "E10000016"  # Kent
    best_area_log_odds: float = 2.5
    worst_area: str = "E10000013"  # Gloucestershire
    worst_area_log_odds: float = -2.16
    area_log_odds_sd: float = 0.22  # spread of the other areas' effects
    london_south_east_log_odds: float = 0.25  # London and the South East complete more often
    # returns after a journey ends
    return_prob_after_success: float = 0.22  # chance of a new journey after a success
    return_prob_after_dropout: float = 0.54  # ... after dropping out
    return_prob_after_other: float = 0.45  # ... after any other exit
    return_gap_mean_days: float = 420.0  # mean gap before coming back (at least 22 days)
    # "revolving door" clients: short journeys and quick returns
    share_cyclers: float = 0.24  # clients who are revolving-door clients
    cycler_return_prob: float = 0.85  # their chance of coming back after each journey
    cycler_gap_mean_days: float = 150.0  # their mean gap before coming back
    cycler_short_journey: float = 0.75  # their share of short journeys
    share_returns_via_cjs: float = 0.85  # returns triggered by an arrest (DIP route)
    # episodes within journeys
    share_journey_with_transfer: float = 0.12  # a transfer to another provider within 21 days
    share_concurrent_second_provider: float = 0.05  # a second provider sees the client too
    share_duplicate_client_ref: float = 0.01  # one provider registers the person twice
    share_wait_over_3_weeks: float = 0.09  # referral to first intervention over 3 weeks
    # circumstances at the start of treatment
    share_no_fixed_abode: float = 0.09  # at the start of an episode
    share_housing_problem: float = 0.15  # another housing problem at the start
    share_parental_responsibility: float = 0.33  # lives with children or children elsewhere
    share_injecting_opiate: float = 0.42  # opiate users who inject (now or before)
    # TOP reviews: the chance a client has stopped using altogether, at a full year's gain
    # (times the progress made: up to 0.85 for completers, 0.2 for others)
    top_abstinence: float = 0.6

    # --- offending ----------------------------------------------------------
    pnc_only_people: float = 4_000_000  # offenders never in treatment
    share_offender_opiate: float = 0.457  # opiate/crack users with an offending career
    share_offender_other: float = 0.233  # other drug and alcohol clients with one
    trigger_rate_mean_opiate: float = 1.35  # proven trigger offences a year, offenders
    trigger_rate_mean_other: float = 1.10  # the same for other drug users (alcohol: half)
    trigger_rate_shape: float = 1.5  # gamma shape: heterogeneity between offenders
    share_soliciting_female_opiate: float = 0.30  # women for whom soliciting is a main offence
    share_cautions: float = 0.15  # proven offences disposed of by a caution
    # offending rate factor minus one for the 2 years from a journey start, by the journey's
    # outcome group; fitted so that the measured changes (which include regression to the
    # mean) land on the published ones
    change_retained: float = 0.025
    change_completed_returned: float = -0.264
    change_completed_not_returned: float = -0.426
    change_dropped_out: float = -0.911
    # other outcomes: custody, moved away, referred on, completions within 6 months
    change_other: float = -0.765
    # offence-group factors after treatment start (relative to the person's average)
    factor_soliciting: float = 0.457
    factor_fraud: float = 0.49
    factor_theft: float = 1.2
    cjs_route_first_journey: float = 0.874  # offenders' first journeys that start through the CJS
    # the hard core: CJS-route offenders who drop out and whose offending rises sharply
    share_hard_core_dip: float = 1.0
    hard_core_rate_quantile: float = 0.7  # ... among those below this quantile of offending rates
    hard_core_multiplier: float = 3.54  # their offending rate factor from the start
    hard_core_rate_floor: float = 2.99  # ... lifting their rate to at least this a year
    # criminal-justice entrants outside the hard core referred by DIP or arrest referral
    # (the rest: probation, courts, prison); the hard core all come through DIP
    share_dip_cjs: float = 0.74
    post_exit_factor_success: float = 0.006  # offending after a successful exit, vs journey level
    post_exit_factor_other: float = 0.008  # offending after any other exit, vs journey level
    # PNC-only offenders: rate of proven offences a year and the trigger share
    pnc_only_rate_mean: float = 0.45
    pnc_only_share_trigger: float = 0.30
    share_aliases: float = 0.18  # nominals with other identities (1 to 3 aliases)
    share_false_dob_alias: float = 0.35  # of aliases, a different date of birth

    # --- drug tests on arrest -----------------------------------------------
    test_prob_trigger_arrest: float = 0.55  # arrests for trigger offences tested for drugs
    test_prob_cjs_entry_arrest: float = 0.9  # the arrest that leads into treatment is tested
    unproven_arrest_rate_factor: float = 0.35  # arrests that lead to no disposal
    share_test_with_pnc_id: float = 0.75  # drug tests that carry the PNC id
    # --- deaths -------------------------------------------------------------
    smr_opiate: float = 5.0  # all-cause mortality ratio to England, opiate users
    smr_other_drug: float = 2.5  # other drug and alcohol users
    smr_offender: float = 1.6  # offenders never in treatment
    # drug-poisoning deaths a year, treatment clients (opiate users x1.6, other drugs x0.4,
    # alcohol x0.15)
    drug_poisoning_rate_in_treatment: float = 0.00473
    drug_poisoning_rate_never_treated_user: float = 0.004  # offenders never treated: a tenth
    background_deaths_per_year: float = 60_000  # decoy deaths of people outside the model
    # --- recording errors ---------------------------------------------------
    dob_digit_slip: float = 0.025  # treatment dates of birth with one digit slipped
    dob_day_month_swap: float = 0.010  # day and month swapped (where both could be months)
    dob_first_january: float = 0.006  # recorded as 1 January of the right year
    initial_wrong: float = 0.008  # an initial mistyped (treatment and drug tests)
    initial_missing: float = 0.006  # an initial left out (treatment)
    nickname_in_treatment: float = 0.10  # clients giving a nickname (Bill for William)
    surname_change_women: float = 0.06  # women whose surname changes during the period
    twins: float = 0.004  # drug clients with a twin (same birth date, surname, area)
    police_dob_error: float = 0.02  # PNC and drug-test dates of birth recorded wrongly
    death_dob_error: float = 0.004  # death registrations with a wrong date of birth
    # --- providers ----------------------------------------------------------
    population_per_provider: float = 120_000  # residents per provider at scale 1 (at least 1)

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
