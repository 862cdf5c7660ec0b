"""``recoverylink run``: every step from raw files to the publication, resumable.

The steps are the commands' own library calls, in order: ingest the folder,
link, build the mart, the indicators, each outcome study, publish build.
After each step succeeds it is recorded in ``run-state.json`` in the data
directory with two fingerprints:

- ``inputs``: what the step was run on (the files given and their sizes and
  times for ingest; the ledger's current loads and the options for link; the
  linkage run for build; the mart's build time and the options for the
  indicators and each study; the indicators' and studies' build times for
  publish);
- ``output``: what it left behind (the ledger's current loads, the linkage
  run id, the mart's build time, a manifest's time, the publication file).

A step is skipped when both still match what is on disk now, so a re-run
with nothing new does nothing, a changed input redoes that step (and, since
its output changes, everything after it), and a step whose output was
replaced or removed since is done again. ``--from STEP`` and ``--force``
redo steps whatever the fingerprints say.

A failure stops the run at the failing step with :class:`RunStepError`
(one line: the step, the cause and what to do); the steps before it stay
recorded, so the same command resumes there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from recoverylink.config import Config
from recoverylink.errors import InputError, RecoveryLinkError
from recoverylink.progress import NULL_PROGRESS, Progress

STATE_FILE = "run-state.json"
NOT_APPLICABLE = "not applicable"
"""A study's output when the data could not support it (nothing written)."""
STATE_VERSION = 1
STUDIES = ("reconviction", "long_term", "mortality", "top")


@dataclass(frozen=True)
class Step:
    name: str
    """What ``--from`` takes and ``run-state.json`` records."""
    label: str
    """How the terminal names it."""


STEPS: tuple[Step, ...] = (
    Step("ingest", "ingest"),
    Step("link", "link"),
    Step("build", "build"),
    Step("indicators", "indicators"),
    *(Step(name, f"study {name}") for name in STUDIES),
    Step("publish", "publish build"),
)
STEP_NAMES = tuple(step.name for step in STEPS)
FROM_ALIASES = {"studies": STUDIES[0], "study": STUDIES[0], "publish build": "publish"}


class RunStepError(RecoveryLinkError):
    """A step of ``recoverylink run`` failed (not the input's fault: exit code 1)."""


class RunStepInputError(RunStepError, InputError):
    """A step of ``recoverylink run`` failed on its input or settings (exit code 2)."""


class RunOptionsError(InputError):
    """Bad options to ``recoverylink run``."""


def step_named(name: str) -> Step:
    """The step ``--from NAME`` means (``studies`` is the first study)."""
    name = FROM_ALIASES.get(name, name)
    for step in STEPS:
        if step.name == name:
            return step
    raise RunOptionsError(
        f"--from takes one of {', '.join(STEP_NAMES)} (or studies), not {name!r}"
    )


@dataclass(frozen=True)
class RunOptions:
    paths: tuple[Path, ...]
    """The files and folders to ingest."""
    data_dir: Path
    config: Config
    pseudonym_key: Callable[[], bytes]
    """Read only when link runs (``recoverylink.config.pseudonym_key``)."""
    engine: str = "duckdb"
    threshold: float | None = None
    models_dir: Path | None = None
    truth_dir: Path | None = None
    population_scale: float = 1.0
    comparator_groups: int = 5
    start_from: str | None = None
    force: bool = False
    log: Callable[[str], None] = lambda line: None
    """Where ingest's lines go (the data directory's ingest log)."""


@dataclass
class StepOutcome:
    """What a step did, for the terminal and the summary."""

    summary: str
    written: str = ""
    figures: dict[str, int] = field(default_factory=dict)
    """Counts worth repeating in the summary: records, persons, ..."""
    detail: Any = None
    """The library's own result, for the command to show."""
    not_applicable: bool = False
    """A study the data cannot support (it writes nothing; publish leaves it out)."""


@dataclass
class StepRecord:
    step: Step
    status: str
    """``done`` (ran now), ``skipped`` (done before, nothing changed)."""
    seconds: float
    summary: str
    written: str = ""
    figures: dict[str, int] = field(default_factory=dict)


class Reporter(Protocol):
    def starting(self, index: int, step: Step, why: str) -> None: ...
    def skipped(self, index: int, step: Step, record: StepRecord) -> None: ...
    def finished(self, index: int, step: Step, outcome: StepOutcome, seconds: float) -> None: ...
    def progress(self) -> contextlib.AbstractContextManager[Progress]: ...


# ---------------------------------------------------------------- fingerprints


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _query(data_dir: Path, config: Config, sql: str) -> list[tuple[Any, ...]] | None:
    """Rows of ``sql`` on the warehouse opened read-only; None if it or a table is missing."""
    import duckdb

    from recoverylink.linkage.inputs import WAREHOUSE_FILE

    path = data_dir / WAREHOUSE_FILE
    if not path.is_file():
        return None
    try:
        with duckdb.connect(str(path), read_only=True,
                            config={"threads": config.duckdb.threads}) as con:
            return con.execute(sql).fetchall()
    except duckdb.CatalogException:
        return None


def files_fingerprint(paths: tuple[Path, ...]) -> str:
    """The files ingest would take from ``paths``: names, sizes and modification times."""
    from recoverylink.ingest.files import find_files

    try:
        found = find_files(paths)
    except FileNotFoundError as err:
        raise RunOptionsError(f"{err.args[0]} does not exist; nothing was loaded") from None
    listing: list[tuple[str, str]] = []
    for received in found.files:
        stat = received.path.stat()
        listing.append((str(received.path.resolve()), f"{stat.st_size}:{stat.st_mtime_ns}"))
    listing += [(str(p), f"unreadable: {why}") for p, why in found.unreadable]
    return _digest(sorted(listing))


def ledger_fingerprint(data_dir: Path, config: Config) -> str | None:
    rows = _query(
        data_dir, config,
        "SELECT load_id, sha256 FROM ingest.loads WHERE status = 'current' ORDER BY load_id",
    )
    return _digest(rows) if rows else None


def link_run_id(data_dir: Path, config: Config) -> str | None:
    rows = _query(
        data_dir, config,
        "SELECT run_id FROM link.runs ORDER BY finished_at DESC, run_id DESC LIMIT 1",
    )
    return str(rows[0][0]) if rows else None


def mart_built_at(data_dir: Path, config: Config) -> str | None:
    rows = _query(data_dir, config, "SELECT built_at FROM mart.build_info")
    return str(rows[0][0]) if rows else None


def _manifest_time(path: Path, key: str) -> str | None:
    try:
        value = json.loads(path.read_text("utf-8")).get(key)
    except (OSError, ValueError):
        return None
    return None if value is None else str(value)


def indicators_built_at(data_dir: Path) -> str | None:
    return _manifest_time(data_dir / "outputs" / "indicators" / "manifest.json", "built_at")


def study_generated(data_dir: Path, name: str) -> str | None:
    return _manifest_time(data_dir / "outputs" / "studies" / name / "manifest.json", "generated")


def publication_stamp(data_dir: Path) -> str | None:
    from recoverylink.publish.build import DATABASE_FILE

    path = data_dir / "publish" / DATABASE_FILE
    if not path.is_file():
        return None
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def fingerprints(step: Step, options: RunOptions) -> tuple[str, str | None]:
    """``(inputs, output)`` of ``step`` as things stand on disk now."""
    d, c = options.data_dir, options.config
    if step.name == "ingest":
        return files_fingerprint(options.paths), ledger_fingerprint(d, c)
    if step.name == "link":
        inputs = [ledger_fingerprint(d, c), options.engine, options.threshold,
                  str(options.models_dir), str(options.truth_dir)]
        return _digest(inputs), link_run_id(d, c)
    if step.name == "build":
        return _digest([link_run_id(d, c), ledger_fingerprint(d, c)]), mart_built_at(d, c)
    if step.name == "indicators":
        inputs = [mart_built_at(d, c), options.population_scale, options.comparator_groups]
        return _digest(inputs), indicators_built_at(d)
    if step.name in STUDIES:
        return _digest([mart_built_at(d, c)]), study_generated(d, step.name) or NOT_APPLICABLE
    inputs = [indicators_built_at(d), *(study_generated(d, s) or NOT_APPLICABLE for s in STUDIES)]
    return _digest(inputs), publication_stamp(d)


# ---------------------------------------------------------------- run state


def read_state(data_dir: Path) -> dict[str, dict[str, Any]]:
    """The steps recorded as done in ``run-state.json`` (empty if none or unreadable)."""
    try:
        data = json.loads((data_dir / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return {}
    steps = data.get("steps")
    return steps if isinstance(steps, dict) else {}


def write_state(data_dir: Path, steps: dict[str, dict[str, Any]]) -> None:
    """Replace ``run-state.json`` in one rename, so a crash never leaves half a file."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / STATE_FILE
    tmp = path.with_name(f".{STATE_FILE}.tmp")
    tmp.write_text(json.dumps({"version": STATE_VERSION, "steps": steps}, indent=2) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------- the steps


def _ingest(options: RunOptions, progress: Progress) -> StepOutcome:
    from recoverylink.ingest.files import find_files
    from recoverylink.ingest.loader import IngestRun
    from recoverylink.ingest.plan import Outcome
    from recoverylink.ingest.safety import configured_limits
    from recoverylink.ingest.stores import Stores

    found = find_files(options.paths)
    options.log(f"ingest of {', '.join(str(p) for p in options.paths)} into {options.data_dir}"
                " (recoverylink run)")
    with configured_limits(options.config), Stores.open(
        options.data_dir, options.config.duckdb
    ) as stores:
        result = IngestRun(stores, progress, options.log).run(found)
    bad = [f for f in result.files if f.outcome in
           (Outcome.REJECTED, Outcome.REFUSED, Outcome.UNREADABLE)]
    if bad:
        first = bad[0]
        more = f" and {len(bad) - 1:,} more" if len(bad) > 1 else ""
        why = (f"{len(bad):,} of {len(result.files):,} files were not loaded "
               f"({first.path.name}: {first.outcome.value}, {first.note}{more}; "
               f"`recoverylink status --data-dir {options.data_dir}` lists them)")
        unreadable = any(f.outcome is Outcome.UNREADABLE for f in bad)
        raise (InputError(why) if unreadable else RecoveryLinkError(why))
    loaded = [f for f in result.files if f.outcome in (Outcome.LOADED, Outcome.REPLACED)]
    rows = sum(f.rows for f in loaded)
    return StepOutcome(
        f"{len(result.files):,} files: {len(loaded):,} loaded, "
        f"{len(result.files) - len(loaded):,} already there; {rows:,} rows",
        f"{options.data_dir} (warehouse.duckdb, identity.duckdb, landing/)",
        {"files": len(result.files), "rows loaded": rows},
        result,
    )


def _link(options: RunOptions, progress: Progress) -> StepOutcome:
    from recoverylink.linkage.pipeline import LinkOptions, run_linkage
    from recoverylink.linkage.report import REPORT_FILE

    settings = options.config
    link_options = LinkOptions(
        data_dir=options.data_dir,
        duckdb=settings.duckdb,
        pseudonym_key=options.pseudonym_key(),
        match_threshold=(options.threshold if options.threshold is not None
                         else settings.linkage.match_threshold),
        engine=options.engine,
        models_dir=options.models_dir,
        truth_dir=options.truth_dir,
    )
    result = run_linkage(link_options, progress)
    return StepOutcome(
        f"{result.records:,} records in {result.persons:,} persons, "
        f"{result.accepted_links:,} links accepted (run {result.run_id})",
        str(result.report_dir / REPORT_FILE),
        {"records": result.records, "persons": result.persons},
        result,
    )


def _build(options: RunOptions, progress: Progress) -> StepOutcome:
    from recoverylink.warehouse.build import BuildOptions, build

    result = build(BuildOptions(data_dir=options.data_dir, duckdb=options.config.duckdb),
                   progress)
    persons = result.rows.get("persons", 0)
    return StepOutcome(
        f"{persons:,} persons, {result.rows.get('journeys', 0):,} journeys "
        f"(data to {result.data_end:%Y-%m-%d})",
        f"schema {result.schema} in {options.data_dir / 'warehouse.duckdb'}",
        {"mart persons": persons},
        result,
    )


def _indicators(options: RunOptions, progress: Progress) -> StepOutcome:
    from recoverylink.indicators.job import IndicatorOptions, run_indicators

    result = run_indicators(IndicatorOptions(
        data_dir=options.data_dir,
        duckdb=options.config.duckdb,
        population_scale=options.population_scale,
        comparator_groups=options.comparator_groups,
    ), progress)
    rows = sum(result.files.values())
    return StepOutcome(f"{rows:,} rows in {len(result.files)} tables",
                       str(result.out_dir), {"indicator rows": rows}, result)


def _study(name: str) -> Callable[[RunOptions, Progress], StepOutcome]:
    def run(options: RunOptions, progress: Progress) -> StepOutcome:
        from recoverylink.studies import base
        from recoverylink.studies.job import run_study

        # a study with nothing to say on these data (their years, a source missing)
        not_applicable = getattr(base, "StudyNotApplicableError", None)
        progress.stage(f"running {name}", 1)
        try:
            result, report = run_study(
                name, base.StudyOptions(data_dir=options.data_dir, duckdb=options.config.duckdb)
            )
        except Exception as exc:
            if not_applicable is None or not isinstance(exc, not_applicable):
                raise
            progress.close()
            return StepOutcome(f"not applicable to these data: {_one_line(exc)}",
                               "nothing (publish leaves it out)", not_applicable=True)
        progress.advance()
        progress.close()
        return StepOutcome(f"{len(result.headlines)} headline figures, "
                           f"{len(result.tables)} tables", str(report), {}, result)

    return run


def _publish(options: RunOptions, progress: Progress) -> StepOutcome:
    from recoverylink.publish.build import PublishOptions, build_publication

    result = build_publication(
        PublishOptions(data_dir=options.data_dir, duckdb=options.config.duckdb), progress
    )
    return StepOutcome(
        f"{len(result.tables)} tables; {result.primary:,} counts from 1 to 4 suppressed and "
        f"{result.secondary:,} more",
        f"{result.database} and {result.downloads}/",
        {},
        result,
    )


WORK: dict[str, Callable[[RunOptions, Progress], StepOutcome]] = {
    "ingest": _ingest,
    "link": _link,
    "build": _build,
    "indicators": _indicators,
    **{name: _study(name) for name in STUDIES},
    "publish": _publish,
}


# ---------------------------------------------------------------- the run


def _one_line(exc: BaseException) -> str:
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    return text or type(exc).__name__


def step_error(index: int, step: Step, exc: BaseException) -> RunStepError:
    """The one line a failed step ends the run with."""
    where = f"step {index} of {len(STEPS)} ({step.label})"
    cause = _one_line(exc)
    for prefix in (f"{step.label}: ", f"{step.name}: "):
        cause = cause.removeprefix(prefix)
    again = "fix it and run the same command again: steps already done are skipped"
    if isinstance(exc, RecoveryLinkError):
        kind: type[RunStepError] = (
            RunStepInputError if isinstance(exc, InputError) else RunStepError
        )
        return kind(f"{where}: {cause}; {again}")
    return RunStepError(
        f"{where} failed with {type(exc).__name__}: {cause} (a problem in RecoveryLink, not "
        "in your data as far as it can tell: run again with --debug and report the "
        f"traceback); {again}"
    )


@dataclass
class RunResult:
    records: list[StepRecord]
    seconds: float

    @property
    def ran(self) -> list[str]:
        return [r.step.name for r in self.records if r.status == "done"]

    @property
    def skipped(self) -> list[str]:
        return [r.step.name for r in self.records if r.status == "skipped"]


def forced_steps(options: RunOptions) -> set[str]:
    if options.force:
        return set(STEP_NAMES)
    if options.start_from is None:
        return set()
    start = STEPS.index(step_named(options.start_from))
    return {step.name for step in STEPS[start:]}


def run_pipeline(options: RunOptions, reporter: Reporter) -> RunResult:
    """Run every step not already done (see the module docstring); raise on the first failure."""
    forced = forced_steps(options)
    state = read_state(options.data_dir)
    records: list[StepRecord] = []
    started = time.perf_counter()
    for index, step in enumerate(STEPS, start=1):
        try:
            inputs, output = fingerprints(step, options)
        except RunOptionsError:
            raise
        except Exception as exc:
            raise step_error(index, step, exc) from exc
        recorded = state.get(step.name)
        why = _why_run(step, forced, recorded, inputs, output)
        if why is None:
            assert recorded is not None
            record = StepRecord(step, "skipped", float(recorded.get("seconds", 0.0)),
                                str(recorded.get("summary", "")), str(recorded.get("written", "")),
                                dict(recorded.get("figures", {})))
            reporter.skipped(index, step, record)
            records.append(record)
            continue
        reporter.starting(index, step, why)
        clock = time.perf_counter()
        try:
            with reporter.progress() as progress:
                outcome = WORK[step.name](options, progress)
            inputs, output = fingerprints(step, options)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            raise step_error(index, step, exc) from exc
        seconds = time.perf_counter() - clock
        if outcome.not_applicable:
            output = NOT_APPLICABLE
        reporter.finished(index, step, outcome, seconds)
        state[step.name] = {
            "inputs": inputs,
            "output": output,
            "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "seconds": round(seconds, 2),
            "summary": outcome.summary,
            "written": outcome.written,
            "figures": outcome.figures,
        }
        write_state(options.data_dir, state)
        records.append(StepRecord(step, "done", seconds, outcome.summary, outcome.written,
                                  outcome.figures))
    return RunResult(records, time.perf_counter() - started)


def _why_run(
    step: Step, forced: set[str], recorded: dict[str, Any] | None, inputs: str,
    output: str | None,
) -> str | None:
    """Why ``step`` must run, or None when it is done and nothing it rests on changed."""
    if step.name in forced:
        return "asked to redo it"
    if recorded is None:
        return "not done yet"
    if recorded.get("inputs") != inputs:
        return "its input changed"
    if output is None or recorded.get("output") != output:
        return "what it wrote has changed or gone"
    return None


def plan(options: RunOptions) -> list[tuple[Step, str | None]]:
    """What :func:`run_pipeline` would do now: each step with why it would run, or None
    when it would be skipped (a step after one that runs is counted as running)."""
    forced = forced_steps(options)
    state = read_state(options.data_dir)
    out: list[tuple[Step, str | None]] = []
    earlier = False
    for step in STEPS:
        inputs, output = fingerprints(step, options)
        why = _why_run(step, forced, state.get(step.name), inputs, output)
        if why is None and earlier:
            why = "a step before it runs"
        earlier = earlier or why is not None
        out.append((step, why))
    return out


@contextlib.contextmanager
def null_progress() -> Iterator[Progress]:
    yield NULL_PROGRESS
