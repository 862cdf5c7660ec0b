"""What a received file does to the stores, decided from the ledger before and after checking.

The rules (spec §1, §2, §6; docs/ingest.md "What a file does"):

- The same bytes under the same name as a file already loaded change nothing
  (``unchanged``), even if that file has been replaced since.
- Each dataset file fills a *slot*: a provider's financial year of treatment,
  the PNC extract, a month of drug tests, a year of deaths, a reference table.
  A valid file for an empty slot is ``loaded``; for a filled slot it
  ``replaced`` the file there, whose rows go.
- A treatment submission for an earlier month than the one loaded for its
  provider and financial year, or a PNC extract dated before the one loaded,
  is ``refused``: cumulative extracts only move forward. A file for the same
  month or date with different bytes is a correction and replaces it.
  A providers register dated before the newest dated register loaded is refused too.
- A file that breaks the spec is ``rejected``; nothing of it is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from recoverylink.ingest.files import Kind, Received
from recoverylink.ingest.ledger import REFUSED, REJECTED, LedgerState, SlotHolder
from recoverylink.spec import Problem


class Outcome(StrEnum):
    """What happened to one file in a run (the columns of the ingest summary)."""

    LOADED = "loaded"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    REJECTED = "rejected"
    UNREADABLE = "unreadable"


ORDERED_SLOTS = (Kind.TREATMENT, Kind.PNC)
"""Datasets whose files only move forward in time within a slot."""


@dataclass(frozen=True)
class FileOutcome:
    """One file's outcome in a run, for the summary and the log (identifiers masked)."""

    path: Path
    kind: Kind
    outcome: Outcome
    note: str
    load_id: int | None = None
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0


def unchanged_note(received: Received, sha256: str, state: LedgerState) -> str | None:
    """Why the file changes nothing (an identical re-send), or None."""
    seen = state.seen.get((received.name, sha256))
    if seen is None or seen.status in (REJECTED, REFUSED):
        return None
    when = f"{seen.received_at:%Y-%m-%d %H:%M}"
    return f"identical to load {seen.load_id} (received {when}); nothing to do"


def refusal_note(received: Received, state: LedgerState) -> str | None:
    """Why the file is refused (older than what its slot holds), or None."""
    if received.kind is Kind.PROVIDERS:
        if received.period and received.period < state.latest_register:
            return (
                f"register dated {received.period} is older than the register dated "
                f"{state.latest_register} already loaded"
            )
        return None
    holder = state.slots.get(received.slot) if received.slot else None
    if holder is None or received.kind not in ORDERED_SLOTS or received.period >= holder.period:
        return None
    what = _slot_words(received)
    return (
        f"older than {holder.file_name} (load {holder.load_id}), already loaded for {what}; "
        "a cumulative extract cannot go back in time"
    )


def loaded_note(received: Received, holder: SlotHolder | None) -> str:
    what = _slot_words(received)
    if received.kind is Kind.PROVIDERS:
        return "providers register merged: new providers added, named ones updated"
    if holder is None:
        return f"loaded for {what}"
    if holder.period == received.period and holder.file_name == received.name:
        return (
            f"replaces load {holder.load_id} of the same file name, sent again with other content"
        )
    return f"replaces {holder.file_name} (load {holder.load_id}) for {what}"


def _slot_words(received: Received) -> str:
    if received.kind is Kind.TREATMENT:
        year = received.slot.rsplit("/", 1)[-1]
        return f"provider {received.provider_code}, financial year {year}"
    if received.kind is Kind.PNC:
        return "the PNC extract"
    if received.kind is Kind.DRUG_TESTS:
        return f"drug tests of {received.period}"
    if received.kind is Kind.DEATHS:
        return f"deaths registered in {received.period}"
    if received.kind is Kind.REFERENCE:
        return f"reference table {received.slot.removeprefix('reference/')}"
    return received.kind.value
