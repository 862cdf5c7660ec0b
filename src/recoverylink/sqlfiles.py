"""SQL files shipped in a package's ``sql/`` folder, read as named blocks.

A file is a comment (what it builds and why) followed by blocks, each
starting at a ``-- name: X`` line. Business logic lives in these files so an
analyst can read it without reading Python.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_NAMED = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


@cache
def package_sql_blocks(package: str, name: str) -> dict[str, str]:
    """The blocks of ``<package>/sql/<name>.sql``, in file order.

    Text before the first name (the file's comment) is dropped. A file
    without names is one block called ``all``.
    """
    folder = resources.files(package).joinpath("sql")
    text = folder.joinpath(f"{name}.sql").read_text("utf-8")
    parts = _NAMED.split(text)
    if len(parts) == 1:
        return {"all": text}
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}
