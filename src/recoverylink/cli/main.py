"""The ``recoverylink`` command: global options, error handling, and the command list.

Each command (or group of commands) lives in its own module under ``cli/`` with a
``register(app)`` function; :data:`COMMANDS` is the one place they are added.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

# typer vendors click from 0.2x on; its usage error is the one class we catch from it
from typer._click.exceptions import UsageError

from recoverylink import __version__
from recoverylink.cli import (
    build,
    indicators,
    ingest,
    link,
    publish,
    run,
    serve,
    status,
    study,
    synth,
    validate,
)
from recoverylink.cli.errors import ExitCode, report_error
from recoverylink.cli.state import CliState, cli_state

COMMANDS: tuple[Callable[[typer.Typer], None], ...] = (
    synth.register,
    validate.register,
    ingest.register,
    status.register,
    link.register,
    build.register,
    indicators.register,
    study.register,
    publish.register,
    run.register,
    serve.register,
)
"""Every command module's ``register``, in the order ``--help`` lists them."""

app = typer.Typer(
    name="recoverylink",
    help="RecoveryLink: a drugs data warehouse for England.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        print(f"recoverylink {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar="RECOVERYLINK_DEBUG",
            help="On an error, show the full traceback as well as the one-line message.",
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="PATH",
            exists=True,
            dir_okay=False,
            help="Settings file read after the packaged defaults and ./recoverylink.toml "
            "(instead of the file named by RECOVERYLINK_CONFIG).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    state = cli_state(ctx)
    state.debug = debug
    state.config_path = config


for _register in COMMANDS:
    _register(app)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on ``argv`` (default ``sys.argv[1:]``) and return the exit code.

    Usage errors are reported by typer (exit 2). Any other exception becomes one
    line on stderr, with the traceback only under ``--debug``: exit 2 for bad
    input (:class:`~recoverylink.errors.InputError`), 1 for anything else.
    """
    state = CliState()
    try:
        result = app(
            args=list(argv) if argv is not None else None,
            prog_name="recoverylink",
            obj=state,
            standalone_mode=False,
        )
    except UsageError as exc:
        # one readable line, like every other error (typer would draw a box)
        where = exc.ctx.command_path if exc.ctx is not None else "recoverylink"
        message = exc.format_message()
        if message:  # (with no arguments at all, typer has already shown the help)
            print(f"error: {message} (see '{where} --help')", file=sys.stderr)
        return ExitCode.BAD_INPUT
    except (typer.Abort, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    except typer.Exit as exc:
        return int(exc.exit_code)
    except SystemExit as exc:
        return _exit_status(exc)
    except Exception as exc:
        return report_error(exc, debug=state.debug)
    return result if isinstance(result, int) else ExitCode.OK


def _exit_status(exc: SystemExit) -> int:
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or ExitCode.OK
    print(exc.code, file=sys.stderr)
    return ExitCode.FAILED


if __name__ == "__main__":
    sys.exit(main())
