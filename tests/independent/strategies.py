"""Hypothesis strategies for the independent generator's scenarios.

``scenarios()`` draws :class:`~independent.generator.Scenario` values over every
field's range, extremes included (rates 0 and 1, heavy errors, one provider,
one local authority, any set of sources that includes treatment), with small
populations so that a generated folder takes well under a second.

Hypothesis is a dev dependency of the project (``pip install -e .[dev]``).
"""

from __future__ import annotations

from hypothesis import strategies as st

from .generator import SOURCES, Scenario


def rates(high: float = 1.0) -> st.SearchStrategy[float]:
    """A share in 0..high, with the ends and a heavy value drawn often."""
    return st.one_of(
        st.sampled_from(sorted({0.0, min(0.3, high), high})),
        st.floats(min_value=0.0, max_value=high, allow_nan=False),
    )


@st.composite
def _sources(draw: st.DrawFn) -> frozenset[str]:
    others = sorted(SOURCES - {"treatment"})
    chosen = draw(st.sets(st.sampled_from(others)))
    return frozenset({"treatment", *chosen})


def scenarios(
    min_people: int = 20, max_people: int = 400, max_years: int = 3
) -> st.SearchStrategy[Scenario]:
    """Scenarios with ``min_people``..``max_people`` persons and 1..``max_years`` years."""
    return st.builds(
        Scenario,
        people=st.integers(min_value=min_people, max_value=max_people),
        seed=st.integers(min_value=0, max_value=2**31 - 1),
        providers=st.integers(min_value=1, max_value=8),
        local_authorities=st.one_of(st.just(1), st.integers(min_value=1, max_value=12)),
        dob_error_rate=rates(),
        initial_error_rate=rates(),
        postcode_fill=rates(),
        death_postcode_fill=rates(),
        alias_rate=rates(),
        drug_test_pnc_id_fill=rates(),
        sources=_sources(),
        no_consent_provider=st.booleans(),
        first_year=st.integers(min_value=2005, max_value=2022),
        years=st.integers(min_value=1, max_value=max_years),
    )
