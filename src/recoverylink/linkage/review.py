"""Clerical review: borderline pairs out to people with identity-store access, decisions back in.

``export_review`` writes the pairs the last run scored within a band of
probabilities (the models' links, not the sources' own) with both records'
identifiers side by side and an empty ``decision`` column. Whoever reviews
them writes ``accept`` or ``reject`` (or leaves it empty: no decision) and
``import_review`` reads the file back. Decisions are kept in the warehouse
(``link.review_decisions``, by record id) and override the model in every later
run: an accepted pair is linked whatever its probability, a rejected pair is
never put in one person, not even through other links.

The export holds identifiers: it is for the linkage team, never for the
warehouse or analysts. Text is written spreadsheet-safe.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from recoverylink.config import DuckDBConfig
from recoverylink.errors import InputError
from recoverylink.ingest.report import spreadsheet_safe
from recoverylink.linkage.inputs import WAREHOUSE_FILE, review_identities
from recoverylink.linkage.sqlfiles import sql_block

DECISIONS = ("accept", "reject")
SIDE_COLUMNS = (
    "source", "forenames", "surname", "first_initial", "last_initial", "date_of_birth",
    "sex", "postcode", "area",
)
KEY_COLUMNS = ("record_id_l", "record_id_r")


class ReviewError(InputError):
    """A review file that cannot be read back, with every problem found in it."""


@dataclass(frozen=True)
class ReviewImport:
    accepted: int
    rejected: int
    undecided: int


def _connect(data_dir: Path, settings: DuckDBConfig, read_only: bool) -> duckdb.DuckDBPyConnection:
    path = data_dir / WAREHOUSE_FILE
    if not path.is_file():
        raise ReviewError(f"{path} does not exist: load data and run `recoverylink link` first")
    return duckdb.connect(
        str(path),
        read_only=read_only,
        config={"memory_limit": settings.memory_limit, "threads": settings.threads},
    )


def _has_links(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'link' AND table_name = 'links'"
    ).fetchall()
    return bool(found[0][0])


def read_decisions(data_dir: Path, settings: DuckDBConfig) -> pd.DataFrame:
    """Decisions so far (node_l, node_r, decision), the latest per pair; empty if none."""
    empty = pd.DataFrame(
        {"node_l": pd.Series(dtype="int64"), "node_r": pd.Series(dtype="int64"),
         "decision": pd.Series(dtype="object")}
    )
    path = data_dir / WAREHOUSE_FILE
    if not path.is_file():
        return empty
    with duckdb.connect(
        str(path), read_only=True,
        config={"memory_limit": settings.memory_limit, "threads": settings.threads},
    ) as con:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'link' AND table_name = 'review_decisions'"
        ).fetchall()[0][0]
        if not exists:
            return empty
        return con.execute(
            "SELECT record_id_l AS node_l, record_id_r AS node_r, decision "
            "FROM link.review_decisions "
            "QUALIFY row_number() OVER (PARTITION BY record_id_l, record_id_r "
            "                           ORDER BY decided_at DESC) = 1 "
            "ORDER BY node_l, node_r"
        ).df()


def export_review(
    data_dir: Path, settings: DuckDBConfig, low: float, high: float, out: Path
) -> int:
    """Write the model's pairs with ``low <= probability < high`` to ``out``; returns how many."""
    if not 0 <= low < high <= 1:
        raise ReviewError(f"the band must have 0 <= low < high <= 1, not {low} to {high}")
    with _connect(data_dir, settings, read_only=True) as con:
        if not _has_links(con):
            raise ReviewError(f"no linkage run in {data_dir}: run `recoverylink link` first")
        pairs = con.execute(
            "SELECT job, record_id_l, record_id_r, match_probability, match_weight, accepted "
            "FROM link.links WHERE method = 'model' "
            "AND match_probability >= ? AND match_probability < ? "
            "ORDER BY match_probability DESC, record_id_l, record_id_r",
            [low, high],
        ).df()
    nodes = sorted(set(pairs["record_id_l"]) | set(pairs["record_id_r"]))
    who = review_identities(data_dir, settings, [int(n) for n in nodes]).set_index("node_id")
    out.parent.mkdir(parents=True, exist_ok=True)
    header = [
        "pair", "job", "match_probability", "match_weight", "accepted_by_model",
        *KEY_COLUMNS,
        *(f"{c}_l" for c in SIDE_COLUMNS), *(f"{c}_r" for c in SIDE_COLUMNS), "decision",
    ]
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number, row in enumerate(pairs.to_dict("records"), start=1):
            a, b = int(row["record_id_l"]), int(row["record_id_r"])
            writer.writerow(
                [
                    number, row["job"], f"{float(row['match_probability']):.6f}",
                    f"{float(row['match_weight']):.3f}", "yes" if row["accepted"] else "no",
                    a, b, *_side(who, a), *_side(who, b), "",
                ]
            )
    return len(pairs)


def _side(who: pd.DataFrame, node: int) -> list[str]:
    if node not in who.index:
        return [""] * len(SIDE_COLUMNS)
    row = who.loc[node]
    if isinstance(row, pd.DataFrame):
        row = row.iloc[0]
    return [spreadsheet_safe("" if pd.isna(row[c]) else str(row[c])) for c in SIDE_COLUMNS]


def import_review(data_dir: Path, settings: DuckDBConfig, path: Path) -> ReviewImport:
    """Read decisions from a review file; every problem is reported at once, nothing is
    stored unless the whole file is good."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise ReviewError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise ReviewError(f"cannot read {path}: {err}") from None
    needed = (*KEY_COLUMNS, "decision")
    fields = set(rows[0]) if rows else set()
    missing = [c for c in needed if c not in fields]
    if missing:
        raise ReviewError(f"{path} lacks the column(s) {', '.join(missing)}")
    problems: list[str] = []
    decided: list[tuple[int, int, str, int]] = []
    undecided = 0
    for line, row in enumerate(rows, start=2):
        decision = (row.get("decision") or "").strip().lower()
        if not decision:
            undecided += 1
            continue
        if decision not in DECISIONS:
            problems.append(
                f"line {line}: decision must be accept, reject or empty, not {decision!r}"
            )
            continue
        try:
            a, b = int(row["record_id_l"]), int(row["record_id_r"])
        except (TypeError, ValueError):
            problems.append(f"line {line}: record_id_l and record_id_r must be whole numbers")
            continue
        decided.append((min(a, b), max(a, b), decision, line))
    with _connect(data_dir, settings, read_only=False) as con:
        if not _has_links(con):
            raise ReviewError(f"no linkage run in {data_dir}: run `recoverylink link` first")
        known = {
            (int(a), int(b))
            for a, b in con.execute(
                "SELECT record_id_l, record_id_r FROM link.links WHERE method = 'model'"
            ).fetchall()
        }
        for a, b, _, line in decided:
            if (a, b) not in known:
                problems.append(f"line {line}: the pair {a}, {b} is not a pair the last run scored")
        if problems:
            shown = "; ".join(problems[:20])
            more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
            raise ReviewError(f"{path}: {len(problems)} problem(s), nothing stored: {shown}{more}")
        con.execute(sql_block("person_map", "schema"))
        now = datetime.now(UTC).replace(tzinfo=None)
        con.executemany(
            "INSERT INTO link.review_decisions VALUES (?, ?, ?, ?, ?)",
            [(a, b, d, now, path.name) for a, b, d, _ in decided],
        )
    return ReviewImport(
        accepted=sum(d[2] == "accept" for d in decided),
        rejected=sum(d[2] == "reject" for d in decided),
        undecided=undecided,
    )
