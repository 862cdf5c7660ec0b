"""The linkage's SQL files (``linkage/sql/*.sql``), read as named blocks."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_NAMED = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


@cache
def sql_blocks(name: str) -> dict[str, str]:
    """The blocks of ``sql/<name>.sql``, each starting at a ``-- name: X`` line.

    Text before the first name (the file's comment) is dropped.
    """
    folder = resources.files("recoverylink.linkage").joinpath("sql")
    text = folder.joinpath(f"{name}.sql").read_text("utf-8")
    parts = _NAMED.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def sql_block(name: str, block: str) -> str:
    return sql_blocks(name)[block]
