"""Rules across the files of a treatment submission, and the discharge outcome class.

Interventions and TOP reviews are joined to their episode on (provider_code,
episode_ref); a row whose provider code already differs from the file name's is
reported as ``provider_code_mismatch`` only, not also as an orphan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from recoverylink.spec import codes
from recoverylink.spec.checks import TableCheck


def _key(t: TableCheck) -> pa.Array | pa.ChunkedArray:
    """provider_code and episode_ref joined by a unit separator, one text per row."""
    sep = pa.scalar("\x1f", pa.large_string())
    return pc.binary_join_element_wise(t.text("provider_code"), t.text("episode_ref"), sep)


def _episode_positions(episodes: TableCheck, child: TableCheck) -> np.ndarray:
    """For each child row, the position of its episode (first of duplicates), or -1."""
    found = pc.index_in(_key(child), value_set=_key(episodes))
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _lookup(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """values[positions], NaT where the position is -1 (every row's, when there are no values:
    a header-only episodes.csv leaves every child row an orphan)."""
    if len(values) == 0:
        return np.full(len(positions), np.datetime64("NaT"), dtype=values.dtype)
    out = values[np.maximum(positions, 0)]
    return np.where(positions >= 0, out, np.datetime64("NaT"))


def _link(episodes: TableCheck, child: TableCheck, orphan_rule: str) -> tuple[np.ndarray, ...]:
    """Report orphans; return the triage and discharge dates of each row's episode."""
    positions = _episode_positions(episodes, child)
    linkable = child.valid("provider_code") & child.valid("episode_ref")
    own = child.context.file_provider_code
    if own is not None:
        linkable &= child.equals("provider_code", own)
    msg = "episode {provider_code}/{value} is not in episodes.csv"
    child.flag(linkable & (positions < 0), orphan_rule, "episode_ref", msg)
    triage = _lookup(episodes.date("triage_date"), positions)
    discharge = _lookup(episodes.date("discharge_date"), positions)
    return triage, discharge


def check_submission(
    episodes: TableCheck, interventions: TableCheck | None, top: TableCheck | None
) -> None:
    """Cross-file rules; a file that is missing or lacks a key column is skipped."""
    key = ("provider_code", "episode_ref")
    if not episodes.has(*key, "triage_date", "discharge_date"):
        return
    if interventions is not None and interventions.has(*key, "start_date", "end_date"):
        _check_interventions(episodes, interventions)
    if top is not None and top.has(*key, "top_date"):
        _check_top(episodes, top)


def _check_interventions(episodes: TableCheck, t: TableCheck) -> None:
    triage, discharge = _link(episodes, t, "orphan_intervention")
    start, end = t.date("start_date"), t.date("end_date")
    extra = {"triage": triage, "discharge": discharge}
    msg = "start_date {value} is before the episode's triage_date {triage}"
    t.flag(start < triage, "intervention_before_triage", "start_date", msg, extra)
    msg = "{column} {value} is after the episode's discharge_date {discharge}"
    t.flag(end > discharge, "intervention_after_discharge", "end_date", msg, extra)
    late_start = np.isnat(end) & (start > discharge)
    t.flag(late_start, "intervention_after_discharge", "start_date", msg, extra)


def _check_top(episodes: TableCheck, t: TableCheck) -> None:
    triage, discharge = _link(episodes, t, "orphan_top")
    when = t.date("top_date")
    extra = {"triage": triage, "discharge": discharge}
    msg = "top_date {value} is before the episode's triage_date {triage}"
    t.flag(when < triage, "top_outside_episode", "top_date", msg, extra)
    msg = "top_date {value} is after the episode's discharge_date {discharge}"
    t.flag(when > discharge, "top_outside_episode", "top_date", msg, extra)


def outcome_class(episodes: pd.DataFrame) -> pd.Series:
    """Outcome class of each episode's discharge: successful, transfer, unsuccessful, other.

    ``completed_occasional_user`` is accepted for every client but counts as
    successful only when none of substance_1..3 is heroin or crack (spec §1,
    discharge reasons). For heroin or crack users it is neither a success nor a
    drop-out, so it goes to "other" (as the synthetic generator's calibration
    does). Open episodes and unknown reasons get "".
    """
    reason = episodes["discharge_reason"].astype("str").fillna("")
    result = reason.map(codes.DISCHARGE_REASON_CLASS).fillna("").astype("str")
    excluded = codes.OCCASIONAL_USER_EXCLUDED_SUBSTANCES
    users = np.zeros(len(episodes), dtype=bool)
    for column in ("substance_1", "substance_2", "substance_3"):
        if column in episodes.columns:
            users |= episodes[column].isin(excluded).to_numpy(dtype=bool)
    occasional = (reason == "completed_occasional_user").to_numpy(dtype=bool)
    return result.mask(occasional & users, "other")
