#!/usr/bin/env python3
"""Instructions per query, counted by callgrind: the request path in-process beside Oxigraph alone.

    .venv/bin/python benchmarks/instructions.py            # needs valgrind (Debian's package)
    .venv/bin/python benchmarks/instructions.py --requests 340 --modes unique

Wall-clock figures on this shared two-core machine move by a third from one run to the next;
instruction counts do not (the same run twice agrees to 0.3 %), so this is how a change to the
request path is judged. The script loads the shipped graph (from ``benchmarks/run.py``'s N-Quads
dump, built if missing), then under ``valgrind --tool=callgrind`` with counting switched on only
around the measured loop, it sends the query mix of ``run.py`` as form-encoded ``POST /sparql``
through the app's WSGI stack (access log, ``web.direct``, the guard, Oxigraph, gzip for a client
that asks), each query answered in the calling thread as a serving process answers it; and,
as the peer, the same texts straight to ``pyoxigraph.Store.query`` and ``serialize`` (what the
Oxigraph server's engine does for them). Printed: instructions per query for each, and the ratio.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as bench  # noqa: E402  (the query mix and the data)

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


def texts(mode: str, count: int) -> list[str]:
    mix = list(bench.query_mix().values())
    listed = [q + f"\n# nonce {i}" if mode == "unique" else q for i, q in enumerate(mix * (count // len(mix) + 1))]
    return listed[:count]


def environ(body: bytes) -> dict:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/sparql", "QUERY_STRING": "", "SERVER_NAME": "bench",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)), "HTTP_ACCEPT": ACCEPT, "HTTP_ACCEPT_ENCODING": "gzip, deflate",
            "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "REMOTE_ADDR": "127.0.0.1", "wsgi.input_terminated": True}


def measured(dump: Path, system: str, mode: str, count: int, signals: Path) -> None:
    """The body run under callgrind: set up, say so, wait, run the loop, say so."""
    import pyoxigraph as ox

    from alliance_kg.query.local import LocalExecutor
    from alliance_kg.stores import InMemoryOxigraphStore
    from alliance_kg.web import create_app
    from alliance_kg.web.accesslog import AccessLog
    from alliance_kg.web.state import EXTENSION

    logging.getLogger().setLevel(logging.WARNING)
    store = ox.Store()
    store.load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    if system == "ours":
        app = create_app({"STORE": InMemoryOxigraphStore(store, "bench"), "cache_entries": 0, "query_workers": 1})
        state = app.extensions[EXTENSION]
        state.executor.close()
        app.extensions[EXTENSION] = dataclasses.replace(
            state, executor=LocalExecutor(state.store, timeout=60, on_overrun=lambda running, error: None))
        wsgi = AccessLog(app)

        def prepared(text: str) -> object:  # the request as it arrives: built before counting starts
            return environ(urlencode({"query": text}).encode())

        def one(request: dict) -> None:
            chunks = wsgi(request, lambda status, headers, exc=None: None)
            b"".join(chunks)
            chunks.close()
    else:
        def prepared(text: str) -> object:
            return text

        def one(text: str) -> None:
            result = store.query(text, base_iri="https://w3id.org/alliance-kg/", use_default_graph_as_union=True)
            if isinstance(result, ox.QueryTriples):
                result.serialize(format=ox.RdfFormat.N_TRIPLES)
            else:
                result.serialize(format=ox.QueryResultsFormat.JSON)

    warm = texts(mode, count)[:34] if mode == "repeated" else [t + "\n# warm" for t in texts(mode, 34)]
    for text in warm:  # imports, caches, first allocations; a repeated text as it will come again
        one(prepared(text))
    requests = [prepared(text) for text in texts(mode, count)]
    (signals / "ready").touch()
    while not (signals / "go").exists():
        time.sleep(0.05)
    for request in requests:
        one(request)
    (signals / "done").touch()
    time.sleep(3600)


def count(dump: Path, system: str, mode: str, requests: int) -> int:
    """Instructions per query of ``system`` (``ours`` or ``oxigraph``) on ``mode`` texts."""
    with tempfile.TemporaryDirectory(prefix="alliance-kg-callgrind-") as tmp:
        signals = Path(tmp)
        out = signals / "callgrind.out"
        process = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}.%p",
             sys.executable, __file__, "--measured", system, "--modes", mode, "--requests", str(requests),
             "--dump", str(dump), "--signals", str(signals)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not (signals / "ready").exists():
                if process.poll() is not None:
                    raise SystemExit(f"the measured process exited ({process.returncode})")
                time.sleep(0.2)
            subprocess.run(["callgrind_control", "-i", "on", str(process.pid)], check=True, capture_output=True)
            (signals / "go").touch()
            while not (signals / "done").exists():
                time.sleep(0.2)
            subprocess.run(["callgrind_control", "-i", "off", str(process.pid)], check=True, capture_output=True)
            subprocess.run(["callgrind_control", "-d", str(process.pid)], check=True, capture_output=True)
        finally:
            process.kill()
            process.wait()
        total = 0
        for dumped in signals.glob("callgrind.out.*"):  # the dump, and the empty one at the end
            for line in dumped.read_text(errors="replace").splitlines():
                if line.startswith("totals:"):
                    total += int(line.split()[1])
        return total // requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=170, help="queries counted per system and mode")
    parser.add_argument("--modes", default="unique,repeated")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "alliance-kg-bench",
                        help="where run.py's data lies (built if missing)")
    parser.add_argument("--measured", help=argparse.SUPPRESS)
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--signals", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measured:
        measured(args.dump, args.measured, args.modes, args.requests, args.signals)
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    _, dump, _ = bench.prepare_data("1k", args.work)
    print("| texts | ours (instructions a query) | Oxigraph alone | ours / Oxigraph alone |")
    print("|---|---|---|---|")
    for mode in args.modes.split(","):
        ours, alone = count(dump, "ours", mode, args.requests), count(dump, "oxigraph", mode, args.requests)
        print(f"| {mode} | {ours:,} | {alone:,} | {ours / alone:.2f}× |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
