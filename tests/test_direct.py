"""Queries to ``/sparql`` without Flask (``web.direct``: every POST, a plain GET with a query)
are answered as Flask's view does: the same requests sent both ways, to two apps alike, give
the same status, headers and body, and are counted alike; what the direct path leaves to Flask
reaches it."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

import pytest
from werkzeug.http import parse_date
from werkzeug.test import EnvironBuilder

from alliance_kg.app import create_app
from alliance_kg.web.direct import DirectQueries
from alliance_kg.web.language import COOKIE
from alliance_kg.web.state import EXTENSION

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
JSON = "application/sparql-results+json"
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"

#: (name, body, content type, headers): what portals send, and what they get wrong.
REQUESTS = [
    ("form-json", "query=" + quote(SELECT), FORM, {"Accept": JSON}),
    ("form-json-gzip", "query=" + quote(SELECT), FORM, {"Accept": JSON, "Accept-Encoding": "gzip"}),
    ("form-xml", "query=" + quote(SELECT), FORM, {"Accept": "application/sparql-results+xml"}),
    ("form-csv-small", "query=" + quote("SELECT ?s WHERE { ?s a ?c } LIMIT 2"), FORM, {"Accept": "text/csv"}),
    ("form-tsv-format", "format=tsv&query=" + quote(SELECT), FORM, {}),
    ("form-csv-parameters", "query=" + quote(SELECT), FORM, {"Accept": "text/csv; header=present; charset=UTF-8"}),
    ("direct", SELECT, SPARQL_QUERY, {"Accept": JSON}),
    ("direct-charset", SELECT, SPARQL_QUERY + "; charset=UTF-8", {}),
    ("direct-byte-order-mark", "\ufeffASK {}", SPARQL_QUERY, {}),
    ("form-byte-order-mark", "query=%EF%BB%BF" + quote("ASK {}"), FORM, {}),
    ("two-byte-order-marks", "query=%EF%BB%BF%EF%BB%BF" + quote("ASK {}"), FORM, {}),
    ("ask", "query=" + quote("ASK { ?s ?p ?o }"), FORM, {}),
    ("construct-turtle", "query=" + quote("CONSTRUCT WHERE { ?s ?p ?o }"), FORM, {"Accept": "text/turtle"}),
    ("construct-nt", "query=" + quote("CONSTRUCT WHERE { ?s ?p ?o }"), FORM, {"Accept": "application/n-triples"}),
    ("construct-json", "query=" + quote("CONSTRUCT WHERE { ?s ?p ?o }"), FORM, {"Accept": "application/json"}),
    ("construct-n3", "format=n3&output=n3&results=n3&query=" + quote("CONSTRUCT WHERE { ?s ?p ?o }"), FORM,
     {"Accept": "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"}),
    ("construct-rdfxml", "format=rdf%2Bxml&format=application/rdf%2Bxml&query=" + quote("CONSTRUCT WHERE { ?s ?p ?o }"),
     FORM, {"Accept": "application/rdf+xml"}),
    ("construct-unknown-format", "format=x-nice&query=" + quote("CONSTRUCT WHERE { ?s ?p ?o }"), FORM,
     {"Accept": "text/turtle"}),
    ("truncated", "query=" + quote("SELECT ?s WHERE { ?s ?p ?o }"), FORM, {"Accept": JSON}),
    ("unknown-graph", "default-graph-uri=" + quote("https://example.org/none") + "&query=" + quote(SELECT), FORM, {}),
    ("dataset-from", "query=" + quote("SELECT * FROM <https://example.org/none> WHERE { ?s ?p ?o }"), FORM, {}),
    ("query-string-graph", "query=" + quote(SELECT), FORM, {"QUERY_STRING": "named-graph-uri=urn%3Ax"}),
    ("query-string-bad-graph", "query=" + quote(SELECT), FORM, {"QUERY_STRING": "named-graph-uri=x"}),
    ("bad-graph-iri", "default-graph-uri=not+a+uri&query=" + quote(SELECT), FORM, {}),
    ("bad-named-graph-iri", "named-graph-uri=" + quote("https://example.org/{x}") + "&query=" + quote(SELECT), FORM,
     {}),
    ("syntax-error", "query=" + quote("SELECT ?s WHERE {\n ?s ?p }"), FORM, {}),
    ("update-param", "update=" + quote("DELETE WHERE { ?s ?p ?o }"), FORM, {}),
    ("update-as-query", "query=" + quote("INSERT DATA { <urn:a> <urn:b> <urn:c> }"), FORM, {}),
    ("update-type", "DELETE WHERE { ?s ?p ?o }", "application/sparql-update", {}),
    ("service", "query=" + quote("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), FORM, {}),
    ("unknown-type", "query=" + quote(SELECT), "text/plain", {}),
    ("no-type", "query=" + quote(SELECT), "", {}),
    ("latin-1", "query=" + quote(SELECT), FORM + "; charset=latin-1", {}),
    ("missing-query", "format=json", FORM, {}),
    ("twice", "query=ASK%7B%7D&query=ASK%7B%7D", FORM, {}),
    ("both", "query=ASK%7B%7D&update=CLEAR%20ALL", FORM, {}),
    ("bad-escape", "query=ASK%zz", FORM, {}),
    ("nul", "query=ASK%00", FORM, {}),
    ("not-acceptable", "query=" + quote(SELECT), FORM, {"Accept": "image/png"}),
    ("too-long", "query=" + quote("ASK { } " + "#" * 3000), FORM, {}),
    ("too-large", "query=" + quote("ASK {}") + "&x=" + "y" * 20_000, FORM, {}),
    ("long-accept", "query=" + quote(SELECT), FORM, {"Accept": "text/csv;q=0.5, " * 200}),
    ("too-long-accept", "query=" + quote(SELECT), FORM, {"Accept": "text/csv;q=0.5, " * 2000}),
    ("gzipped-body", "query=" + quote("ASK {}"), FORM, {"Content-Encoding": "gzip"}),
    ("form-identity-body", "query=" + quote("ASK {}"), FORM, {"Content-Encoding": "identity"}),
    ("streamed", "query=" + quote("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000"), FORM, {"Accept": "text/csv"}),
    ("streamed-gzip", "query=" + quote("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000"), FORM,
     {"Accept": "text/csv", "Accept-Encoding": "gzip"}),
]

#: (name, query string, headers): the same, as GETs; a GET's answer carries its ETag and Date.
GETS = [
    ("get-" + name, body, headers) for name, body, content_type, headers in REQUESTS
    if content_type == FORM and "QUERY_STRING" not in headers and name not in ("too-large", "missing-query", "gzipped-body")
] + [
    ("get-no-accept", "query=" + quote(SELECT), {}),
    ("get-language", "query=" + quote(SELECT), {"Accept": JSON, "Accept-Language": "de"}),
    ("get-cookie", "query=" + quote(SELECT), {"Accept": JSON, "Cookie": f"{COOKIE}=de; other=1"}),
    ("get-foreign-cookie", "query=" + quote(SELECT), {"Accept": JSON, "Cookie": "other=1"}),
    ("get-other-if-none-match", "query=" + quote(SELECT), {"If-None-Match": 'W/"other"'}),
    ("get-if-modified-since", "query=" + quote(SELECT), {"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"}),
    ("get-range", "query=" + quote(SELECT), {"Range": "bytes=0-9"}),
    ("get-description", "", {"Accept": "text/turtle"}),
    ("get-graph-without-query", "default-graph-uri=" + quote("https://example.org/none"), {}),
    ("get-page", "query=" + quote(SELECT), {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}),
    ("get-page-formatted", "format=json&query=" + quote(SELECT), {"Accept": "text/html"}),
    ("get-page-first", "query=" + quote(SELECT), {"Accept": "text/html, application/sparql-results+json"}),
    ("get-results-before-html", "query=" + quote(SELECT), {"Accept": JSON + ", text/html"}),
    ("get-results-above-html", "query=" + quote(SELECT), {"Accept": "text/html;q=0.5, text/csv"}),
]


@pytest.fixture(scope="module")
def apps(in_memory_oxigraph_store):
    """Two apps alike: one answers POSTs without Flask, the other with it."""
    settings = {"STORE": in_memory_oxigraph_store, "TESTING": True, "query_workers": 1, "max_rows": 40,
                "max_query_length": 2000, "max_body_bytes": 10_000, "stream_bytes": 8192}
    made = [create_app(settings), create_app(settings)]
    yield made
    for app in made:
        app.extensions["alliance_kg"].executor.close()


def _direct(app) -> DirectQueries:
    return app.wsgi_app.app  # inside the trusted-proxy rule


def _send(wsgi, body: str, content_type: str, headers: dict[str, str], request_id: str, method: str = "POST"):
    """(status, sorted headers, body); a Date is checked to be one and then set aside, as the
    two ways may be a second apart."""
    headers = {"X-Request-Id": request_id, **headers}
    query_string = body if method == "GET" else headers.pop("QUERY_STRING", "")
    builder = EnvironBuilder(path="/sparql", method=method, data=None if method == "GET" else body.encode("utf-8"),
                             headers=headers, query_string=query_string, content_type=content_type or None)
    environ = builder.get_environ()
    if not content_type:
        environ.pop("CONTENT_TYPE", None)
    got = {}

    def start_response(status, response_headers, exc_info=None):
        dates = [value for name, value in response_headers if name == "Date"]
        assert all(parse_date(value) is not None for value in dates)
        got["status"] = status
        got["headers"] = sorted((name, "<date>" if name == "Date" else value) for name, value in response_headers)

    chunks = wsgi(environ, start_response)
    try:
        body_out = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return got["status"], got["headers"], body_out


@pytest.mark.parametrize("name, body, content_type, headers", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_a_post_gets_what_flasks_view_gives(apps, name, body, content_type, headers):
    posted, flask_app = apps
    without = _send(_direct(posted), body, content_type, headers, f"id-{name}")
    within = _send(_direct(flask_app).rest, body, content_type, headers, f"id-{name}")
    assert without == within
    answered = name.startswith(("form-", "direct", "ask", "construct", "streamed")) or name in (
        "truncated", "unknown-graph", "dataset-from", "query-string-graph", "long-accept")
    assert (without[0] == "200 OK") is answered, without


def test_both_ways_are_counted_alike(apps):
    posted, flask_app = apps
    for name, body, content_type, headers in REQUESTS[:12]:
        _send(_direct(posted), body, content_type, headers, "counted")
        _send(_direct(flask_app).rest, body, content_type, headers, "counted")
    for name, query_string, headers in GETS[:12]:
        _send(_direct(posted), query_string, "", headers, "counted", "GET")
        _send(_direct(flask_app).rest, query_string, "", headers, "counted", "GET")

    def sparql_lines(app):
        text = app.test_client().get("/metrics").get_data(as_text=True)
        return sorted(line for line in text.splitlines() if 'route="/sparql"' in line and "_created" not in line)

    lines = sparql_lines(posted)
    assert lines and lines == sparql_lines(flask_app)


@pytest.mark.parametrize("name, query_string, headers", GETS, ids=[r[0] for r in GETS])
def test_a_get_gets_what_flasks_view_gives(apps, name, query_string, headers):
    direct, flask_app = apps
    without = _send(_direct(direct), query_string, "", headers, f"id-{name}", "GET")
    within = _send(_direct(flask_app).rest, query_string, "", headers, f"id-{name}", "GET")
    assert without == within  # the description too: Flask's both ways, the same bytes from two apps
    answered = name.startswith(("get-form-", "get-ask", "get-construct", "get-streamed", "get-description",
                                "get-page", "get-language", "get-cookie", "get-foreign", "get-no-accept",
                                "get-other", "get-if-modified", "get-range")) or name in (
        "get-truncated", "get-unknown-graph", "get-dataset-from", "get-long-accept", "get-results-before-html",
        "get-results-above-html")
    assert (without[0] == "200 OK") is answered, without
    if answered and "query=" in query_string and not name.startswith("get-page"):
        assert ("Cache-Control", "public, max-age=300") in without[1]
        assert any(header == "ETag" and value.startswith('W/"') for header, value in without[1])


def test_a_get_with_the_tag_it_was_given_gets_a_304_both_ways(apps):
    direct, flask_app = apps
    asked = "query=" + quote(SELECT)
    status, headers, _ = _send(_direct(direct), asked, "", {"Accept": JSON}, "tagged", "GET")
    etag = dict(headers)["ETag"]
    again = {"Accept": JSON, "If-None-Match": etag}
    without = _send(_direct(direct), asked, "", again, "again", "GET")
    assert without == _send(_direct(flask_app).rest, asked, "", again, "again", "GET")
    assert without[0].startswith("304") and without[2] == b""
    given, revalidated = dict(headers), dict(without[1])  # what a cache freshens its copy with (RFC 9110 §15.4.5)
    assert [revalidated.get(name) for name in ("Vary", "Cache-Control", "ETag", "Date")] == \
        [given.get(name) for name in ("Vary", "Cache-Control", "ETag", "Date")]
    other = {"Accept": "text/csv", "If-None-Match": etag}  # another representation: another tag
    assert _send(_direct(direct), asked, "", other, "other", "GET")[0] == "200 OK"


def test_a_304_is_answered_without_flask_and_without_running_the_query(apps):
    """An HTTP cache revalidating: the tag matches, so neither Flask nor the engine is asked."""
    app = apps[0]
    asked = "query=" + quote(SELECT)
    etag = dict(_send(_direct(app), asked, "", {"Accept": JSON}, "tagged", "GET")[1])["ETag"]
    current = app.extensions[EXTENSION]

    class Refusing:
        def __getattr__(self, name):
            raise AssertionError(f"the query was run ({name})")

    app.extensions[EXTENSION] = dataclasses.replace(current, executor=Refusing())
    try:
        rest = _Rest()
        status, headers, body = _send(DirectQueries(app, rest), asked, "", {"Accept": JSON, "If-None-Match": etag},
                                      "revalidated", "GET")
    finally:
        app.extensions[EXTENSION] = current
    assert status.startswith("304") and body == b"" and dict(headers)["ETag"] == etag and rest.reached == []


class _Rest:
    """Stands in for Flask behind the direct path, to see what reaches it."""

    def __init__(self):
        self.reached = []

    def __call__(self, environ, start_response):
        self.reached.append((environ["REQUEST_METHOD"], environ.get("QUERY_STRING", "")))
        start_response("204 No Content", [])
        return [b""]


@pytest.mark.parametrize("method, path, query_string, headers, taken", [
    ("POST", "/sparql", "", {"Content-Type": FORM}, True),
    ("GET", "/sparql", "query=" + quote(SELECT), {"Accept": JSON}, True),
    ("GET", "/sparql", "query=" + quote(SELECT), {}, True),
    ("GET", "/sparql", "query=ASK%zz", {}, True),  # refused as Flask's view would
    ("GET", "/sparql", "", {}, False),  # the description
    ("GET", "/sparql", "format=json", {}, False),
    ("GET", "/sparql", "query=" + quote(SELECT), {"Accept": "text/html"}, False),  # the query page
    ("GET", "/sparql", "query=" + quote(SELECT), {"Accept": "TEXT/HTML, */*;q=0.1"}, False),
    ("GET", "/sparql", "query=" + quote(SELECT), {"Accept": "TEXT/HTML;q=0.1, */*"}, True),  # results preferred
    ("GET", "/sparql", "query=" + quote(SELECT), {"Accept": JSON + ", text/html"}, True),  # named first
    ("GET", "/sparql", "query=" + quote(SELECT), {"If-None-Match": 'W/"x"'}, True),  # a 304 or the answer
    ("GET", "/sparql", "query=" + quote(SELECT), {"If-None-Match": 'W/"x"', "If-Modified-Since": "x"}, False),
    ("GET", "/sparql", "query=" + quote(SELECT), {"If-Match": 'W/"x"'}, False),
    ("GET", "/sparql", "query=" + quote(SELECT), {"Range": "bytes=0-1"}, False),
    ("HEAD", "/sparql", "query=" + quote(SELECT), {}, False),
    ("OPTIONS", "/sparql", "", {}, False),
    ("GET", "/sparql/", "query=" + quote(SELECT), {}, False),
    ("POST", "/healthz", "", {}, False),
])
def test_only_a_query_to_the_endpoint_is_taken(apps, method, path, query_string, headers, taken):
    direct = _direct(apps[0])
    rest = _Rest()
    environ = EnvironBuilder(path=path, method=method, query_string=query_string, headers=headers,
                             data="query=ASK%7B%7D" if method == "POST" else None).get_environ()
    status = []
    b"".join(DirectQueries(direct.app, rest)(environ, lambda s, h, e=None: status.append(s)))
    assert (rest.reached == []) is taken, (status, rest.reached)
    assert status[0] != "204 No Content" if taken else status == ["204 No Content"]
