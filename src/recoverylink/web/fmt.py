"""How figures are written on the site: one place, so the pages, twins and tests agree.

A suppressed figure (status ``c``) is written ``[c]`` and one that is not
available (status ``x``, or no row at all) ``[x]``, as in official statistics.
"""

from __future__ import annotations

import math
from typing import Any

SUPPRESSED = "[c]"
NOT_AVAILABLE = "[x]"

COMPARISON_TAGS: dict[str, tuple[str, str]] = {
    "better": ("Better than England", "govuk-tag--green"),
    "similar": ("Similar to England", "govuk-tag--yellow"),
    "worse": ("Worse than England", "govuk-tag--red"),
    "higher": ("Higher than England", "govuk-tag--purple"),
    "lower": ("Lower than England", "govuk-tag--light-blue"),
    "not compared": ("Not compared", "govuk-tag--grey"),
}
"""Benchmark label -> (text, GOV.UK tag class): the words carry the meaning, colour repeats it."""


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def number(value: Any, dp: int = 1) -> str:
    """``1234.567`` -> ``1,234.6``; anything not a number -> ``[x]``."""
    if not is_number(value):
        return NOT_AVAILABLE
    return f"{value:,.{dp}f}"


def count(value: Any, status: str | None = "") -> str:
    """A count with thousands separators, or its status mark."""
    mark = status_mark(status)
    if mark:
        return mark
    if not is_number(value):
        return NOT_AVAILABLE
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"  # a scaled population


def status_mark(status: str | None) -> str:
    """``'c'`` -> ``[c]``, ``'x'`` -> ``[x]``, ``''`` -> ``''``."""
    if status == "c":
        return SUPPRESSED
    if status == "x":
        return NOT_AVAILABLE
    return ""


def unit_suffix(indicator: dict[str, Any]) -> str:
    """What follows a value: ``%`` for a percentage, nothing for a rate (its unit says)."""
    return "%" if indicator.get("kind") == "proportion" else ""


def unit_label(indicator: dict[str, Any]) -> str:
    """``percentage`` or ``per 100,000 population`` / ``per 1,000 people in treatment``."""
    if indicator.get("kind") == "proportion":
        return "percentage"
    multiplier = indicator.get("multiplier") or 1
    label = f"per {multiplier:,.0f}"
    return label


def value(row: dict[str, Any] | None, indicator: dict[str, Any], column: str = "value") -> str:
    """An indicator row's value (or a limit) as shown: ``45.1%``, ``123.4``, ``[c]``, ``[x]``."""
    if row is None:
        return NOT_AVAILABLE
    mark = status_mark(row.get("value_status"))
    if mark:
        return mark
    figure = row.get(column)
    if not is_number(figure):
        return NOT_AVAILABLE
    return number(figure) + unit_suffix(indicator)


def bare(figure: Any, indicator: dict[str, Any]) -> str:
    """A number on an indicator's scale, with its ``%`` if a percentage."""
    if not is_number(figure):
        return NOT_AVAILABLE
    return number(figure) + unit_suffix(indicator)


def interval(row: dict[str, Any] | None, indicator: dict[str, Any], level: str = "95") -> str:
    """``40.2% to 50.0%``, or the value's status mark."""
    if row is None:
        return NOT_AVAILABLE
    mark = status_mark(row.get("value_status"))
    if mark:
        return mark
    lower, upper = row.get(f"lower_{level}"), row.get(f"upper_{level}")
    if not (is_number(lower) and is_number(upper)):
        return NOT_AVAILABLE
    return f"{bare(lower, indicator)} to {bare(upper, indicator)}"


def comparison(label: str | None) -> tuple[str, str]:
    """The text and tag class of a comparison with England."""
    if not label:
        return ("Not compared", "govuk-tag--grey")
    return COMPARISON_TAGS.get(label, (label[:1].upper() + label[1:], "govuk-tag--grey"))


def trend_text(label: str | None) -> str:
    if not label:
        return "Not calculated"
    return label[:1].upper() + label[1:]


def ratio(value_: Any) -> str:
    return number(value_, 2) if is_number(value_) else NOT_AVAILABLE


def rate_percent(proportion: Any) -> str:
    """A rate held as a proportion (0 to 1) as a percentage."""
    return number(proportion * 100) + "%" if is_number(proportion) else NOT_AVAILABLE


def plain(value_: Any) -> str:
    """Any table cell: numbers to at most 3 decimals, None as ``[x]``."""
    if value_ is None:
        return NOT_AVAILABLE
    if isinstance(value_, bool):
        return "yes" if value_ else "no"
    if isinstance(value_, int):
        return f"{value_:,}"
    if isinstance(value_, float):
        if not math.isfinite(value_):
            return NOT_AVAILABLE
        if value_.is_integer() and abs(value_) < 1e15:
            return f"{int(value_):,}"
        return f"{value_:,.3f}".rstrip("0").rstrip(".")
    return str(value_)


def headline(value_: Any, unit: str | None) -> str:
    """A study's headline figure: percentages to 1 decimal, counts whole, others to 2."""
    if not is_number(value_):
        return NOT_AVAILABLE
    if unit == "%":
        return f"{value_:,.1f}%"
    if float(value_).is_integer() and abs(value_) >= 10:
        return f"{int(value_):,}"
    return f"{value_:,.2f}"
