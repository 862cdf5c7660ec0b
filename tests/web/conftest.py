"""Fixtures for the website tests: a hand-made publication, and its site under TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from handmade_publication import write_publication

from recoverylink.web.app import create_app


@pytest.fixture(scope="session")
def handmade_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding only ``publish/``: the hand-made publication database."""
    data_dir = tmp_path_factory.mktemp("handmade")
    write_publication(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def client(handmade_dir: Path) -> Iterator[TestClient]:
    app = create_app(
        handmade_dir / "publish" / "publication.duckdb", handmade_dir / "publish" / "downloads"
    )
    with TestClient(app) as test_client:
        yield test_client
