"""The column and table model the dataset modules declare their contracts in.

Every field arrives as text; a :class:`Column` says what the text must look like
(its kind), whether it may be empty, which codes it may hold and whether it is an
identifier. Identifiers (names, initials, dates of birth, sex, postcodes, postcode
districts, PNC ids, the provider's client reference) go to the identity store at
ingest and never reach the warehouse.

A column is required unless the spec calls it optional or says it may be missing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Literal

from recoverylink.spec.codes import YES_NO

if TYPE_CHECKING:
    from recoverylink.spec.checks import TableCheck

Kind = Literal["text", "code", "date", "integer", "format"]


class Need(Enum):
    """Whether a field must be filled."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    CONSENTED = "required when consent = y"


@dataclass(frozen=True)
class Format:
    """A textual format, as a regular expression the whole value must match.

    Patterns use only syntax that Python ``re`` and RE2 (pyarrow) agree on.
    """

    name: str
    pattern: str
    example: str


# One capital letter.
INITIAL = Format("initial", "[A-Z]", "J")
# Police National Computer id: two-digit year, slash, six-digit serial, check letter.
PNC_ID = Format("PNC id", "[0-9]{2}/[0-9]{6}[A-Z]", "06/123456A")
# Full UK postcode in capitals, the space between outward and inward code optional.
POSTCODE = Format("postcode", "[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", "LS6 1AN")
# Outward code only, in capitals.
POSTCODE_DISTRICT = Format("postcode district", "[A-Z]{1,2}[0-9][A-Z0-9]?", "SW1A")
# ICD-10: a letter and two digits, optionally a dot and one or two more digits.
ICD10 = Format("ICD-10 code", "[A-Z][0-9]{2}(\\.[0-9]{1,2})?", "F11.1")

# A fixed code list, or a function returning the codes of a reference table.
Codes = tuple[str, ...] | Callable[[], Collection[str]]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    need: Need = Need.REQUIRED
    codes: Codes | None = None
    codes_source: str = ""  # where reference codes come from, for messages
    format: Format | None = None
    minimum: int | None = None
    maximum: int | None = None
    identifier: bool = False

    def code_values(self) -> Collection[str]:
        """The allowed codes (empty for columns that are not coded)."""
        if self.codes is None:
            return ()
        return self.codes if isinstance(self.codes, tuple) else self.codes()


def text(name: str, need: Need = Need.REQUIRED, *, identifier: bool = False) -> Column:
    return Column(name, "text", need, identifier=identifier)


def code(
    name: str,
    codes: Codes,
    need: Need = Need.REQUIRED,
    *,
    source: str = "",
    identifier: bool = False,
) -> Column:
    return Column(name, "code", need, codes=codes, codes_source=source, identifier=identifier)


def yes_no(name: str, need: Need = Need.REQUIRED) -> Column:
    return Column(name, "code", need, codes=YES_NO)


def date(name: str, need: Need = Need.REQUIRED, *, identifier: bool = False) -> Column:
    return Column(name, "date", need, identifier=identifier)


def integer(name: str, minimum: int, maximum: int, need: Need = Need.REQUIRED) -> Column:
    return Column(name, "integer", need, minimum=minimum, maximum=maximum)


def formatted(
    name: str, fmt: Format, need: Need = Need.REQUIRED, *, identifier: bool = False
) -> Column:
    return Column(name, "format", need, format=fmt, identifier=identifier)


@dataclass(frozen=True)
class Table:
    """One CSV file of a dataset: its columns in file-layout order and its rules.

    ``unique`` lists the keys that must not repeat; the problem is reported on the
    key's last column. ``checks`` are the table's own row rules, run after the
    per-column checks.
    """

    name: str
    file_name: str
    columns: tuple[Column, ...]
    unique: tuple[tuple[str, ...], ...] = ()
    checks: tuple[Callable[[TableCheck], None], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Columns that go to the identity store."""
        return tuple(c.name for c in self.columns if c.identifier)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")
