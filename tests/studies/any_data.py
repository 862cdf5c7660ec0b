"""Data of other shapes for the studies and the publication: the tests' independent
generator (tests/independent), ingested, linked and built as a user would.

``linked_data(root, scenario)`` writes the scenario's files under ``root/in``,
loads them into ``root/data`` and runs the linkage and the mart build (and, with
``indicators``, the indicators), returning the data directory. A few hundred
people take about 15 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from independent.generator import Scenario, generate  # noqa: E402
from recoverylink.config import load_config  # noqa: E402

KEY = b"any-data-tests-key-" + b"k" * 32

__all__ = ["Scenario", "linked_data"]


def linked_data(root: Path, scenario: Scenario, indicators: bool = False) -> Path:
    from recoverylink.indicators.job import IndicatorOptions, run_indicators
    from recoverylink.ingest.files import find_files
    from recoverylink.ingest.loader import IngestRun
    from recoverylink.ingest.plan import Outcome
    from recoverylink.ingest.safety import configured_limits
    from recoverylink.ingest.stores import Stores
    from recoverylink.linkage.pipeline import LinkOptions, run_linkage
    from recoverylink.warehouse.build import BuildOptions, build

    settings = load_config()
    files = generate(scenario, root / "in").out
    data_dir = root / "data"
    with configured_limits(settings), Stores.open(data_dir, settings.duckdb) as stores:
        result = IngestRun(stores).run(find_files([files]))
    if result.any_of(Outcome.UNREADABLE, Outcome.REJECTED, Outcome.REFUSED):
        raise RuntimeError(f"ingest of {files} did not load every file")
    run_linkage(LinkOptions(
        data_dir=data_dir, duckdb=settings.duckdb, pseudonym_key=KEY,
        match_threshold=settings.linkage.match_threshold,
    ))
    build(BuildOptions(data_dir=data_dir, duckdb=settings.duckdb))
    if indicators:
        run_indicators(IndicatorOptions(data_dir=data_dir, duckdb=settings.duckdb))
    return data_dir
