"""docs/statistics.md covers every public function and every vector file."""

from __future__ import annotations

from pathlib import Path

import pytest
from stats_vector_io import VECTORS

from recoverylink import stats

DOC = (Path(__file__).resolve().parents[2] / "docs" / "statistics.md").read_text()


@pytest.mark.parametrize("name", sorted(stats.__all__))
def test_public_name_documented(name: str) -> None:
    assert f"`{name}" in DOC, f"docs/statistics.md does not mention {name}"


@pytest.mark.parametrize("path", sorted(VECTORS.glob("*.csv")), ids=lambda p: p.name)
def test_vector_file_documented(path: Path) -> None:
    assert f"`{path.name}`" in DOC
