"""The hard core and the DIP route in the generator's behaviour model."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from recoverylink.synth import episodes, mortality
from recoverylink.synth.careers import G_DROPPED_OUT, G_RETAINED, Journeys, draw_journeys
from recoverylink.synth.geography import build_geography
from recoverylink.synth.offending import journey_multipliers
from recoverylink.synth.params import make_params
from recoverylink.synth.people import People, make_people

SCALE = 0.004


@pytest.fixture(scope="module")
def model() -> tuple[Any, Journeys, Any]:
    p = make_params()
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(5).spawn(12)]
    geo = build_geography(SCALE, p.population_per_provider)
    people = make_people(streams[0], p, SCALE, geo)
    deaths = mortality.draw_deaths(streams[1], people, p)
    j = draw_journeys(streams[2], people, deaths, geo, p)
    ep = episodes.build_episodes(streams[3], j, people, geo, p)
    content = episodes.episode_content(streams[4], ep, people, p)
    return people, j, ep.assign(referral_source=content["referral_source"])


def test_the_hard_core_all_came_through_dip(model: tuple[Any, Journeys, Any]) -> None:
    _, j, _ = model
    assert j.hard_core.sum() > 50
    assert j.dip[j.hard_core].all()
    assert (j.group[j.hard_core] == G_DROPPED_OUT).all()
    # DIP is a criminal-justice route, and not every criminal-justice entrant came through it
    assert not (j.dip & ~j.cjs_route).any()
    assert (j.cjs_route & ~j.dip).sum() > 50


def test_referral_sources_follow_the_route(model: tuple[Any, Journeys, Any]) -> None:
    _, _, ep = model
    dip = ep["dip"].to_numpy()
    cjs = ep["cjs"].to_numpy()
    sources = ep["referral_source"]
    assert set(sources[dip]) == {"dip", "arrest_referral"}
    assert set(sources[cjs & ~dip]) == {"probation", "court_order", "prison"}
    assert not set(sources[~cjs]) & {"dip", "arrest_referral", "probation", "court_order",
                                     "prison"}


def test_hard_core_rate_is_multiplied_and_lifted_to_the_floor() -> None:
    # three journeys of three people, worked by hand: a hard-core person offending
    # 0.5 a year is lifted to the floor of 1.5 (factor 3); one offending 1.0 a year
    # is multiplied by 2 (2.0 > 1.5); a retained journey keeps 1 + change_retained
    p = make_params({"hard_core_multiplier": 2.0, "hard_core_rate_floor": 1.5,
                     "change_retained": 0.25})
    j = SimpleNamespace(
        person=np.array([0, 1, 2]),
        group=np.array([G_DROPPED_OUT, G_DROPPED_OUT, G_RETAINED]),
        hard_core=np.array([True, True, False]),
    )
    people = SimpleNamespace(rate=np.array([0.5, 1.0, 0.5]))
    got = journey_multipliers(cast(Journeys, j), cast(People, people), p)
    np.testing.assert_allclose(got, [3.0, 2.0, 1.25])
