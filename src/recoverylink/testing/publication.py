"""A small, real data directory with a publication, built end to end, for tests.

:func:`build_published_data_dir` runs everything ``make demo`` runs, at a tiny
scale: a synthetic England, ingest, linkage (with a test pseudonymisation
key), the mart, the indicators, the four outcome studies, and
``recoverylink publish build`` (through the command line, its output kept in
``publish-build.out`` beside the data directory). It takes several minutes on
two cores; build it once per test session and share it (copy it before
changing anything in it): :func:`shared_published_data_dir`.

    @pytest.fixture(scope="session")
    def published(tmp_path_factory):
        return build_published_data_dir(tmp_path_factory.mktemp("published"))

The data directory returned holds ``publish/publication.duckdb`` and
``publish/downloads/``; the synthetic England is beside it in ``synth/``.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from recoverylink.config import Config, load_config

SCALE = 0.004
SEED = 2006
TEST_KEY = b"publication-tests-key-" + b"x" * 32
STUDIES = ("reconviction", "long_term", "mortality", "top")


def build_published_data_dir(
    root: Path,
    scale: float = SCALE,
    seed: int = SEED,
    studies: tuple[str, ...] = STUDIES,
    publish: bool = True,
    config: Config | None = None,
) -> Path:
    """Build ``root/synth`` and ``root/data`` and return the data directory.

    ``studies`` names the studies to run (the others are left out of the
    publication, as when they have not been run); with ``publish`` False the
    last step (``publish build``) is left to the caller.
    """
    from recoverylink.cli.main import main
    from recoverylink.indicators.job import IndicatorOptions, run_indicators
    from recoverylink.ingest.files import find_files
    from recoverylink.ingest.loader import IngestRun
    from recoverylink.ingest.plan import Outcome
    from recoverylink.ingest.safety import configured_limits
    from recoverylink.ingest.stores import Stores
    from recoverylink.linkage.pipeline import LinkOptions, run_linkage
    from recoverylink.studies.base import StudyOptions
    from recoverylink.studies.job import run_study
    from recoverylink.synth import generate
    from recoverylink.warehouse.build import BuildOptions, build

    settings = config if config is not None else load_config()
    england = root / "synth"
    data_dir = root / "data"
    generate(england, scale, seed, force=True, workers=1)
    with configured_limits(settings), Stores.open(data_dir, settings.duckdb) as stores:
        result = IngestRun(stores).run(find_files([england]))
    if result.any_of(Outcome.UNREADABLE, Outcome.REJECTED, Outcome.REFUSED):
        raise RuntimeError(f"ingest of {england} did not load every file")
    run_linkage(LinkOptions(
        data_dir=data_dir,
        duckdb=settings.duckdb,
        pseudonym_key=TEST_KEY,
        match_threshold=settings.linkage.match_threshold,
    ))
    build(BuildOptions(data_dir=data_dir, duckdb=settings.duckdb))
    run_indicators(IndicatorOptions(
        data_dir=data_dir, duckdb=settings.duckdb, population_scale=scale,
    ))
    for name in studies:
        run_study(name, StudyOptions(data_dir=data_dir, duckdb=settings.duckdb))
    if publish:
        # through the command line, as a person would run it; what it printed is kept
        # in root/publish-build.out (and its exit code, which must be 0)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(["publish", "build", "--data-dir", str(data_dir)])
        (root / "publish-build.out").write_text(out.getvalue(), "utf-8")
        if code != 0:
            raise RuntimeError(f"publish build failed ({code}): {out.getvalue()}")
    return data_dir


def shared_published_data_dir(base: Path) -> Path:
    """:func:`build_published_data_dir` once per test run, shared by every test process.

    ``base`` is the run's base temporary folder (``tmp_path_factory.getbasetemp()``;
    its parent under pytest-xdist, which every worker shares). Built under a file
    lock in ``base/published-shared``: whoever asks first builds it, the others
    wait and read the same one. Read it only; copy it to change anything.
    """
    import fcntl
    import shutil

    target = base / "published-shared"
    with open(base / "published-shared.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            build_published_data_dir(target)
            (target / ".complete").touch()
    return target / "data"
