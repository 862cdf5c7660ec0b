"""The website under load: requests a second and latency at 100 concurrent clients on loopback.

    .venv/bin/python bench/web_bench.py --data-dir demo-output/data
    .venv/bin/python bench/web_bench.py --scale 0.01      # builds a small England first

Starts ``recoverylink serve`` as its own process on a free loopback port over
the data directory's publication database (with ``--scale`` instead, first runs
the whole pipeline, synth to publish build, into bench/output/web-data), then:

1. fetches every URL of the mix once with httpx, checking each answers 200,
   and records how long each took (the first, uncached render);
2. runs ``--clients`` concurrent clients for ``--duration`` seconds, each on
   its own keep-alive connection, asking for the URLs of the mix in turn with
   ``Accept-Encoding: gzip`` as a browser does; a small asyncio HTTP/1.1
   client (uvloop when installed) so that the load generator, on the same
   machine, costs the server as little CPU as it can;
3. reports requests a second and the 50th, 95th and 99th percentile latency,
   and writes them to ``--out`` as JSON.

The target (docs/website.md): p95 under 50 ms at 100 concurrent clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = REPO / "bench" / "output"


def run(args: list[str], env: dict[str, str] | None = None) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, env={**os.environ, **(env or {})},
                   stdout=subprocess.DEVNULL)


def build_pipeline(scale: float, folder: Path) -> Path:
    """synth, ingest, link, build, indicators, the four studies, publish build."""
    rl = str(BIN / "recoverylink")
    synth, data = folder / "synth", folder / "data"
    run([rl, "synth", "--scale", str(scale), "--seed", "2006", "--out", str(synth), "--force"])
    if data.exists():
        subprocess.run(["rm", "-rf", str(data)], check=True)
    run([rl, "ingest", str(synth), "--data-dir", str(data)])
    run([rl, "link", "--data-dir", str(data), "--truth", str(synth / "truth")],
        env={"RECOVERYLINK_PSEUDONYM_KEY": "web-bench-" + "0" * 32})
    run([rl, "build", "--data-dir", str(data)])
    run([rl, "indicators", "--data-dir", str(data), "--population-scale", str(scale)])
    for study in ("reconviction", "long_term", "mortality", "top"):
        run([rl, "study", study, "--data-dir", str(data)])
    run([rl, "publish", "build", "--data-dir", str(data)])
    return data


def url_mix(data_dir: Path, local_authorities: int) -> list[str]:
    """The pages a reader asks for: every page type, HTML and twins, many areas."""
    sys.path.insert(0, str(REPO / "src"))
    from recoverylink.web import urls

    con = duckdb.connect(str(data_dir / "publish" / "publication.duckdb"), read_only=True)
    try:
        regions = [r[0] for r in con.execute(
            "SELECT area_code FROM areas WHERE level = 'region' ORDER BY sort_key").fetchall()]
        las = con.execute(
            "SELECT area_code, area_name FROM areas WHERE level = 'local_authority' "
            "ORDER BY sort_key").fetchall()
        studies = [r[0] for r in con.execute("SELECT study FROM studies").fetchall()]
        groups = [r[0] for r in con.execute(
            "SELECT DISTINCT substance_group FROM indicator_values").fetchall()]
    finally:
        con.close()
    step = max(1, len(las) // max(local_authorities, 1))
    chosen = las[::step][:local_authorities]
    mix = [urls.url("overview"), urls.url("overview", "json"), urls.url("areas"),
           urls.url("studies"), urls.url("methods"), urls.url("downloads"),
           urls.url("downloads", "csv")]
    mix += [urls.url("area", code=code) for code in regions]
    for code, name in chosen:
        mix += [urls.url("area", code=code), urls.url("area", "json", code=code),
                urls.url("area", "csv", code=code), urls.url("areas", q=name[:4])]
    mix += [urls.url("area", code=chosen[0][0], substance=g) for g in groups]
    mix += [urls.url("study", code, study=s) for s in studies for code in ("html", "json")]
    return mix


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(BIN / "recoverylink"), "serve", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped: {process.stderr.read().decode()[:2000]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start in 60 s")


def warm(base: str, mix: list[str]) -> dict[str, float]:
    """Fetch every URL once (the cold render), checking each answers 200; ms per URL."""
    cold = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for url in mix:
            start = time.perf_counter()
            response = client.get(url, follow_redirects=False)
            cold[url] = (time.perf_counter() - start) * 1000
            if response.status_code not in (200, 302):
                raise SystemExit(f"{url} answered {response.status_code}")
    return cold


async def client_loop(
    host: str, port: int, mix: list[str], offset: int, stop: float,
    latencies: list[float], errors: list[str], sizes: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    requests = [
        (f"GET {url} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: gzip\r\n"
         "User-Agent: recoverylink-web-bench\r\n\r\n").encode()
        for url in mix
    ]
    i = offset
    try:
        while time.perf_counter() < stop:
            request = requests[i % len(requests)]
            i += 1
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            sizes.append(length)
            if status not in (200, 302):
                errors.append(f"{status} {request[:60]!r}")
    finally:
        writer.close()


async def load(host: str, port: int, mix: list[str], clients: int, seconds: float
               ) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    sizes: list[int] = []
    rng = random.Random(2006)
    start = time.perf_counter()
    stop = start + seconds
    await asyncio.gather(*(
        client_loop(host, port, mix, rng.randrange(len(mix)), stop, latencies, errors, sizes)
        for _ in range(clients)
    ))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": {"p50": round(pct(50), 2), "p95": round(pct(95), 2),
                       "p99": round(pct(99), 2), "max": round(latencies[-1] * 1000, 2),
                       "mean": round(sum(latencies) / len(latencies) * 1000, 2)},
        "errors": len(errors),
        "error_examples": errors[:5],
        "mean_body_bytes": round(sum(sizes) / max(len(sizes), 1)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="a data directory with publish/ built")
    parser.add_argument("--scale", type=float, default=0.01,
                        help="without --data-dir: build a synthetic England of this scale")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--local-authorities", type=int, default=30,
                        help="local authorities in the URL mix (4 URLs each)")
    parser.add_argument("--out", type=Path, default=OUT / "web_bench.json")
    args = parser.parse_args()

    data_dir = args.data_dir or build_pipeline(args.scale, OUT / "web-data")
    sys.path.insert(0, str(REPO / "src"))
    from recoverylink.web.server import free_port

    port = free_port()
    mix = url_mix(data_dir, args.local_authorities)
    server = start_server(data_dir, port)
    try:
        cold = warm(f"http://127.0.0.1:{port}", mix)
        try:
            import uvloop
            uvloop.install()
            loop = "uvloop"
        except ImportError:
            loop = "asyncio"
        result = asyncio.run(load("127.0.0.1", port, mix, args.clients, args.duration))
    finally:
        server.terminate()
        server.wait(timeout=20)
    cold_values = sorted(cold.values())
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data_dir": str(data_dir),
        "clients": args.clients,
        "duration_s": args.duration,
        "urls": len(mix),
        "client_loop": loop,
        "machine": {"cpus": os.cpu_count(), "load_average_before": os.getloadavg(),
                    "python": platform.python_version()},
        **result,
        "cold_render_ms": {
            "median": round(cold_values[len(cold_values) // 2], 1),
            "max": round(cold_values[-1], 1),
            "slowest": sorted(((round(v, 1), u) for u, v in cold.items()), reverse=True)[:5],
        },
        "target": "p95 under 50 ms at 100 concurrent clients",
        "met": result["latency_ms"]["p95"] < 50 and result["errors"] == 0,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0 if report["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
