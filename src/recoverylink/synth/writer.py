"""Writing the generated England in the spec's file formats, byte for byte reproducibly.

Treatment submissions are cumulative financial-year-to-date extracts: for each
provider, financial year and month, every episode open at any time in the year up
to the end of the month, with discharge details only where the discharge had
happened by then. Each episode, intervention and TOP row is rendered to CSV once
(in its final and its still-open form) and the monthly extracts are assembled
from those lines.
"""

from __future__ import annotations

import io
import multiprocessing as mp
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from recoverylink.progress import NULL_PROGRESS, Progress
from recoverylink.synth.dates import fy_start, month_end, month_index

ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def csv_body(frame: pd.DataFrame) -> bytes:
    """The rows of ``frame`` as CSV, without a header.

    Fields are written plain, as most senders write them; only a table with a
    value that needs quoting (a comma, a quote) is written with quoted strings.
    """
    if len(frame) == 0:
        return b""
    table = pa.Table.from_pandas(frame.astype(str), preserve_index=False)
    buf = io.BytesIO()
    try:
        pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    except pa.ArrowInvalid:
        buf = io.BytesIO()
        quoted = pacsv.WriteOptions(include_header=False, quoting_style="needed")
        pacsv.write_csv(table, buf, quoted)
    return buf.getvalue()


class Lines:
    """CSV lines held in one contiguous buffer, with the offset where each line starts.

    One numpy buffer instead of millions of ``bytes`` objects: it is smaller, and
    forked writer processes share it without copying (reading a Python object
    touches its reference count, and so copies its memory page into the child).
    """

    def __init__(self, buf: np.ndarray, offsets: np.ndarray) -> None:
        self.buf = buf
        self.offsets = offsets  # len(lines) + 1 entries; line i is buf[offsets[i]:offsets[i+1]]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def of(cls, *frames: pd.DataFrame) -> Lines:
        """The rows of each frame (all string columns) as lines, one frame after another."""
        bodies = [csv_body(f) for f in frames]
        buf = np.frombuffer(b"".join(bodies), dtype=np.uint8)
        ends = np.flatnonzero(buf == ord("\n")) + 1
        assert len(ends) == sum(len(f) for f in frames), "a value holds a newline"
        return cls(buf, np.concatenate([[0], ends]).astype(np.int64))

    def take(self, rows: np.ndarray) -> bytes:
        """The chosen lines, in the order given, joined into one block of bytes."""
        starts = self.offsets[rows]
        lengths = self.offsets[rows + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return b""
        # position in buf of every output byte: each line's start, repeated over its length
        before = np.cumsum(lengths) - lengths
        pos = np.repeat(starts - before, lengths) + np.arange(total)
        return self.buf[pos].tobytes()


def header(columns: list[str]) -> bytes:
    return (",".join(columns) + "\n").encode()


def csv_file(frame: pd.DataFrame) -> bytes:
    """A whole CSV file: header and rows."""
    return header(list(frame.columns)) + csv_body(frame)


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_file(frame))


def write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=1)


def write_zip_streamed(path: Path, members: list[tuple[str, Iterable[bytes]]]) -> None:
    """A zip whose members are written piece by piece (same format as :func:`write_zip`)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, pieces in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info._compresslevel = 1  # type: ignore[attr-defined]  # what writestr(compresslevel=1) sets
            with zf.open(info, "w", force_zip64=True) as member:
                for piece in pieces:
                    member.write(piece)


@dataclass
class TreatmentTables:
    """Pre-rendered lines and the dates that decide which appear in each monthly extract."""

    provider_codes: np.ndarray
    ep_provider: np.ndarray
    ep_triage: np.ndarray
    ep_discharge: np.ndarray  # a large number where the episode is still open
    ep_lines: Lines  # each episode's final line, then each one's still-open line
    iv_ep: np.ndarray  # episode row of each intervention
    iv_start: np.ndarray
    iv_end: np.ndarray  # a large number where the intervention stays open
    iv_lines: Lines  # final lines, then still-open lines, as for episodes
    top_ep: np.ndarray
    top_date: np.ndarray
    top_lines: Lines
    headers: tuple[bytes, bytes, bytes]
    first_fy: int
    last_fy: int


_TABLES: TreatmentTables | None = None  # shared with forked workers


def _submissions(
    t: TreatmentTables, provider: int
) -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    eps = np.flatnonzero(t.ep_provider == provider)
    if len(eps) == 0:
        return
    code = t.provider_codes[provider]
    ivs = np.flatnonzero(np.isin(t.iv_ep, eps))
    tops = np.flatnonzero(np.isin(t.top_ep, eps))
    # positions of each intervention's and TOP row's episode among this provider's episodes
    iv_local = np.searchsorted(eps, t.iv_ep[ivs])
    top_local = np.searchsorted(eps, t.top_ep[tops])
    for fy in range(t.first_fy, t.last_fy + 1):
        fy0 = fy_start(fy)
        in_year = eps[t.ep_discharge[eps] >= fy0]
        if len(in_year) == 0:
            continue
        for k in range(12):
            mi = int(month_index(np.array([fy0]))[0]) + k
            last = month_end(mi)
            sel = in_year[t.ep_triage[in_year] <= last]
            if len(sel) == 0:
                continue
            n_ep = len(t.ep_discharge)
            ep_rows = np.where(t.ep_discharge[sel] <= last, sel, sel + n_ep)
            chosen = np.zeros(len(eps), dtype=bool)
            chosen[np.searchsorted(eps, sel)] = True
            iv_sel = ivs[chosen[iv_local] & (t.iv_start[ivs] <= last)]
            iv_rows = np.where(t.iv_end[iv_sel] <= last, iv_sel, iv_sel + len(t.iv_end))
            top_sel = tops[chosen[top_local] & (t.top_date[tops] <= last)]
            y, m = divmod(mi, 12)
            name = f"treatment_{code}_{1970 + y:04d}-{m + 1:02d}.zip"
            members = [
                ("episodes.csv", t.headers[0] + t.ep_lines.take(ep_rows)),
                ("interventions.csv", t.headers[1] + t.iv_lines.take(iv_rows)),
                ("top.csv", t.headers[2] + t.top_lines.take(top_sel)),
            ]
            yield f"{fy}-{(fy + 1) % 100:02d}/{name}", members


def _write_provider(args: tuple[int, str]) -> int:
    provider, out = args
    assert _TABLES is not None
    n = 0
    for rel, members in _submissions(_TABLES, provider):
        path = Path(out) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_zip(path, members)
        n += 1
    return n


def write_treatment(
    t: TreatmentTables, out: Path, workers: int = 2, progress: Progress = NULL_PROGRESS
) -> int:
    """Write every monthly submission; returns the number of zip files."""
    global _TABLES
    _TABLES = t
    providers = list(range(len(t.provider_codes)))
    progress.stage("writing treatment submissions", len(providers))
    total = 0
    try:
        if workers > 1 and len(providers) > 4:
            ctx = mp.get_context("fork")
            with ctx.Pool(workers) as pool:
                for n in pool.imap_unordered(
                    _write_provider, [(i, str(out)) for i in providers], chunksize=4
                ):
                    total += n
                    progress.advance()
        else:
            for i in providers:
                total += _write_provider((i, str(out)))
                progress.advance()
    finally:
        _TABLES = None
    return total
