"""Crash safety: ``recoverylink ingest`` killed with SIGKILL at random moments and at each of
its checkpoints, and what the later steps then read.

After every kill:

- what ``recoverylink link`` reads (its input tables, built from the stores as
  left, read-only and without recovery) must be exactly what it reads from a
  clean load of the files the ledger lists, made separately: an ingest killed
  between its identity and warehouse commits leaves identity rows of a load
  that never committed, and no later step may see them (found: they got
  person ids, and PNC nominals sharing a record id doubled every offence in
  the mart);
- the stores, opened through recovery, must hold exactly the rows of the files
  the ledger calls current (worked out from the files themselves), the archive
  exactly the files the ledger names, and the ledger must be the start of an
  uninterrupted run's;
- running the ingest again must end exactly where the uninterrupted run ends.

Two datasets: ``crashdata`` (hand-made: treatment replacing earlier months, a
new financial year, a PNC refresh, drug tests, deaths, a rejected and a
refused file) and a synthetic England at scale 0.001 whose PNC extract is
refreshed by a newer one without a tenth of its nominals. On the second,
``recoverylink link`` and ``build`` also run in full at the moment that
matters most (identity committed, warehouse not): the person map and the
mart's row counts must be those of the clean load.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import crashdata
import pytest
import storeview
from killpoints import (
    checkpoints,
    committed_loads,
    environment,
    ingest_listing,
    kill_at_each,
    link_inputs,
    spread,
)

from recoverylink.ingest.landing import JOURNAL

KILLS = 5
SEED = 20061
MOMENTS = ("identity: committed",)
"""Checkpoints killed at in every commit group, besides those spread over the run: the
identity store committed, the warehouse not."""
CHECKED_EVERY = 3
"""After every third kill the stores are opened through recovery and checked row by row
against the files (``check_consistent``)."""
FINISHED_EVERY = 8
"""After every eighth, the ingest is run again to the end and compared with the
uninterrupted run."""


def ingest(*args: str | Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "recoverylink.cli.main", "ingest", *map(str, args)]
    return subprocess.Popen(command, env=environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip


def finished(proc: subprocess.Popen[bytes]) -> int:
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1), err.decode()
    return proc.returncode


def ledger(data: Path) -> list[tuple[object, ...]]:
    with storeview.Stores.open(data, storeview.SETTINGS) as stores:
        return stores.con.execute(
            "SELECT load_id, file_name, status, replaces, replaced_by, first_record_id, "
            "next_record_id, row_count, problem_count, sha256, landing_path "
            "FROM ingest.loads ORDER BY load_id"
        ).fetchall()


def without_times(tables: dict[str, list[tuple[object, ...]]]) -> dict[str, list[object]]:
    """Every table, with the time each file was received left out of the ledger."""
    out: dict[str, list[object]] = {}
    for name, rows in tables.items():
        if name == "warehouse.ingest.loads":
            out[name] = sorted(str(r[:9] + r[10:]) for r in rows)  # received_at is column 9
        else:
            out[name] = sorted(map(str, rows))
    return out


def check_consistent(
    data: Path, files: dict[str, Path], reference: list[tuple[object, ...]]
) -> int:
    """The stores hold exactly what the ledger says; returns how many loads are in it."""
    rows = ledger(data)  # opening runs recovery
    # The ledger is the start of the uninterrupted run's (load ids and record ids included),
    # each load superseded exactly when the load that replaced it is committed too.
    last = rows[-1][0]
    for row, ref in zip(rows, reference, strict=False):
        status, replaced_by = ref[2], ref[4]
        if replaced_by is not None and replaced_by > last:
            status, replaced_by = "current", None
        assert row == (*ref[:2], status, ref[3], replaced_by, *ref[5:])
    current = [files[r[1]] for r in rows if r[2] == "current" and r[1] in files
               and not r[1].startswith("providers")]  # fmt: skip
    assert storeview.store_rows(data) == storeview.file_rows(current)
    assert set(storeview.broken_links(data).values()) == {0}
    archived = {str(p.relative_to(data)) for p in (data / "landing").rglob("*") if p.is_file()}
    assert archived == {str(r[10]) for r in rows}
    assert not (data / "landing" / JOURNAL).exists()
    return len(rows)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Path]]:
    base, more = crashdata.build(tmp_path_factory.mktemp("crash"))
    files = {p.name: p for p in [*base.rglob("*"), *more.rglob("*")] if p.is_file()}
    return base, more, files


@pytest.fixture(scope="module")
def base_loaded(
    folders: tuple[Path, Path, dict[str, Path]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A data directory with the base folder loaded (tests copy it)."""
    data = tmp_path_factory.mktemp("base") / "data"
    assert finished(ingest(folders[0], "--data-dir", data)) == 0
    return data


@dataclass(frozen=True)
class Reference:
    """The uninterrupted run of ``more`` over ``base``."""

    data: Path
    rows: list[tuple[object, ...]]
    """Its ledger."""
    tables: dict[str, list[object]]
    """Every table of both stores, times left out."""
    seconds: float
    checkpoints: list[str]


@pytest.fixture(scope="module")
def reference(
    folders: tuple[Path, Path, dict[str, Path]],
    base_loaded: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Reference:
    data = tmp_path_factory.mktemp("reference") / "data"
    shutil.copytree(base_loaded, data)
    listing = data.parent / "checkpoints.txt"
    start = time.monotonic()
    assert ingest_listing([folders[1]], data, listing) == 1  # one rejected, one refused
    took = time.monotonic() - start
    rows = ledger(data)
    assert {r[2] for r in rows} == {"current", "superseded", "rejected", "refused"}
    tables = without_times(storeview.all_tables(data))
    return Reference(data, rows, tables, took, checkpoints(listing))


def test_killed_at_random_moments_the_stores_hold_the_last_commit(
    folders: tuple[Path, Path, dict[str, Path]],
    base_loaded: Path,
    reference: Reference,
    tmp_path: Path,
) -> None:
    _, more, files = folders
    rows, expected, took = reference.rows, reference.tables, reference.seconds
    data = tmp_path / "data"
    shutil.copytree(base_loaded, data)
    before = storeview.all_tables(data)
    loads_before = len(ledger(data))
    rng = random.Random(SEED)
    seen = []
    for _ in range(KILLS):
        proc = ingest(more, "--data-dir", data)
        time.sleep(rng.uniform(0.0, took))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.append(check_consistent(data, files, rows))
        if seen[-1] == loads_before:  # killed before its first commit: as it was
            assert storeview.all_tables(data) == before
    assert min(seen) < len(rows), "every kill came after the run had finished"

    finished(ingest(more, "--data-dir", data))
    assert without_times(storeview.all_tables(data)) == expected


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def same_ledger(rows: list[tuple[object, ...]], reference: list[tuple[object, ...]]) -> bool:
    """``rows`` is the start of ``reference``, a load superseded only by a load in it."""
    last = rows[-1][0]
    expected = []
    for ref in reference[: len(rows)]:
        status, replaced_by = ref[2], ref[4]
        if replaced_by is not None and replaced_by > last:  # type: ignore[operator]
            status, replaced_by = "current", None
        expected.append((*ref[:2], status, ref[3], replaced_by, *ref[5:]))
    return rows == expected


class CleanLoads:
    """Link's inputs after a clean load of the first N loads of the uninterrupted run,
    each made once: the files those loads name, copied to a folder of their own and
    ingested, uninterrupted, over the base."""

    def __init__(self, base: Path, more: Path, reference: Reference, root: Path) -> None:
        self.base, self.reference, self.root = base, reference, root
        self.files = {(p.name, sha256(p)): p for p in more.rglob("*") if p.is_file()}
        self.before = committed_loads(base)
        self.made: dict[int, dict[str, list[tuple[object, ...]]]] = {}

    def inputs(self, loads: int) -> dict[str, list[tuple[object, ...]]]:
        if loads not in self.made:
            self.made[loads] = link_inputs(self.data_dir(loads))
        return self.made[loads]

    def data_dir(self, loads: int) -> Path:
        if loads == self.before:
            return self.base
        if loads == len(self.reference.rows):
            return self.reference.data
        folder = self.root / f"files-{loads}"
        folder.mkdir(parents=True)
        for row in self.reference.rows[self.before : loads]:
            source = self.files[str(row[1]), str(row[9])]
            shutil.copy(source, folder / source.name)
        data = self.root / f"clean-{loads}"
        shutil.copytree(self.base, data)
        finished(ingest(folder, "--data-dir", data))
        assert same_ledger(ledger(data), self.reference.rows)  # the same load and record ids
        return data


def test_killed_at_each_checkpoint_later_steps_read_only_committed_loads(
    folders: tuple[Path, Path, dict[str, Path]],
    base_loaded: Path,
    reference: Reference,
    tmp_path: Path,
) -> None:
    _, more, files = folders
    names = reference.checkpoints
    points = spread(names, 15, MOMENTS)
    assert len(points) >= 20
    assert sum(n.startswith("identity: committed") for n in names) >= 4  # commit groups
    clean = CleanLoads(base_loaded, more, reference, tmp_path / "clean")

    killed = kill_at_each(base_loaded, [more], tmp_path / "killed", points)

    states = set()
    for i, (point, data) in enumerate(killed.items()):
        loads = committed_loads(data)
        states.add(loads)
        # what link reads, before anything has recovered: the clean load's
        assert link_inputs(data) == clean.inputs(loads), f"killed at {point} {names[point - 1]}"
        if i % CHECKED_EVERY == 0:
            assert check_consistent(data, files, reference.rows) == loads
        if i % FINISHED_EVERY == 0:
            finished(ingest(more, "--data-dir", data))
            assert without_times(storeview.all_tables(data)) == reference.tables
    assert len(states) >= 4, states  # kills before, between and after the commits


# A synthetic England whose PNC extract is refreshed ------------------------------------------

LINK_KEY = "crash-tests-pseudonym-key-" + "x" * 32
DROPPED = 10
"""The newer extract leaves out every tenth nominal of the older one (with its aliases and
disposals)."""


@dataclass(frozen=True)
class Synthetic:
    base: Path
    """A data directory with the synthetic England loaded, its older PNC extract included."""
    newer: Path
    """The newer PNC extract."""
    full: Path
    """``base`` with ``newer`` loaded, uninterrupted."""
    checkpoints: list[str]
    pnc_records: tuple[int, int]
    """Nominals plus aliases in the older and the newer extract, counted from the files."""


def zip_rows(path: Path, member: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(member).decode("utf-8-sig"))))


def refreshed(older: Path, newer: Path) -> None:
    """``older`` without every tenth nominal, and the aliases and disposals of those."""
    nominals = zip_rows(older, "nominals.csv")
    gone = {r["pnc_id"] for i, r in enumerate(nominals) if i % DROPPED == 0}
    with zipfile.ZipFile(newer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in ("nominals.csv", "aliases.csv", "disposals.csv"):
            rows = zip_rows(older, member)
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(r for r in rows if r["pnc_id"] not in gone)
            target.writestr(member, out.getvalue())


def pnc_records(extract: Path) -> int:
    return len(zip_rows(extract, "nominals.csv")) + len(zip_rows(extract, "aliases.csv"))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Synthetic:
    root = tmp_path_factory.mktemp("synthetic")
    england = root / "england"
    command = [sys.executable, "-m", "recoverylink.cli.main", "synth", "--scale", "0.001",
               "--seed", "2006", "--out", str(england)]  # fmt: skip
    made = subprocess.run(command, env=environment(), capture_output=True, timeout=300)
    assert made.returncode == 0, made.stderr.decode()
    folder = root / "files"
    for name in ("reference", "pnc", "drug_tests", "deaths"):
        shutil.copytree(england / name, folder / name)
    # Of each provider's financial year, only its last cumulative submission: it replaces
    # the earlier months anyway, and loading 1,400 files instead of 11,000 saves 20 s.
    last: dict[tuple[str, str], Path] = {}
    for path in sorted((england / "treatment").rglob("treatment_*.zip")):
        last[path.parent.name, path.name.rsplit("_", 1)[0]] = path
    for path in last.values():
        (folder / "treatment").mkdir(exist_ok=True)
        shutil.copy(path, folder / "treatment" / path.name)
    (older,) = (folder / "pnc").iterdir()
    newer = root / "pnc_2014-06-30.zip"
    refreshed(older, newer)

    base = root / "base"
    assert finished(ingest(folder, "--data-dir", base)) == 0
    full = root / "full"
    shutil.copytree(base, full)
    listing = root / "checkpoints.txt"
    assert ingest_listing([newer], full, listing) == 0
    return Synthetic(base, newer, full, checkpoints(listing),
                     (pnc_records(older), pnc_records(newer)))  # fmt: skip


def link_and_build(data: Path) -> tuple[list[tuple[object, ...]], dict[str, int]]:
    """``recoverylink link`` then ``build``: the person map and the mart's row counts."""
    env = environment(RECOVERYLINK_PSEUDONYM_KEY=LINK_KEY)
    for step in ("link", "build"):
        command = [sys.executable, "-m", "recoverylink.cli.main", step, "--data-dir", str(data)]
        done = subprocess.run(command, env=env, capture_output=True, timeout=600)
        assert done.returncode == 0, (
            f"{step}: {done.stdout.decode()[-2000:]} {done.stderr.decode()}"
        )
    with storeview.read_only(data / "warehouse.duckdb") as con:
        # match probabilities to 12 places: the last bits vary with the order of the
        # linkage's parallel sums
        person_map = con.execute(
            "SELECT record_id, source, person_id, round(match_probability, 12) "
            "FROM link.person_map ORDER BY record_id"
        ).fetchall()
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'mart' "
            "AND table_name <> 'build_info'"
        ).fetchall()]  # fmt: skip
        counts = {t: con.execute(f"SELECT count(*) FROM mart.{t}").fetchall()[0][0] for t in tables}
    return person_map, counts


def test_pnc_refresh_killed_at_each_checkpoint_link_and_build_see_a_clean_load(
    synthetic: Synthetic, tmp_path: Path
) -> None:
    names = synthetic.checkpoints
    assert len(names) >= 20
    before, after = link_inputs(synthetic.base), link_inputs(synthetic.full)
    loads_before = committed_loads(synthetic.base)
    # worked out from the files: every nominal and alias of the current extract is one record
    for inputs, expected in zip((before, after), synthetic.pnc_records, strict=True):
        assert sum(r[1] == "pnc" for r in inputs["records"]) == expected

    killed = kill_at_each(synthetic.base, [synthetic.newer], tmp_path / "killed",
                          list(range(1, len(names) + 1)))  # fmt: skip

    states = []
    for point, data in killed.items():
        loads = committed_loads(data)
        assert loads in (loads_before, loads_before + 1)
        states.append(loads)
        expected = before if loads == loads_before else after
        assert link_inputs(data) == expected, f"killed at {point} {names[point - 1]}"
    assert states.count(loads_before) > 5 and states.count(loads_before + 1) > 2

    # link and build in full where the identity store holds rows of a load the ledger does
    # not list: the newer extract's, its warehouse commit never made (its nominals share
    # record ids with the older extract's). The found bug: every offence twice in the mart.
    point = names.index("identity: committed") + 1
    clean = tmp_path / "clean"
    shutil.copytree(synthetic.base, clean)
    got, want = link_and_build(killed[point]), link_and_build(clean)
    assert got == want
    assert want[1]["offences"] > 0
