"""The website: ``create_app(publication_db, downloads_dir)`` returns the ASGI application.

Pages are drawn from the publication database only (opened read-only) and
the files in the downloads folder. Every page comes in three forms from one
:class:`~recoverylink.web.views.PageModel`: HTML, ``.json`` and ``.csv``
(see :mod:`recoverylink.web.urls`). One error handler answers every error as
HTML or, for a twin or a client that asks for JSON, as JSON. Rendered pages
are cached in memory by URL (:mod:`recoverylink.web.cache`). GOV.UK
Frontend's CSS, JavaScript, fonts and images are served from the copy ``npm
ci`` installed in ``node_modules``; nothing is fetched at run time.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.staticfiles import StaticFiles

from recoverylink.errors import InputError
from recoverylink.web import fmt, urls, views
from recoverylink.web.cache import PageCache, ResponseCache, wants_json
from recoverylink.web.store import ENGLAND, PublicationStore
from recoverylink.web.views import NotFound, PageModel

SERVICE_NAME = "RecoveryLink"
GOVUK_FRONTEND_ENV = "RECOVERYLINK_GOVUK_FRONTEND"
"""Where GOV.UK Frontend's ``dist/govuk`` is, if not in the repository's ``node_modules``."""
RELOAD_CHECK_SECONDS = 2.0

MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


class WebAssetsError(InputError):
    """GOV.UK Frontend's files are not installed."""


def find_govuk_frontend(explicit: Path | None = None) -> Path:
    """GOV.UK Frontend's ``dist/govuk`` folder, installed by ``npm ci``; a clear error if absent."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(Path(explicit))
    elif os.environ.get(GOVUK_FRONTEND_ENV):
        candidates.append(Path(os.environ[GOVUK_FRONTEND_ENV]))
    else:
        relative = Path("node_modules/govuk-frontend/dist/govuk")
        starts = [Path.cwd(), Path(__file__).resolve().parent]
        for start in starts:
            for folder in (start, *start.parents):
                candidates.append(folder / relative)
    for folder in candidates:
        if (folder / "govuk-frontend.min.css").is_file() and (folder / "assets").is_dir():
            return folder
    where = candidates[0] if candidates else Path("node_modules/govuk-frontend/dist/govuk")
    raise WebAssetsError(
        f"GOV.UK Frontend is not installed (looked for {where}/govuk-frontend.min.css): "
        "run `make venv` (it runs `npm ci`) in the repository, or set "
        f"{GOVUK_FRONTEND_ENV} to its dist/govuk folder"
    )


def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("recoverylink.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        url=urls.url,
        download=urls.download,
        govuk=urls.govuk,
        asset=urls.asset,
        static=urls.static,
        fmt=fmt,
        service_name=SERVICE_NAME,
    )
    return env


class Site:
    """The publication database and downloads folder the site serves; reopened when replaced."""

    def __init__(self, publication_db: Path, downloads_dir: Path) -> None:
        self.publication_db = Path(publication_db)
        self.downloads_dir = Path(downloads_dir)
        self._lock = threading.Lock()
        self.store = PublicationStore(self.publication_db)
        self._stamp = self._file_stamp()
        self.files = self._list_files()
        self._checked = time.monotonic()
        self.on_reload: list[Callable[[], None]] = []

    def _file_stamp(self) -> tuple[int, int, int]:
        stat = self.publication_db.stat()
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _list_files(self) -> dict[str, int]:
        if not self.downloads_dir.is_dir():
            return {}
        return {
            path.name: path.stat().st_size
            for path in sorted(self.downloads_dir.iterdir())
            if path.is_file() and not path.name.startswith(".")
        }

    def check(self) -> None:
        """Reopen the database (and forget every cached page) if a new build replaced it."""
        now = time.monotonic()
        if now - self._checked < RELOAD_CHECK_SECONDS:
            return
        self._checked = now
        try:
            stamp = self._file_stamp()
        except OSError:
            return
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            store = PublicationStore(self.publication_db)
            self.store, self._stamp = store, stamp
            self.files = self._list_files()
        for callback in self.on_reload:
            callback()


def create_app(
    publication_db: Path,
    downloads_dir: Path,
    *,
    govuk_frontend: Path | None = None,
    cache: bool = True,
) -> FastAPI:
    """The website over ``publication_db`` and ``downloads_dir`` (an ASGI application).

    Raises :class:`~recoverylink.web.store.PublicationError` if the database is
    missing or is not a publication database, and :class:`WebAssetsError` if
    GOV.UK Frontend is not installed.
    """
    assets = find_govuk_frontend(govuk_frontend)
    site = Site(publication_db, downloads_dir)
    env = templates()
    app = Website(title=SERVICE_NAME, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.site = site

    app.mount(urls.ASSETS, StaticFiles(directory=assets / "assets"), name="assets")
    app.mount(urls.GOVUK, StaticFiles(directory=assets), name="govuk")
    app.mount(
        urls.STATIC, StaticFiles(packages=[("recoverylink.web", "static")]), name="static"
    )

    def render(request: Request, model: PageModel, fmt_: urls.Format) -> Response:
        if fmt_ == "json":
            return JSONResponse(_clean(model.data))
        if fmt_ == "csv":
            name = urls.page_path(request.url.path).strip("/").replace("/", "-") or "index"
            return Response(
                to_csv(model.csv_columns, model.csv_rows),
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": f'inline; filename="{name}.csv"'},
            )
        query = request.url.query
        html = env.get_template(model.template).render(
            model.context,
            title=model.title,
            breadcrumbs=model.breadcrumbs,
            nav=model.nav,
            twins={f: urls.twin(request.url.path, query, f) for f in urls.FORMATS},
            build=site.store.build_info,
        )
        return HTMLResponse(html)

    models: OrderedDict[tuple[int, str, str], PageModel] = OrderedDict()
    models_lock = threading.Lock()

    def model(request: Request, build: Callable[[Request], PageModel]) -> PageModel:
        """A page's model, shared by its three forms (the twins are asked for together)."""
        key = (id(site.store), urls.page_path(request.url.path), request.url.query)
        with models_lock:
            found = models.get(key)
        if found is None:
            found = build(request)
            with models_lock:
                models[key] = found
                while len(models) > 256:
                    models.popitem(last=False)
        return found

    def page(name: str, build: Callable[[Request], PageModel]) -> None:
        for fmt_ in ("json", "csv", "html"):
            def endpoint(request: Request, fmt_: urls.Format = fmt_) -> Response:
                return render(request, model(request, build), fmt_)

            app.router.add_route(urls.route_path(name, fmt_), endpoint, methods=["GET"],
                                 name=f"{name}-{fmt_}")

    def overview(request: Request) -> PageModel:
        q = request.query_params
        return views.area_page(site.store, ENGLAND, q.get("period"), q.get("substance"))

    def area(request: Request) -> PageModel:
        code = request.path_params["code"]
        if code.upper() == ENGLAND:
            raise _Redirect(urls.twin("/", request.url.query,
                                      urls.requested_format(request.url.path)))
        q = request.query_params
        return views.area_page(site.store, code, q.get("period"), q.get("substance"))

    def areas(request: Request) -> PageModel:
        words = request.query_params.get("q")
        model = views.areas_page(site.store, words)
        if (
            urls.requested_format(request.url.path) == "html"
            and words
            and len(model.context["results"]) >= 1
        ):
            first = model.context["results"][0]
            exact = words.strip().upper() == first.code or (
                words.strip().lower() == first.name.lower()
            )
            if exact or len(model.context["results"]) == 1:
                raise _Redirect(urls.url("area", code=first.code) if first.code != ENGLAND
                                else urls.url("overview"))
        return model

    page("overview", overview)
    page("areas", areas)
    page("area", area)
    page("studies", lambda request: views.studies_page(site.store))
    page("study", lambda request: views.study_page(site.store, request.path_params["study"]))
    page("methods", lambda request: views.methods_page(site.store))
    page("downloads", lambda request: views.downloads_page(site.store, site.files))

    def download_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in site.files:
            raise NotFound(f"There is no file called {name} to download.")
        suffix = Path(name).suffix
        return FileResponse(
            site.downloads_dir / name,
            media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
            filename=name,
            content_disposition_type="attachment",
        )

    app.router.add_route(urls.DOWNLOAD_FILE, download_file, methods=["GET"], name="file")

    def healthz(request: Request) -> Response:
        return PlainTextResponse("ok", headers={"cache-control": "no-store"})

    app.router.add_route("/healthz", healthz, methods=["GET"], name="healthz")

    # -- the one error handler ------------------------------------------------------------

    def error_response(
        request: Request, status: int, title: str, message: str,
        suggestions: list[Any] | None = None,
    ) -> Response:
        path = request.url.path
        suggested = [
            {"area_code": a.code, "area_name": a.name, "level": a.level,
             "url": urls.url("area", code=a.code)}
            for a in suggestions or []
        ]
        if wants_json(path, request.headers.get("accept", "")):
            return JSONResponse(
                {"error": {"status": status, "title": title, "message": message,
                           "suggestions": suggested, "find_an_area": urls.url("areas")}},
                status_code=status,
            )
        html = env.get_template("error.html").render(
            title=title, status=status, message=message, suggestions=suggested,
            breadcrumbs=[], nav="", twins=None, build=site.store.build_info,
            query=path.rsplit("/", 1)[-1] if path.startswith("/areas/") else "",
        )
        return HTMLResponse(html, status_code=status)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotFound)
        return error_response(request, 404, "Page not found", exc.message, exc.suggestions)

    @app.exception_handler(_Redirect)
    async def redirect(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, _Redirect)
        return RedirectResponse(exc.location, status_code=302)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return error_response(
                request, 404, "Page not found",
                f"There is no page at {request.url.path}. Try the overview, or find an area "
                "by its name or code.",
            )
        return error_response(request, exc.status_code, "Sorry, there is a problem",
                              str(exc.detail))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(
            request, 500, "Sorry, there is a problem with the service",
            "Something went wrong showing this page. Try again later.",
        )

    def cacheable(path: str) -> bool:
        return not path.startswith((urls.DOWNLOAD_FILE.split("{")[0], "/healthz"))

    responses = ResponseCache()
    app.state.cache = responses
    site.on_reload.append(responses.clear)
    if cache:
        app.page_cache = PageCache(app.uncached, cache=responses, cacheable=cacheable,
                                   before=site.check)
    return app


class Website(FastAPI):
    """The FastAPI application with the page cache in front of everything else.

    A cached page is answered before Starlette's middleware and routing are
    entered at all: at 100 concurrent clients that is most of the work saved.
    """

    page_cache: PageCache | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.page_cache is not None and scope["type"] == "http":
            await self.page_cache(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def uncached(self, scope: Any, receive: Any, send: Any) -> None:
        await super().__call__(scope, receive, send)


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def _clean(value: Any) -> Any:
    """JSON-ready: dates as ISO text, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV cell: numbers as they are, text that could start a formula quoted off with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return out.getvalue()


def dumps(value: Any) -> str:
    return json.dumps(_clean(value))
