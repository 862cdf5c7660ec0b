"""The landing archive: every file received, kept byte for byte, read-only, by checksum.

A file is kept at ``landing/<dataset>/<sha256>/<name as received>``, so two
different files with the same name (a month re-sent with corrections) are both
kept, and the same bytes under the same name are kept once. Files are created
read-only and never edited afterwards, and ingest checks the archived copy, not the file it
was given, so what is loaded is exactly what is kept.

Crash safety: before writing, the relative path is added to ``landing/.pending``.
Once the ledger rows that name the files are committed, they leave the journal. On
opening, any path still in the journal that no ledger row names (the run died
before its commit) is removed, so the archive, like the stores, holds exactly
what the ledger says was received.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from recoverylink.ingest.testhook import checkpoint

LANDING = "landing"
JOURNAL = ".pending"
_CHUNK = 1 << 20
_READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


class ChangedWhileReadingError(OSError):
    """The file's bytes changed between hashing and archiving."""


_IN_MEMORY = 64 << 20
"""Files up to this size are read once, hashed and archived from memory; larger ones stream."""


def sha256_of(path: Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class Fingerprint:
    """A file's checksum and size, and its bytes when it is small enough to hold."""

    sha256: str
    size: int
    data: bytes | None


def fingerprint(path: Path) -> Fingerprint:
    """Hash a file: read once into memory when small, else streamed."""
    if path.stat().st_size <= _IN_MEMORY:
        data = path.read_bytes()
        return Fingerprint(hashlib.sha256(data).hexdigest(), len(data), data)
    sha, size = sha256_of(path)
    return Fingerprint(sha, size, None)


class Landing:
    """The archive under ``<data dir>/landing``; paths it hands out are relative to the data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.root = data_dir / LANDING
        self._written: list[Path] = []
        self._journal_file: TextIO | None = None
        self._pending: list[str] = []

    def relative_path(self, kind: str, sha256: str, name: str) -> str:
        return f"{LANDING}/{kind}/{sha256}/{name}"

    def keep(self, source: Path, kind: str, fp: Fingerprint) -> str:
        """Archive ``source`` (fingerprint ``fp``); returns its path relative to the data dir.

        The copy is created read-only, straight under its final name: the journal
        entry written first lets recovery remove a copy left half-written. Raises
        :class:`ChangedWhileReadingError` if the bytes streamed from a large file
        do not have the checksum taken (the file changed since it was hashed).
        """
        relative = self.relative_path(kind, fp.sha256, source.name)
        target = self.data_dir / relative
        if target.exists():
            return relative
        self._journal(relative)
        checkpoint(f"archive: journal names {source.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _READ_ONLY)
        with os.fdopen(fd, "wb") as writer:
            if fp.data is not None:
                writer.write(fp.data)
            else:
                digest = hashlib.sha256()
                with source.open("rb") as reader:
                    while chunk := reader.read(_CHUNK):
                        digest.update(chunk)
                        writer.write(chunk)
                if digest.hexdigest() != fp.sha256:
                    writer.close()
                    target.unlink()
                    raise ChangedWhileReadingError(f"{source} changed while it was being archived")
        self._written.append(target)
        checkpoint(f"archive: copied {source.name}")
        return relative

    def _journal(self, relative: str) -> None:
        if self._journal_file is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._journal_file = (self.root / JOURNAL).open("a", encoding="utf-8")
        self._journal_file.write(relative + "\n")
        self._journal_file.flush()  # in the operating system before the copy exists
        self._pending.append(relative)

    def make_durable(self) -> None:
        """Flush the files written since the last call (and their folders) to disk.

        Called before the ledger that names them commits. Many small files are
        flushed from a pool of threads, which lets the file system commit them together.
        """
        files, self._written = self._written, []
        if not files:
            return
        folders = {f.parent for f in files} | {f.parent.parent for f in files} | {self.root}
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(_fsync, files))
            list(pool.map(_fsync, folders))

    def committed(self, paths: Collection[str]) -> None:
        """The ledger rows naming ``paths`` are committed: take them out of the journal."""
        done = set(paths)
        self._pending = [p for p in self._pending if p not in done]
        self.close()
        journal = self.root / JOURNAL
        if self._pending:
            rest = journal.with_name(JOURNAL + ".new")
            rest.write_text("".join(p + "\n" for p in self._pending), encoding="utf-8")
            os.replace(rest, journal)
        elif journal.exists():
            journal.unlink()

    def close(self) -> None:
        if self._journal_file is not None:
            self._journal_file.close()
            self._journal_file = None

    def recover(self, known: Callable[[Iterable[str]], Collection[str]]) -> list[str]:
        """Remove archived files of a run that died before its commit; returns their paths.

        ``known`` takes relative paths and returns those the ledger names.
        """
        journal = self.root / JOURNAL
        journal.with_name(JOURNAL + ".new").unlink(missing_ok=True)
        if not journal.exists():
            return []
        pending = [line for line in journal.read_text("utf-8").splitlines() if line]
        named = set(known(pending))
        removed = []
        for relative in dict.fromkeys(pending):
            if relative in named:
                continue
            target = self.data_dir / relative
            if target.exists():
                target.unlink()
                removed.append(relative)
            _remove_empty(target.parent, self.root)
        journal.unlink()
        return removed


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
