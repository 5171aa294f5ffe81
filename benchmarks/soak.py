#!/usr/bin/env python3
"""Soak: a real ``alliance-kg serve`` under N minutes of mixed traffic and faults, on loopback.

    .venv/bin/python benchmarks/soak.py --minutes 10          # the README's run
    .venv/bin/python benchmarks/soak.py --minutes 4 --json    # what CI runs (tests/test_soak.py)

Clients (``--concurrency``, 32 by default) send the example queries and lookups ("normal"),
and about one request in five is hostile: cartesian products, a catastrophic regex, a huge
UNION, updates, SERVICE, malformed text, deep nesting. Every ``--reload-every`` seconds the data
is reloaded over HTTP; one reload in three brings invalid data (a syntax error, or a statement
the shapes reject). Every ``--kill-every`` seconds a serving process is killed with SIGKILL.
Hostile clients come from loopback addresses of their own, and the server gives each address a
query-time budget (4 s in 30 s), so they spend theirs and are refused (429); normal clients send
an API token with a budget of its own. Each hostile query that runs past its deadline has its
serving process replaced (``web.serving``).

The clients do what an HTTP client does with a request it knows to be safe (a SPARQL query
changes nothing): one whose connection closes before any answer is sent once more on a new
connection. A serving process that is replaced closes its idle keep-alive connections, and one
that is killed drops the requests it was answering; such retries are counted (``retried``), and
a request that fails twice is a failure. A reload or a status closed unanswered is asked again
too (``retried admin``); a reloader or killer thread that dies fails the soak.

It passes (exit 0) when: no normal query got a 5xx or failed twice, no hostile one got a
500, the served data never was the invalid version (a marker only the invalid data has is never
seen, and /status always names a version that was loaded from valid data), and the server's
memory (PSS of the process tree, sampled every 5 s) grew less than 20 %: of the samples taken
from the second reload on while one generation of processes is running (the serving processes
and the server's query worker: not while a replacement runs beside the process it replaces),
the floor of the last third against the floor of the
first third, the memory kept between queries. The floor is the second lowest sample: one sample
may catch a worker just forked after a kill or a timeout, whose pages all count as shared, or a
generation the moment it stopped, its shared pages just counted among fewer processes (a CI
run's first third held one sample 20 % below its others and failed at +24 %). Requiring the
sample before to show one generation too, as the soak did, left out the lows just after each
reload, and a run whose last third then held mid-cycle samples only failed at +27 %. (Two single samples, or medians of a few, would not
do: the workers' memory swings by 2-3x with the queries they hold at that instant, as the
timeline shows, and a run that ends in a swing is not a leak; a leak raises the floor.)
It prints q/s and p50/p99 latency of the normal queries. Loops are bounded by the deadline;
all traffic goes to 127.0.0.0/8.
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import psutil

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "soak-token"
#: The normal clients' API token: a budget of their own (the hostile ones have their address's).
RESEARCHER = "soak-researcher"
QUERY_TIMEOUT = 4
#: Serving processes, and the query worker the server keeps for its own queries: the memory is
#: compared only while this many run (see above).
PROCESSES, QUERY_WORKERS = 2, 1
WORKERS = PROCESSES + QUERY_WORKERS
#: Normal queries the report lists as the slowest.
SLOWEST = 10
#: Seconds between memory samples.
SAMPLE_EVERY = 5.0
MARKER = "https://w3id.org/alliance-kg/id/topic/soak-invalid-marker"
HOSTILE = {
    "cartesian": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "regex": 'SELECT ?o WHERE { ?s ?p ?o FILTER(REGEX(CONCAT(STR(?o), STR(?o), STR(?o), "!"), "^(([a-z ]+)+)+$")) }',
    "union": "SELECT ?s WHERE {" + " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(800)) + "}",
    "update": "INSERT DATA { <urn:x> <urn:y> <urn:z> }",
    "service": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "malformed": "SELECT ?s WHERE { ?s ?p ",
    "nesting": "SELECT * WHERE " + "{" * 800 + " ?s ?p ?o " + "}" * 800,
}
VIOLATION = f"""@prefix schema: <https://schema.org/> .
<{MARKER}> a schema:City .
"""
SYNTAX_ERROR = "@prefix schema: <https://schema.org/> .\n<urn:broken> schema:name \"unterminated .\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def project_files(into: Path) -> Path:
    """A copy of the project's ontology, data, shapes and queries the soak may change."""
    from alliance_kg.settings import project_root

    source = project_root()
    for part in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(source / part, into / part)
    return into



def floor(samples: list[int]) -> int:
    """The second lowest of ``samples`` (the lowest if there is one): see the module."""
    return sorted(samples)[1] if len(samples) > 1 else min(samples)

class SoakError(Exception):
    """The soak could not run (the server never came up)."""


class Soak:
    def __init__(self, args: argparse.Namespace, root: Path):
        self.args, self.root = args, root
        self.port = free_port()
        self.deadline = 0.0
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        #: The slowest normal queries (seconds, seconds into the run, name) and the faults, with
        #: when they came: a slow or failed query is read against the reloads and kills beside it.
        self.slowest: list[tuple[float, float, str]] = []
        self.events: list[tuple[float, str]] = []
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.valid_versions: set[str] = set()
        self.reloads: Counter = Counter()
        self.kills = 0
        self.process: subprocess.Popen | None = None
        #: (seconds into the run, server MB, workers MB, result cache MB, worker recycles, worker
        #: processes) every SAMPLE_EVERY seconds: where growth comes from
        self.timeline: list[tuple[int, int, int, int, int, int]] = []
        self.started = 0.0

    # -- the server ---------------------------------------------------------------------------

    def start(self) -> None:
        env = dict(os.environ, ALLIANCE_KG_ROOT=str(self.root), ALLIANCE_KG_LOG_LEVEL=os.environ.get("SOAK_LOG_LEVEL", "WARNING"))
        command = [sys.executable, "-m", "alliance_kg.cli", "serve", "--port", str(self.port),
                   "--threads", str(self.args.concurrency + 8), "--processes", str(PROCESSES),
                   "--query-workers", str(QUERY_WORKERS),
                   "--query-timeout", str(QUERY_TIMEOUT), "--max-rows", "2000", "--reload-token", TOKEN,
                   "--budget-seconds", "4", "--budget-window", "30", "--budget-tokens", f"{RESEARCHER}=100000"]
        self.log = open(self.root / "server.log", "wb")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(600):
            if self.process.poll() is not None:
                raise SoakError("the server exited:\n" + self.server_log_tail())
            try:
                status, body = self._request("GET", "/status", None, None, "127.0.0.1", None)  # not up yet: not a retry
                if status == 200:
                    self.valid_versions.add(json.loads(body)["version"])
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SoakError("the server did not answer /status within 60 s:\n" + self.server_log_tail())

    def stop(self) -> None:
        """SIGTERM to the server, then wait for its whole tree: a process that outlives its server
        (a serving process holding the port, or one still writing the server's log) is a failure
        the soak must report, not leave behind. The soak's own reloader thread may still unlink
        its file while the folder goes, which the folder's removal tolerates."""
        if self.process and self.process.poll() is None:
            try:
                tree = psutil.Process(self.process.pid).children(recursive=True)
            except psutil.Error:
                tree = []
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.failures.append("the server did not stop within 30 s of SIGTERM")
                self.process.kill()
                self.process.wait()
            _, alive = psutil.wait_procs(tree, timeout=10)
            for straggler in alive:
                self.failures.append(f"process {straggler.pid} outlived its server by 10 s")
                straggler.kill()
        if hasattr(self, "log"):
            self.log.close()

    def server_log_tail(self) -> str:
        path = self.root / "server.log"
        return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else ""

    def aborted(self, why: str) -> dict:
        """The report of a run that could not finish: why, and the end of the server's log."""
        return {"minutes": self.args.minutes, "concurrency": self.args.concurrency, "passed": False,
                "failures": [why, *self.failures[:49]], "server_log_tail": self.server_log_tail()}

    def memory_parts(self) -> tuple[int, int, int]:
        """PSS of the server process and of its workers, apart, and how many workers there are."""
        server = workers = count = 0
        try:
            proc = psutil.Process(self.process.pid)
            server = proc.memory_full_info().pss
            for p in proc.children(recursive=True):
                try:
                    workers += p.memory_full_info().pss
                    count += 1
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        return server, workers, count

    def sample(self) -> None:
        server, workers, count = self.memory_parts()
        metrics = self.metrics()
        self.timeline.append((round(time.monotonic() - self.started), round(server / 2**20), round(workers / 2**20),
                              round(metrics.get("alliance_kg_result_cache_bytes", 0) / 2**20),
                              int(metrics.get("alliance_kg_worker_recycles_total", 0)), count))

    def metrics(self) -> dict[str, float]:
        """The server's unlabelled metrics (name -> value)."""
        try:
            status, body = self.request("GET", "/metrics")
        except (OSError, http.client.HTTPException):  # a killed serving process, twice: no sample
            return {}
        found = {}
        for line in body.decode("utf-8", "replace").splitlines() if status == 200 else ():
            name, _, value = line.partition(" ")
            if not line.startswith("#") and "{" not in name:
                try:
                    found[name] = float(value)
                except ValueError:
                    pass
        return found

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                source: str = "127.0.0.1", connection: http.client.HTTPConnection | None = None):
        """One request; on a connection of its own, sent once more if it was closed unanswered (the
        serving process that took it was killed: a reload or a status is safe to ask again)."""
        if connection is not None:
            return self._request(method, path, body, headers, source, connection)
        try:
            return self._request(method, path, body, headers, source, None)
        except (OSError, http.client.HTTPException):
            with self.lock:
                self.statuses[("retried", "admin")] += 1
            return self._request(method, path, body, headers, source, None)

    def _request(self, method: str, path: str, body: bytes | None, headers: dict | None, source: str,
                 connection: http.client.HTTPConnection | None):
        own = connection is None
        connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                                             source_address=(source, 0))
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            if own:
                connection.close()

    # -- traffic ------------------------------------------------------------------------------

    def client(self, index: int, normal: dict[str, str]) -> None:
        hostile = index % 5 == 4  # one client in five
        source = f"127.0.{1 if hostile else 2}.{index + 2}"
        rng = random.Random(index)
        connection = None
        while time.monotonic() < self.deadline:
            name, text = rng.choice(list((HOSTILE if hostile else normal).items()))
            text = f"{text}\n# {index}-{rng.random()}" if name not in ("malformed",) else text
            if connection is None:
                connection = self.connect(source)
            started = time.monotonic()
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "Accept": "application/sparql-results+json"}
            if not hostile:
                headers["X-API-Key"] = RESEARCHER
            body = ("query=" + quote(text, safe="")).encode()
            try:
                try:
                    status, answer = self.request("POST", "/sparql", body, headers, connection=connection)
                except (OSError, http.client.HTTPException):  # closed before any answer: once more (see above)
                    connection.close()
                    connection = self.connect(source)
                    with self.lock:
                        self.statuses[("retried", "hostile" if hostile else "normal")] += 1
                    status, answer = self.request("POST", "/sparql", body, headers, connection=connection)
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = None
                self.fail(f"{'hostile' if hostile else 'normal'} {name}: connection error {type(exc).__name__}",
                          counted=not hostile)
                continue
            elapsed = time.monotonic() - started
            with self.lock:
                self.statuses[("hostile" if hostile else "normal", status)] += 1
                if not hostile and status == 200:
                    self.latencies.append(elapsed)
                    heapq.heappush(self.slowest, (elapsed, round(started - self.started, 2), name))
                    if len(self.slowest) > SLOWEST:
                        heapq.heappop(self.slowest)
            if not hostile and status >= 500:
                self.fail(f"normal {name} (sent at {started - self.started:.2f} s, answered after {elapsed:.2f} s): "
                          f"HTTP {status}: {answer[:200]!r}")
            if hostile and status == 500:
                self.fail(f"hostile {name}: HTTP 500: {answer[:200]!r}")
            if not hostile and name == "marker" and b'"boolean":true' in answer:
                self.fail("the invalid data's marker was served")
        if connection is not None:
            connection.close()

    def connect(self, source: str) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(source, 0))

    def fail(self, what: str, counted: bool = True) -> None:
        with self.lock:
            if counted:
                self.failures.append(what)
            self.statuses[("errors", what.split(":")[0])] += 1

    # -- faults -------------------------------------------------------------------------------

    def reloader(self) -> None:
        cycle = 0
        extra = self.root / "data" / "soak-extra.ttl"
        while not self.wait(self.args.reload_every):
            cycle += 1
            invalid = cycle % 3 == 0
            if invalid:
                extra.write_text(SYNTAX_ERROR if cycle % 6 == 0 else VIOLATION, encoding="utf-8")
            else:  # a valid change: a new version of the data
                extra.write_text(f"# soak cycle {cycle}\n<https://w3id.org/alliance-kg/id/topic/soak> "
                                 f"<http://www.w3.org/2000/01/rdf-schema#comment> \"cycle {cycle}\"@en .\n",
                                 encoding="utf-8")
            for _ in range(3):  # a 503: its serving process was replaced meanwhile; a reload may be asked again
                status, body = self.request("POST", "/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
                if status != 503:
                    break
                with self.lock:
                    self.reloads["retried", status] += 1
                time.sleep(1)
            outcome = json.loads(body) if body.startswith(b"{") else {}
            with self.lock:
                self.reloads["invalid" if invalid else "valid", status] += 1
                self.event(f"reload {'invalid' if invalid else 'valid'} {status}")
                if not invalid and status == 200 and outcome.get("version"):
                    self.valid_versions.add(outcome["version"])
            if invalid and status == 200 and outcome.get("message") != "unchanged":
                self.fail("invalid data was accepted by a reload")
            if invalid:
                extra.unlink()
            self.check_status()

    def check_status(self) -> None:
        status, body = self.request("GET", "/status")
        version = json.loads(body).get("version") if status == 200 else None
        with self.lock:
            known = set(self.valid_versions)
        if version not in known:
            # the watcher may have swapped in a valid change a moment ago: ask once more
            time.sleep(3)
            status, body = self.request("GET", "/status")
            version = json.loads(body).get("version")
            if version not in self.valid_versions:
                self.fail(f"/status serves version {version}, not one loaded from valid data")

    def killer(self) -> None:
        while not self.wait(self.args.kill_every):
            try:
                status, body = self.request("GET", "/status")
                serving = json.loads(body)["serving_processes"] if status == 200 else []
            except (OSError, ValueError, KeyError):
                continue
            if serving:
                try:
                    os.kill(random.choice(serving), signal.SIGKILL)
                except ProcessLookupError:  # replaced meanwhile
                    continue
                with self.lock:
                    self.kills += 1
                    self.event("kill")

    def event(self, what: str) -> None:
        """A fault, with when it came (seconds into the run); the caller holds the lock."""
        self.events.append((round(time.monotonic() - self.started, 2), what))

    def guarded(self, task: Callable[[], None]) -> None:
        """``task`` in its thread; if it dies, the soak fails (else reloads or kills would stop unseen)."""
        try:
            task()
        except Exception as exc:  # noqa: BLE001 -- any death is a finding
            self.fail(f"{task.__name__} stopped: {type(exc).__name__}: {exc}")

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` or until the deadline; True when the soak is over."""
        end = min(time.monotonic() + seconds, self.deadline)
        while time.monotonic() < end:
            time.sleep(0.2)
        return time.monotonic() >= self.deadline

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> dict:
        normal = {p.stem: p.read_text(encoding="utf-8") for p in sorted((self.root / "queries" / "examples").glob("*.rq"))}
        normal["lookup"] = "SELECT ?p ?o WHERE { <https://w3id.org/alliance-kg/id/city/koeln> ?p ?o }"
        normal["marker"] = f"ASK {{ <{MARKER}> ?p ?o }}"
        self.start()
        started = self.started = time.monotonic()
        self.deadline = started + 60 * self.args.minutes
        threads = [threading.Thread(target=self.client, args=(i, normal), daemon=True)
                   for i in range(self.args.concurrency)]
        threads += [threading.Thread(target=self.guarded, args=(self.reloader,), daemon=True),
                    threading.Thread(target=self.guarded, args=(self.killer,), daemon=True)]
        for thread in threads:
            thread.start()
        while time.monotonic() < self.deadline:
            self.sample()
            self.wait(SAMPLE_EVERY)
        for thread in threads:
            thread.join(60)
        self.stop()
        wall = time.monotonic() - started
        self.latencies.sort()
        # from the second reload on (the first reload's old generation has been retired), one generation
        # of workers; ``floor`` passes over a single low sample (see the module)
        steady = [server + workers for at, server, workers, _, _, count in self.timeline
                  if at >= 2 * self.args.reload_every and count == WORKERS]
        third = len(steady) // 3
        memory_start = 2**20 * floor(steady[:third]) if third else None
        memory_end = 2**20 * floor(steady[-third:]) if third else 0.0
        growth = (memory_end - memory_start) / memory_start if memory_start else 0.0
        if memory_start is None:
            self.failures.append("the run was too short to measure memory (it needs two reloads and three samples "
                                 "with one generation of processes after them)")
        elif growth >= 0.20:
            self.failures.append(f"memory grew {100 * growth:.0f} % (limit 20 %)")
        normal_total = sum(n for (kind, _), n in self.statuses.items() if kind == "normal")
        return {
            "minutes": self.args.minutes, "concurrency": self.args.concurrency,
            "normal_qps": round(len(self.latencies) / wall, 1),
            "normal_requests": normal_total,
            "p50_ms": round(1000 * statistics.median(self.latencies), 1) if self.latencies else None,
            "p99_ms": round(1000 * self.latencies[int(0.99 * (len(self.latencies) - 1))], 1) if self.latencies else None,
            "statuses": {f"{kind} {status}": n for (kind, status), n in sorted(self.statuses.items(), key=str)},
            "reloads": {f"{kind} {status}": n for (kind, status), n in sorted(self.reloads.items(), key=str)},
            "process_kills": self.kills,
            "memory_mb": [round((memory_start or 0) / 2**20), round(memory_end / 2**20)],
            "memory_growth_percent": round(100 * growth, 1),
            "memory_timeline": self.timeline,
            "slowest_normal": [{"seconds": round(seconds, 3), "sent_at": at, "query": name}
                               for seconds, at, name in sorted(self.slowest, reverse=True)],
            "events": self.events,
            "failures": self.failures[:50],
            "passed": not self.failures,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--reload-every", type=float, default=30.0, help="seconds between reloads")
    parser.add_argument("--kill-every", type=float, default=60.0, help="seconds between kills of a serving process")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--server-log", help="keep the server's log in this file")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.concurrency < 1:
        parser.error("--minutes must be positive and --concurrency at least 1")
    # a report in every case: a CI log must say why a run failed, not end in a traceback or nothing
    with tempfile.TemporaryDirectory(prefix="alliance-kg-soak-", ignore_cleanup_errors=True) as tmp:
        soak = Soak(args, project_files(Path(tmp)))
        try:
            result = soak.run()
        except Exception as exc:  # noqa: BLE001 -- SoakError says why; anything else is the harness's fault
            soak.stop()
            why = str(exc) if isinstance(exc, SoakError) else "the soak harness raised:\n" + traceback.format_exc()
            result = soak.aborted(why)
        if args.server_log:
            shutil.copy(Path(tmp) / "server.log", args.server_log)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        if "normal_qps" not in result:
            print("FAILED: the soak could not finish")
        else:
            print(f"{result['normal_qps']} q/s normal, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; "
                  f"{result['process_kills']} serving processes killed; reloads {result['reloads']}; memory "
                  f"{result['memory_mb']} MB ({result['memory_growth_percent']} %); "
                  f"{'PASSED' if result['passed'] else 'FAILED'}")
        for failure in result["failures"]:
            print("  " + failure)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
