"""The one URL builder of the website: every link in every template and twin comes from here.

Every page has three forms, the same data each time: HTML at its path, and
twins with ``.json`` and ``.csv`` added to the path (``/`` has ``/index.json``
and ``/index.csv``). The query string (the period and substance group of an
area page, the search words) carries over unchanged to the twins, so a twin is
always the page the reader was looking at, as data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlencode

Format = Literal["html", "json", "csv"]
FORMATS: tuple[Format, ...] = ("html", "json", "csv")
SUFFIXES: dict[Format, str] = {"html": "", "json": ".json", "csv": ".csv"}


@dataclass(frozen=True)
class Page:
    """A kind of page: its name and its path, ``{name}`` standing for a path parameter."""

    name: str
    path: str

    @property
    def params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


PAGES: dict[str, Page] = {
    page.name: page
    for page in (
        Page("overview", "/"),
        Page("areas", "/areas"),
        Page("area", "/areas/{code}"),
        Page("studies", "/studies"),
        Page("study", "/studies/{study}"),
        Page("methods", "/methods"),
        Page("downloads", "/downloads"),
    )
}
"""Every page type of the site, each with ``.json`` and ``.csv`` twins."""

DOWNLOAD_FILE = "/downloads/files/{name}"
ASSETS = "/assets"
"""GOV.UK Frontend's fonts and images (its CSS asks for ``/assets/...``)."""
GOVUK = "/govuk"
"""GOV.UK Frontend's compiled CSS and JavaScript."""
STATIC = "/static"
"""The site's own CSS."""


def route_path(name: str, fmt: Format) -> str:
    """The path a page's route is registered under, for one format."""
    path = PAGES[name].path
    if path == "/":
        return "/" if fmt == "html" else f"/index{SUFFIXES[fmt]}"
    return path + SUFFIXES[fmt]


def url(name: str, fmt: Format = "html", /, **params: object) -> str:
    """The URL of page ``name`` in format ``fmt``.

    Path parameters (``code`` of ``area``, ``study`` of ``study``) are filled
    in; any other parameter whose value is not None goes into the query string,
    in a fixed (sorted) order so that one page has one URL (and one cache entry).
    """
    page = PAGES.get(name)
    if page is None:
        raise KeyError(f"no page called {name!r}")
    if fmt not in SUFFIXES:
        raise ValueError(f"no format {fmt!r}: one of {', '.join(FORMATS)}")
    path = route_path(name, fmt)
    for key in page.params:
        value = params.pop(key, None)
        if value is None or str(value) == "":
            raise ValueError(f"the {name} page needs {key}")
        path = path.replace("{" + key + "}", quote(str(value), safe=""))
    return path + query_string(params)


def query_string(params: dict[str, object]) -> str:
    pairs = sorted((key, str(value)) for key, value in params.items() if value is not None)
    return "?" + urlencode(pairs) if pairs else ""


def twin(path: str, query: str, fmt: Format) -> str:
    """The ``fmt`` form of the page at ``path`` (any of its forms) with query ``query``."""
    base = page_path(path)
    if base == "/":
        target = "/" if fmt == "html" else f"/index{SUFFIXES[fmt]}"
    else:
        target = base + SUFFIXES[fmt]
    return target + (f"?{query}" if query else "")


def page_path(path: str) -> str:
    """``path`` without its format suffix (``/index.json`` -> ``/``)."""
    for suffix in (".json", ".csv"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return "/" if path in ("/index", "") else path


def requested_format(path: str) -> Format:
    """The format a path asks for, by its suffix."""
    if path.endswith(".json"):
        return "json"
    if path.endswith(".csv"):
        return "csv"
    return "html"


def download(name: str) -> str:
    """A file in the downloads folder."""
    return DOWNLOAD_FILE.replace("{name}", quote(name, safe=""))


def govuk(path: str) -> str:
    """GOV.UK Frontend's compiled CSS or JavaScript."""
    return f"{GOVUK}/{path}"


def asset(path: str) -> str:
    """GOV.UK Frontend's fonts and images."""
    return f"{ASSETS}/{path}"


def static(path: str) -> str:
    """The site's own static files."""
    return f"{STATIC}/{path}"
