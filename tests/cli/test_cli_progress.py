"""RichProgress: one bar per stage on a terminal, nothing in CI or redirected output."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from recoverylink.cli.progress import RichProgress
from recoverylink.progress import Progress


def terminal(buffer: io.StringIO) -> Console:
    return Console(file=buffer, force_terminal=True, width=100)


def run_two_stages(progress: Progress) -> None:
    progress.stage("people", total=4)
    progress.advance(3)
    progress.advance()
    progress.stage("deaths", total=2)
    progress.advance(2)
    progress.close()


def test_draws_one_bar_per_stage_on_a_terminal() -> None:
    buffer = io.StringIO()
    progress = RichProgress(terminal(buffer))
    assert progress.enabled
    run_two_stages(progress)
    drawn = buffer.getvalue()
    assert "people" in drawn and "4/4" in drawn
    assert "deaths" in drawn and "2/2" in drawn
    assert progress.stages == ["people", "deaths"]


def test_hidden_when_ci_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    buffer = io.StringIO()
    progress = RichProgress(terminal(buffer))
    assert not progress.enabled
    run_two_stages(progress)
    assert buffer.getvalue() == ""


def test_hidden_when_output_is_not_a_terminal() -> None:
    buffer = io.StringIO()
    progress = RichProgress(Console(file=buffer))
    assert not progress.enabled
    run_two_stages(progress)
    assert buffer.getvalue() == ""
    assert progress.stages == ["people", "deaths"]


def test_context_manager_closes_and_advance_before_a_stage_is_harmless() -> None:
    buffer = io.StringIO()
    with RichProgress(terminal(buffer)) as progress:
        progress.advance()
        progress.stage("unknown length", total=0)
        progress.advance(5)
    assert "unknown length" in buffer.getvalue()
    progress.close()  # a second close does nothing
