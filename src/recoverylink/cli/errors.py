"""Exit codes, and turning an exception into one readable line on stderr."""

from __future__ import annotations

import re
import sys
import traceback
from enum import IntEnum

from recoverylink.errors import InputError, RecoveryLinkError


class ExitCode(IntEnum):
    """What ``recoverylink`` exits with; documented in docs/cli.md."""

    OK = 0
    FAILED = 1
    """The job could not be done or its answer is "no" (a check failed), or a bug."""
    BAD_INPUT = 2
    """Bad arguments, settings or input files: fix what you gave and try again."""
    INTERRUPTED = 130


def exit_code_for(exc: BaseException) -> ExitCode:
    return ExitCode.BAD_INPUT if isinstance(exc, InputError) else ExitCode.FAILED


_STORE_LOCKED = re.compile(
    r'Could not set lock on file "(?P<file>[^"]+)": Conflicting lock is held in .*?'
    r"\(PID (?P<pid>\d+)\)"
)
"""DuckDB's words when another process holds a store open for writing (one writer at a time)."""


def error_line(exc: BaseException, debug: bool = False) -> str:
    """One line saying what went wrong, for people rather than developers.

    >>> error_line(InputError("scale must be more than 0"))
    'error: scale must be more than 0'
    >>> error_line(KeyError("episodes"))
    "error: unexpected KeyError: 'episodes' (run with --debug to see the traceback)"
    """
    message = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    busy = _STORE_LOCKED.search(message)
    if busy:
        return (f"error: {busy['file']} is in use by another process (PID {busy['pid']}), "
                "most likely another recoverylink command: wait for it to finish, then run "
                "this again")
    if isinstance(exc, RecoveryLinkError):
        return f"error: {message or type(exc).__name__}"
    detail = f": {message}" if message else ""
    hint = "" if debug else " (run with --debug to see the traceback)"
    return f"error: unexpected {type(exc).__name__}{detail}{hint}"


def report_error(exc: BaseException, debug: bool) -> ExitCode:
    """Write ``exc`` to stderr (with its traceback under ``debug``); return the exit code."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    print(error_line(exc, debug), file=sys.stderr)
    return exit_code_for(exc)
