"""Staging a load: its checked tables as Arrow, with record ids, ready to split between stores.

Each file's tables arrive from the validator as text frames (one column per
spec column, ``""`` for missing, a ``row`` index of line numbers). Staging adds
``record_id`` (a surrogate: the next number in the warehouse's sequence, never
derived from what the record says), ``load_id`` and ``source_row``, and for the
PNC and drug tests ``nominal_record_id``, the record id that stands for the
row's PNC id. The SQL in ``sql/<dataset>.sql`` then sends the identifier columns
to the identity store and everything else to the warehouse.

Record ids of one load are consecutive, ``first_record_id`` up to
``next_record_id`` in its ledger row: first any PNC ids seen for the first time,
then each table's rows in file order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from recoverylink.spec.batch import StackedTables


class RecordIds:
    """The warehouse's sequence of record ids."""

    def __init__(self, next_id: int) -> None:
        self.next_id = next_id

    def take(self, count: int) -> np.ndarray:
        ids = np.arange(self.next_id, self.next_id + count, dtype=np.int64)
        self.next_id += count
        return ids


def text_table(frame: pd.DataFrame) -> pa.Table:
    """A checked frame as Arrow text columns plus ``source_row`` (its line numbers)."""
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    rows = pa.array(frame.index.to_numpy(dtype=np.int64), pa.int64())
    return table.append_column("source_row", rows)


def with_ids(table: pa.Table, load_id: int, record_ids: np.ndarray) -> pa.Table:
    table = table.append_column("record_id", pa.array(record_ids, pa.int64()))
    return table.append_column("load_id", pa.array(np.full(table.num_rows, load_id), pa.int64()))


class PncIds:
    """PNC id -> the record id standing for it: as committed, plus those this run added.

    The committed map is ``identity.pnc_ids``; a PNC id seen for the first time
    gets the next record id of the load that saw it, and keeps it from then on.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._new: list[pa.Table] = []

    def resolve(self, pnc_ids: pa.Array, load_id: int, ids: RecordIds) -> np.ndarray:
        """The record id of each of ``pnc_ids`` (distinct, none empty), allocating new ones."""
        out = np.full(len(pnc_ids), -1, dtype=np.int64)
        if len(pnc_ids) == 0:
            return out
        lookup = pa.table({"pnc_id": pnc_ids, "position": np.arange(len(pnc_ids))})
        self.con.register("pnc_lookup", lookup)
        try:
            found = self.con.sql(
                "SELECT l.position, p.record_id FROM pnc_lookup AS l "
                "JOIN identity.pnc_ids AS p USING (pnc_id)"
            ).to_arrow_table()
        finally:
            self.con.unregister("pnc_lookup")
        out[found["position"].to_numpy()] = found["record_id"].to_numpy()
        if self._new:
            added = pa.concat_tables(self._new)
            where = pc.index_in(pnc_ids, value_set=added["pnc_id"])
            hit = np.asarray(pc.fill_null(where, -1).to_numpy(zero_copy_only=False))
            take = (out < 0) & (hit >= 0)
            out[take] = added["record_id"].to_numpy()[hit[take]]
        missing = out < 0
        if missing.any():
            out[missing] = ids.take(int(missing.sum()))
            fresh = pnc_ids.filter(pa.array(missing))
            self._new.append(
                pa.table(
                    {
                        "pnc_id": fresh,
                        "record_id": pa.array(out[missing], pa.int64()),
                        "load_id": pa.array(np.full(len(fresh), load_id), pa.int64()),
                    }
                )
            )
        return out

    def added(self) -> pa.Table | None:
        """The PNC ids first seen since the last call (to insert into identity.pnc_ids)."""
        if not self._new:
            return None
        table = pa.concat_tables(self._new)
        self._new = []
        return table


def nominal_ids(column: pa.ChunkedArray, load_id: int, pnc: PncIds, ids: RecordIds) -> pa.Array:
    """The record id for each row's PNC id; null where the row has none."""
    values = pc.unique(column)
    distinct = values.filter(pc.not_equal(values, ""))
    if len(distinct) == 0:
        return pa.nulls(len(column), pa.int64())
    resolved = pnc.resolve(distinct.cast(pa.large_string()), load_id, ids)
    where = pc.index_in(column, value_set=distinct)
    positions = np.asarray(pc.fill_null(where, -1).to_numpy(zero_copy_only=False))
    linked = np.where(positions >= 0, resolved[np.maximum(positions, 0)], 0)
    return pa.array(linked, pa.int64(), mask=positions < 0)


@dataclass
class Staged:
    """The staged tables of a commit group, by staging name (``staged_<name>`` in SQL)."""

    parts: dict[str, list[pa.Table]] = field(default_factory=dict)

    def add(self, name: str, table: pa.Table) -> None:
        self.parts.setdefault(name, []).append(table)

    def tables(self) -> dict[str, pa.Table]:
        return {n: pa.concat_tables(p, promote_options="default") for n, p in self.parts.items()}

    def __bool__(self) -> bool:
        return bool(self.parts)


def stage_load(
    kind: str,
    frames: Mapping[str, pd.DataFrame],
    load_id: int,
    ids: RecordIds,
    pnc: PncIds,
    staged: Staged,
) -> None:
    """Stage one accepted file's tables; record ids come from ``ids`` in the documented order."""
    if isinstance(frames, StackedTables):
        texts = {name: frames.arrow(name) for name in frames}
    else:
        texts = {name: text_table(frame) for name, frame in frames.items()}
    if kind == "pnc":
        nominals = texts["nominals"]
        own = nominal_ids(nominals["pnc_id"], load_id, pnc, ids)
        staged.add("nominals", with_ids(nominals, load_id, own.to_numpy(zero_copy_only=False)))
        for name in ("aliases", "disposals"):
            table = texts[name]
            links = nominal_ids(table["pnc_id"], load_id, pnc, ids)
            table = table.append_column("nominal_record_id", links)
            staged.add(name, with_ids(table, load_id, ids.take(table.num_rows)))
    elif kind == "drug_tests":
        table = texts["drug_tests"]
        links = nominal_ids(table["pnc_id"], load_id, pnc, ids)
        table = table.append_column("nominal_record_id", links)
        staged.add("drug_tests", with_ids(table, load_id, ids.take(table.num_rows)))
    else:
        for name, table in texts.items():
            staged.add(name, with_ids(table, load_id, ids.take(table.num_rows)))
