"""``alliance-kg query`` when the query is not answered by no fault of its text (what the
endpoint answers with a 5xx): exit 69, told apart from findings (1), unusable input (2) and a
bug (70), in one line. For real: a query stopped at its deadline, and a remote SPARQL endpoint
(``--store sparql:URL``) on a loopback port that answers 503."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Callable, Iterator
from urllib.parse import parse_qs

import psutil
import pytest

from alliance_kg import errors
from alliance_kg.cli import EXIT_INPUT, EXIT_OK, EXIT_UNAVAILABLE, commands
from alliance_kg.namespaces import GRAPH
from alliance_kg.query.executor import Executor
from alliance_kg.stores.remote import META_GRAPH
from test_cli import package_env

#: Every pair of triples with every other: far longer than any deadline here on the shipped graph.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def workers(monkeypatch) -> list[int]:
    """The process ids of the query workers the command forks, as it forks them."""
    forked: list[int] = []
    spawn = Executor._spawn

    def spawned(self: Executor):
        worker = spawn(self)
        forked.append(worker.pid)
        return worker

    monkeypatch.setattr(Executor, "_spawn", spawned)
    return forked


def running(pids: list[int]) -> list[int]:
    """Those of ``pids`` still running (a killed process not yet reaped counts as ended)."""
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_a_query_past_its_deadline_is_exit_69_and_stopped(run_cli, monkeypatch, workers, how):
    if how == "flag":
        result = run_cli("query", RUNAWAY, "--query-timeout", "0.5")
    else:
        monkeypatch.setenv("ALLIANCE_KG_QUERY_TIMEOUT", "0.5")
        result = run_cli("query", RUNAWAY)
    assert (result.code, result.out) == (EXIT_UNAVAILABLE, "")
    assert result.err == "alliance-kg: query not answered: the query ran longer than 0.5 s and was stopped\n"
    assert workers and running(workers) == []  # the query's worker was killed, not left to finish


def test_a_stopped_query_is_one_line_on_stderr_in_a_process_of_its_own():
    """The worker's log for a server's operator ("query stopped after 0.5 s (worker 123
    killed)") stays off stderr: only a process of its own shows it, where no test's log
    handler takes it; with ALLIANCE_KG_DEBUG it is shown."""
    for debug, lines in (("0", 1), ("1", 2)):
        done = subprocess.run([sys.executable, "-m", "alliance_kg.cli", "query", RUNAWAY, "--query-timeout", "0.5"],
                              capture_output=True, text=True, env={**package_env(), "ALLIANCE_KG_DEBUG": debug},
                              timeout=120)
        assert done.returncode == EXIT_UNAVAILABLE, done.stderr
        assert done.stderr.endswith("alliance-kg: query not answered: the query ran longer than 0.5 s and was stopped\n")
        assert len(done.stderr.splitlines()) == lines, done.stderr


def test_a_query_within_its_deadline_is_answered_by_a_worker(run_cli, workers):
    result = run_cli("query", "ASK { ?s ?p ?o }", "--query-timeout", "30")
    assert (result.code, result.out, result.err) == (EXIT_OK, "yes\n", "")
    assert len(workers) == 1 and running(workers) == []


class Endpoint:
    """A SPARQL endpoint on a loopback port holding one of the project's graphs. It answers
    what ``SparqlStore`` asks when it opens (which graphs, which version) unless ``down``, and
    every other query with ``status``: 200 is ``{"boolean": true}``, else the status with a
    line of text, as a store that is overloaded or restarting answers."""

    def __init__(self, status: int, *, down: bool = False):
        asked = self.asked = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                text = form["query"][0]
                asked.append(text)
                if not down and "GRAPH ?g" in text:
                    self.answer(200, {"head": {"vars": ["g", "n"]}, "results": {"bindings": [
                        {"g": {"type": "uri", "value": GRAPH["x"]}, "n": {"type": "literal", "value": "1"}}]}})
                elif not down and META_GRAPH in text:
                    self.answer(200, {"head": {"vars": ["p", "o"]}, "results": {"bindings": []}})
                else:
                    self.answer(status, {"head": {}, "boolean": True} if status == 200 else None)

            def answer(self, status: int, body: dict | None) -> None:
                data = json.dumps(body).encode() if body else b"Service Unavailable: the store is restarting"
                self.send_response(status)
                self.send_header("Content-Type", "application/sparql-results+json" if body else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.store = f"sparql:http://127.0.0.1:{self.server.server_port}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Callable[..., Endpoint]]:
    started: list[Endpoint] = []

    def start(status: int, **kwargs: bool) -> Endpoint:
        started.append(Endpoint(status, **kwargs))
        return started[-1]

    yield start
    for server in started:
        server.close()


def test_a_remote_endpoint_answers_the_query_through_store(run_cli, endpoint):
    remote = endpoint(200)
    result = run_cli("query", "ASK { ?s ?p ?o }", "--store", remote.store)
    assert (result.code, result.out, result.err) == (EXIT_OK, "yes\n", "")
    assert "ASK { ?s ?p ?o }" in remote.asked[-1]


def test_a_remote_endpoint_answering_503_to_the_query_is_exit_69(run_cli, endpoint):
    remote = endpoint(503)
    result = run_cli("query", "ASK { ?s ?p ?o }", "--store", remote.store)
    assert (result.code, result.out) == (EXIT_UNAVAILABLE, "")
    assert result.err == ("alliance-kg: query not answered: the SPARQL store refused the query (HTTP 503): "
                          "Service Unavailable: the store is restarting\n")
    assert "ASK { ?s ?p ?o }" in remote.asked[-1]  # the store opened; the query itself was refused


def test_a_remote_endpoint_down_from_the_start_is_exit_69_too(run_cli, endpoint, monkeypatch):
    remote = endpoint(503, down=True)
    monkeypatch.setenv("ALLIANCE_KG_STORE", remote.store)
    result = run_cli("query", "ASK { ?s ?p ?o }")
    assert result.code == EXIT_UNAVAILABLE
    assert result.err.startswith("alliance-kg: query not answered: the SPARQL store refused the query (HTTP 503)")
    assert len(result.err.splitlines()) == 1


def test_data_files_and_a_store_built_before_are_one_or_the_other(run_cli, tmp_path):
    result = run_cli("query", "ASK { ?s ?p ?o }", "--data", "data", "--store", f"oxigraph:{tmp_path}")
    assert result.code == EXIT_INPUT
    assert result.err == (f"alliance-kg: error: --data names files to query, --store oxigraph:{tmp_path} "
                          "a store built before: give one\n")


@pytest.mark.parametrize("error", [errors.QueryTimeout, errors.Interrupted, errors.NotReady, errors.EngineError,
                                   errors.QueryAborted])
def test_every_5xx_of_the_endpoint_is_exit_69_on_the_command_line(run_cli, monkeypatch, error):
    """The codes follow the HTTP statuses the errors carry: a 5xx is 69, a 4xx refusal 2."""
    def fails(args, settings):
        raise error("not now")

    assert error.status >= 500
    monkeypatch.setattr(commands, "query", fails)
    result = run_cli("query", "ASK { ?s ?p ?o }")
    assert (result.code, result.err) == (EXIT_UNAVAILABLE, "alliance-kg: query not answered: not now\n")
