"""The comparisons the linkage models make, as Splink settings (plain dicts).

Every condition is written in SQL that DuckDB and Spark both understand
(``array_contains``, ``levenshtein``, integer arithmetic), so one model runs on
either engine unchanged. ``_l`` and ``_r`` are the two records of a pair; the
conditions are symmetric, because Splink decides which record is on which side.
"""

from __future__ import annotations

from typing import Any

Level = dict[str, Any]
Comparison = dict[str, Any]


def _null(column: str, label: str | None = None) -> Level:
    return {
        "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
        "label_for_charts": label or f"{column} missing",
        "is_null_level": True,
    }


def _level(condition: str, label: str, tf_column: str | None = None) -> Level:
    level: Level = {"sql_condition": condition, "label_for_charts": label}
    if tf_column:
        level["tf_adjustment_column"] = tf_column
        level["tf_adjustment_weight"] = 1.0
    return level


_ELSE: Level = {"sql_condition": "ELSE", "label_for_charts": "all other"}


def comparison(name: str, description: str, levels: list[Level]) -> Comparison:
    return {
        "output_column_name": name,
        "comparison_description": description,
        "comparison_levels": [*levels, _ELSE],
    }


def first_initial(widened: bool = True) -> Comparison:
    """Initial against initial, or an initial against the initials a named record allows.

    ``first_initials`` holds every initial a person might give: the first letter of
    each forename, and of each nickname or formal name of the first one (Bill for
    William). For a record with only an initial it holds that initial.
    """
    levels = [
        _null("first_initial"),
        _level("first_initial_l = first_initial_r", "exact", "first_initial"),
    ]
    if widened:
        levels.append(
            _level(
                "array_contains(first_initials_l, first_initial_r) "
                "OR array_contains(first_initials_r, first_initial_l)",
                "middle name or nickname initial",
            )
        )
    description = "First initial: exact"
    if widened:
        description += ", or one a forename or nickname allows"
    return comparison("first_initial", description, levels)


def last_initial() -> Comparison:
    return comparison(
        "last_initial",
        "Last initial",
        [
            _null("last_initial"),
            _level("last_initial_l = last_initial_r", "exact", "last_initial"),
        ],
    )


def forename() -> Comparison:
    return comparison(
        "forename",
        "First forename: exact, nickname, close spelling, initial",
        [
            _null("forename"),
            _level("forename_l = forename_r", "exact", "forename"),
            _level(
                "array_contains(forename_variants_l, forename_r) "
                "OR array_contains(forename_variants_r, forename_l)",
                "nickname",
            ),
            _level("levenshtein(forename_l, forename_r) <= 2", "spelling (up to 2 edits)"),
            _level(
                "array_contains(first_initials_l, first_initial_r) "
                "OR array_contains(first_initials_r, first_initial_l)",
                "same initial or middle name",
            ),
        ],
    )


def surname() -> Comparison:
    return comparison(
        "surname",
        "Surname: exact, close spelling, initial",
        [
            _null("surname"),
            _level("surname_l = surname_r", "exact", "surname"),
            _level("levenshtein(surname_l, surname_r) <= 2", "spelling (up to 2 edits)"),
            _level("last_initial_l = last_initial_r", "same initial"),
        ],
    )


def date_of_birth() -> Comparison:
    """Exact, or the slips clerks make: day and month swapped, one part off by one digit,
    1 January for an unknown date, two of the three parts the same; or within three
    years (``dob_days``: days since 1970-01-01)."""
    same_y = "dob_y_l = dob_y_r"
    same_m = "dob_m_l = dob_m_r"
    same_d = "dob_d_l = dob_d_r"
    slip = (
        f"({same_y} AND {same_m} AND abs(dob_d_l - dob_d_r) IN (1, 10, 20)) "
        f"OR ({same_y} AND {same_d} AND abs(dob_m_l - dob_m_r) IN (1, 10)) "
        f"OR ({same_m} AND {same_d} AND abs(dob_y_l - dob_y_r) IN (1, 10))"
    )
    return comparison(
        "dob",
        "Date of birth: exact, or a typical slip",
        [
            _null("dob"),
            _level("dob_l = dob_r", "exact", "dob"),
            _level(
                f"{same_y} AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r", "day and month swapped"
            ),
            _level(slip, "one digit slipped"),
            _level(
                f"{same_y} AND ((dob_m_l = 1 AND dob_d_l = 1) OR (dob_m_r = 1 AND dob_d_r = 1))",
                "1 January of the same year",
            ),
            _level(
                f"({same_y} AND {same_m}) OR ({same_y} AND {same_d}) OR ({same_m} AND {same_d})",
                "two of day, month and year",
            ),
            # a false date given to the police is usually near the true one
            _level("abs(dob_days_l - dob_days_r) <= 1100", "within three years"),
        ],
    )


def sex() -> Comparison:
    return comparison("sex", "Sex", [_null("sex"), _level("sex_l = sex_r", "exact")])


def place(levels: tuple[str, ...]) -> Comparison:
    """Where the two records put the person, finest first: any of
    ``district`` (postcode district), ``area`` (postcode area), ``la`` (local
    authority), ``force`` (police force area) and ``region``."""
    conditions = {
        "district": ("postcode_district_l = postcode_district_r", "same postcode district"),
        "area": ("postcode_area_l = postcode_area_r", "same postcode area"),
        "la": ("local_authority_l = local_authority_r", "same local authority"),
        "force": ("police_force_l = police_force_r", "same police force area"),
        "region": ("region_l = region_r", "same region"),
    }
    column = {"district": "postcode_district", "area": "postcode_area", "la": "local_authority",
              "force": "police_force", "region": "region"}
    coarsest = column[levels[-1]]
    return comparison(
        "place",
        "Place: " + ", ".join(conditions[k][1] for k in levels),
        [
            _null(coarsest, f"{coarsest} missing"),
            *(_level(*conditions[k]) for k in levels),
        ],
    )


def timeline(treatment_discharge: bool = True) -> Comparison:
    """Whether what the records say about life and death fits (for jobs with deaths).

    ``died_day`` is a death's date, or the date a treatment episode ended with
    the client's death; ``seen_day`` the latest day the person was seen alive
    (a treatment triage, an offence). Days since 1970-01-01, so the SQL is
    plain arithmetic. A month's slack allows for dates recorded late.
    """
    nothing: Level = {
        "sql_condition": "(seen_day_l IS NULL AND died_day_l IS NULL) "
        "OR (seen_day_r IS NULL AND died_day_r IS NULL)",
        "label_for_charts": "no dates on one side",
        "is_null_level": True,
    }
    seen = _level(
        "seen_day_l > died_day_r + 31 OR seen_day_r > died_day_l + 31",
        "seen alive more than a month after the death",
    )
    if not treatment_discharge:
        return comparison(
            "timeline", "Timeline: the person seen alive after the death", [nothing, seen]
        )
    return comparison(
        "timeline",
        "Timeline: treatment ended by this death, or the person seen alive after it",
        [
            nothing,
            _level("abs(died_day_l - died_day_r) <= 31",
                   "discharged as died within a month of the death"),
            seen,
            _level("abs(died_day_l - died_day_r) > 31", "died on another date"),
        ],
    )
