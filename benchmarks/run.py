#!/usr/bin/env python3
"""One command, same run/data/query mix: this endpoint on each backend beside two peers.

    .venv/bin/python benchmarks/run.py                       # all sizes: 1k (real), 100k, 1m
    .venv/bin/python benchmarks/run.py --sizes 1k --systems memory,rdflib-endpoint,oxigraph-server
    .venv/bin/python benchmarks/run.py --sizes 1k --passes 4   # alternate the order, take medians

Systems: ``memory`` (the embedded default, Oxigraph in memory), ``rdflib``, ``oxigraph`` (on
disk), ``sparql`` (this endpoint on each store backend; ``sparql`` needs virtuoso-t), each with
the result cache off and on; peers ``rdflib-endpoint`` (PyPI) and ``oxigraph-server`` (PyPI
``oxigraph``, ``oxigraph serve``); and, only when ``--systems`` names it, ``bare-pyoxigraph``
(``benchmarks/bare_pyoxigraph.py``: the same engine behind the same HTTP server, processes and
threads as ours, with none of an endpoint's checks: the floor under our own work per request).
For each size and system: load time (start until the first answer), peak memory of the process
tree (proportional set size: pages the query workers share with the server count once),
throughput, p50/p99 latency and the server's CPU seconds per query at concurrency 1 and 8 over the
same query mix (the example queries, lookups and aggregates), in two modes: ``repeated`` (the mix
as it is, again and again) and ``unique`` (every request's text distinct: the mix with a trailing
``# nonce N`` comment, as portals and researchers send distinct texts, so no parse or result can
come from a cache; a trailing ``VALUES ?nonce { N }`` would do too, but Virtuoso 7.2 refuses a
VALUES variable the query does not use).
Every system's row count per query is checked against the memory backend's. Figures are printed
as ratios to the peers and written to ``benchmarks/results-<date>.json``; ``--markdown`` prints
the table for RESULTS.md. This is a script, not a test: it takes minutes to hours by size.

The system measured first in a run comes out slower than it does later in the same run (by up
to a quarter at 1k), so ``--passes N`` measures every system N times, the order reversed on
every other pass, and reports the median of each figure (peak memory: the highest).

The Oxigraph server (0.5.13) keeps its ``--timeout-s`` deadline with a thread per query that
sleeps for the whole deadline: at some 1,300 q/s and a 30 s deadline it holds tens of
thousands of threads, and once about 16,000 are asleep at once it answers every query with
HTTP 500 "Resource temporarily unavailable (os error 11)" (their stacks pass the kernel's
65,530 memory maps a process may have). ``oxigraph-server`` runs with the same deadline as
ours (``--timeout``, 300 s by default), so a pass must send it fewer than some 15,000 queries
(``--rounds`` 200 at 1k: 13,600 with both modes); ``oxigraph-server-unbounded`` runs without
one, which is not what an endpoint on the web can do, but is what its engine costs alone.

``--client requests`` (the default, as in every run before) sends each request with a
``requests`` session per thread and parses the JSON answer; on two cores its eight threads
saturate at some 650–950 q/s, before a fast server does. ``--client light`` sends the same
requests (form-encoded, the same Accept and Accept-Encoding) over one ``http.client``
connection per thread and reads the answer without parsing it: what the servers cost shows.
Both still take a share of the two cores the servers run on (the light client some 0.4–0.6 ms
of CPU an answer, more for a server whose answers carry more headers: ``http.client`` parses
each one). ``--client wrk`` sends the same requests, as many and as distinct, from C (Debian's
``wrk``, with ``benchmarks/wrk_mix.lua``; the threads are ``min(concurrency, cores)``), which
leaves the servers nearly all of the machine: the nearest this machine comes to a client on
another one. Its failures are counted in all, not by query.

``--method post`` (the default) sends each query form-encoded in a POST body, as most portals
and the query page do; ``--method get`` sends it in the URL (``?query=``), as SPARQLWrapper does
by default and as HTTP caches need, with the same Accept and Accept-Encoding. The warm-up that
counts each query's rows POSTs either way.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "src"))

SIZES = {"1k": 0, "10k": 340, "100k": 3400, "1m": 34000, "10m": 340000}  # cities (0 = the real graph)
#: The mix is sent ``rounds // DIVISOR[size]`` times (at least once): fewer when larger.
DIVISOR = {"1k": 1, "10k": 1, "100k": 10, "1m": 100, "10m": 1000}
SYSTEMS = ["memory", "memory+cache", "rdflib", "rdflib+cache", "oxigraph", "oxigraph+cache", "sparql",
           "sparql+cache", "rdflib-endpoint", "oxigraph-server", "oxigraph-server-unbounded", "bare-pyoxigraph"]
MODES = ("repeated", "unique")
CLIENTS = ("requests", "light", "wrk")
METHODS = ("post", "get")
WRK_SCRIPT = ROOT / "benchmarks" / "wrk_mix.lua"
PEERS = ("rdflib-endpoint", "oxigraph-server", "oxigraph-server-unbounded")
#: Measured only when named: a diagnostic, not a peer (each of its processes loads the dump itself).
ON_REQUEST = ("bare-pyoxigraph",)
#: Queries within one deadline past which the Oxigraph server with a deadline fails (see the module).
PEER_THREADS = 15_000

LOOKUPS = {
    "lookup-city": "SELECT ?p ?o WHERE { <https://w3id.org/alliance-kg/id/city/koeln> ?p ?o }",
    "lookup-label": 'SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Köln"@de }',
    "lookup-members": "SELECT ?m ?c WHERE { ?m <http://www.w3.org/ns/org#member> ?c } LIMIT 100",
}
AGGREGATES = {
    "count-all": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "count-per-graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "count-per-class": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "members-per-country": (
        "PREFIX org: <http://www.w3.org/ns/org#> PREFIX schema: <https://schema.org/> "
        "SELECT ?country (COUNT(DISTINCT ?city) AS ?n) WHERE { ?m org:member ?city . "
        "?city schema:containedInPlace ?place . ?place schema:containedInPlace* ?country . "
        "?country a schema:Country } GROUP BY ?country"),
}


def query_mix() -> dict[str, str]:
    examples = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries" / "examples").glob("*.rq"))}
    return examples | LOOKUPS | AGGREGATES


# -- data ---------------------------------------------------------------------------------------

def prepare_data(size: str, work: Path) -> tuple[Path, Path, int]:
    """(folder for our endpoint, N-Quads with the inferred graph for the peers, triples).
    Built on the Oxigraph path: rdflib's model would need ~3 GB per million triples."""
    import pyoxigraph as ox

    from alliance_kg.build.generate import generate
    from alliance_kg.build.pipeline import conforming

    folder = work / f"data-{size}"
    if SIZES[size]:
        if not folder.exists():
            generate(SIZES[size], folder)
        sources = [folder]
    else:
        folder = ROOT  # the shipped graph
        sources = None
    dump = work / f"dump-{size}.nq"
    count_file = work / f"dump-{size}.count"
    if not dump.exists():
        started = time.monotonic()
        store = conforming(sources, into="oxigraph").store
        log(f"  {size}: built and validated in {time.monotonic() - started:.1f} s")
        store.dump(str(dump), ox.RdfFormat.N_QUADS)
        distinct = "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }"
        count_file.write_text(next(iter(store.query(distinct)))["n"].value)
    return folder, dump, int(count_file.read_text())


# -- servers ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pss(pid: int) -> int:
    """Proportional set size in bytes: a page shared by n processes counts 1/n in each, so the
    sum over a tree counts the pages forked workers share with their parent once (their RSS would
    count the whole in-memory store once per worker). RSS where smaps_rollup is missing."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return psutil.Process(pid).memory_info().rss


#: Seconds between two samples of a process tree's memory (a load's peak is caught within them).
SAMPLE_EVERY = 0.1
#: The most of one core the sampler may take while a server's throughput is measured. A sample
#: reads every process's smaps_rollup, for which the kernel walks its page tables: 4.7 ms for
#: our server's five processes at 1k, 0.3 ms for the Oxigraph server's one. Ten a second took
#: 2-3 % of this 2-core machine from ours as it was measured (``perf``), more at larger sizes;
#: so then the sampler waits a hundred times as long as its last sample took.
SAMPLER_SHARE = 0.01


class Sampled:
    """A process started in its own session, the peak memory of its tree sampled (``pss``)."""

    def __init__(self, command: list[str], env: dict | None = None, cwd: Path | None = None):
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=cwd,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.peak = 0
        #: True while throughput is measured: the sampler steps back (``SAMPLER_SHARE``).
        self.measuring = False
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def stop_sampling(self) -> None:
        self._stop.set()

    def _sample(self) -> None:
        interval = SAMPLE_EVERY
        while not self._stop.wait(interval):
            began = time.thread_time()
            try:
                proc = psutil.Process(self.process.pid)
                total = pss(proc.pid) + sum(pss(c.pid) for c in proc.children(recursive=True))
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            spent = time.thread_time() - began
            interval = max(SAMPLE_EVERY, spent / SAMPLER_SHARE) if self.measuring else SAMPLE_EVERY


def run_sampled(command: list[str]) -> tuple[float, int]:
    """Run a command to its end: (seconds, peak bytes); raises with its stderr if it fails."""
    job = Sampled(command)
    _, err = job.process.communicate()
    job.stop_sampling()
    if job.process.returncode:
        raise RuntimeError(f"{command[0]} exited {job.process.returncode}: {err.decode()[-800:]}")
    return time.monotonic() - job.started, job.peak


class Server(Sampled):
    def __init__(self, name: str, command: list[str], url: str, env: dict | None = None, cwd: Path | None = None):
        super().__init__(command, env, cwd)
        self.name, self.url = name, url
        self.pre_peak = 0  # of a separate load step before the server started

    def wait_ready(self, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.process.stderr.read().decode()[-800:]}")
            try:
                r = requests.post(self.url, data={"query": "ASK { ?s ?p ?o }"},
                                  headers={"Accept": "application/sparql-results+json"}, timeout=5)
                if r.status_code == 200:
                    return time.monotonic() - self.started
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout} s")

    def wait_settled(self, timeout: float) -> None:
        """Until our endpoint's search index is built (suggestions answer), for a large graph a
        while after the first answer: its serving processes are then forked afresh, and the
        measurement should not straddle that."""
        deadline = time.monotonic() + timeout
        base = self.url.rsplit("/sparql", 1)[0]
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/suggest", params={"q": "k"}, timeout=30).status_code != 503:
                    time.sleep(1)  # the processes forked afresh are accepting
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)

    def stop(self) -> None:
        self.stop_sampling()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@dataclass(frozen=True)
class Tuning:
    """What the systems run with: one per-query deadline for all of them (ours and the Oxigraph
    server's), and settings for ours only (``ALLIANCE_KG_*`` names and values)."""

    timeout_s: int = 300
    ours: tuple[tuple[str, str], ...] = ()


def add_tuning_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=int, default=Tuning.timeout_s,
                        help="seconds a query may run, on our endpoint and the Oxigraph server alike")
    parser.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE",
                        help="one of our endpoint's settings, e.g. query-workers=4 (repeatable)")


def tuning_from(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Tuning:
    """The ``--timeout`` and ``--set`` arguments, or the parser's usage error (values checked
    the way the endpoint reads them, so a bad one fails here and not as a server that won't start)."""
    from alliance_kg.settings import ENV_PREFIX, Settings, describe

    known = sorted(name.replace("_", "-") for name, _, _ in describe())
    ours = []
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or name not in known:
            parser.error(f"--set {item!r}: expected SETTING=VALUE with one of {', '.join(known)}")
        ours.append((ENV_PREFIX + name.replace("-", "_").upper(), value))
    try:
        Settings.load(environ=dict(ours))
    except ValueError as exc:
        parser.error(f"--set: {exc}")
    if args.timeout < 1:
        parser.error("--timeout must be at least 1")
    return Tuning(args.timeout, tuple(ours))


def start_system(system: str, folder: Path, dump: Path, size: str, work: Path,
                 tuning: Tuning = Tuning()) -> tuple[Server, float]:
    """Start ``system`` on the data; returns the server and the seconds spent loading before start
    (its peak memory in ``server.pre_peak``)."""
    port = free_port()
    base, cache = system.split("+")[0], system.endswith("+cache")
    pre, pre_peak = 0.0, 0
    if base in ("memory", "rdflib", "oxigraph", "sparql"):
        env = {"ALLIANCE_KG_CACHE_ENTRIES": "256" if cache else "0", "ALLIANCE_KG_LOG_LEVEL": "WARNING",
               "ALLIANCE_KG_QUERY_TIMEOUT": str(tuning.timeout_s), "ALLIANCE_KG_MAX_ROWS": "1000000",
               **dict(tuning.ours)}
        command = [str(BIN / "alliance-kg"), "serve", "--port", str(port)]
        if size != "1k":
            env["ALLIANCE_KG_DATA"] = str(folder)
        if base == "rdflib":
            env["ALLIANCE_KG_STORE"] = "rdflib"
        if base == "oxigraph":
            store = work / f"oxigraph-{size}"
            if not (store / "alliance-kg.json").exists():
                args = [str(BIN / "alliance-kg"), "load", "--store", f"oxigraph:{store}"] + ([str(folder)] if size != "1k" else [])
                _PRELOADED[store] = run_sampled(args)
            pre, pre_peak = _PRELOADED.get(store, (0.0, 0))
            env["ALLIANCE_KG_STORE"] = f"oxigraph:{store}"
            env.pop("ALLIANCE_KG_DATA", None)
        if base == "sparql":
            url = virtuoso(work, dump, size)
            env["ALLIANCE_KG_STORE"] = f"sparql:{url}"
            env.pop("ALLIANCE_KG_DATA", None)
        server = Server(system, command, f"http://127.0.0.1:{port}/sparql", env, cwd=ROOT)
    elif system == "rdflib-endpoint":
        server = Server(system, [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 str(dump)], f"http://127.0.0.1:{port}/")
    elif system in ("oxigraph-server", "oxigraph-server-unbounded"):
        location = work / f"oxigraph-server-{size}"
        if not location.exists():
            _PRELOADED[location] = run_sampled([str(BIN / "oxigraph"), "load", "--location", str(location),
                                                "--file", str(dump)])
        pre, pre_peak = _PRELOADED.get(location, (0.0, 0))
        # its deadline costs it a thread per query, asleep for the whole deadline (see the module)
        deadline = ["--timeout-s", str(tuning.timeout_s)] if system == "oxigraph-server" else []
        server = Server(system, [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location),
                                 "--bind", f"127.0.0.1:{port}", "--union-default-graph", *deadline],
                        f"http://127.0.0.1:{port}/query")
    elif system == "bare-pyoxigraph":
        from alliance_kg.settings import Settings

        settings = Settings.load(environ=dict(tuning.ours))  # our processes and threads, no more
        server = Server(system, [str(BIN / "granian"), "--interface", "wsgi", "--http", "1", "--workers",
                                 str(max(1, settings.processes)), "--blocking-threads", str(settings.threads),
                                 "--runtime-threads", "1", "--host", "127.0.0.1", "--port", str(port),
                                 "--working-dir", str(ROOT / "benchmarks"), "--log-level", "warning",
                                 "bare_pyoxigraph:app"],
                        f"http://127.0.0.1:{port}/", {"BARE_DUMP": str(dump)})
    else:
        raise ValueError(system)
    server.pre_peak = pre_peak
    return server, pre


#: (seconds, peak bytes) of the load steps run in this process, by store: every pass reports them.
_PRELOADED: dict[Path, tuple[float, int]] = {}
_VIRTUOSO: dict[str, str] = {}


def virtuoso(work: Path, dump: Path, size: str) -> str:
    """A Virtuoso holding ``size``'s data (pushed once per size); returns its /sparql URL."""
    if size in _VIRTUOSO:
        return _VIRTUOSO[size]
    from rdflib import Dataset

    from alliance_kg.stores.push import Credentials, push

    folder = work / f"virtuoso-{size}"
    port = free_port()
    subprocess.run(["bash", str(ROOT / "scripts" / "virtuoso.sh"), "start", str(folder), str(port)],
                   check=True, capture_output=True)
    dataset = Dataset()
    dataset.parse(dump, format="nquads")
    version = "bench-" + size
    push(dataset, f"http://127.0.0.1:{port}/sparql-auth", version, credentials=Credentials("dba", "dba"))
    _VIRTUOSO[size] = f"http://127.0.0.1:{port}/sparql"
    _VIRTUOSO_DIRS.append(folder)
    return _VIRTUOSO[size]


_VIRTUOSO_DIRS: list[Path] = []


# -- load generation ----------------------------------------------------------------------------

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


def ask(url: str, text: str, session: requests.Session) -> tuple[float, int]:
    started = time.perf_counter()
    r = session.post(url, data={"query": text}, headers={"Accept": ACCEPT}, timeout=600)
    elapsed = time.perf_counter() - started
    if r.status_code != 200:
        raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
    kind = r.headers.get("Content-Type", "")
    if "json" in kind:
        body = r.json()
        rows = len(body["results"]["bindings"]) if "results" in body else int(bool(body.get("boolean")))
    else:
        rows = sum(1 for line in r.text.splitlines() if line.strip() and not line.startswith(("@", "PREFIX")))
    return elapsed, rows


class RequestsClient:
    """``ask`` with a session of its own (one per thread); a GET's answer is checked, not parsed."""

    def __init__(self, url: str, method: str = "post"):
        self.url, self.method, self.session = url, method, requests.Session()

    def send(self, text: str) -> float:
        if self.method == "post":
            return ask(self.url, text, self.session)[0]
        started = time.perf_counter()
        r = self.session.get(self.url, params={"query": text}, headers={"Accept": ACCEPT}, timeout=600)
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
        return time.perf_counter() - started


class LightClient:
    """The same request over one keep-alive ``http.client`` connection (one per thread), its
    answer read and not parsed: a client that costs the cores little (``--client light``). Like
    urllib3 and browsers, it sends a request once more on a new connection when the server had
    closed the kept-alive one (a serving process that is replaced closes its idle connections)."""

    def __init__(self, url: str, method: str = "post"):
        parts = urlsplit(url)
        self.path, self.method = parts.path or "/", method
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
        self.used = False

    def send(self, text: str) -> float:
        started = time.perf_counter()
        try:
            try:
                response, body = self._send(text)
            except (ConnectionError, http.client.RemoteDisconnected):
                self.connection.close()
                reused, self.used = self.used, False
                if not reused:
                    raise
                response, body = self._send(text)  # the kept-alive connection had been closed
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request opens a new connection
            self.used = False
            raise
        self.used = True
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:300]!r}")
        return elapsed

    def _send(self, text: str) -> tuple[http.client.HTTPResponse, bytes]:
        headers = {"Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}  # as requests asks
        if self.method == "get":
            self.connection.request("GET", f"{self.path}?{urlencode({'query': text})}", headers=headers)
        else:
            self.connection.request("POST", self.path, body=urlencode({"query": text}),
                                    headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
        response = self.connection.getresponse()
        return response, response.read()


CLIENT_TYPES = {"requests": RequestsClient, "light": LightClient}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children (the query workers), those it has
    replaced and reaped included (counted in its ``children_*`` times)."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        reaped = proc.cpu_times()
    except psutil.Error:
        return 0.0
    total = reaped.children_user + reaped.children_system
    for p in procs:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def measure(server: "Server", mix: dict[str, str], concurrency: int, rounds: int, unique_from: int | None,
            client: str = "requests", method: str = "post") -> dict:
    """Send the mix ``rounds`` times; ``unique_from``: number the texts from there (all distinct).
    A request that fails (a query stopped at its deadline, a cut answer) is counted in ``failed``
    by query name, not answered: q/s counts answers."""
    server.measuring = True
    try:
        if client == "wrk":
            return measure_wrk(server, mix, concurrency, rounds, unique_from, method)
        return _measure_threads(server, mix, concurrency, rounds, unique_from, client, method)
    finally:
        server.measuring = False


def _measure_threads(server: "Server", mix: dict[str, str], concurrency: int, rounds: int, unique_from: int | None,
                     client: str, method: str) -> dict:
    """``measure`` with a Python client: ``concurrency`` threads, each with a connection of its own."""
    jobs = [(name, text) for _ in range(rounds) for name, text in mix.items()]
    if unique_from is not None:
        jobs = [(name, f"{text}\n# nonce {unique_from + i}") for i, (name, text) in enumerate(jobs)]
    url = server.url
    sessions = threading.local()
    latencies: list[float] = []
    failed: dict[str, int] = {}
    lock = threading.Lock()

    def one(job):
        if not hasattr(sessions, "s"):
            sessions.s = CLIENT_TYPES[client](url, method)
        try:
            elapsed = sessions.s.send(job[1])
        except (RuntimeError, ValueError, requests.RequestException, OSError, http.client.HTTPException) as exc:
            log(f"  {job[0]} failed: {str(exc)[:160]}")
            with lock:
                failed[job[0]] = failed.get(job[0], 0) + 1
            return
        with lock:
            latencies.append(elapsed)

    cpu_before = cpu_seconds(server.process.pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, jobs))
    wall = time.perf_counter() - started
    cpu = cpu_seconds(server.process.pid) - cpu_before
    latencies = sorted(latencies) or [float("nan")]
    answered = len(jobs) - sum(failed.values())
    return {"qps": answered / wall, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], "requests": len(jobs),
            "cpu_ms_per_query": 1000 * cpu / len(jobs), "failed": failed}


def measure_wrk(server: "Server", mix: dict[str, str], concurrency: int, rounds: int,
                unique_from: int | None, method: str = "post") -> dict:
    """``measure`` with wrk sending the requests: the same texts in the same order, as many, with
    the same headers, from C (see the module)."""
    threads = min(concurrency, os.cpu_count() or 1)
    with tempfile.NamedTemporaryFile("w", prefix="alliance-kg-wrk-", suffix=".txt") as bodies:
        bodies.write("".join(urlencode({"query": text}) + "\n" for text in mix.values()))
        bodies.flush()
        env = {**os.environ, "MIX": bodies.name, "TOTAL": str(rounds * len(mix)), "THREADS": str(threads),
               "METHOD": method.upper()}
        if unique_from is not None:
            env["NONCE"] = str(unique_from)
        cpu_before = cpu_seconds(server.process.pid)
        done = subprocess.run(["wrk", f"-t{threads}", f"-c{concurrency}", "-d3600s", "--timeout", "600s",
                               "-s", str(WRK_SCRIPT), server.url], capture_output=True, text=True, env=env)
        cpu = cpu_seconds(server.process.pid) - cpu_before
    line = next((line for line in done.stdout.splitlines() if line.startswith("wrk-result ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {(done.stderr or done.stdout)[-300:]}")
    result = json.loads(line.split(" ", 1)[1])
    failed = result["status_errors"] + result["socket_errors"]
    if failed:
        log(f"  {failed} requests failed (wrk: {result['status_errors']} not 2xx/3xx, "
            f"{result['socket_errors']} socket errors)")
    answered = result["responses"] - result["status_errors"]
    return {"qps": answered / result["seconds"], "p50_ms": result["p50_ms"], "p99_ms": result["p99_ms"],
            "requests": result["responses"] + result["socket_errors"],
            "cpu_ms_per_query": 1000 * cpu / max(1, result["responses"]), "failed": {"any": failed} if failed else {}}


def parse_sizes(parser: argparse.ArgumentParser, text: str) -> list[str]:
    """``--sizes`` as a list, or the parser's usage error naming the unknown ones."""
    sizes = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)}; use {', '.join(SIZES)}")
    return sizes


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_system(system: str, mix: dict[str, str], size: str, data: tuple[Path, Path, int], work: Path,
                   rounds: int, modes: tuple[str, ...], nonce: int, tuning: Tuning = Tuning(),
                   client: str = "requests", method: str = "post") -> dict:
    """Start ``system``, send the mix in each mode at concurrency 1 and 8, stop it: its figures
    (or ``{"error": ...}``). ``nonce``: where this measurement's unique texts are numbered from."""
    folder, dump, _ = data
    try:
        server, pre = start_system(system, folder, dump, size, work, tuning)
    except Exception as exc:
        log(f"  unavailable: {exc}")
        return {"error": f"{type(exc).__name__}: {exc}"[:400]}
    try:
        ready = server.wait_ready(3600)
        if system.split("+")[0] in ("memory", "rdflib", "oxigraph", "sparql"):
            server.wait_settled(3600)
        rows, first = {}, {}
        session = requests.Session()
        for name, text in mix.items():  # warm-up and row counts
            started = time.perf_counter()
            try:
                rows[name] = ask(server.url, text, session)[1]
            except Exception as exc:
                rows[name] = f"error: {str(exc)[:120]}"
            first[name] = round(time.perf_counter() - started, 3)
            if first[name] >= 1:  # the slow ones, as they come (they make the large sizes)
                log(f"  first {name}: {first[name]:.1f} s, {rows[name]} rows")
        ok_mix = {n: t for n, t in mix.items() if isinstance(rows[n], int)}
        figures = {"load_s": round(pre + ready, 2), "rows": rows, "first_s": first}
        for mode in modes:
            for concurrency in (1, 8):
                unique_from = nonce + concurrency * 10_000_000 if mode == "unique" else None
                key = f"{mode}-c{concurrency}"
                figures[key] = measure(server, ok_mix, concurrency, rounds, unique_from, client, method)
                log(f"  {key}: {figures[key]['qps']:.0f} q/s, p99 {figures[key]['p99_ms']:.1f} ms, "
                    f"{figures[key]['cpu_ms_per_query']:.2f} CPU ms/query")
        figures["peak_mb"] = round(max(server.peak, server.pre_peak) / 2**20)
        figures["workers_replaced"] = workers_replaced(server)
        figures["allocator"] = allocator_of(server)
        log(f"  load {figures['load_s']} s, peak {figures['peak_mb']} MB")
        return figures
    except Exception as exc:
        log(f"  failed: {exc}")
        return {"error": f"{type(exc).__name__}: {exc}"[:400]}
    finally:
        server.stop()


def median_figures(passes: list[dict]) -> dict:
    """One system's passes as one: the median of every figure, the highest peak, the first
    pass's row counts (``check_rows`` compares systems; passes of one system agree)."""
    measured = [f for f in passes if "error" not in f]
    if not measured:
        return passes[0]
    merged = {"load_s": round(statistics.median(f["load_s"] for f in measured), 2), "rows": measured[0]["rows"],
              "peak_mb": max(f["peak_mb"] for f in measured), "passes": len(measured),
              "workers_replaced": [f.get("workers_replaced") for f in measured],
              "allocator": measured[0].get("allocator")}
    for key in (k for k in measured[0] if isinstance(measured[0][k], dict) and k != "rows"):
        merged[key] = {name: _median([f[key][name] for f in measured]) for name in measured[0][key]}
    return merged


def allocator_of(server: Server) -> str:
    """The malloc a server ran on: the library preloaded in its process (``serve`` preloads
    mimalloc where it is installed), else the system's."""
    from alliance_kg.cli.allocator import replacement

    found = replacement(Path(f"/proc/{server.process.pid}/maps"))
    return os.path.basename(found) if found else "system"


def workers_replaced(server: Server) -> int | None:
    """How many query workers our endpoint replaced (timeouts, crashes, outgrowing their memory
    limit), from its /metrics; None for a peer."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = requests.get(server.url.rsplit("/", 1)[0] + "/metrics", timeout=10).text
        counts = [sample.value for family in text_string_to_metric_families(text)
                  if family.name in ("alliance_kg_worker_restarts", "alliance_kg_worker_recycles")
                  for sample in family.samples]
    except (requests.RequestException, ValueError):  # a peer: no such page, or not in that format
        return None
    return int(sum(counts)) if counts else None


def _median(values: list) -> object:
    """The median of one figure over passes; failures by query are added up."""
    if isinstance(values[0], dict):
        return {name: sum(v.get(name, 0) for v in values) for name in set().union(*values)}
    return statistics.median(values)


def run(sizes: list[str], systems: list[str], rounds: int, work: Path, modes: tuple[str, ...] = MODES,
        passes: int = 1, tuning: Tuning = Tuning(), client: str = "requests", method: str = "post") -> dict:
    mix = query_mix()
    results: dict = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "queries": list(mix), "sizes": {},
                     "passes": passes, "client": client, "method": method}
    for size in sizes:
        log(f"size {size}: preparing data")
        data = prepare_data(size, work)
        entry = results["sizes"][size] = {"triples": data[2], "systems": {}}
        size_rounds = max(1, rounds // DIVISOR[size])
        sent = size_rounds * len(mix) * 2 * len(modes)  # per pass: at concurrency 1 and 8
        if "oxigraph-server" in systems and sent > PEER_THREADS:
            log(f"  warning: {sent:,} queries a pass; the Oxigraph server with a {tuning.timeout_s} s deadline "
                f"fails from some {PEER_THREADS:,} on (see the module): fewer --rounds or a shorter --timeout")
        measured: dict[str, list[dict]] = {system: [] for system in systems}
        for number in range(passes):
            for system in systems if number % 2 == 0 else systems[::-1]:
                log(f"size {size}: {system}" + (f" (pass {number + 1} of {passes})" if passes > 1 else ""))
                nonce = number * 100_000_000
                figures = measure_system(system, mix, size, data, work, size_rounds, modes, nonce, tuning, client,
                                         method)
                measured[system].append(figures)
        entry["systems"] = {system: median_figures(figures) for system, figures in measured.items()}
        check_rows(entry)
    for folder in _VIRTUOSO_DIRS:
        subprocess.run(["bash", str(ROOT / "scripts" / "virtuoso.sh"), "stop", str(folder)], check=False)
    return results


def check_rows(entry: dict) -> None:
    """Row counts per query must agree across systems (reference: memory, else the first)."""
    systems = {k: v for k, v in entry["systems"].items() if "rows" in v}
    if not systems:
        return
    reference = systems.get("memory") or next(iter(systems.values()))
    mismatches = {}
    for name, figures in systems.items():
        diff = {q: (figures["rows"].get(q), n) for q, n in reference["rows"].items() if figures["rows"].get(q) != n}
        if diff:
            mismatches[name] = diff
    entry["row_mismatches"] = mismatches


def machine() -> str:
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores{cpu_model()}, "
            f"{round(psutil.virtual_memory().total / 2**30)} GB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def cpu_model() -> str:
    """``, <model name> (family F model M, MHz)`` from ``/proc/cpuinfo``, or nothing elsewhere: the
    ratios between servers moved by a quarter between two machines of the same description."""
    try:
        with open("/proc/cpuinfo") as info:
            first = info.read().split("\n\n")[0].splitlines()  # the first processor's
    except OSError:
        return ""
    fields = {name.strip(): value.strip() for name, value in (line.split(":", 1) for line in first if ":" in line)}
    return (f", {fields.get('model name', '?')} (family {fields.get('cpu family', '?')} model "
            f"{fields.get('model', '?')}, {fields.get('cpu MHz', '?')} MHz)")


def _ratio(value: float | None, peer: float | None) -> str:
    return f"{value / peer:.2f}×" if value and peer else "—"


def markdown(results: dict) -> str:
    lines = [f"Run {results['date']} on {results['machine']}, client {results.get('client', 'requests')}, "
             f"queries sent by {results.get('method', 'post').upper()}.", ""]
    for size, entry in results["sizes"].items():
        systems = entry["systems"]
        for mode in MODES:
            if not any(f"{mode}-c1" in f for f in systems.values()):
                continue
            lines += [f"### {size} ({entry['triples']:,} triples), {mode} texts", "",
                      "| system | load s | peak MB | c1 q/s | c1 p99 ms | c8 q/s | c8 p99 ms | CPU ms/query (c8) "
                      "| c1 vs rdflib-endpoint | c8 vs rdflib-endpoint | c1 vs Oxigraph server | c8 vs Oxigraph server "
                      "| c8 vs Oxigraph server, no deadline |",
                      "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
            peers = {p: {c: systems.get(p, {}).get(f"{mode}-{c}", {}).get("qps") for c in ("c1", "c8")} for p in PEERS}
            for name, f in systems.items():
                if "error" in f:
                    lines.append(f"| {name} | unavailable: {f['error'][:80]} |" + " |" * 11)
                    continue
                c1, c8 = f[f"{mode}-c1"], f[f"{mode}-c8"]
                lines.append(
                    f"| {name} | {f['load_s']} | {f['peak_mb']} | {c1['qps']:.0f} | {c1['p99_ms']:.1f} | {c8['qps']:.0f} | "
                    f"{c8['p99_ms']:.1f} | {c8['cpu_ms_per_query']:.2f} | "
                    f"{_ratio(c1['qps'], peers['rdflib-endpoint']['c1'])} | {_ratio(c8['qps'], peers['rdflib-endpoint']['c8'])} | "
                    f"{_ratio(c1['qps'], peers['oxigraph-server']['c1'])} | {_ratio(c8['qps'], peers['oxigraph-server']['c8'])} | "
                    f"{_ratio(c8['qps'], peers['oxigraph-server-unbounded']['c8'])} |")
            lines.append("")
        mismatches = entry.get("row_mismatches")
        lines += ["", f"Row counts: {'all systems agree' if not mismatches else json.dumps(mismatches)}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,100k,1m", help="comma-separated: " + ", ".join(SIZES))
    parser.add_argument("--systems", default=",".join(s for s in SYSTEMS if s not in ON_REQUEST),
                        help="comma-separated: " + ", ".join(SYSTEMS) + f" (default: all but {', '.join(ON_REQUEST)})")
    parser.add_argument("--rounds", type=int, default=20, help="repetitions of the query mix at 1k (fewer when larger)")
    parser.add_argument("--work", help="folder for generated data and stores (default: a temporary one, kept)")
    parser.add_argument("--markdown", action="store_true", help="print the RESULTS.md table")
    parser.add_argument("--modes", default=",".join(MODES), help="repeated, unique or both (comma-separated)")
    parser.add_argument("--passes", type=int, default=1,
                        help="measure every system this many times, alternating the order; report medians")
    parser.add_argument("--client", default="requests", choices=CLIENTS,
                        help="requests (parses every answer), light (http.client, reads it) or wrk (C): "
                             "see the module")
    parser.add_argument("--method", default="post", choices=METHODS,
                        help="post (form-encoded body) or get (?query= in the URL): see the module")
    parser.add_argument("--out", help="the results file (default: benchmarks/results-DATE.json)")
    add_tuning_arguments(parser)
    args = parser.parse_args(argv)
    tuning = tuning_from(parser, args)
    if args.client == "wrk" and shutil.which("wrk") is None:
        parser.error("--client wrk needs wrk on the PATH (Debian: apt-get install wrk)")
    sizes = parse_sizes(parser, args.sizes)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="alliance-kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    if set(modes) - set(MODES):
        parser.error(f"unknown mode(s): {', '.join(sorted(set(modes) - set(MODES)))}")
    if args.passes < 1:
        parser.error("--passes must be at least 1")
    results = run(sizes, [s.strip() for s in args.systems.split(",") if s.strip()], args.rounds, work, modes,
                  args.passes, tuning, args.client, args.method)
    out = Path(args.out) if args.out else ROOT / "benchmarks" / f"results-{results['date']}.json"
    out.write_text(json.dumps(results, indent=2))
    print(markdown(results) if args.markdown else json.dumps(results, indent=2))
    log(f"written {out}; work folder {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
