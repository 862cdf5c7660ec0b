"""The linkage's SQL files (``linkage/sql/*.sql``), read as named blocks."""

from __future__ import annotations

from recoverylink.sqlfiles import package_sql_blocks


def sql_blocks(name: str) -> dict[str, str]:
    return package_sql_blocks("recoverylink.linkage", name)


def sql_block(name: str, block: str) -> str:
    return sql_blocks(name)[block]
