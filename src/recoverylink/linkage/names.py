"""Names as the linkage compares them: normalised, split, and widened by nicknames.

Treatment records and drug tests carry only initials; police and death records
carry full names. A client who calls himself Bill is recorded ``B`` by a
treatment provider and ``William`` by the police, so the linkage compares a
treatment initial with every initial a named record could give: its forenames'
and their nicknames' (the hand-curated ``nicknames`` dataset: William is Bill,
Bill is William).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from nicknames import NickNamer

_NOT_LETTER = re.compile(r"[^A-Z' -]")
_SPACES = re.compile(r"[\s-]+")


def normalise_name(name: str | None) -> str:
    """Upper case, letters, apostrophes and single spaces only; hyphens become spaces.

    >>> normalise_name("  o'Neil-smith ")
    "O'NEIL SMITH"
    >>> normalise_name("Zoë")
    'ZO'
    >>> normalise_name(None)
    ''
    """
    if not name:
        return ""
    text = _NOT_LETTER.sub("", name.upper().replace("-", " "))
    return _SPACES.sub(" ", text).strip()


def forename_tokens(forenames: str | None) -> list[str]:
    """The separate forenames, first first.

    >>> forename_tokens("John  paul")
    ['JOHN', 'PAUL']
    """
    return [t for t in normalise_name(forenames).replace("'", "").split(" ") if t]


@lru_cache(maxsize=1)
def _namer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=65536)
def name_variants(forename: str) -> tuple[str, ...]:
    """The forename itself and the names it may stand for or be given as, upper case, sorted.

    >>> "BILL" in name_variants("WILLIAM"), "WILLIAM" in name_variants("BILL")
    (True, True)
    >>> name_variants("")
    ()
    """
    if not forename:
        return ()
    namer = _namer()
    low = forename.lower()
    found = {low} | set(namer.nicknames_of(low)) | set(namer.canonicals_of(low))
    return tuple(sorted(n.upper() for n in found if len(n) > 1 or n == low))


def possible_first_initials(forenames: str | None) -> list[str]:
    """Every initial a person with these forenames might give as a first initial, sorted.

    The first letter of each forename (people go by a middle name) and of every
    nickname or formal name of the first forename.

    >>> possible_first_initials("William James")
    ['B', 'J', 'W']
    >>> possible_first_initials("")
    []
    """
    tokens = forename_tokens(forenames)
    letters = {t[0] for t in tokens}
    if tokens:
        letters |= {v[0] for v in name_variants(tokens[0])}
    return sorted(letters)


def variant_rows(forenames: Iterable[str]) -> list[tuple[str, str]]:
    """(forename, variant) for every distinct first forename given, to load as a lookup table.

    >>> ("BILL", "WILLIAM") in variant_rows(["BILL", "BILL"])
    True
    >>> len(variant_rows(["BILL", "BILL"])) == len(name_variants("BILL"))
    True
    """
    rows: list[tuple[str, str]] = []
    for name in sorted(set(forenames)):
        rows.extend((name, v) for v in name_variants(name))
    return rows
