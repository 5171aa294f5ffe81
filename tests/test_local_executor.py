"""Queries evaluated in the asking thread (``query.local``): the same answers as the pool's, a
query past its deadline handed over exactly once, large answers spooled to a file."""

from __future__ import annotations

import threading
import time

import pytest

from alliance_kg.build.sources import load_dataset
from alliance_kg.errors import Interrupted, QuerySyntaxError, QueryTimeout
from alliance_kg.query.executor import Job, answer
from alliance_kg.query.local import WATCH_INTERVAL, LocalExecutor, Watch
from alliance_kg.stores import InMemoryOxigraphStore
from server import ENDPOINT_DATA

JSON = "application/sparql-results+json"
#: About a million rows of the fixture's triples: a few tenths of a second, then it ends.
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def store():
    return InMemoryOxigraphStore(load_dataset([ENDPOINT_DATA]).dataset, "v1")


class Overruns:
    """What ``on_overrun`` was handed."""

    def __init__(self):
        self.calls = []

    def __call__(self, running, error):
        self.calls.append((running, error, threading.get_ident()))


@pytest.fixture
def make(store):
    """Executors over the store (closed after the test), each with its ``overruns`` at hand."""
    made = []

    def executor(**settings):
        settings.setdefault("timeout", 10.0)
        overruns = Overruns()
        made.append(LocalExecutor(store, on_overrun=overruns, **settings))
        made[-1].overruns = overruns
        return made[-1]

    yield executor
    for each in made:
        each.close()


@pytest.fixture
def executor(make):
    return make()


@pytest.mark.parametrize("text", ["ASK { ?s ?p ?o }", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5",
                                  "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"])
def test_answers_are_the_pools(executor, store, text):
    job = Job(text, accept=JSON if "CONSTRUCT" not in text else "application/n-triples", max_rows=100)
    assert executor.run(job).body == answer(store, job).body
    assert executor.overruns.calls == []


def test_errors_are_raised_with_their_place(executor):
    with pytest.raises(QuerySyntaxError) as raised:
        executor.run(Job("SELECT * WHERE { ?s ?p }", accept=JSON))
    assert raised.value.line == 1


def test_a_query_past_its_deadline_is_handed_over_once_and_then_fails(executor):
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        executor.run(Job(TRIPLES, accept=JSON), timeout=0.05)
    [(running, error, thread)] = executor.overruns.calls
    assert isinstance(error, QueryTimeout) and "0.05 s" in str(error)
    assert running.text == TRIPLES and running.thread == threading.get_ident() != thread  # the watch's thread
    assert running.deadline - running.started == pytest.approx(0.05)
    time.sleep(0.2)
    assert len(executor.overruns.calls) == 1
    assert time.monotonic() - started > 0.05


def test_a_query_within_its_deadline_is_not_handed_over(executor):
    executor.run(Job(TRIPLES, accept=JSON), timeout=30)
    time.sleep(0.2)
    assert executor.overruns.calls == [] and executor.watch.running() == []


def test_expire_all_hands_over_what_still_runs_with_the_error_given(executor):
    done = []
    thread = threading.Thread(target=lambda: done.append(_outcome(executor)))
    thread.start()
    while not executor.watch.running():
        time.sleep(0.001)
    executor.watch.expire_all(lambda running: Interrupted("going"))
    thread.join()
    [(_, error, _)] = executor.overruns.calls
    assert isinstance(error, Interrupted)
    assert done == ["QueryTimeout"]  # its own thread learns it did not answer


def _outcome(executor):
    try:
        executor.run(Job(TRIPLES, accept=JSON))
        return "answered"
    except QueryTimeout:
        return "QueryTimeout"


def test_a_failing_overrun_handler_does_not_stop_the_watch():
    seen = []

    def handler(running, error):
        seen.append(running.text)
        raise RuntimeError("boom")

    watch = Watch(handler, interval=0.01)
    try:
        for text in ("a", "b"):
            watch.enter(text, 0.0)
            time.sleep(0.1)
        assert seen == ["a", "b"]
    finally:
        watch.stop()


def test_a_large_answer_is_evaluated_again_and_streamed_whole(executor, store):
    text = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000"
    whole = answer(store, Job(text, accept=JSON))
    reply = executor.run(Job(text, accept=JSON, stream_from=4096))
    assert reply.body == b"" and reply.stream is not None
    chunks = list(reply.stream)
    assert len(chunks) > 1 and b"".join(chunks) == whole.body
    assert reply.stream.complete and reply.stream.seconds > 0 and reply.stream.rows == -1
    small = executor.run(Job("ASK {}", accept=JSON, stream_from=4096))
    assert small.stream is None and b"true" in small.body


def counted_evaluations(store, monkeypatch) -> list:
    """A list that gets an item each time ``store`` evaluates a query from now on."""
    evaluations = []
    evaluate = store.evaluate
    monkeypatch.setattr(store, "evaluate", lambda *a, **k: evaluations.append(1) or evaluate(*a, **k))
    return evaluations


@pytest.mark.parametrize("accept", [JSON, "text/tab-separated-values"])
def test_a_large_answer_held_at_the_row_cap_is_evaluated_once_and_sent_whole(executor, store, monkeypatch, accept):
    """Under a row cap the engine's answer is counted and cut in memory: past ``stream_from`` it
    goes out as it is, not evaluated a second time to be streamed."""
    text = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000"
    whole = answer(store, Job(text, accept=accept, max_rows=2000))
    evaluations = counted_evaluations(store, monkeypatch)
    reply = executor.run(Job(text, accept=accept, max_rows=2000, stream_from=4096))
    assert reply.stream is None and len(reply.body) > 4096 and reply.body == whole.body
    assert reply.truncated and reply.rows == 2000 and evaluations == [1]


@pytest.mark.parametrize("text, accept", [
    ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000", "text/csv"),
    ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000", "application/sparql-results+xml"),
    ("CONSTRUCT { ?a ?e ?f } WHERE { ?a ?b ?c . ?d ?e ?f }", "text/turtle"),
])
def test_a_large_answer_converted_from_a_held_one_is_streamed_without_evaluating_again(
        executor, store, monkeypatch, text, accept):
    """CSV, XML and Turtle are written from the capped TSV or N-Triples the engine holds: past
    ``stream_from`` the thread streaming them converts those again rather than evaluating the
    query a second time."""
    whole = answer(store, Job(text, accept=accept, max_rows=2000))
    evaluations = counted_evaluations(store, monkeypatch)
    reply = executor.run(Job(text, accept=accept, max_rows=2000, stream_from=4096))
    assert reply.stream is not None and len(whole.body) > 4096
    assert b"".join(reply.stream) == whole.body and reply.stream.complete
    assert reply.truncated and reply.stream.rows == 2000 and evaluations == [1]


def test_growth_past_the_bound_is_told_once_by_the_watch(make):
    grown = []
    executor = make(max_growth=4 * 2**20, on_grown=lambda: grown.append(threading.get_ident()))
    time.sleep(5 * WATCH_INTERVAL)
    assert grown == []  # not grown yet
    held = b"x" * (16 * 2**20)  # resident: the process grew
    for _ in range(3):
        executor.run(Job("ASK {}", accept=JSON))
    wait = time.monotonic() + 5
    while not grown and time.monotonic() < wait:
        time.sleep(0.01)
    time.sleep(5 * WATCH_INTERVAL)  # more looks: still told once
    assert len(grown) == 1 and grown != [threading.get_ident()] and executor.recycled == 1
    del held


def test_a_query_does_not_read_the_memory(make, monkeypatch):
    """The resident set is the watch's to read, not each query's (a system call a query)."""
    executor = make(max_growth=2**40)
    readers = []
    monkeypatch.setattr(executor, "_resident", lambda: readers.append(threading.get_ident()) or 0)
    for _ in range(20):
        executor.run(Job("ASK {}", accept=JSON))
    time.sleep(5 * WATCH_INTERVAL)
    assert readers and threading.get_ident() not in readers


def test_a_streamed_answer_left_unread_stops_its_writer(executor):
    reply = executor.run(Job("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", accept="text/csv", stream_from=4096))
    assert next(iter(reply.stream))
    reply.stream.close()
    wait = time.monotonic() + 5
    while executor.watch.running() and time.monotonic() < wait:
        time.sleep(0.01)
    assert executor.watch.running() == []  # the writer has let go
    assert not reply.stream.complete


def test_a_stream_is_cut_at_its_deadline_and_says_so(make):
    executor = make(timeout=0.5)
    endless = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    reply = executor.run(Job(endless, accept="text/csv", stream_from=4096))
    started, read = time.monotonic(), 0
    with pytest.raises(QueryTimeout, match="while its answer was being sent"):
        for chunk in reply.stream:
            read += len(chunk)
            time.sleep(0.05)  # a slow reader
    assert read > 0 and time.monotonic() - started < 2
    time.sleep(1.5)  # past the writer's margin: it stopped by itself, it did not overrun
    assert executor.overruns.calls == [] and executor.watch.running() == []


def test_syntax_errors_are_explained_from_many_threads_at_once():
    """A serving process explains syntax errors in its request threads; rdflib's parser (asked to
    explain them) keeps state while it parses, and without the lock it raised TypeErrors."""
    import sys

    from alliance_kg.stores.oxigraph import check_syntax

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    outcomes = []
    texts = [f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(?o > 3 && REGEX(?s, \"x\")) }} ORDER BY ?s LIMIT \n# {i}"
             for i in range(240)]

    def explain(part):
        for text in part:
            try:
                check_syntax(text)
                outcomes.append("parsed")
            except QuerySyntaxError:
                outcomes.append("explained")
            except Exception as exc:  # what the race looked like
                outcomes.append(repr(exc))

    try:
        threads = [threading.Thread(target=explain, args=(texts[i::8],)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    assert outcomes == ["explained"] * len(texts)


def test_a_literal_crosses_the_worker_pipe_as_written():
    """rdflib's own pickling rebuilds a literal normalised: ``"yes"^^xsd:boolean`` came out of
    a query worker as ``"false"`` (and every page and answer built from its rows said so)."""
    from multiprocessing import Pipe

    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from alliance_kg.query.executor import receive, send
    from alliance_kg.rdf import typed_literal

    sent = [typed_literal("yes", str(XSD.boolean)), typed_literal("01", str(XSD.integer)),
            Literal("Köln", lang="de"), Literal("plain"), URIRef("urn:x:a")]
    ours, theirs = Pipe()
    send(ours, sent)
    got = receive(theirs)
    assert [(str(t), getattr(t, "datatype", None), getattr(t, "language", None)) for t in got] == \
        [(str(t), getattr(t, "datatype", None), getattr(t, "language", None)) for t in sent]
