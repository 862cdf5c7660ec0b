"""``recoverylink serve``: the website over the publication database.

The site lives in :mod:`recoverylink.web`; see docs/website.md.
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Annotated

import typer

from recoverylink.cli.ingest import data_dir_option
from recoverylink.cli.state import cli_state

HELP = """Serve the website: England, every region and local authority (every
indicator with its interval, comparison with England, five-year trend and
funnel plot), the outcome studies, methods and downloads, each page also as
.json and .csv. It reads only publish/publication.duckdb and
publish/downloads/ in the data directory (`recoverylink publish build`
first). Stop it with Ctrl-C.

Example: recoverylink serve --data-dir demo-output/data --port 8000
"""


def register(app: typer.Typer) -> None:
    app.command(name="serve", help=HELP, short_help="Serve the website on this machine.")(serve)


def serve(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, data_dir_option()] = None,
    host: Annotated[
        str,
        typer.Option("--host", metavar="ADDRESS",
                     help="The address to listen on (127.0.0.1: this machine only)."),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", metavar="N", min=1, max=65535, help="The TCP port to listen on."),
    ] = 8000,
) -> None:
    import uvicorn

    from recoverylink.errors import InputError
    from recoverylink.web.app import create_app
    from recoverylink.web.server import config

    settings = cli_state(ctx).config()
    folder = data_dir if data_dir is not None else settings.paths.data_dir
    publish = Path(folder) / "publish"
    app = create_app(publish / "publication.duckdb", publish / "downloads")
    _check_port(host, port, InputError)
    shown = f"[{host}]" if ":" in host else host
    print(f"RecoveryLink is at http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    uvicorn.Server(config(app, host, port)).run()


def _check_port(host: str, port: int, error: type[Exception]) -> None:
    """A clear error now, rather than uvicorn's log line, if the port cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise error(
                    f"port {port} on {host} is in use: stop what is using it, or choose "
                    "another with --port"
                ) from None
            raise error(f"cannot listen on {host}:{port}: {err.strerror}") from None
