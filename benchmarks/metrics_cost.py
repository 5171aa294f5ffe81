#!/usr/bin/env python3
"""What counting costs on the hot path: the same server with ``--metrics true`` and ``false``.

    .venv/bin/python benchmarks/metrics_cost.py                 # the README's figures
    .venv/bin/python benchmarks/metrics_cost.py --rounds 10 --pairs 2

Two measurements, both against a peer measured in the same run:

* **In-process**: the work metrics add to one query request (the request counter in
  ``after_request``, the duration histogram, a refusal counter), timed over many calls, beside
  the CPU one query costs the server (measured below).
* **Over HTTP**: ``alliance-kg serve`` on the shipped graph (the embedded default, cache off),
  unique query texts at concurrency 8, started alternately with metrics on and off (``--pairs``
  times each, so a drift of the machine hits both), a scrape of ``/metrics`` every second
  while metrics are on (as Prometheus would, only faster). Reported: q/s and server CPU per
  query with metrics on as a ratio to off.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import timeit
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the benchmark's servers, mix and measurement)


def hot_path_seconds(calls: int = 200_000) -> float:
    """Seconds metrics add to one answered query, in this process (no server)."""
    from flask import Flask

    from alliance_kg.errors import QuerySyntaxError
    from alliance_kg.web.metrics import Metrics

    metrics = Metrics(Flask(__name__))
    refusal = QuerySyntaxError("x")

    def one_request() -> None:
        metrics.requests.labels("/sparql", "200").inc()
        metrics.query("SELECT", "memory", 0.003, False)

    per_request = min(timeit.repeat(one_request, number=calls, repeat=5)) / calls
    per_refusal = min(timeit.repeat(lambda: metrics.refusal(refusal), number=calls, repeat=5)) / calls
    return per_request + per_refusal  # an upper bound: a request is either answered or refused


def serve(metrics: bool) -> bench.Server:
    port = bench.free_port()
    env = {"ALLIANCE_KG_CACHE_ENTRIES": "0", "ALLIANCE_KG_LOG_LEVEL": "WARNING",
           "ALLIANCE_KG_METRICS": "true" if metrics else "false"}
    server = bench.Server(f"metrics-{'on' if metrics else 'off'}", [str(bench.BIN / "alliance-kg"), "serve",
                                                                     "--port", str(port)],
                          f"http://127.0.0.1:{port}/sparql", env, cwd=bench.ROOT)
    server.wait_ready(120)
    return server


def scraper(url: str, stop: threading.Event) -> None:
    base = url.rsplit("/", 1)[0]
    while not stop.wait(1.0):
        try:
            requests.get(base + "/metrics", timeout=5)
        except requests.RequestException:
            pass


def over_http(rounds: int, pairs: int) -> dict[str, list[dict]]:
    mix = bench.query_mix()
    runs: dict[str, list[dict]] = {"on": [], "off": []}
    nonce = 0
    for _ in range(pairs):
        for metrics in (True, False):
            server = serve(metrics)
            stop = threading.Event()
            if metrics:
                threading.Thread(target=scraper, args=(server.url, stop), daemon=True).start()
            try:
                bench.measure(server, mix, 8, 1, unique_from=10**9 + nonce)  # warm-up
                runs["on" if metrics else "off"].append(bench.measure(server, mix, 8, rounds, unique_from=nonce))
            finally:
                stop.set()
                server.stop()
            nonce += rounds * len(mix)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="repetitions of the query mix per server")
    parser.add_argument("--pairs", type=int, default=3, help="servers started with metrics on and off, each")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.pairs < 1:
        parser.error("--rounds and --pairs must be at least 1")

    added = hot_path_seconds()
    runs = over_http(args.rounds, args.pairs)
    on_qps = statistics.median(r["qps"] for r in runs["on"])
    off_qps = statistics.median(r["qps"] for r in runs["off"])
    on_cpu = statistics.median(r["cpu_ms_per_query"] for r in runs["on"])
    off_cpu = statistics.median(r["cpu_ms_per_query"] for r in runs["off"])
    print(f"metrics cost, {time.strftime('%Y-%m-%d')}, {bench.machine()}")
    print(f"in-process: {1e6 * added:.1f} µs per query request = {100 * added / (off_cpu / 1000):.2f} % "
          f"of the server CPU per query ({off_cpu:.2f} ms with metrics off)")
    print(f"over HTTP (unique texts, c8, medians of {args.pairs}): metrics on {on_qps:.0f} q/s, off {off_qps:.0f} q/s "
          f"-> {on_qps / off_qps:.2f}x; CPU per query on {on_cpu:.2f} ms, off {off_cpu:.2f} ms -> {on_cpu / off_cpu:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
