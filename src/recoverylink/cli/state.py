"""What the root command's options decide, shared with every subcommand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from recoverylink.config import Config


@dataclass
class CliState:
    """Set by the root callback; read by subcommands through :func:`cli_state`."""

    debug: bool = False
    config_path: Path | None = None
    _config: Config | None = field(default=None, repr=False)

    def config(self) -> Config:
        """The settings, read on first use so that a broken file cannot block ``--help``."""
        if self._config is None:
            from recoverylink.config import load_config

            self._config = load_config(self.config_path)
        return self._config


def cli_state(ctx: typer.Context) -> CliState:
    return ctx.ensure_object(CliState)
