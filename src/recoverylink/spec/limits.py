"""Limits on what a submitted file may make the reader do: sizes, ratios, field length.

Submissions come from outside and may be hostile: a zip bomb, a field of a
gigabyte, a zip whose directory lists millions of entries. The readers
(:mod:`recoverylink.spec.archive`, :mod:`recoverylink.spec.csvread`) take a
:class:`ReadLimits`; when the caller gives none they use the limits in force
(:func:`limits_in_force`), which are the packaged defaults unless a command set
its configured ones (``[ingest]`` in the settings, see
``recoverylink.ingest.safety.limits_from_config``). The defaults here must equal
those in ``default_config.toml`` (a test keeps them in step).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

RATIO_CHECKED_FROM = MIB
"""Members smaller than this uncompressed are not held to the compression ratio.

A tiny, very regular CSV can compress better than any sensible ratio limit, and a
member this small cannot hurt; a zip bomb needs a large output.
"""

MAX_ZIP_ENTRIES = 1000
"""Entries a zip's directory may list. A submission holds three files; a directory
of millions of entries would take gigabytes just to list, so it is refused unread."""


@dataclass(frozen=True)
class ReadLimits:
    """How big a submitted file may be, and how far it may expand.

    ``max_zip_bytes``: a zip archive as sent; ``max_csv_bytes``: one CSV file, on
    its own or a zip member once uncompressed; ``max_unzipped_bytes``: all of a
    zip's members together, uncompressed; ``max_compression_ratio``: how many
    times larger than its compressed size a member may grow (members under
    :data:`RATIO_CHECKED_FROM` bytes are exempt); ``max_field_bytes``: one field
    of a CSV file, in UTF-8 bytes.
    """

    max_zip_bytes: int = 2 * GIB
    max_csv_bytes: int = 4 * GIB
    max_unzipped_bytes: int = 8 * GIB
    max_compression_ratio: float = 100.0
    max_field_bytes: int = MIB

    def __post_init__(self) -> None:
        for name in ("max_zip_bytes", "max_csv_bytes", "max_unzipped_bytes", "max_field_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be 1 or more")
        if not self.max_compression_ratio >= 1:
            raise ValueError("max_compression_ratio must be 1 or more")


DEFAULT_LIMITS = ReadLimits()
_IN_FORCE: ContextVar[ReadLimits | None] = ContextVar("recoverylink_read_limits", default=None)


def current_limits() -> ReadLimits:
    """The limits in force: the packaged defaults unless :func:`limits_in_force` set others."""
    return _IN_FORCE.get() or DEFAULT_LIMITS


@contextmanager
def limits_in_force(limits: ReadLimits) -> Iterator[ReadLimits]:
    """Make ``limits`` the ones readers use when given none, for the ``with`` block."""
    token = _IN_FORCE.set(limits)
    try:
        yield limits
    finally:
        _IN_FORCE.reset(token)


def size_text(size: float) -> str:
    """A byte count for people: exact, and in binary units when that helps.

    >>> size_text(512), size_text(1536), size_text(3 * 1024**3)
    ('512 bytes', '1,536 bytes (1.5 KiB)', '3,221,225,472 bytes (3 GiB)')
    """
    exact = f"{int(size):,} bytes"
    for unit, step in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= step:
            return f"{exact} ({size / step:.1f}".removesuffix(".0") + f" {unit})"
    return exact
