"""What has been loaded, and what was not and why: the ledger as ``recoverylink status`` shows it.

Read from the warehouse alone, opened read-only (``sql/status.sql``): the
ledger is written in the same transaction as the rows it describes, so it is
always exactly right, even after a crash that recovery has yet to tidy.
Problems kept for rejected files were masked when stored (identifiers shown
by their shape), and are masked again here in case an older store kept them plain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from recoverylink.ingest.report import mask_problems
from recoverylink.ingest.stores import sql_blocks
from recoverylink.spec import Problem


@dataclass(frozen=True)
class SourceSummary:
    """One dataset: files by status, rows in the stores, when a file last came in."""

    kind: str
    current_files: int
    superseded_files: int
    rejected_files: int
    refused_files: int
    current_rows: int
    last_received: dt.datetime | None


@dataclass(frozen=True)
class LoadRow:
    """One ledger row, as listed."""

    load_id: int
    kind: str
    file_name: str
    provider_code: str | None
    period: str
    status: str
    rows: int
    received_at: dt.datetime
    note: str
    problem_count: int = 0
    rules: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class StatusReport:
    sources: list[SourceSummary]
    current: list[LoadRow]
    current_total: int
    not_loaded: list[LoadRow]
    not_loaded_total: int

    def as_json(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.isoformat(timespec="seconds") + "Z"
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return plain(
            {
                "sources": [asdict(s) for s in self.sources],
                "current": [asdict(r) for r in self.current],
                "current_total": self.current_total,
                "not_loaded": [asdict(r) for r in self.not_loaded],
                "not_loaded_total": self.not_loaded_total,
            }
        )


def read_status(
    con: duckdb.DuckDBPyConnection,
    kind: str | None = None,
    provider: str | None = None,
    limit: int | None = 20,
) -> StatusReport:
    """The ledger's summary; lists narrowed to a dataset or provider and cut at ``limit`` rows."""
    sql = sql_blocks("status")
    where = {"kind": kind, "provider": provider}
    listed = {**where, "limit": limit}
    sources = [SourceSummary(*row) for row in con.execute(sql["sources"], where).fetchall()]
    current = [
        LoadRow(load_id, k, name, code, period, "current", rows, when, note)
        for load_id, k, name, code, period, _slot, rows, when, note in con.execute(
            sql["current"], listed
        ).fetchall()
    ]
    (current_total,) = con.execute(sql["current_count"], where).fetchone() or (0,)
    rows = con.execute(sql["not_loaded"], listed).fetchall()
    (not_loaded_total,) = con.execute(sql["not_loaded_count"], where).fetchone() or (0,)
    ids = [r[0] for r in rows]
    rules: dict[int, dict[str, int]] = {}
    for load_id, rule, count in con.execute(sql["rules"], {"loads": ids}).fetchall():
        rules.setdefault(load_id, {})[rule] = count
    problems: dict[int, list[Problem]] = {}
    for load_id, *fields in con.execute(sql["problems"], {"loads": ids}).fetchall():
        problems.setdefault(load_id, []).append(Problem(*fields))
    not_loaded = [
        LoadRow(load_id, k, name, code, period, status, n, when, note, count,
                rules.get(load_id, {}), mask_problems(problems.get(load_id, [])))
        for load_id, k, name, code, period, status, n, count, when, note in rows
    ]  # fmt: skip
    return StatusReport(sources, current, int(current_total), not_loaded, int(not_loaded_total))
