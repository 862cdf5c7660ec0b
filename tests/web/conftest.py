"""Fixtures for the website tests: a hand-made publication, and its site under TestClient."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
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


# -- a live site for the browser and privacy tests --------------------------------------------


@pytest.fixture(scope="session")
def site_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory the live site serves: a small England, built end to end, once
    per run and shared with tests/publish (see testing.publication)."""
    from recoverylink.testing.publication import shared_published_data_dir

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    return shared_published_data_dir(root)


@pytest.fixture(scope="session")
def live_site(site_data_dir: Path) -> Iterator[str]:
    """The site over ``site_data_dir``, served by uvicorn in a thread on a free loopback port."""
    from recoverylink.web.server import serve_in_thread

    publish = site_data_dir / "publish"
    app = create_app(publish / "publication.duckdb", publish / "downloads")
    with serve_in_thread(app) as base_url:
        yield base_url


def _query(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(data_dir / "publish" / "publication.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def sample_area(site_data_dir: Path) -> tuple[str, str]:
    """The local authority with the most published figures in the latest year (code, name),
    whose name is unique, so that searching for it leads straight to it."""
    rows = _query(
        site_data_dir,
        "SELECT v.area_code, a.area_name FROM indicator_values v "
        "JOIN areas a USING (area_code) JOIN periods p ON p.period = v.period "
        "AND p.period_type = v.period_type AND p.is_latest "
        "WHERE v.level = 'local_authority' AND v.period_type = 'financial_year' "
        "AND v.substance_group = 'all' AND v.value_status = '' "
        "AND (SELECT count(*) FROM areas b WHERE contains(lower(b.area_name), "
        "lower(a.area_name))) = 1 "
        "GROUP BY ALL ORDER BY count(*) DESC, v.area_code LIMIT 1",
    )
    assert rows, "the publication has no local authority with published figures"
    return str(rows[0][0]), str(rows[0][1])


@pytest.fixture(scope="session")
def sample_region(site_data_dir: Path, sample_area: tuple[str, str]) -> str:
    rows = _query(
        site_data_dir,
        f"SELECT region_code FROM areas WHERE area_code = '{sample_area[0]}'",
    )
    return str(rows[0][0])


@pytest.fixture(scope="session")
def sample_study(site_data_dir: Path) -> str:
    rows = _query(site_data_dir, "SELECT study FROM studies ORDER BY sort_key LIMIT 1")
    assert rows, "the publication has no studies"
    return str(rows[0][0])
