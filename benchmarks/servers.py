#!/usr/bin/env python3
"""Which HTTP server in front of the app: waitress, granian (a Rust HTTP server with a WSGI
interface; what ``alliance-kg serve`` runs since this comparison, see web/httpservers.py) and
gunicorn (threaded workers), on the same app, data and query mix.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/servers.py

Each server runs ``alliance_kg.app:create_app`` in one process with 8 request threads and the
app's 2 query workers, the shipped graph, the result cache off. The servers are started in turn,
``--pairs`` rounds (so a drift of the machine hits each), and each is measured at concurrency 1
and 8 on unique query texts (the mix with a distinct trailing comment each time). Reported: q/s,
p99 and server CPU per query, as ratios to waitress measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the benchmark's servers, mix and measurement)

SERVERS = ("waitress", "granian", "gunicorn")
THREADS = 8


def command(server: str, port: int) -> list[str]:
    if server == "waitress":
        return [str(bench.BIN / "alliance-kg"), "serve", "--port", str(port), "--threads", str(THREADS),
                "--http-server", "waitress"]
    if server == "granian":
        return [str(bench.BIN / "granian"), "--interface", "wsgi", "--factory", "--workers", "1",
                "--blocking-threads", str(THREADS), "--host", "127.0.0.1", "--port", str(port),
                "--log-level", "warning", "alliance_kg.app:create_app"]
    if server == "gunicorn":
        return [str(bench.BIN / "gunicorn"), "--workers", "1", "--worker-class", "gthread", "--threads", str(THREADS),
                "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "alliance_kg.app:create_app()"]
    raise ValueError(server)


def start(server: str) -> bench.Server:
    port = bench.free_port()
    env = {"ALLIANCE_KG_CACHE_ENTRIES": "0", "ALLIANCE_KG_LOG_LEVEL": "WARNING"}
    running = bench.Server(server, command(server, port), f"http://127.0.0.1:{port}/sparql", env, cwd=bench.ROOT)
    running.wait_ready(180)
    return running


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="repetitions of the query mix per measurement")
    parser.add_argument("--pairs", type=int, default=3, help="rounds over all servers")
    parser.add_argument("--servers", default=",".join(SERVERS))
    args = parser.parse_args(argv)
    servers = [s for s in args.servers.split(",") if s]
    if not set(servers) <= set(SERVERS) or "waitress" not in servers or args.rounds < 1 or args.pairs < 1:
        parser.error(f"--servers from {', '.join(SERVERS)}, waitress included; --rounds and --pairs at least 1")

    mix = bench.query_mix()
    found: dict[tuple[str, int], list[dict]] = {}
    nonce = 0
    for _ in range(args.pairs):
        for server in servers:
            running = start(server)
            try:
                bench.measure(running, mix, 8, 1, unique_from=10**9 + nonce)  # warm-up
                for concurrency in (1, 8):
                    found.setdefault((server, concurrency), []).append(
                        bench.measure(running, mix, concurrency, args.rounds, unique_from=nonce))
                    nonce += args.rounds * len(mix)
            finally:
                running.stop()

    def median(server: str, concurrency: int, key: str) -> float:
        return statistics.median(r[key] for r in found[server, concurrency])

    print(f"HTTP servers, {time.strftime('%Y-%m-%d')}, {bench.machine()}; unique texts, cache off, "
          f"medians of {args.pairs} rounds, ratios to waitress")
    print("| server | c1 q/s | c8 q/s | c8 p99 ms | CPU ms/query (c8) |")
    print("|---|---|---|---|---|")
    for server in servers:
        cells = []
        for concurrency, key in ((1, "qps"), (8, "qps"), (8, "p99_ms"), (8, "cpu_ms_per_query")):
            value, base = median(server, concurrency, key), median("waitress", concurrency, key)
            cells.append(f"{value:.1f}" + ("" if server == "waitress" else f" ({value / base:.2f}×)"))
        print(f"| {server} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
