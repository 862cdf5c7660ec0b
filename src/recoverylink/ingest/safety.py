"""Safety limits on submitted files, from the settings, for validate and ingest.

Submissions come from outside and may be hostile. The readers in
:mod:`recoverylink.spec` enforce :class:`~recoverylink.spec.limits.ReadLimits`
(zip size, entries, member and total sizes, compression ratio, field size,
binary content); this module turns the ``[ingest]`` settings into those limits
and puts them in force for a command, and checks a file's size on disk before
anything reads it into memory. Usage, in a command::

    with configured_limits(config):
        for path in paths:
            problems = oversized(path) or validate_path(path)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from pathlib import Path

from recoverylink.config import Config
from recoverylink.spec.limits import (
    ReadLimits,
    current_limits,
    limits_in_force,
    size_text,
)
from recoverylink.spec.problems import Problem

__all__ = [
    "ReadLimits",
    "configured_limits",
    "current_limits",
    "limits_from_config",
    "limits_in_force",
    "oversized",
]


def limits_from_config(config: Config) -> ReadLimits:
    """The ``[ingest]`` settings as the readers' limits."""
    settings = config.ingest
    return ReadLimits(
        max_zip_bytes=settings.max_zip_bytes,
        max_csv_bytes=settings.max_csv_bytes,
        max_unzipped_bytes=settings.max_unzipped_bytes,
        max_compression_ratio=settings.max_compression_ratio,
        max_field_bytes=settings.max_field_bytes,
    )


@contextmanager
def configured_limits(config: Config) -> Iterator[ReadLimits]:
    """Put the configured limits in force for the ``with`` block (readers use them)."""
    with limits_in_force(limits_from_config(config)) as limits:
        yield limits


def oversized(path: str | PathLike[str], limits: ReadLimits | None = None) -> list[Problem]:
    """A ``too_large`` problem if the file on disk is over its limit, before it is read.

    A ``.zip`` is held to ``max_zip_bytes``, anything else to ``max_csv_bytes``.
    Returns [] for a file within its limit; raises ``OSError`` (for instance
    ``FileNotFoundError``) if the file cannot be looked at.
    """
    limits = limits or current_limits()
    name = Path(path).name
    size = Path(path).stat().st_size
    is_zip = name.lower().endswith(".zip")
    limit = limits.max_zip_bytes if is_zip else limits.max_csv_bytes
    if size <= limit:
        return []
    what = "zip" if is_zip else "file"
    msg = f"the {what} is {size_text(size)}; the limit is {size_text(limit)}"
    return [Problem(name, None, None, None, "too_large", msg)]
