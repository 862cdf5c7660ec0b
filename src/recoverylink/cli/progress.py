"""Rich progress bars for the :class:`recoverylink.progress.Progress` protocol."""

from __future__ import annotations

import os
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


def bars_wanted(console: Console) -> bool:
    """Bars only on an interactive terminal: never in CI logs or redirected output."""
    return console.is_terminal and not os.environ.get("CI")


class RichProgress:
    """One bar per stage; finished bars stay on screen as a record of the stages.

    Use as a context manager so the last bar is closed even if the job fails.
    When ``enabled`` is false (by default: when :func:`bars_wanted` says no) it draws nothing.
    """

    def __init__(self, console: Console | None = None, enabled: bool | None = None) -> None:
        self.console = console if console is not None else Console()
        self.enabled = bars_wanted(self.console) if enabled is None else enabled
        self._bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            disable=not self.enabled,
        )
        self._task: TaskID | None = None
        self._started = False
        self.stages: list[str] = []
        """Descriptions of the stages seen so far, in order."""

    def stage(self, description: str, total: int) -> None:
        self._finish_stage()
        if not self._started:
            self._bars.start()
            self._started = True
        self.stages.append(description)
        self._task = self._bars.add_task(description, total=total if total > 0 else None)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._bars.advance(self._task, steps)

    def close(self) -> None:
        self._finish_stage()
        if self._started:
            self._bars.stop()
            self._started = False

    def _finish_stage(self) -> None:
        if self._task is not None:
            self._bars.stop_task(self._task)
            self._task = None

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
