"""The hand-made cases (``linkage_cases``), linked within a small synthetic England."""

from __future__ import annotations

import pytest
from conftest import Linked
from linkage_cases import LINKED, NOT_LINKED


@pytest.mark.parametrize(("case", "keys"), LINKED, ids=[c for c, _ in LINKED])
def test_the_same_person_is_linked(linked: Linked, case: str, keys: list[tuple[str, str]]) -> None:
    person = linked.person_of()
    found = {key: person.get(key) for key in keys}
    assert None not in found.values(), f"{case}: not in the person map: {found}"
    assert len(set(found.values())) == 1, f"{case}: split over persons {found}"


@pytest.mark.parametrize(("case", "a", "b"), NOT_LINKED, ids=[c for c, _, _ in NOT_LINKED])
def test_different_people_are_not_linked(
    linked: Linked, case: str, a: tuple[str, str], b: tuple[str, str]
) -> None:
    person = linked.person_of()
    assert a in person and b in person
    assert person[a] != person[b], case


def test_every_case_is_a_person_of_its_own(linked: Linked) -> None:
    """The cases are not linked to anyone in the synthetic England either."""
    person = linked.person_of()
    groups = [{person[k] for k in keys} for _, keys in LINKED]
    ours = {p for g in groups for p in g}
    members = {p: [k for k, v in person.items() if v == p] for p in ours}
    for (case, keys), group in zip(LINKED, groups, strict=True):
        (p,) = group
        assert sorted(members[p]) == sorted(keys), case
