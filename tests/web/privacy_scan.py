"""Scanning everything the website publishes for identifiers and for small counts.

:func:`crawl` fetches every page of the site reachable from ``/`` (with its
``.json`` and ``.csv`` twins, which every page links to) and every file it
offers to download; :class:`Scan` reads what they say and :meth:`Scan.leaks` names
any identifier from the identity store found in it:

- PNC ids, providers' client references and dates of birth (written
  ``YYYY-MM-DD`` or ``DD/MM/YYYY``), as whole tokens anywhere;
- full names (each forename with the surname, in either order) and full
  postcodes, as runs of whole tokens anywhere;
- surnames and forenames alone, as a whole cell (a JSON string or a CSV
  cell), unless the cell is a place name of the reference data (Wakefield is
  an area as well as a surname).

Initials are single letters and postcode districts two to four characters:
alone they identify no one and collide with ordinary text (``c`` is the mark
of a suppressed cell), so they are not searched for; with a date of birth they
would be caught by the date.

:meth:`Scan.small_counts` names any count from 1 to 4 left unsuppressed in a
count column of a JSON twin or a CSV (pages' twins and downloads).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import duckdb

TOKEN = re.compile(r"[a-z0-9]+(?:[/-][a-z0-9]+)*")
HREF = re.compile(r'(?:href|action)="([^"#]*)')

CURVES = {"funnel_lines", "case_mix_funnel_lines"}
"""Tables of funnel limits: their denominators are points along an axis, not counts."""

COUNT_KEYS = {"numerator", "n", "observed", "people", "persons"}
"""Keys (JSON) and columns (CSV) that always count people or journeys."""


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def place_names() -> set[str]:
    """Local authority, region and police force names of the reference data, lower case."""
    text = resources.files("recoverylink.spec").joinpath("data/local_authorities.csv").read_text(
        "utf-8"
    )
    names: set[str] = set()
    for row in csv.DictReader(io.StringIO(text)):
        for column in ("la_name", "region_name", "police_force_name"):
            names.add(row[column].strip().lower())
    return names


@dataclass
class Identifiers:
    """What the identity store holds, in the forms the scan looks for."""

    single: set[str] = field(default_factory=set)
    phrases: set[tuple[str, ...]] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    @classmethod
    def from_identity_store(cls, path: Path) -> Identifiers:
        found = cls()
        con = duckdb.connect(str(path), read_only=True)
        try:
            def column(sql: str) -> list[Any]:
                return [row[0] for row in con.execute(sql).fetchall() if row[0] is not None]

            for table in ("pnc_nominals", "pnc_aliases", "drug_tests", "pnc_ids"):
                found.single.update(t.lower() for t in column(
                    f"SELECT DISTINCT pnc_id FROM {table}"))
            found.single.update(t.lower() for t in column(
                "SELECT DISTINCT client_ref FROM treatment_episodes"))
            for table in ("treatment_episodes", "pnc_nominals", "pnc_aliases", "drug_tests",
                          "deaths"):
                for born in column(f"SELECT DISTINCT date_of_birth FROM {table}"):
                    found.single.add(born.isoformat())
                    found.single.add(born.strftime("%d/%m/%Y"))
            for table in ("pnc_nominals", "pnc_aliases", "deaths"):
                for surname, forenames in con.execute(
                    f"SELECT DISTINCT surname, forenames FROM {table}"
                ).fetchall():
                    last = tuple(tokens(surname or ""))
                    firsts = tokens(forenames or "")
                    if last:
                        found.names.add(" ".join(last))
                    for first in firsts:
                        found.names.add(first)
                        if last:
                            found.phrases.add((first, *last))
                            found.phrases.add((*last, first))
                    if firsts and last:
                        found.phrases.add((*firsts, *last))
            for table in ("pnc_nominals", "deaths"):
                for postcode in column(f"SELECT DISTINCT postcode FROM {table}"):
                    parts = tuple(tokens(postcode))
                    if len(parts) == 2:
                        found.phrases.add(parts)
        finally:
            con.close()
        found.names -= place_names()
        return found


@dataclass
class Scan:
    """What is published, searched for ``identifiers`` as it is read; findings by source."""

    identifiers: Identifiers = field(default_factory=Identifiers)
    found: list[str] = field(default_factory=list)
    counts: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    population_indicators: set[str] = field(default_factory=set)
    """Indicators whose denominator is a population, not a count of people."""
    study_counts: dict[str, set[str]] = field(default_factory=dict)
    """Published study table id -> its count columns."""

    def __post_init__(self) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in self.identifiers.phrases:
            self._by_first.setdefault(phrase[0], []).append(phrase)

    def text(self, source: str, text: str) -> None:
        self.sources.append(source)
        found = tokens(text)
        for token in sorted(set(found) & self.identifiers.single):
            self.found.append(f"{source}: {token}")
        for i, token in enumerate(found):
            for phrase in self._by_first.get(token, ()):
                if tuple(found[i: i + len(phrase)]) == phrase:
                    self.found.append(f"{source}: {' '.join(phrase)}")

    def cell(self, source: str, value: str) -> None:
        key = " ".join(tokens(value))
        if key in self.identifiers.names:
            self.found.append(f"{source}: cell {key!r}")

    # -- what the site serves ------------------------------------------------------------

    def json_document(self, source: str, document: Any) -> None:
        self.text(source, json.dumps(document))
        self._walk(source, document, {})

    def _walk(self, source: str, node: Any, context: dict[str, Any]) -> None:
        if isinstance(node, dict):
            context = {**context, **{k: node[k] for k in ("indicator_id", "table_id", "unit")
                                     if k in node and isinstance(node[k], str)}}
            columns = self.study_counts.get(context.get("table_id", ""), set())
            for key, value in node.items():
                if isinstance(value, dict | list):
                    self._walk(source, value, context)
                    continue
                if isinstance(value, str):
                    self.cell(source, value)
                if self._is_count(key, context, columns) or (
                    key == "value" and context.get("unit") == "people"
                ):
                    self._check_count(source, key, value)
        elif isinstance(node, list):
            for item in node:
                self._walk(source, item, context)

    def csv_document(self, source: str, text: str, table_id: str = "") -> None:
        self.text(source, text)
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        rows = list(reader)
        for i in range(len(header)):
            values = {row[i] for row in rows if i < len(row)}
            for value in values:
                if value and not (value[0].isdigit() or value[0] in "-.["):
                    self.cell(source, value)
        if table_id in CURVES:
            return
        columns = self.study_counts.get(table_id, set())
        where = header.index("indicator_id") if "indicator_id" in header else None
        for i, column in enumerate(header):
            if column in COUNT_KEYS or column in columns:
                for row in rows:
                    self._check_count(source, column, _number(row[i]))
            elif column == "denominator":
                for row in rows:
                    indicator = row[where] if where is not None else ""
                    if indicator not in self.population_indicators:
                        self._check_count(source, column, _number(row[i]))
            elif column == "value" and "unit" in header:
                unit = header.index("unit")
                for row in rows:
                    if row[unit] == "people":
                        self._check_count(source, column, _number(row[i]))

    def workbook(self, source: str, data: bytes) -> None:
        """The text of every XML part of an .xlsx or .ods (cells, sheet names, notes)."""
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for name in book.namelist():
                if name.endswith(".xml"):
                    xml = book.read(name).decode("utf-8", "replace")
                    text = re.sub(r"<[^>]+>", " ", xml)
                    self.text(f"{source}:{name}", text)
                    for cell in re.findall(r">([^<>]+)<", xml):
                        self.cell(f"{source}:{name}", cell)

    def _is_count(self, key: str, context: dict[str, Any], study_columns: set[str]) -> bool:
        if key in COUNT_KEYS or key in study_columns:
            return True
        return key == "denominator" and (
            context.get("indicator_id", "") not in self.population_indicators
        )

    def _check_count(self, source: str, key: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        if 1 <= value <= 4 and float(value).is_integer():
            self.counts.append(f"{source}: {key} = {value}")

    # -- findings -------------------------------------------------------------------------

    def leaks(self) -> list[str]:
        return sorted(set(self.found))

    def small_counts(self) -> list[str]:
        return self.counts


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def crawl(
    get: Any, start: str = "/", extra: Iterable[str] = ()
) -> Iterator[tuple[str, str, bytes]]:
    """(url, content type, body) of every page and file reachable from ``start``, then of
    the ``extra`` URLs (whose links are not followed).

    ``get(url)`` returns a response (httpx or TestClient). Only the site's own
    pages and downloads are followed; its CSS, JavaScript, fonts and images are not.
    """
    queue = deque([start])
    seen = {start}
    while queue:
        url = queue.popleft()
        response = get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        content_type = response.headers.get("content-type", "")
        yield url, content_type, response.content
        if not content_type.startswith("text/html"):
            continue
        for href in HREF.findall(response.text):
            href = href.replace("&amp;", "&")
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(("/govuk/", "/assets/", "/static/")):
                continue
            if target not in seen:
                seen.add(target)
                queue.append(target)
    for url in extra:
        if url in seen:
            continue
        seen.add(url)
        response = get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        yield url, response.headers.get("content-type", ""), response.content
