"""Large answers are streamed from the query worker to the client: the same bytes as a whole
answer, the pool intact whatever the client does, the deadline kept while the bytes flow."""

from __future__ import annotations

import gzip
import time
from urllib.parse import quote

import pytest
import requests

import server as live
from alliance_kg.app import create_app
from alliance_kg.build.sources import load_dataset
from alliance_kg.stores import InMemoryOxigraphStore, oxigraph
from server import ENDPOINT_DATA

#: 154 triples squared: ~24,000 rows, megabytes in every format.
PAIRS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
PAIRS_GRAPH = "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }"
SMALL = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def store(request, tmp_path_factory):
    dataset = load_dataset([ENDPOINT_DATA]).dataset
    if request.param == "memory":
        return InMemoryOxigraphStore(dataset, "v1")
    folder = tmp_path_factory.mktemp("streamed-store")
    oxigraph.write(folder, dataset, "v1")
    return oxigraph.OxigraphStore(folder)


@pytest.fixture
def apps(store):
    made = []

    def make(**settings):
        settings = {"STORE": store, "TESTING": True, "query_workers": 1, "query_timeout": 20.0,
                    "cache_entries": 0, "max_rows": 10**7, **settings}
        made.append(create_app(settings))
        return made[-1]

    yield make
    for app in made:
        app.extensions["alliance_kg"].executor.close()


def _executor(app):
    return app.extensions["alliance_kg"].executor


@pytest.mark.parametrize("query, accept", [
    (PAIRS, "application/sparql-results+json"), (PAIRS, "application/sparql-results+xml"),
    (PAIRS, "text/csv"), (PAIRS, "text/tab-separated-values"), (PAIRS + " LIMIT 9000", "text/csv"),
    (PAIRS_GRAPH, "application/n-triples"), (PAIRS_GRAPH, "text/turtle"),
])
def test_a_streamed_answer_is_the_whole_answer_in_chunks(apps, query, accept):
    streaming, whole = apps(stream_bytes=4096), apps(stream_bytes=0)
    url = "/sparql?query=" + quote(query)
    streamed = streaming.test_client().get(url, headers={"Accept": accept}, buffered=True)
    kept = whole.test_client().get(url, headers={"Accept": accept}, buffered=True)
    assert streamed.status_code == kept.status_code == 200
    assert "Content-Length" not in streamed.headers and int(kept.headers["Content-Length"]) > 100_000
    assert streamed.get_data() == kept.get_data()
    assert streamed.headers["Content-Type"] == kept.headers["Content-Type"]
    assert _executor(streaming).restarts == 0 and len(_executor(streaming).pids) == 1
    assert streaming.test_client().get("/sparql?query=" + quote(SMALL)).status_code == 200  # worker back


def test_the_row_cap_is_announced_before_a_streamed_answer(apps):
    app = apps(stream_bytes=4096, max_rows=5000)
    response = app.test_client().get("/sparql?query=" + quote(PAIRS), headers={"Accept": "text/csv"}, buffered=True)
    assert response.headers["X-Result-Truncated"] == "true" and response.headers["X-Result-Limit"] == "5000"
    assert response.get_data().count(b"\n") == 5001  # the header line and 5,000 rows


def test_small_answers_are_whole_and_cached_streamed_ones_are_not(apps):
    app = apps(stream_bytes=4096, cache_entries=16)
    client = app.test_client()
    for expected in ("miss", "hit"):
        assert client.get("/sparql?query=" + quote(SMALL)).headers["X-Cache"] == expected
    for _ in range(2):
        response = client.get("/sparql?query=" + quote(PAIRS), buffered=True)
        assert response.headers["X-Cache"] == "miss" and "Content-Length" not in response.headers


def test_a_stream_closed_unread_costs_its_worker_not_the_pool(apps):
    """A HEAD request reads nothing; the worker, still writing, is replaced."""
    app = apps(stream_bytes=4096)
    client = app.test_client()
    before = _executor(app).pids
    response = client.head("/sparql?query=" + quote(PAIRS))
    assert response.status_code == 200 and response.get_data() == b""
    response.close()
    assert _executor(app).restarts == 1 and _executor(app).pids != before
    assert client.get("/sparql?query=" + quote(SMALL)).status_code == 200


def test_a_gzipped_stream_sends_a_piece_for_each_chunk():
    """ISA-L holds some 900 KB of input before it writes; each chunk is flushed, so a streamed
    answer goes out as it is written, and the pieces make one gzip member."""
    from alliance_kg.query.compression import gzipped_stream
    from alliance_kg.query.executor import STREAM_CHUNK_BYTES

    chunks = [b"".join(b"<urn:x:%d> <urn:p> \"%d\" .\n" % (i, n) for i in range(STREAM_CHUNK_BYTES // 30))
              for n in range(4)]
    pieces = gzipped_stream(iter(chunks))
    first = next(pieces)
    assert first and gzip.decompress(first + b"".join(pieces)) == b"".join(chunks)
    assert len(list(gzipped_stream(iter(chunks)))) == len(chunks) + 1  # one a chunk, and the end


def test_streamed_answers_are_gzipped_on_the_way(apps):
    app = apps(stream_bytes=4096)
    client = app.test_client()
    plain = client.get("/sparql?query=" + quote(PAIRS), headers={"Accept": "text/csv"}, buffered=True).get_data()
    response = client.get("/sparql?query=" + quote(PAIRS), buffered=True,
                          headers={"Accept": "text/csv", "Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    compressed = response.get_data()
    assert len(compressed) < len(plain) / 3 and gzip.decompress(compressed) == plain


# -- over real HTTP -----------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["granian", "waitress"])
def streaming_server(tmp_path_factory, request):
    server = live.start(tmp_path_factory.mktemp("streaming"), "--stream-bytes", "4096", "--max-rows", "100000000",
                        "--query-timeout", "3", "--query-workers", "1", "--cache-entries", "0",
                        "--http-server", request.param)
    yield server
    server.stop()


def _restarts(server) -> float:
    for line in requests.get(server.url + "/metrics", timeout=10).text.splitlines():
        if line.startswith("alliance_kg_worker_restarts_total "):
            return float(line.split()[1])
    raise AssertionError("no restart counter in /metrics")


def test_over_http_a_large_answer_comes_chunked(streaming_server):
    with requests.post(streaming_server.sparql, data={"query": PAIRS}, headers={"Accept": "text/csv"},
                       stream=True, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in response.headers
        body = response.content
    assert body.count(b"\n") == 154 * 154 + 1


def test_over_http_a_client_that_leaves_early_costs_nothing_lasting(streaming_server):
    """A serving process (granian) stops writing the answer and serves on; the query pool
    (waitress) cannot tell its worker to stop, so it replaces it."""
    restarts = _restarts(streaming_server)
    serving = requests.get(streaming_server.url + "/status", timeout=10).json().get("serving_processes")
    with requests.post(streaming_server.sparql, data={"query": PAIRS + " # left"}, stream=True, timeout=30) as response:
        assert response.status_code == 200
        next(response.iter_content(4096))  # the first bytes, then hang up
    if serving is None:
        deadline = time.monotonic() + 10
        while _restarts(streaming_server) == restarts and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _restarts(streaming_server) == restarts + 1  # the abandoned worker was replaced
    else:
        time.sleep(1)
        assert requests.get(streaming_server.url + "/status", timeout=10).json()["serving_processes"] == serving
    answer = requests.post(streaming_server.sparql, data={"query": SMALL}, timeout=30)
    assert answer.status_code == 200 and answer.json()["boolean"] is True


def test_over_http_the_deadline_cuts_a_stream_short_and_visibly(streaming_server):
    """Millions of rows, written for longer than the 3 s deadline: the transfer breaks off
    without its final chunk (the client cannot mistake it for a whole answer)."""
    endless = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } LIMIT 50000000"
    started = time.monotonic()
    with requests.post(streaming_server.sparql, data={"query": endless}, headers={"Accept": "text/csv"},
                       stream=True, timeout=60) as response:
        assert response.status_code == 200
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            for _ in response.iter_content(1 << 20):
                pass
    assert time.monotonic() - started < 20
    assert requests.post(streaming_server.sparql, data={"query": SMALL}, timeout=30).status_code == 200
    log = streaming_server.output()
    assert "while its answer was being sent" in log and "the answer was cut off" in log
    assert "Traceback" not in log  # the stop is told in one line, not as a crash
