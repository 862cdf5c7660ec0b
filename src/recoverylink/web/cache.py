"""An in-process cache of whole responses, keyed by URL, in front of the site.

The publication database does not change while the site serves it (a new
build is a new file, see :class:`recoverylink.web.app.Site`), so a page, once
rendered, is the same for everyone: the cache keeps each page's status,
headers and body (and the body gzipped), answers repeat requests without
touching the application, honours ``If-None-Match`` with 304, and is emptied
when the database is replaced. It is plain ASGI middleware, so a cached page
costs no routing, no thread and no template.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COMPRESSIBLE = (b"text/", b"application/json")
MIN_GZIP = 512


@dataclass(frozen=True)
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    gzipped: bytes | None
    etag: bytes


def _header(headers: list[tuple[bytes, bytes]] | Any, name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return bytes(value)
    return None


def wants_json(path: str, accept: str) -> bool:
    """Whether an answer (an error, above all) should be JSON rather than HTML."""
    if path.endswith((".json", ".csv")):
        return True
    accept = accept.lower()
    return "application/json" in accept and "text/html" not in accept


Key = tuple[str, bytes, bool]


class ResponseCache:
    """The cached responses, oldest first; at most ``max_entries``."""

    def __init__(self, max_entries: int = 5000) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Key) -> Entry | None:
        return self._entries.get(key)

    def put(self, key: Key, entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class PageCache:
    """ASGI middleware: answer GET and HEAD for cacheable paths from ``cache``."""

    def __init__(
        self,
        app: ASGIApp,
        cache: ResponseCache,
        cacheable: Callable[[str], bool],
        before: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.cache = cache
        self.cacheable = cacheable
        self.before = before

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if self.before is not None:
            self.before()
        path: str = scope["path"]
        if not self.cacheable(path):
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        accept = (_header(headers, b"accept") or b"").decode("latin-1")
        key = (path, scope.get("query_string", b""), wants_json(path, accept))
        entry = self.cache.get(key)
        if entry is not None:
            self.cache.hits += 1
            await self._answer(entry, scope, send)
            return
        if scope["method"] == "HEAD":  # its answer has no body to keep
            await self.app(scope, receive, send)
            return
        self.cache.misses += 1
        captured: dict[str, Any] = {"body": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers") or [])
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))

        await self.app(scope, receive, capture)
        if "status" not in captured:
            return
        entry = self._entry(captured["status"], captured["headers"], b"".join(captured["body"]))
        cache_control = _header(entry.headers, b"cache-control") or b""
        if entry.status in (200, 302, 404) and b"no-store" not in cache_control:
            self.cache.put(key, entry)
        await self._answer(entry, scope, send)

    @staticmethod
    def _entry(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Entry:
        kept = [
            (k, v) for k, v in headers
            if k.lower() not in (b"content-length", b"content-encoding", b"etag", b"vary")
        ]
        content_type = _header(headers, b"content-type") or b""
        gzipped = None
        if len(body) >= MIN_GZIP and content_type.startswith(COMPRESSIBLE):
            gzipped = gzip.compress(body, compresslevel=6, mtime=0)
        etag = b'"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20].encode() + b'"'
        return Entry(status, kept, body, gzipped, etag)

    @staticmethod
    async def _answer(entry: Entry, scope: Scope, send: Send) -> None:
        request_headers = scope.get("headers") or []
        headers = [*entry.headers, (b"etag", entry.etag), (b"vary", b"Accept, Accept-Encoding")]
        if entry.status == 200 and _header(request_headers, b"if-none-match") == entry.etag:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = entry.body
        accept_encoding = _header(request_headers, b"accept-encoding") or b""
        if entry.gzipped is not None and b"gzip" in accept_encoding:
            body = entry.gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
