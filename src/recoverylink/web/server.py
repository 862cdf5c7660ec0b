"""Running the website with uvicorn: in the foreground (``recoverylink serve``) or in a thread.

The thread form is for the browser tests and the benchmark: it picks a free
loopback port, starts uvicorn, waits until it answers, and stops it cleanly.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nothing is listening on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def config(app: Any, host: str, port: int, access_log: bool = False) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=access_log,
        lifespan="off",
        backlog=2048,
        timeout_keep_alive=30,
    )


@contextmanager
def serve_in_thread(
    app: Any, host: str = LOOPBACK, port: int | None = None, timeout: float = 20.0
) -> Iterator[str]:
    """Serve ``app`` on ``host`` in a daemon thread; yields its base URL, then stops it."""
    server = uvicorn.Server(config(app, host, port or free_port(host)))
    thread = threading.Thread(target=server.run, name="recoverylink-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the web server stopped while starting")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the web server did not start within {timeout:.0f} s")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
