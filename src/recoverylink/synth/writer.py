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
from collections.abc import Iterator
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


def csv_lines(frame: pd.DataFrame) -> np.ndarray:
    """Each row of ``frame`` (all string columns) as one CSV line (bytes, with newline)."""
    if len(frame) == 0:
        return np.zeros(0, dtype=object)
    lines = csv_body(frame).split(b"\n")[:-1]
    assert len(lines) == len(frame), "a value holds a newline"
    out = np.empty(len(lines), dtype=object)
    out[:] = [line + b"\n" for line in lines]
    return out


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


@dataclass
class TreatmentTables:
    """Pre-rendered lines and the dates that decide which appear in each monthly extract."""

    provider_codes: np.ndarray
    ep_provider: np.ndarray
    ep_triage: np.ndarray
    ep_discharge: np.ndarray  # a large number where the episode is still open
    ep_line_final: np.ndarray
    ep_line_open: np.ndarray
    iv_ep: np.ndarray  # episode row of each intervention
    iv_start: np.ndarray
    iv_end: np.ndarray  # a large number where the intervention stays open
    iv_line_final: np.ndarray
    iv_line_open: np.ndarray
    top_ep: np.ndarray
    top_date: np.ndarray
    top_line: np.ndarray
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
            done = t.ep_discharge[sel] <= last
            ep_lines = np.where(done, t.ep_line_final[sel], t.ep_line_open[sel])
            chosen = np.zeros(len(eps), dtype=bool)
            chosen[np.searchsorted(eps, sel)] = True
            iv_sel = ivs[chosen[iv_local] & (t.iv_start[ivs] <= last)]
            iv_lines = np.where(
                t.iv_end[iv_sel] <= last, t.iv_line_final[iv_sel], t.iv_line_open[iv_sel]
            )
            top_sel = tops[chosen[top_local] & (t.top_date[tops] <= last)]
            y, m = divmod(mi, 12)
            name = f"treatment_{code}_{1970 + y:04d}-{m + 1:02d}.zip"
            members = [
                ("episodes.csv", t.headers[0] + b"".join(ep_lines.tolist())),
                ("interventions.csv", t.headers[1] + b"".join(iv_lines.tolist())),
                ("top.csv", t.headers[2] + b"".join(t.top_line[top_sel].tolist())),
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
