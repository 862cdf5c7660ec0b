"""One small synthetic England shared by the synth tests (generated once per test session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recoverylink.synth import generate

SMALL_SCALE = 0.004
SMALL_SEED = 11


@pytest.fixture(scope="session")
def small_england(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("england") / "synth"
    generate(out, SMALL_SCALE, SMALL_SEED, workers=1)
    return out
