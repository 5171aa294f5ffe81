"""``POST /sparql`` without Flask (``web.posted``) answers as Flask's view does: the same
requests sent both ways, to two apps alike, give the same status, headers and body, and are
counted alike."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from werkzeug.test import EnvironBuilder

from alliance_kg.app import create_app
from alliance_kg.web.posted import PostedQueries

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
    ("direct", SELECT, SPARQL_QUERY, {"Accept": JSON}),
    ("direct-charset", SELECT, SPARQL_QUERY + "; charset=UTF-8", {}),
    ("ask", "query=" + quote("ASK { ?s ?p ?o }"), FORM, {}),
    ("construct-turtle", "query=" + quote("CONSTRUCT WHERE { ?s ?p ?o }"), FORM, {"Accept": "text/turtle"}),
    ("construct-nt", "query=" + quote("CONSTRUCT WHERE { ?s ?p ?o }"), FORM, {"Accept": "application/n-triples"}),
    ("truncated", "query=" + quote("SELECT ?s WHERE { ?s ?p ?o }"), FORM, {"Accept": JSON}),
    ("unknown-graph", "default-graph-uri=" + quote("https://example.org/none") + "&query=" + quote(SELECT), FORM, {}),
    ("dataset-from", "query=" + quote("SELECT * FROM <https://example.org/none> WHERE { ?s ?p ?o }"), FORM, {}),
    ("query-string-graph", "query=" + quote(SELECT), FORM, {"QUERY_STRING": "named-graph-uri=x"}),
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
    ("streamed", "query=" + quote("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000"), FORM, {"Accept": "text/csv"}),
    ("streamed-gzip", "query=" + quote("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000"), FORM,
     {"Accept": "text/csv", "Accept-Encoding": "gzip"}),
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


def _posted(app) -> PostedQueries:
    return app.wsgi_app.app  # inside the trusted-proxy rule


def _send(wsgi, body: str, content_type: str, headers: dict[str, str], request_id: str):
    headers = {"X-Request-Id": request_id, **headers}
    query_string = headers.pop("QUERY_STRING", "")
    builder = EnvironBuilder(path="/sparql", method="POST", data=body.encode("utf-8"), headers=headers,
                             query_string=query_string, content_type=content_type or None)
    environ = builder.get_environ()
    if not content_type:
        environ.pop("CONTENT_TYPE", None)
    got = {}

    def start_response(status, response_headers, exc_info=None):
        got["status"], got["headers"] = status, sorted(response_headers)

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
    without = _send(_posted(posted), body, content_type, headers, f"id-{name}")
    within = _send(_posted(flask_app).rest, body, content_type, headers, f"id-{name}")
    assert without == within
    answered = name.startswith(("form-", "direct", "ask", "construct", "streamed")) or name in (
        "truncated", "unknown-graph", "dataset-from", "query-string-graph", "long-accept")
    assert (without[0] == "200 OK") is answered, without


def test_both_ways_are_counted_alike(apps):
    posted, flask_app = apps
    for name, body, content_type, headers in REQUESTS[:12]:
        _send(_posted(posted), body, content_type, headers, "counted")
        _send(_posted(flask_app).rest, body, content_type, headers, "counted")

    def sparql_lines(app):
        text = app.test_client().get("/metrics").get_data(as_text=True)
        return sorted(line for line in text.splitlines() if 'route="/sparql"' in line and "_created" not in line)

    lines = sparql_lines(posted)
    assert lines and lines == sparql_lines(flask_app)


def test_only_a_post_to_the_endpoint_is_taken(apps):
    posted = apps[0]
    client = posted.test_client()
    assert client.get("/sparql?query=" + quote("ASK {}")).status_code == 200  # Flask's view
    assert client.post("/healthz").status_code == 405  # Flask's routing
    assert client.open("/sparql", method="OPTIONS").headers["Access-Control-Allow-Methods"]
