"""The studies ``recoverylink study NAME`` can run, by name.

Each entry is ``module:function``, imported only when that study runs.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from recoverylink.studies.base import StudyContext, StudyError, StudyResult

STUDIES: dict[str, tuple[str, str]] = {
    "reconviction": (
        "recoverylink.studies.reconviction",
        "convictions in the 2 years before and after starting treatment, by outcome group",
    ),
    "long_term": (
        "recoverylink.studies.long_term",
        "four-year outcomes of people leaving treatment: recovery, return, re-offending",
    ),
    "mortality": (
        "recoverylink.studies.mortality",
        "deaths in treatment and within a year of leaving: crude rates and SMRs",
    ),
    "top": (
        "recoverylink.studies.top",
        "change from the Treatment Outcomes Profile at start to the latest review",
    ),
}


def describe() -> dict[str, str]:
    return {name: text for name, (_, text) in STUDIES.items()}


def study_function(name: str) -> Callable[[StudyContext], StudyResult]:
    if name not in STUDIES:
        known = ", ".join(sorted(STUDIES)) or "none yet"
        raise StudyError(f"no study called {name!r}; the studies are: {known}")
    module = import_module(STUDIES[name][0])
    function: Callable[[StudyContext], StudyResult] = module.run
    return function
