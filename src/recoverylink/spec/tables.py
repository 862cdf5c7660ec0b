"""The registry of every table in the spec, by name and by file name."""

from __future__ import annotations

import posixpath

from recoverylink.spec.deaths import DEATHS
from recoverylink.spec.drug_tests import DRUG_TESTS
from recoverylink.spec.pnc import ALIASES, DISPOSALS, NOMINALS
from recoverylink.spec.providers import PROVIDERS
from recoverylink.spec.schema import Column, Table
from recoverylink.spec.treatment import EPISODES, INTERVENTIONS, TOP

_ALL = (EPISODES, INTERVENTIONS, TOP, NOMINALS, ALIASES, DISPOSALS, DRUG_TESTS, DEATHS, PROVIDERS)
TABLES: dict[str, Table] = {t.name: t for t in _ALL}

# Stand-alone CSV datasets, recognised by the start of their file name.
_PREFIXES = (("drug_tests", DRUG_TESTS), ("deaths", DEATHS), ("providers", PROVIDERS))


def table(name: str) -> Table:
    """The table called ``name`` (e.g. "episodes"); KeyError if there is none."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no table {name!r} in the spec; tables: {', '.join(TABLES)}") from None


def columns(table_name: str) -> tuple[str, ...]:
    """The table's column names in file-layout order.

    >>> columns("aliases")
    ('pnc_id', 'surname', 'forenames', 'date_of_birth')
    """
    return table(table_name).column_names


def column_rules(table_name: str) -> tuple[Column, ...]:
    """The table's columns with their rules (kind, need, codes, identifier flag)."""
    return table(table_name).columns


def identifier_columns(table_name: str) -> tuple[str, ...]:
    """Columns that go to the identity store (names, initials, dates of birth, ...)."""
    return table(table_name).identifiers


def table_for_file(file: str) -> Table | None:
    """The table a CSV file holds, judged by its base name (zip members included).

    >>> table_for_file("treatment_P1_2021-05.zip/episodes.csv").name
    'episodes'
    >>> table_for_file("drug_tests_2021-05.csv").name
    'drug_tests'
    """
    base = posixpath.basename(file.replace("\\", "/"))
    for t in TABLES.values():
        if base == t.file_name:
            return t
    if base.endswith(".csv"):
        for prefix, t in _PREFIXES:
            if base.startswith(prefix):
                return t
    return None
