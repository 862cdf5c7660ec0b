"""The ingest run: receive, archive, check and load files, one commit group at a time.

Files are taken in load order (``files.find_files``). Each is hashed; an
identical re-send stops there. Otherwise it is archived (``landing``), a file
older than its slot's is refused, and the archived copy is checked by the
validator of ``recoverylink.spec`` against the providers register as loaded.
Treatment submissions are checked a submission month at a time
(``spec.batch.check_treatment_zips``). A valid file joins the open *commit
group*; everything in a group is written in one identity transaction and then
one warehouse transaction, the commit point (``stores``).

Within a group only the newest file of each slot is loaded: a provider's
monthly cumulative submissions replace one another, so loading April, then May
over it, and so on, ends with the same rows as loading only the last; the
earlier ones get their ledger rows, as superseded, in the same commit. A group
holds one dataset and is committed when the dataset changes, when treatment
moves to the next financial year, after each providers register (later files
are checked against it) and when it holds more than ``GROUP_ROWS`` rows.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recoverylink.ingest import ledger, plan
from recoverylink.ingest.commit import Group, Pending, write_group
from recoverylink.ingest.files import Found, Kind, Received, recognise
from recoverylink.ingest.landing import ChangedWhileReadingError, fingerprint
from recoverylink.ingest.ledger import CURRENT, REFUSED, REJECTED, SUPERSEDED, Entry, LedgerState
from recoverylink.ingest.plan import FileOutcome, Outcome
from recoverylink.ingest.reference_tables import check_reference_csv
from recoverylink.ingest.report import mask_problems
from recoverylink.ingest.safety import oversized
from recoverylink.ingest.split import PncIds
from recoverylink.ingest.stores import StoreError, Stores
from recoverylink.ingest.testhook import checkpoint
from recoverylink.progress import NULL_PROGRESS, Progress
from recoverylink.spec import Problem, ValidationContext
from recoverylink.spec.batch import check_treatment_zips
from recoverylink.spec.limits import ReadLimits, current_limits, limits_in_force
from recoverylink.spec.validate import Checked, check_path

GROUP_ROWS = 4_000_000
"""Rows a commit group may hold before it is committed (bounds memory)."""

Log = Callable[[str], None]


@dataclass
class IngestResult:
    """What a run did: one outcome per file, the files skipped in folders, rows checked."""

    files: list[FileOutcome] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    rows_checked: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[Kind, Counter[Outcome]]:
        out: dict[Kind, Counter[Outcome]] = {}
        for f in self.files:
            out.setdefault(f.kind, Counter())[f.outcome] += 1
        return out

    def any_of(self, *outcomes: Outcome) -> bool:
        return any(f.outcome in outcomes for f in self.files)


class IngestRun:
    """One ``recoverylink ingest``: files in, outcomes out, the stores updated as it goes."""

    def __init__(self, stores: Stores, progress: Progress = NULL_PROGRESS, log: Log | None = None):
        self.stores = stores
        self.con = stores.con
        self.progress = progress
        self.log = log or (lambda line: None)
        self.state = LedgerState.read(self.con)
        self.pnc = PncIds(self.con)
        self.group = Group()
        self.result = IngestResult()
        self._register: frozenset[str] | None = None

    def run(self, found: Found) -> IngestResult:
        start = time.perf_counter()
        self.result.skipped = list(found.skipped)
        for path, why in found.unreadable:
            self._outcome(recognise(path), Outcome.UNREADABLE, why)
        files = found.files
        self.progress.stage(f"Checking and loading {len(files):,} files", len(files))
        months: list[list[Received]] = []
        for received in files:
            if received.kind is Kind.TREATMENT and received.slot:
                if months and months[-1][0].period == received.period:
                    months[-1].append(received)
                else:
                    months.append([received])
                continue
            self._treatment(months)
            months = []
            self._one(received)
        self._treatment(months)
        self._commit()
        self.progress.close()
        self.result.seconds = time.perf_counter() - start
        return self.result

    # Receiving -------------------------------------------------------------------------

    def _receive(self, received: Received) -> tuple[str, int, str] | None:
        """Hash and archive a file: (sha256, size, archive path), or None when done with it."""
        try:
            too_large = oversized(received.path)
            fp = None if too_large else fingerprint(received.path)
        except OSError as err:
            self._outcome(received, Outcome.UNREADABLE, f"cannot be read: {err.strerror or err}")
            return None
        if fp is None:
            size = received.path.stat().st_size
            entry = self._entry(received, "", size, "", REJECTED, "")
            self._reject(received, entry, too_large)
            return None
        sha, size = fp.sha256, fp.size
        note = plan.unchanged_note(received, sha, self.state)
        if note is not None:
            self._outcome(received, Outcome.UNCHANGED, note)
            return None
        try:
            landing_path = self.stores.landing.keep(received.path, received.kind.value, fp)
        except ChangedWhileReadingError as err:
            self._outcome(received, Outcome.UNREADABLE, str(err))
            return None
        except OSError as err:  # the archive, not the file, is at fault: stop
            raise StoreError(f"cannot write to the landing archive: {err}") from err
        refusal = plan.refusal_note(received, self.state)
        if refusal is not None:
            entry = self._entry(received, sha, size, landing_path, REFUSED, refusal)
            if self._is_new(entry):
                self._add(received, entry, None)
            self._outcome(received, Outcome.REFUSED, refusal, entry.load_id)
            return None
        return sha, size, landing_path

    def _entry(
        self, received: Received, sha: str, size: int, landing_path: str, status: str, note: str
    ) -> Entry:
        return Entry(
            load_id=0,  # given by _add, when the entry joins the group
            file_name=received.name,
            kind=received.kind.value,
            slot=received.slot,
            period=received.period,
            provider_code=received.provider_code,
            sha256=sha,
            size_bytes=size,
            landing_path=landing_path,
            received_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            status=status,
            note=note,
        )

    def _is_new(self, entry: Entry) -> bool:
        """False for a file refused or rejected before, byte for byte: its ledger row stands."""
        seen = self.state.seen.get((entry.file_name, entry.sha256))
        if seen is not None and seen.status == entry.status:
            entry.load_id = seen.load_id
            entry.note += f" (as when first received, load {seen.load_id})"
            return False
        return True

    # Checking --------------------------------------------------------------------------

    def _context(self) -> ValidationContext:
        if self._register is None:
            self._register = ledger.provider_codes(self.con)
        return ValidationContext(provider_codes=self._register)

    def _one(self, received: Received) -> None:
        if self.group.kind is not None and (
            self.group.kind is not received.kind or self.group.rows > GROUP_ROWS
        ):
            self._commit()
        got = self._receive(received)
        if got is not None:
            sha, size, landing_path = got
            path = self.stores.data_dir / landing_path
            if received.kind is Kind.REFERENCE:
                checked = check_reference_csv(path)
            else:
                checked = check_path(path, self._context())
            self._decide(received, checked, sha, size, landing_path)
        self.progress.advance()
        if received.kind is Kind.PROVIDERS:
            self._commit()  # later files are checked against this register

    def _treatment(self, months: list[list[Received]]) -> None:
        """Treatment submissions, a month at a time, each checked ahead of its turn.

        While one month is decided and, at the end of a financial year,
        committed, the next is checked in a second thread: reading and checking
        spend much of their time in Arrow and zlib, and committing in DuckDB,
        all outside the GIL. (Worker processes were tried: on two cores the
        pickling and start-up cost more CPU time than they saved.)
        """
        if not months:
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="check") as pool:
            queued: deque[tuple[list[tuple[Received, str, int, str]], Future[list[Checked]]]]
            queued = deque()
            for month in months:
                todo = self._receive_month(month)
                paths = [self.stores.data_dir / landing_path for *_, landing_path in todo]
                checking = pool.submit(check_month, paths, self._context(), current_limits())
                queued.append((todo, checking))
                if len(queued) > 1:
                    self._finish_month(*queued.popleft())
            while queued:
                self._finish_month(*queued.popleft())

    def _receive_month(self, files: list[Received]) -> list[tuple[Received, str, int, str]]:
        todo: list[tuple[Received, str, int, str]] = []
        for received in files:
            got = self._receive(received)
            if got is None:
                self.progress.advance()
            else:
                todo.append((received, *got))
        return todo

    def _finish_month(
        self, todo: list[tuple[Received, str, int, str]], checking: Future[list[Checked]]
    ) -> None:
        if todo:
            year = todo[0][0].slot.rsplit("/", 1)[-1]
            if self.group.kind is not None and (
                self.group.kind is not Kind.TREATMENT
                or self.group.financial_year != year
                or self.group.rows > GROUP_ROWS
            ):
                self._commit()
            self.group.financial_year = year
        for (received, sha, size, landing_path), checked in zip(
            todo, checking.result(), strict=True
        ):
            self._decide(received, checked, sha, size, landing_path)
            self.progress.advance()

    def _decide(
        self, received: Received, checked: Checked, sha: str, size: int, landing_path: str
    ) -> None:
        tables = checked.row_counts()
        self.result.rows_checked += sum(tables.values())
        if checked.problems:
            entry = self._entry(received, sha, size, landing_path, REJECTED, "")
            entry.tables = tables
            self._reject(received, entry, checked.problems)
            return
        holder = self.state.slots.get(received.slot) if received.slot else None
        note = plan.loaded_note(received, holder)
        entry = self._entry(received, sha, size, landing_path, CURRENT, note)
        entry.tables = tables
        entry.replaces = holder.load_id if holder is not None else None
        pending = self.group.by_slot.get(received.slot) if received.slot else None
        self._add(received, entry, checked.frames)
        if pending is not None:
            pending.entry.status = SUPERSEDED
            pending.entry.replaced_by = entry.load_id
            pending.frames = None
            self.group.rows -= pending.entry.row_count
        elif holder is not None:
            self.group.replaced[holder.load_id] = entry.load_id
        self.group.rows += entry.row_count
        outcome = Outcome.REPLACED if holder is not None else Outcome.LOADED
        self._outcome(received, outcome, note, entry.load_id, entry.row_count)
        checkpoint(f"decided {received.name}")

    def _reject(self, received: Received, entry: Entry, problems: list[Problem]) -> None:
        masked = mask_problems(problems)
        entry.rules = dict(Counter(p.rule for p in problems))
        entry.problems = masked[: ledger.PROBLEMS_KEPT]
        first = masked[0]
        count = len(problems)
        entry.note = entry.note or f"{count:,} problem{'s' if count != 1 else ''}; first: {first}"
        if self._is_new(entry):
            self._add(received, entry, None)
        self._outcome(received, Outcome.REJECTED, entry.note, entry.load_id, entry.row_count,
                      masked[:5], count)  # fmt: skip

    def _add(
        self, received: Received, entry: Entry, frames: Mapping[str, pd.DataFrame] | None
    ) -> None:
        entry.load_id = self.state.new_load_id()
        if self.group.kind is None:
            self.group.kind = received.kind
        pending = Pending(received, entry, frames)
        self.group.pending.append(pending)
        if entry.status == CURRENT and received.slot:
            self.group.by_slot[received.slot] = pending
        self.state.note(entry)

    def _outcome(
        self,
        received: Received,
        outcome: Outcome,
        note: str,
        load_id: int | None = None,
        rows: int = 0,
        problems: list[Problem] | None = None,
        problem_count: int = 0,
    ) -> None:
        result = FileOutcome(received.path, received.kind, outcome, note, load_id, rows,
                             list(problems or []), problem_count)  # fmt: skip
        self.result.files.append(result)
        where = f" load {load_id}" if load_id is not None else ""
        self.log(f"{outcome.value:<10} {received.kind.value:<12} {received.name}{where}: {note}")

    # Committing ------------------------------------------------------------------------

    def _commit(self) -> None:
        group, self.group = self.group, Group()
        if not group.pending:
            return
        try:
            write_group(self.stores, self.state, self.pnc, group)
        except BaseException:
            self.stores.recover()  # drops identity rows the warehouse never committed
            raise
        for p in group.pending:
            if p.entry.kind == Kind.PROVIDERS.value and p.entry.status == CURRENT:
                self._register = None  # read the register again


def check_month(paths: list[Path], context: ValidationContext, limits: ReadLimits) -> list[Checked]:
    """Check a month's treatment zips under the given read limits (in the checking thread)."""
    with limits_in_force(limits):
        return check_treatment_zips(paths, context)
