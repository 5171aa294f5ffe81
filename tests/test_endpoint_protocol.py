"""The SPARQL 1.1 Protocol on /sparql, one rule per test (Flask test client, fixture data)."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, XSD

import alliance_kg
from alliance_kg.namespaces import GRAPH, SD
from fixtures_server import ENDPOINT_DATA

SELECT = "SELECT ?s WHERE { ?s a <https://schema.org/City> } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT { ?s a <https://schema.org/City> } WHERE { ?s a <https://schema.org/City> }"
FORM = "application/x-www-form-urlencoded"


def get(client, query: str, **kwargs):
    return client.get("/sparql?query=" + quote(query), **kwargs)


def test_error_shape_is_plain_text_with_status_line(client):
    response = get(client, "ASK {")
    assert response.status_code == 400
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.get_data(as_text=True).startswith("400 Bad Request\n\n")
    assert response.headers["Cache-Control"] == "no-store"


def test_get_query_answers_sparql_json_by_default(client):
    response = get(client, SELECT)
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json; charset=utf-8"
    cities = [b["s"]["value"] for b in response.get_json()["results"]["bindings"]]
    assert cities == ["https://w3id.org/alliance-kg/id/city/koeln", "https://w3id.org/alliance-kg/id/city/nuernberg"]


def test_post_form_encoded_query(client):
    response = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, content_type=FORM)
    assert response.status_code == 200
    assert response.get_json() == {"head": {}, "boolean": True}


def test_post_form_keeps_percent_in_iris(client):
    """The body is decoded exactly once: %2541 stays %41 in the IRI."""
    query = 'SELECT (STR(<http://example.org/a%41>) AS ?x) {}'
    response = client.post("/sparql", data="query=" + quote(query, safe=""), content_type=FORM)
    assert response.get_json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/a%41"


def test_post_direct_query(client):
    response = client.post("/sparql", data="ASK { ?s ?p ?o }", content_type="application/sparql-query")
    assert response.status_code == 200
    assert response.get_json()["boolean"] is True


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("how", ["direct", "form", "get"])
def test_a_leading_byte_order_mark_is_no_part_of_the_query(client, how):
    """A query file saved by a Windows editor, sent as it is: one mark is dropped, in a direct
    body as in a form-encoded value (``%EF%BB%BF``); a second is the query's, and refused."""
    def send(text: bytes):
        if how == "direct":
            return client.post("/sparql", data=text, content_type="application/sparql-query")
        if how == "form":
            return client.post("/sparql", data=b"query=" + quote(text).encode(), content_type=FORM)
        return client.get("/sparql?query=" + quote(text))

    response = send(BOM + b"ASK { ?s ?p ?o }")
    assert (response.status_code, response.get_json()) == (200, {"head": {}, "boolean": True})
    twice = send(BOM + BOM + b"ASK {}")
    assert twice.status_code == 400 and "line 1, column 1" in twice.get_data(as_text=True)


def test_post_unknown_content_type_is_415(client):
    response = client.post("/sparql", data="ASK {}", content_type="text/plain")
    assert response.status_code == 415
    assert "application/sparql-query" in response.get_data(as_text=True)


def test_post_without_content_type_is_415(client):
    response = client.post("/sparql", data=b"query=ASK%20%7B%7D")
    assert response.status_code == 415


def test_post_non_utf8_charset_is_415(client):
    response = client.post("/sparql", data="ASK {}".encode("utf-16"),
                           content_type="application/sparql-query; charset=UTF-16")
    assert response.status_code == 415


def test_post_compressed_body_is_415(client):
    """A body the client compressed is refused by name (RFC 9110, 8.4), not read as text."""
    import gzip

    response = client.post("/sparql", data=gzip.compress(b"query=ASK%20%7B%7D"), content_type=FORM,
                           headers={"Content-Encoding": "gzip"})
    assert response.status_code == 415
    assert "Content-Encoding 'gzip' is not accepted" in response.get_data(as_text=True)


def test_put_is_405_with_allow_header(client):
    response = client.put("/sparql?query=ASK%7B%7D", data="", content_type=FORM)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.content_type == "text/plain; charset=utf-8"


def test_two_query_parameters_are_400(client):
    response = client.get("/sparql?query=ASK%7B%7D&query=SELECT%20*%7B%7D")
    assert response.status_code == 400
    assert "only once" in response.get_data(as_text=True)


def test_query_in_url_and_direct_body_is_400(client):
    response = client.post("/sparql?query=ASK%7B%7D", data="ASK {}", content_type="application/sparql-query")
    assert response.status_code == 400


def test_query_and_update_together_are_400(client):
    response = client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"}, content_type=FORM)
    assert response.status_code == 400
    assert "not both" in response.get_data(as_text=True)


def test_post_without_query_is_400(client):
    response = client.post("/sparql", data={"format": "json"}, content_type=FORM)
    assert response.status_code == 400
    assert "missing query" in response.get_data(as_text=True)


def test_malformed_query_is_400_with_line_and_column(client):
    response = get(client, "SELECT *\nWHERE { ?s ?p }")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.content_type == "text/plain; charset=utf-8"
    assert "line 2, column" in body
    assert "Traceback" not in body


def oxigraph_error(text: str) -> str:
    """What the client must read for ``text``: Oxigraph's error on that very text, its line and
    column, and the line with a caret under the column (one cell per character here)."""
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(text)
    line, column, message = re.match(r"error at (\d+):(\d+): (.*)", str(raised.value), re.S).groups()
    shown = text.split("\n")[int(line) - 1]
    return (f"400 Bad Request\n\nline {line}, column {column}: {message.replace(chr(10), ' ')}\n"
            f"    {shown}\n    {' ' * (int(column) - 1)}^\n")


@pytest.mark.parametrize("text", [
    "SELECT ?s WHERE {\n  ?s ?p ?o\n",  # no LIMIT: capped at the row cap, which must not show
    "SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s OFFSET",
])
def test_syntax_error_of_a_capped_select_is_on_the_clients_text(client, text):
    for response in (get(client, text), client.post("/sparql", data=text, content_type="application/sparql-query")):
        assert response.status_code == 400
        assert response.get_data(as_text=True) == oxigraph_error(text)


@pytest.mark.parametrize("text", [
    "SELECT ?s\nWHERE { ?s ?p ?o .\n  FILTER(?o = ) }",
    'SELECT * WHERE { ?s ?p "abc }',
    "SELECT * WHERE {\n ?s foo:bar ?o }",
    "SELECT * WHERE { ?s ?p ?o } LIMIT x # no number",
])
def test_syntax_error_is_oxigraphs_with_the_clients_line_and_a_caret(client, text):
    response = get(client, text)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == oxigraph_error(text)


def test_syntax_error_column_counts_characters_and_the_caret_display_cells(client):
    """Oxigraph's column counts characters (not UTF-8 bytes) from 1: here it is the ``x``; a
    Chinese character is two cells wide in monospace, so the caret moves two for it."""
    text = 'SELECT * WHERE { ?s ?p "Größe中文" } LIMIT x # Kommentar'
    body = get(client, text).get_data(as_text=True)
    assert body.startswith("400 Bad Request\n\nline 1, column 42: ")
    assert text[42 - 1] == "x"
    assert body.endswith(f"\n    {text}\n    {' ' * 41}  ^\n")  # + 1 cell for each of 中 and 文


def test_undeclared_prefix_is_400(client):
    response = get(client, "SELECT * { ?s nope:p ?o }")
    assert response.status_code == 400
    assert "nope" in response.get_data(as_text=True)


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_negotiates_result_formats(client, accept, media_type):
    response = get(client, SELECT, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "koeln" in response.get_data(as_text=True)


def test_csv_and_tsv_follow_the_spec(client):
    csv = get(client, SELECT, headers={"Accept": "text/csv"}).get_data(as_text=True)
    assert csv.startswith("s\r\nhttps://w3id.org/alliance-kg/id/city/koeln\r\n")
    tsv = get(client, SELECT, headers={"Accept": "text/tab-separated-values"}).get_data(as_text=True)
    assert tsv.startswith("?s\n<https://w3id.org/alliance-kg/id/city/koeln>\n")


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql?format=csv&query=" + quote(SELECT), headers={"Accept": "application/sparql-results+xml"})
    assert response.mimetype == "text/csv"


@pytest.mark.parametrize("accept, media_type, rdflib_format", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/trig", "application/trig", "trig"),
    (None, "text/turtle", "turtle"),
])
def test_construct_negotiates_graph_formats(client, accept, media_type, rdflib_format):
    response = get(client, CONSTRUCT, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == media_type
    graph = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    assert (URIRef("https://w3id.org/alliance-kg/id/city/koeln"), RDF.type, URIRef("https://schema.org/City")) in graph


def test_unacceptable_type_is_406_listing_offered(client):
    response = get(client, SELECT, headers={"Accept": "image/png"})
    assert response.status_code == 406
    body = response.get_data(as_text=True)
    assert "application/sparql-results+json" in body and "text/csv" in body


def test_graph_format_for_select_is_406(client):
    assert client.get("/sparql?format=turtle&query=" + quote(SELECT)).status_code == 406


def test_default_graph_uri_selects_the_default_graph(client):
    query = "SELECT (COUNT(*) AS ?n) { ?s a <https://schema.org/City> }"
    inside = client.get(f"/sparql?default-graph-uri={quote(str(GRAPH['memo']))}&query={quote(query)}")
    outside = client.get(f"/sparql?default-graph-uri={quote(str(GRAPH['topics']))}&query={quote(query)}")
    assert inside.get_json()["results"]["bindings"][0]["n"]["value"] == "2"
    assert outside.get_json()["results"]["bindings"][0]["n"]["value"] == "0"


def test_named_graph_uri_limits_graph_patterns(client):
    query = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    response = client.get(f"/sparql?named-graph-uri={quote(str(GRAPH['memo']))}&query={quote(query)}")
    assert [b["g"]["value"] for b in response.get_json()["results"]["bindings"]] == [str(GRAPH["memo"])]


def test_default_graph_is_union_of_named_graphs(client):
    response = get(client, "ASK { ?city a <https://schema.org/City> . ?t a <https://schema.org/DefinedTerm> }")
    assert response.get_json()["boolean"] is True


def test_unknown_default_graph_uri_is_an_empty_graph_named_in_a_header(client):
    response = client.get("/sparql?default-graph-uri=http%3A%2F%2Fexample.org%2Fnope&query="
                          + quote("ASK { ?s ?p ?o }"))
    assert response.status_code == 200 and response.get_json()["boolean"] is False
    assert response.headers["X-Unknown-Graphs"] == "<http://example.org/nope>"


def test_known_and_unknown_graphs_together_answer_from_the_known_one(client):
    memo = str(GRAPH["memo"])
    response = client.get(f"/sparql?default-graph-uri={quote(memo)}&default-graph-uri=urn%3Ax%3Anope"
                          f"&named-graph-uri=urn%3Ax%3Agone&query=" + quote("ASK { ?s ?p ?o }"))
    assert response.get_json()["boolean"] is True
    assert response.headers["X-Unknown-Graphs"] == "<urn:x:nope> <urn:x:gone>"


def test_known_graphs_send_no_unknown_graphs_header(client):
    response = get(client, f"ASK FROM <{GRAPH['memo']}> {{ ?s ?p ?o }}")
    assert response.get_json()["boolean"] is True and "X-Unknown-Graphs" not in response.headers


def test_get_with_dataset_parameters_but_no_query_is_400(client):
    response = client.get("/sparql?default-graph-uri=urn%3Ax%3Ag",
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400 and "missing query" in response.get_data(as_text=True)


def test_tab_inside_a_string_literal_comes_back_as_a_tab(client):
    response = get(client, 'SELECT ?x { BIND("a\tb" AS ?x) }')
    assert response.get_json()["results"]["bindings"][0]["x"]["value"] == "a\tb"


@pytest.mark.parametrize("path", ["/sparql?query=" + quote("ASK { ?s ?p ?o }"), "/sparql?query=ASK%20%7B",
                                  "/no/such/page", "/sparql"])
def test_every_response_says_nosniff(client, path):
    assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


#: Prints, per graph format, the tag and a hash of the service description an app gives.
_DESCRIBED = """
import hashlib, sys
from alliance_kg.app import create_app
from alliance_kg.build.sources import load_dataset
from alliance_kg.query import formats
from alliance_kg.stores import InMemoryOxigraphStore
app = create_app({"STORE": InMemoryOxigraphStore(load_dataset([sys.argv[1]]).dataset, "v1"), "TESTING": True,
                  "query_workers": 1})
for media_type in formats.GRAPH_TYPES:
    response = app.test_client().get("/sparql", headers={"Accept": media_type})
    print(media_type, response.headers["ETag"], hashlib.sha256(response.get_data()).hexdigest())
app.extensions["alliance_kg"].executor.close()
"""


def test_the_service_description_is_the_same_bytes_in_every_serving_process():
    """Its weak tag is the data version and the request: two processes (hash seeds apart, as
    any two are) must send the same bytes under it, in every format."""
    source = str(Path(alliance_kg.__file__).resolve().parents[1])
    answers = [subprocess.run([sys.executable, "-c", _DESCRIBED, str(ENDPOINT_DATA)], capture_output=True, text=True,
                              timeout=120, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed,
                                   "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}).stdout
               for seed in ("1", "2")]
    assert len(answers[0].splitlines()) == 5 and answers[0] == answers[1]


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["not a uri", "memo", "https://example.org/a b", "https://example.org/<a>",
                                   'https://example.org/"a"', "https://example.org/{a}", "https://example.org/a|b",
                                   "https://example.org/a\\b", "https://example.org/a^b", "https://example.org/`a`", ""])
def test_a_dataset_parameter_that_is_no_iri_is_400_naming_it(client, param, value):
    for response in (client.get(f"/sparql?{param}={quote(value)}&query=" + quote("ASK { ?s ?p ?o }")),
                     client.post("/sparql", data={param: value, "query": "ASK { ?s ?p ?o }"}, content_type=FORM)):
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.mimetype == "text/plain"
        assert f"{param} must be an absolute IRI" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["urn:x:nope", "https://example.org/k%C3%B6ln", "https://example.org/köln",
                                   "file:///tmp/a%20b.ttl"])
def test_a_dataset_parameter_that_is_an_iri_we_do_not_hold_is_an_empty_graph(client, value):
    response = client.get(f"/sparql?default-graph-uri={quote(value)}&query=" + quote("ASK { ?s ?p ?o }"))
    assert response.status_code == 200 and response.get_json()["boolean"] is False


def test_get_without_query_is_the_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    sd = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    service = URIRef("https://w3id.org/alliance-kg/sparql")
    assert (service, RDF.type, SD.Service) in sd
    assert (service, SD.endpoint, service) in sd
    assert (service, SD.feature, SD.UnionDefaultGraph) in sd
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in sd
    assert (service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in sd
    assert GRAPH["memo"] in set(sd.objects(None, SD.name))
    assert "localhost" not in response.get_data(as_text=True)


def test_browser_gets_the_query_page(client):
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<form" in response.get_data(as_text=True)


def test_row_cap_is_reported_in_a_header(make_app):
    client = make_app(max_rows=3).test_client()
    response = get(client, "SELECT * { ?s ?p ?o }")
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(response.get_json()["results"]["bindings"]) == 3


def test_uncapped_result_has_no_truncation_header(client):
    assert "X-Result-Truncated" not in get(client, SELECT).headers


def test_query_over_length_cap_is_413(make_app):
    client = make_app(max_query_length=50).test_client()
    response = get(client, "SELECT * { ?s ?p ?o } # " + "x" * 100)
    assert response.status_code == 413


def test_body_over_size_cap_is_413(make_app):
    client = make_app(max_body_bytes=100).test_client()
    response = client.post("/sparql", data="ASK {} #" + "x" * 200, content_type="application/sparql-query")
    assert response.status_code == 413


@pytest.mark.parametrize("raw", [
    b"/sparql?query=ASK%20%7B%7D%FF",         # percent-decodes to invalid UTF-8
    b"/sparql?query=ASK%20%7B%7D%zz",         # malformed percent escape
    b"/sparql?query=ASK%20%7B%7D%00",         # NUL
])
def test_malformed_query_strings_are_400(client, raw):
    response = client.get(raw.decode("ascii"))
    assert response.status_code == 400


def test_invalid_utf8_body_is_400(client):
    response = client.post("/sparql", data=b"ASK {} # \xff\xfe", content_type="application/sparql-query")
    assert response.status_code == 400


def test_absurd_accept_header_is_4xx(client):
    response = get(client, SELECT, headers={"Accept": "text/" + "x" * 10000})
    assert response.status_code == 400
    garbage = get(client, SELECT, headers={"Accept": ";;;,,,q=abc/\x7f"})
    assert garbage.status_code in (200, 406)


def test_cors_on_results_and_errors(client):
    assert get(client, SELECT).headers["Access-Control-Allow-Origin"] == "*"
    assert get(client, "ASK {").headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_options_allows_post_with_content_type(client):
    response = client.options("/sparql", headers={"Origin": "https://portal.example",
                                                  "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("path, methods", [
    ("/sparql", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("/doc/city/koeln", {"GET", "HEAD", "OPTIONS"}),
    ("/downloads/alliance-kg.ttl", {"GET", "HEAD", "OPTIONS"}),
])
def test_a_preflight_allows_the_methods_of_the_route(client, path, methods):
    """What CORS allows is what ``Allow`` says: a GET-only route does not invite a POST."""
    response = client.options(path, headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 200
    allowed = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert allowed == methods == {m.strip() for m in response.headers["Allow"].split(",")}


def test_head_answers_headers_only(client):
    response = client.head("/sparql?query=" + quote(SELECT))
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert response.get_data() == b""


def test_if_none_match_gets_304_while_data_unchanged(client):
    first = get(client, SELECT)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public")
    again = get(client, SELECT, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    other = get(client, SELECT, headers={"If-None-Match": etag, "Accept": "text/csv"})
    assert other.status_code == 200


def test_etag_changes_with_data_version(make_app, fixture_store):
    from alliance_kg.stores import RdflibStore

    first = get(make_app().test_client(), SELECT).headers["ETag"]
    second = get(make_app(RdflibStore(fixture_store.dataset, "fixture-v2")).test_client(), SELECT).headers["ETag"]
    assert first != second


def test_large_responses_are_gzipped(client):
    response = get(client, "SELECT * { ?s ?p ?o }", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"results" in gzip.decompress(response.get_data())
    plain = get(client, "SELECT * { ?s ?p ?o }")
    assert "Content-Encoding" not in plain.headers


def test_relative_iris_resolve_against_the_endpoint_iri_on_every_backend(client):
    response = get(client, "SELECT ?x { BIND(<s> AS ?x) }")
    assert response.get_json()["results"]["bindings"][0]["x"]["value"] == "https://w3id.org/alliance-kg/s"
    response = get(client, "BASE <http://example.org/> SELECT ?x { BIND(<s> AS ?x) }")
    assert response.get_json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/s"


# --- negotiation: media range parameters, client format names, JSON for graphs ---

DESCRIBE = "DESCRIBE <https://w3id.org/alliance-kg/id/city/koeln>"


@pytest.mark.parametrize("query, accept, media_type", [
    (SELECT, "application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    (SELECT, "application/sparql-results+json;charset=UTF-8", "application/sparql-results+json"),
    (SELECT, "text/csv; header=present", "text/csv"),
    (SELECT, "Text/CSV; header=absent", "text/csv"),
    (SELECT, "application/json; charset=utf-8", "application/sparql-results+json"),
    (SELECT, "text/csv; header=present; q=0.4, application/sparql-results+xml; charset=utf-8; q=0.6",
     "application/sparql-results+xml"),
    (CONSTRUCT, "text/turtle;charset=UTF-8", "text/turtle"),
    (CONSTRUCT, 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', "application/ld+json"),
    (CONSTRUCT, "application/n-triples; charset=utf-8; q=0.9, text/turtle; q=0.1", "application/n-triples"),
])
def test_media_range_parameters_other_than_q_do_not_make_a_406(client, query, accept, media_type):
    """RFC 9110 §12.5.1: a parameter never turns a type we offer into a 406; q still ranks."""
    for response in (get(client, query, headers={"Accept": accept}),
                     client.post("/sparql", data={"query": query}, content_type=FORM, headers={"Accept": accept})):
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == media_type


def test_a_more_specific_range_sets_the_quality(client):
    response = get(client, SELECT, headers={"Accept": "text/csv;header=present;q=0, text/csv, application/json;q=0.5"})
    assert response.mimetype == "application/sparql-results+json"


def test_a_charset_other_than_utf8_is_not_acceptable(client):
    """Every answer is UTF-8: a range asking for another charset is passed over, the rest count."""
    refused = get(client, SELECT, headers={"Accept": "text/csv; charset=iso-8859-1"})
    assert refused.status_code == 406 and "text/csv" in refused.get_data(as_text=True)
    other = get(client, SELECT, headers={"Accept": "text/csv; charset=iso-8859-1, application/sparql-results+xml;q=0.1"})
    assert other.status_code == 200 and other.mimetype == "application/sparql-results+xml"


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json, text/html", "application/sparql-results+json"),  # results named first
    ("text/csv, text/html", "text/csv"),
    ("application/json, text/html", "application/sparql-results+json"),
    ("text/html;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/html;q=0.1, */*", "application/sparql-results+json"),
    ("text/html, application/sparql-results+json", "text/html"),  # a browser: HTML named first
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("text/html, */*", "text/html"),
])
def test_html_gets_the_query_page_only_when_preferred_or_named_first(client, accept, media_type):
    response = get(client, "ASK {}", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media_type


def test_a_browser_with_a_charset_on_html_gets_the_query_page(client):
    response = get(client, SELECT, headers={"Accept": "text/html;charset=utf-8, */*;q=0.1"})
    assert response.status_code == 200 and response.mimetype == "text/html"


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("fmt, media_type, rdflib_format", [
    ("n3", "text/turtle", "n3"),  # SPARQLWrapper's N3: a Turtle document is an N3 document
    ("rdf+xml", "application/rdf+xml", "xml"),  # SPARQLWrapper's RDFXML
    ("rdfxml", "application/rdf+xml", "xml"),
    ("rdf xml", "application/rdf+xml", "xml"),  # its "+" unescaped in a URL
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/n3", "text/turtle", "n3"),
    ("json", "application/ld+json", "json-ld"),
])
def test_format_names_clients_send_for_graphs(client, query, fmt, media_type, rdflib_format):
    response = client.get(f"/sparql?format={quote(fmt)}&output={quote(fmt)}&results={quote(fmt)}&query={quote(query)}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == media_type
    graph = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    assert (URIRef("https://w3id.org/alliance-kg/id/city/koeln"), RDF.type, None) in graph


def test_an_unknown_format_is_passed_over_for_the_accept_header(client):
    response = client.get("/sparql?format=x-nice-turtle&query=" + quote(CONSTRUCT), headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    response = client.get("/sparql?format=application/x-foo&query=" + quote(SELECT))
    assert response.status_code == 200 and response.mimetype == "application/sparql-results+json"


def test_an_unknown_format_with_an_unacceptable_accept_is_406_naming_the_formats(client):
    response = client.get("/sparql?format=x-nice-turtle&query=" + quote(CONSTRUCT), headers={"Accept": "image/png"})
    body = response.get_data(as_text=True)
    assert response.status_code == 406
    assert "x-nice-turtle" in body and "rdf+xml" in body and "n3" in body and "text/turtle" in body


def test_a_known_format_the_result_cannot_take_is_still_406(client):
    response = client.get("/sparql?format=csv&query=" + quote(CONSTRUCT), headers={"Accept": "text/turtle"})
    assert response.status_code == 406


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_a_graph_asked_for_as_json_is_json_ld_by_accept_as_by_format(client, query):
    by_accept = get(client, query, headers={"Accept": "application/json"})
    by_format = client.get("/sparql?format=json&query=" + quote(query))
    assert by_accept.status_code == by_format.status_code == 200
    assert by_accept.mimetype == by_format.mimetype == "application/ld+json"
    graph = Graph().parse(data=by_accept.get_data(as_text=True), format="json-ld")
    assert (URIRef("https://w3id.org/alliance-kg/id/city/koeln"), RDF.type, None) in graph


def test_a_result_set_asked_for_as_json_is_still_sparql_json(client):
    assert get(client, SELECT, headers={"Accept": "application/json"}).mimetype == "application/sparql-results+json"


# --- output= and results=: format= by other names (SPARQLWrapper, Fuseki, 4store) ---

RESULT_NAMES = [("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
                ("csv", "text/csv"), ("tsv", "text/tab-separated-values")]


@pytest.mark.parametrize("name", ["output", "results"])
@pytest.mark.parametrize("value, media_type", RESULT_NAMES)
def test_output_and_results_name_the_format_as_format_does(client, name, value, media_type):
    accept = {"Accept": next(other for _, other in RESULT_NAMES if other != media_type)}  # the parameter decides
    for response in (client.get(f"/sparql?{name}={value}&query=" + quote(SELECT), headers=accept),
                     client.post("/sparql", data={"query": SELECT, name: value}, content_type=FORM, headers=accept),
                     client.post(f"/sparql?{name}={value}", data=SELECT, content_type="application/sparql-query",
                                 headers=accept)):
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == media_type
        assert "koeln" in response.get_data(as_text=True)


def test_output_names_a_graph_format_as_format_does(client):
    response = client.get("/sparql?output=rdf%2Bxml&query=" + quote(CONSTRUCT), headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "application/rdf+xml"
    assert client.get("/sparql?results=csv&query=" + quote(CONSTRUCT)).status_code == 406  # as format=csv is


@pytest.mark.parametrize("params, media_type", [
    ("format=csv&output=xml&results=tsv", "text/csv"),  # format= first, whatever the others say
    ("results=tsv&output=xml", "application/sparql-results+xml"),  # then output=, in any order sent
    ("format=x-nice&output=csv", "text/csv"),  # a value we do not know gives way, to the next parameter
    ("format=&output=&results=tsv", "text/tab-separated-values"),  # as an empty one does
    ("format=tsv&format=text/tab-separated-values&output=tsv&output=text/tab-separated-values",
     "text/tab-separated-values"),  # SPARQLWrapper's TSV
    ("output=x-nice&results=x-nicer", "application/sparql-results+xml"),  # none we know: Accept decides
])
def test_format_counts_before_output_before_results(client, params, media_type):
    response = client.get(f"/sparql?{params}&query=" + quote(SELECT), headers={"Accept": "application/sparql-results+xml"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == media_type


def test_an_unknown_output_with_an_unacceptable_accept_is_406_naming_it(client):
    response = client.get("/sparql?output=x-nice&query=" + quote(SELECT), headers={"Accept": "image/png"})
    assert response.status_code == 406 and "x-nice" in response.get_data(as_text=True)


def test_the_service_description_reads_output_too(client):
    response = client.get("/sparql?output=rdfxml", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "application/rdf+xml"


def test_the_result_cache_keys_the_format_that_counts(make_app):
    """``output=csv`` and ``output=xml`` are two answers, each kept; ``format=csv`` is the answer
    ``output=csv`` was (a hit), whichever parameter named it."""
    client = make_app(cache_entries=16).test_client()
    answers = {params: client.get(f"/sparql?{params}&query=" + quote(SELECT))
               for params in ("output=csv", "output=xml", "format=csv", "results=xml&output=x-nice")}
    assert [(r.mimetype, r.headers["X-Cache"]) for r in answers.values()] == [
        ("text/csv", "miss"), ("application/sparql-results+xml", "miss"), ("text/csv", "hit"),
        ("application/sparql-results+xml", "hit")]


def test_an_etag_is_per_output_and_the_answer_varies_by_accept(client):
    csv = client.get("/sparql?output=csv&query=" + quote(SELECT))
    xml = client.get("/sparql?output=xml&query=" + quote(SELECT), headers={"If-None-Match": csv.headers["ETag"]})
    assert xml.status_code == 200 and xml.mimetype == "application/sparql-results+xml"
    assert xml.headers["ETag"] != csv.headers["ETag"]
    assert csv.headers["Vary"] == xml.headers["Vary"] == "Accept, Accept-Encoding"
    again = client.get("/sparql?output=csv&query=" + quote(SELECT), headers={"If-None-Match": csv.headers["ETag"]})
    assert again.status_code == 304


# --- a 304 says what its 200 would; CORS for pages on other origins ---

#: The headers RFC 9110 §15.4.5 has a 304 carry when its 200 would.
REVALIDATED = ("Cache-Control", "Content-Location", "ETag", "Expires", "Vary")


@pytest.mark.parametrize("query, accept", [(SELECT, "application/sparql-results+json"), ("SELECT * { ?s ?p ?o }", None),
                                           (CONSTRUCT, "text/turtle")])
def test_a_304_carries_the_headers_its_200_would(client, query, accept):
    headers = {"Accept": accept} if accept else {}
    first = get(client, query, headers=headers)
    again = get(client, query, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200 and again.status_code == 304
    assert {name: again.headers.get(name) for name in REVALIDATED} == \
        {name: first.headers.get(name) for name in REVALIDATED}
    assert "Accept" in again.headers["Vary"] and again.headers["Date"]


def test_a_head_304_carries_them_too(client):
    etag = client.head("/sparql?query=" + quote(SELECT)).headers["ETag"]
    again = client.head("/sparql?query=" + quote(SELECT), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["Vary"] == "Accept, Accept-Encoding" and again.headers["Date"]


@pytest.mark.parametrize("path", ["/sparql", "/downloads/alliance-kg.nq", "/doc/city/koeln"])
def test_preflight_allows_what_a_portal_sends(client, path):
    asked = "x-api-key, x-request-id, if-modified-since, if-none-match, range, accept, content-type"
    response = client.options(path, headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "GET",
                                             "Access-Control-Request-Headers": asked})
    allowed = {name.strip().lower() for name in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert {name.strip() for name in asked.split(",")} <= allowed
    assert "authorization" not in allowed  # only the admin route reads it, and that one changes state


def _exposed(response) -> set[str]:
    return {name.strip().lower() for name in response.headers["Access-Control-Expose-Headers"].split(",")}


def test_a_page_can_read_the_headers_an_answer_says_itself_by(make_app):
    client = make_app(max_rows=3).test_client()
    graphs = f"default-graph-uri={quote(str(GRAPH['memo']))}&default-graph-uri=urn%3Ax%3Anope"
    response = client.get(f"/sparql?{graphs}&query=" + quote("SELECT * { ?s ?p ?o }"),
                          headers={"Origin": "https://portal.example", "X-Request-Id": "portal-1"})
    said = {name.lower() for name in response.headers.keys() if name.startswith("X-")} - {"x-content-type-options"}
    assert {"x-request-id", "x-unknown-graphs", "x-result-truncated", "x-result-limit"} <= said
    assert said | {"etag", "retry-after"} <= _exposed(response)


def test_a_page_can_read_a_range_of_a_download_and_its_citation(client):
    response = client.get("/downloads/alliance-kg.nq", headers={"Range": "bytes=0-9", "Accept-Encoding": "identity"})
    assert response.status_code == 206
    assert {"content-range", "accept-ranges", "x-citation", "content-disposition", "link"} <= _exposed(response)


def test_every_custom_header_the_server_sets_is_exposed():
    """A header we add (``X-...`` or ``Retry-After``) is one a page must be able to read; found in
    the web layer's source, so a new one cannot be forgotten."""
    import re
    from pathlib import Path

    from alliance_kg.web import headers

    source = Path(headers.__file__).parent
    named = {match for path in source.rglob("*.py") for match in
             re.findall(r'"((?:X-[A-Za-z-]+)|Retry-After)"', path.read_text(encoding="utf-8"))}
    sent = named - {"X-API-Key", "X-Content-Type-Options"}  # read, not sent; nosniff is the browser's, not the page's
    assert {"Retry-After", "X-Cache", "X-Request-Id", "X-Citation"} <= sent
    exposed = {name.strip() for name in headers.EXPOSED_HEADERS.split(",")}
    assert sent <= exposed


@pytest.mark.parametrize("backend", ["memory", "rdflib", "oxigraph"])
def test_a_graph_answer_writes_an_ill_typed_literal_as_written_in_every_format(backend, request, tmp_path_factory):
    """``"yes"^^xsd:boolean`` (what validation exists to report) stays that term in a
    CONSTRUCT answer and a resource's description, in every graph format: rdflib's Turtle and
    TriG writers wrote it bare (``yes``, which no reader parses), its JSON-LD writer as false."""
    from fixtures_server import build_store

    from alliance_kg.app import create_app
    from alliance_kg.namespaces import ID
    from alliance_kg.query import formats
    from alliance_kg.rdf import new_dataset, typed_literal

    dataset = new_dataset()
    subject, free = ID["city/x"], URIRef("urn:x:free")
    dataset.graph(URIRef(GRAPH + "test")).add((subject, free, typed_literal("yes", str(XSD.boolean))))
    store = build_store(backend, dataset, "ill-typed-v1", request, tmp_path_factory, "ill-typed")
    app = create_app({"STORE": store, "TESTING": True, "query_workers": 1})
    try:
        client = app.test_client()
        for media_type in formats.GRAPH_TYPES:
            for response in (get(client, "CONSTRUCT WHERE { ?s ?p ?o }", headers={"Accept": media_type}),
                             client.get("/doc/city/x", headers={"Accept": media_type})):
                assert response.status_code == 200 and response.mimetype == media_type
                read = list(ox.parse(response.get_data(), format=ox.RdfFormat.from_media_type(media_type)))
                written = {(q.predicate.value, q.object.value, q.object.datatype.value) for q in read
                           if q.predicate.value == str(free)}
                assert written == {(str(free), "yes", str(XSD.boolean))}, (media_type, response.get_data(as_text=True))
    finally:
        app.extensions["alliance_kg"].executor.close()
