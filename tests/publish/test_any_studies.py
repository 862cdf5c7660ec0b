"""`publish build` whatever studies were run: none, or only those the data support.

One small dataset from the tests' independent generator (2008-04-01 to
2011-03-31, 3 financial years), with its indicators. Reconviction and the
long-term outcomes need 5 financial years (a cohort year with 2 years either
side; a year of leaving and 4 after it), so on these data they are not
applicable; mortality and TOP are run. The publication is built first before
any study has run, then after the four `recoverylink study` commands; both
builds go through the command line and the full disclosure control.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "studies"))
from any_data import Scenario, linked_data

from recoverylink.cli.main import main
from recoverylink.publish.study_protect import SUPPRESSED_COLUMNS
from recoverylink.publish.study_tables import SPECS

SCENARIO = Scenario(people=300, seed=31, providers=2, local_authorities=2, first_year=2008,
                    years=3)
STUDIES = ("reconviction", "long_term", "mortality", "top")
NOT_APPLICABLE = {
    "reconviction": "needs 5 years of data (a cohort year with the 2 years before and the 2 "
                    "years after it); the data span 2008-04-01 to 2011-03-31",
    "long_term": "needs 5 years of data (a cohort year with the 4 years after it); the data "
                 "span 2008-04-01 to 2011-03-31",
}


@dataclass
class Run:
    code: int
    out: str


def cli(*args: str) -> Run:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(list(args))
    return Run(code, out.getvalue())


@dataclass
class Builds:
    none: Path
    none_run: Run
    some: Path
    some_run: Run
    studies: dict[str, Run]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.mktemp("any-studies")
    data_dir = linked_data(root, SCENARIO, indicators=True)
    none_run = cli("publish", "build", "--data-dir", str(data_dir))
    none = root / "publish-none"
    shutil.copytree(data_dir / "publish", none)
    studies = {name: cli("study", name, "--data-dir", str(data_dir)) for name in STUDIES}
    some_run = cli("publish", "build", "--data-dir", str(data_dir))
    return Builds(none, none_run, data_dir / "publish", some_run, studies)


def _query(publish: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(publish / "publication.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_with_no_study_run_the_publication_is_built(builds: Builds) -> None:
    assert builds.none_run.code == 0, builds.none_run.out
    for name in STUDIES:
        assert f"study {name} has not been run" in " ".join(builds.none_run.out.split())
    assert _query(builds.none, "SELECT count(*) FROM studies") == [(0,)]
    assert _query(builds.none, "SELECT count(*) FROM study_headlines") == [(0,)]
    assert _query(builds.none, "SELECT study, reason FROM studies_left_out ORDER BY sort_key") \
        == [(name, f"not run (`recoverylink study {name}`)") for name in STUDIES]
    downloads = builds.none / "downloads"
    assert (downloads / "recoverylink-outcomes.xlsx").is_file()
    assert (downloads / "recoverylink-outcomes.ods").is_file()
    assert (downloads / "study_headlines.csv").read_text("utf-8").count("\n") == 1  # header


def test_the_studies_the_data_cannot_support_say_so(builds: Builds) -> None:
    for name, reason in NOT_APPLICABLE.items():
        run = builds.studies[name]
        assert run.code == 2
        assert run.out.strip().startswith(f"error: study {name}: {reason}")


def test_with_some_studies_only_those_are_published(builds: Builds) -> None:
    assert builds.some_run.code == 0, builds.some_run.out
    ran = {name for name, run in builds.studies.items() if run.code == 0}
    assert ran <= {"mortality", "top"}
    published = {row[0] for row in _query(builds.some, "SELECT study FROM studies")}
    assert published == ran
    left_out = dict(_query(builds.some, "SELECT study, reason FROM studies_left_out"))
    assert set(left_out) == set(STUDIES) - ran
    for name, reason in NOT_APPLICABLE.items():
        assert left_out[name] == reason
    headline_studies = {row[0] for row in _query(builds.some,
                                                 "SELECT DISTINCT study FROM study_headlines")}
    assert headline_studies == ran


def test_every_published_study_table_went_through_disclosure_control(builds: Builds) -> None:
    tables = _query(builds.some, "SELECT table_id, study FROM catalogue "
                    "WHERE topic = 'studies' AND study IS NOT NULL")
    assert {str(study) for _, study in tables} == {
        name for name, run in builds.studies.items() if run.code == 0
    }
    for table_id, study in tables:
        table = str(table_id)
        columns = {row[0] for row in _query(builds.some, f'DESCRIBE "{table}"')}
        assert SUPPRESSED_COLUMNS in columns, table
        # no count from 1 to 4 is published in a study table
        spec = SPECS[str(study)][table.removeprefix(f"study_{study}_")]
        for column in spec.counts:
            small = _query(builds.some, f'SELECT count(*) FROM "{table}" '
                           f'WHERE "{column}" BETWEEN 1 AND 4')
            assert small == [(0,)], (table, column)
