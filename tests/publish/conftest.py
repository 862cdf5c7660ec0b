"""One small England built end to end (synth to publish build), shared by the run."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from recoverylink.testing.publication import shared_published_data_dir


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory, with publish/publication.duckdb and publish/downloads/."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    return shared_published_data_dir(root)


@pytest.fixture(scope="session")
def publication(published: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(published / "publish" / "publication.duckdb"), read_only=True)
