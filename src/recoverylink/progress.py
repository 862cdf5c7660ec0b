"""Progress reporting that long jobs accept without knowing about terminals.

Library code takes a :class:`Progress` and calls ``stage``/``advance``; the CLI
passes one that draws rich progress bars, tests pass nothing (``NULL_PROGRESS``).
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, description: str, total: int) -> None:
        """Start a new stage of ``total`` steps (ends the previous one)."""

    def advance(self, steps: int = 1) -> None:
        """Record ``steps`` more steps of the current stage as done."""

    def close(self) -> None:
        """End the last stage."""


class NullProgress:
    """Reports nothing."""

    def stage(self, description: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


NULL_PROGRESS = NullProgress()
