"""`recoverylink run`: raw files to a publication in one command, resumable; and every
step run out of order stops with one line naming the step and what to run first.

One pipeline serves the module: small data from the tests' independent generator,
run first without a pseudonymisation key (it stops at link, after ingest), then
with the key (it resumes at link and finishes), then again (nothing to do).

To keep the module near two minutes, the publication is built without the
attacker's linear-programme audit of the suppression (``protect(audit=False)``):
that audit takes most of publish build's time and has its own tests in
tests/publish; everything else is the real code, called as a user calls it.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from tests.independent.generator import GeneratedData, Scenario, generate

from recoverylink.cli.main import main
from recoverylink.config import PSEUDONYM_KEY_ENV, load_config
from recoverylink.pipeline_run import STATE_FILE, STEPS, STUDIES, RunOptions, plan

KEY = "run-tests-key-" + "k" * 32
# Treatment from April 2004 to March 2010: the studies' own default years
# (reconviction 2006-07, long-term outcomes 2005-06) are inside it.
SCENARIO = Scenario(people=1500, seed=11, local_authorities=2, providers=2,
                    first_year=2004, years=6)


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def cli(*args: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Outcome(code, out.getvalue(), err.getvalue())


def state(data_dir: Path) -> dict[str, dict[str, object]]:
    steps: dict[str, dict[str, object]] = json.loads(
        (data_dir / STATE_FILE).read_text("utf-8"))["steps"]
    return steps


@dataclass
class Pipeline:
    root: Path
    generated: GeneratedData
    data_dir: Path
    ingest_only: Path
    """A copy of the data directory after the first run: ingest done, nothing else."""
    no_key: Outcome
    state_after_no_key: dict[str, dict[str, object]]
    resumed: Outcome
    state_after_resume: dict[str, dict[str, object]]
    again: Outcome

    def run(self, *extra: str) -> Outcome:
        return cli("run", str(self.generated.out), "--data-dir", str(self.data_dir), *extra)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    from recoverylink.publish import build as publish_build

    root = tmp_path_factory.mktemp("run")
    generated = generate(SCENARIO, root / "files")
    data_dir = root / "data"
    args = ("run", str(generated.out), "--data-dir", str(data_dir),
            "--truth", str(generated.out / "truth"))
    original = publish_build.protect
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)  # no secrets.toml or recoverylink.toml from elsewhere
        mp.setenv("CI", "1")  # no progress bars in captured output
        mp.setenv("COLUMNS", "200")
        mp.setattr(publish_build, "protect",
                   lambda table, audit=True: original(table, audit=False))
        mp.delenv(PSEUDONYM_KEY_ENV, raising=False)
        no_key = cli(*args)
        after_no_key = state(data_dir)
        ingest_only = root / "ingest-only"
        shutil.copytree(data_dir, ingest_only)
        mp.setenv(PSEUDONYM_KEY_ENV, KEY)
        resumed = cli(*args)
        after_resume = state(data_dir)
        again = cli(*args)
        yield Pipeline(root, generated, data_dir, ingest_only, no_key, after_no_key,
                       resumed, after_resume, again)


def test_a_missing_key_stops_the_run_at_link_with_one_line(pipeline: Pipeline) -> None:
    result = pipeline.no_key
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"error: step 2 of {len(STEPS)} (link): no pseudonymisation key")
    assert lines[0].endswith("fix it and run the same command again: "
                             "steps already done are skipped")
    assert "unexpected" not in result.err
    # ingest was done and recorded; nothing after it
    assert list(pipeline.state_after_no_key) == ["ingest"]
    assert f"[1/{len(STEPS)}] ingest: running" in result.out


def test_the_fixed_run_resumes_at_link_and_publishes(pipeline: Pipeline) -> None:
    result = pipeline.resumed
    assert result.code == 0, result.err
    assert f"[1/{len(STEPS)}] ingest: already done, skipped" in result.out
    for index, step in enumerate(STEPS[1:], start=2):
        assert f"[{index}/{len(STEPS)}] {step.label}: running" in result.out, step.name
    assert list(pipeline.state_after_resume) == [step.name for step in STEPS]
    # ingest was not redone: its record is the first run's
    assert pipeline.state_after_resume["ingest"] == pipeline.state_after_no_key["ingest"]
    # the summary names what was written where
    assert "9 steps run" not in result.out and "8 steps run and 1 skipped" in result.out
    assert str(pipeline.data_dir / "publish" / "publication.duckdb") in result.out


def test_the_records_are_linked_into_about_as_many_persons_as_there_are(pipeline: Pipeline) -> None:
    with duckdb.connect(str(pipeline.data_dir / "warehouse.duckdb"), read_only=True) as con:
        linked = con.execute("SELECT count(*) FROM link.person_map").fetchall()[0][0]
        persons = con.execute("SELECT count(*) FROM mart.persons").fetchall()[0][0]
    figures = pipeline.state_after_resume["link"]["figures"]
    assert isinstance(figures, dict) and figures["records"] == linked
    # the generator's people who left a record, give or take linkage error
    true_persons = len({person for _, _, person in pipeline.generated.truth})
    assert 0.8 * true_persons <= persons <= 1.2 * true_persons


def test_the_publication_holds_the_indicators_and_all_four_studies(pipeline: Pipeline) -> None:
    database = pipeline.data_dir / "publish" / "publication.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        england = con.execute(
            "SELECT count(*) FROM indicator_values WHERE level = 'england'").fetchall()[0][0]
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    assert england > 0
    assert tables
    for name in STUDIES:
        assert (pipeline.data_dir / "outputs" / "studies" / name / "report.html").is_file()
    assert (pipeline.data_dir / "publish" / "downloads").is_dir()


def test_running_again_skips_every_step(pipeline: Pipeline) -> None:
    result = pipeline.again
    assert result.code == 0, result.err
    for index, step in enumerate(STEPS, start=1):
        assert f"[{index}/{len(STEPS)}] {step.label}: already done, skipped" in result.out
    assert "running" not in result.out
    assert "0 steps run and 9 skipped" in result.out
    assert state(pipeline.data_dir) == pipeline.state_after_resume


def _options(pipeline: Pipeline, **changes: object) -> RunOptions:
    settings = {
        "paths": (pipeline.generated.out,),
        "data_dir": pipeline.data_dir,
        "config": load_config(),
        "pseudonym_key": lambda: KEY.encode(),
        "truth_dir": pipeline.generated.out / "truth",
        **changes,
    }
    return RunOptions(**settings)  # type: ignore[arg-type]


def test_the_plan_after_a_complete_run_is_to_skip_everything(pipeline: Pipeline) -> None:
    pipeline.again  # noqa: B018 (the last run is done before looking)
    assert [why for _, why in plan(_options(pipeline))] == [None] * len(STEPS)


def test_a_changed_input_redoes_its_step_and_every_step_after(pipeline: Pipeline) -> None:
    pipeline.again  # noqa: B018
    names = [step.name for step in STEPS]
    planned = plan(_options(pipeline, population_scale=0.5))
    first = names.index("indicators")
    assert [why for _, why in planned[:first]] == [None] * first
    assert planned[first][1] == "its input changed"
    assert all(why is not None for _, why in planned[first:])
    # a new file to ingest redoes everything
    extra = pipeline.root / "more"
    shutil.copytree(pipeline.generated.out, extra)
    planned = plan(_options(pipeline, paths=(extra,)))
    assert planned[0][1] == "its input changed"
    assert all(why is not None for _, why in planned)


def test_from_and_force_redo_steps(pipeline: Pipeline) -> None:
    pipeline.again  # noqa: B018
    planned = dict((step.name, why) for step, why in plan(_options(pipeline, start_from="top")))
    assert [name for name, why in planned.items() if why] == ["top", "publish"]
    planned = dict((s.name, why) for s, why in plan(_options(pipeline, start_from="studies")))
    assert [name for name, why in planned.items() if why] == [*STUDIES, "publish"]
    assert all(why for _, why in plan(_options(pipeline, force=True)))


def test_an_output_removed_since_is_made_again(pipeline: Pipeline) -> None:
    pipeline.again  # noqa: B018
    copy = pipeline.root / "copy-without-mortality"
    if not copy.exists():
        shutil.copytree(pipeline.data_dir, copy)
        shutil.rmtree(copy / "outputs" / "studies" / "mortality")
    planned = dict((s.name, why) for s, why in plan(_options(pipeline, data_dir=copy)))
    assert planned["mortality"] == "what it wrote has changed or gone"
    assert [name for name, why in planned.items() if why] == ["mortality", "top", "publish"]


def test_a_bad_step_name_or_missing_folder_is_refused(pipeline: Pipeline,
                                                      tmp_path: Path) -> None:
    bad = pipeline.run("--from", "nonsense")
    assert bad.code == 2 and bad.err.count("\n") == 1
    assert "--from takes one of ingest, link, build" in bad.err
    missing = cli("run", str(tmp_path / "no-such-folder"), "--data-dir", str(tmp_path / "d"))
    assert missing.code == 2 and missing.err.count("\n") == 1
    assert "no-such-folder does not exist; nothing was loaded" in missing.err


# ---------------------------------------------------------------- steps out of order

STEP_COMMANDS = {
    "build": ("build",),
    "indicators": ("indicators",),
    **{f"study {name}": ("study", name) for name in STUDIES},
    "publish build": ("publish", "build"),
}
NEEDS_FIRST = {  # on a data directory holding an ingest only: the command to run first
    "build": "recoverylink link",
    "indicators": "recoverylink build",
    **{f"study {name}": "recoverylink build" for name in STUDIES},
    "publish build": "recoverylink indicators",
}


def _one_line_error(result: Outcome, step: str, data_dir: Path, first: str) -> None:
    assert result.code == 2, (step, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"error: {step}: "), lines[0]
    assert "unexpected" not in lines[0]
    assert f"run `{first}" in lines[0] and f"--data-dir {data_dir}` " in lines[0], lines[0]
    assert lines[0].endswith("first"), lines[0]


@pytest.mark.parametrize("step", STEP_COMMANDS)
@pytest.mark.parametrize("where", ["empty", "missing"])
def test_a_step_on_an_empty_or_missing_data_dir(step: str, where: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    if where == "empty":
        data_dir.mkdir()
    result = cli(*STEP_COMMANDS[step], "--data-dir", str(data_dir))
    first = "recoverylink indicators" if step == "publish build" else "recoverylink ingest"
    _one_line_error(result, step, data_dir, first)
    assert data_dir.exists() == (where == "empty")  # nothing made on the way


@pytest.mark.parametrize("step", STEP_COMMANDS)
def test_a_step_after_an_ingest_only(step: str, pipeline: Pipeline) -> None:
    data_dir = pipeline.ingest_only
    result = cli(*STEP_COMMANDS[step], "--data-dir", str(data_dir))
    _one_line_error(result, step, data_dir, NEEDS_FIRST[step])


def test_publish_before_the_indicators(pipeline: Pipeline) -> None:
    pipeline.again  # noqa: B018
    copy = pipeline.root / "copy-without-indicators"
    if not copy.exists():
        shutil.copytree(pipeline.data_dir, copy)
        shutil.rmtree(copy / "outputs" / "indicators")
    result = cli("publish", "build", "--data-dir", str(copy))
    _one_line_error(result, "publish build", copy, "recoverylink indicators")
