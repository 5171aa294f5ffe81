"""A real ``alliance-kg serve`` process over HTTP: requests, SPARQLWrapper, concurrency,
start-up refusal of bad data, graceful SIGTERM."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest
import requests
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed
from werkzeug.http import parse_date

import server as live
from alliance_kg.web.httpservers import HTTP_SERVERS

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_requests_get_and_post(live_server):
    got = requests.get(live_server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
    assert got.status_code == 200 and got.json()["boolean"] is True
    posted = requests.post(live_server.sparql, data="SELECT * { ?s ?p ?o } LIMIT 1",
                           headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}, timeout=10)
    assert posted.status_code == 200 and posted.headers["Content-Type"].startswith("text/csv")


def test_sparqlwrapper_select_ask_construct(live_server):
    wrapper = SPARQLWrapper(live_server.sparql)
    wrapper.setReturnFormat(JSON)
    wrapper.setQuery("SELECT ?s WHERE { ?s a <https://schema.org/City> } ORDER BY ?s")
    rows = wrapper.queryAndConvert()["results"]["bindings"]
    assert rows[0]["s"]["value"] == "https://w3id.org/alliance-kg/id/city/koeln"
    wrapper.setQuery("ASK { ?s a <https://schema.org/City> }")
    assert wrapper.queryAndConvert()["boolean"] is True
    wrapper.setQuery("CONSTRUCT { ?s a <https://schema.org/City> } WHERE { ?s a <https://schema.org/City> }")
    wrapper.setReturnFormat(TURTLE)
    assert b"koeln" in wrapper.queryAndConvert()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("return_format, media_type", [(XML, "application/sparql-results+xml"), (CSV, "text/csv"),
                                                       (TSV, "text/tab-separated-values")])
def test_sparqlwrapper_result_formats(live_server, return_format, media_type, method):
    """SPARQLWrapper names its format three times, alike (``format=``, ``output=``, ``results=``;
    for TSV each also with the media type), beside its Accept header."""
    wrapper = SPARQLWrapper(live_server.sparql)
    wrapper.setMethod(method)
    wrapper.setReturnFormat(return_format)
    wrapper.setQuery("SELECT ?s WHERE { ?s a <https://schema.org/City> } ORDER BY ?s")
    response = wrapper.query().response
    assert response.headers["Content-Type"].startswith(media_type)
    assert b"/city/koeln" in response.read()


@pytest.mark.parametrize("name", ["output", "results"])
def test_sparqlwrapper_naming_the_format_by_output_or_results_alone(live_server, name):
    """A SPARQLWrapper sending no ``format=`` (``setOnlyConneg``) and its format as ``output=``
    (Fuseki's name) or ``results=``: answered in that format, over its Accept header's JSON."""
    wrapper = SPARQLWrapper(live_server.sparql)
    wrapper.setOnlyConneg(True)
    wrapper.setReturnFormat(JSON)
    wrapper.addParameter(name, "csv")
    wrapper.setQuery("SELECT ?s WHERE { ?s a <https://schema.org/City> } ORDER BY ?s")
    response = wrapper.query().response
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.read().decode().splitlines()[:2] == ["s", "https://w3id.org/alliance-kg/id/city/koeln"]


KOELN = URIRef("https://w3id.org/alliance-kg/id/city/koeln")


@pytest.mark.parametrize("query", [
    "CONSTRUCT { ?s a <https://schema.org/City> } WHERE { ?s a <https://schema.org/City> }",
    f"DESCRIBE <{KOELN}>",
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_n3_and_rdfxml_graphs(live_server, query, method):
    """SPARQLWrapper sends ``format=n3`` (and ``output``, ``results``) for N3, ``format=rdf+xml``
    for RDF/XML, beside its Accept header: both answered, N3 as Turtle (an N3 document)."""
    wrapper = SPARQLWrapper(live_server.sparql)
    wrapper.setMethod(method)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(N3)
    n3 = wrapper.query()
    assert n3.response.headers["Content-Type"].startswith("text/turtle")
    assert (KOELN, None, None) in Graph().parse(data=n3.convert(), format="n3")
    wrapper.setReturnFormat(RDFXML)
    rdfxml = wrapper.query()
    assert rdfxml.response.headers["Content-Type"].startswith("application/rdf+xml")
    assert (KOELN, None, None) in rdfxml.convert()


@pytest.mark.parametrize("path, accept, media_type", [
    ("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    ("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json, text/html", "application/sparql-results+json"),
    ("/sparql?query=ASK%20%7B%7D", "text/html, application/sparql-results+json", "text/html"),
    ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201", "text/csv; header=present", "text/csv"),
    ("/sparql", "text/turtle;charset=UTF-8", "text/turtle"),
    ("/.well-known/void", "text/turtle;charset=UTF-8", "text/turtle"),
    ("/id/city/koeln", "text/turtle;charset=UTF-8", "text/turtle"),
    ("/doc/city/koeln", 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', "application/ld+json"),
    ("/sparql?query=CONSTRUCT%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201", "application/json", "application/ld+json"),
])
def test_accept_parameters_and_json_for_graphs_over_http(live_server, path, accept, media_type):
    response = requests.get(live_server.url + path, headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_a_description_over_http_names_its_licence_and_location(live_server):
    response = requests.get(live_server.url + "/doc/city/koeln", headers={"Accept": "application/ld+json"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Location"] == "/doc/city/koeln.jsonld"
    assert response.links["license"]["url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_a_browser_meets_a_404_over_http_as_a_page_and_a_program_as_text(live_server):
    browser = requests.get(live_server.url + "/doc/city/nowhere", timeout=10,
                           headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "zh"})
    assert browser.status_code == 404 and browser.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="zh">' in browser.text and "此处没有内容" in browser.text
    program = requests.get(live_server.url + "/doc/city/nowhere", timeout=10)
    assert program.status_code == 404 and program.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_a_graph_parameter_that_is_no_iri_is_400_over_http(live_server):
    for response in (requests.get(live_server.sparql, params={"default-graph-uri": "not a uri", "query": "ASK {}"},
                                  timeout=10),
                     requests.post(live_server.sparql, data={"named-graph-uri": "not a uri", "query": "ASK {}"},
                                   timeout=10)):
        assert response.status_code == 400 and "must be an absolute IRI" in response.text


def test_a_304_over_http_carries_vary_date_and_cache_control(live_server):
    params = {"query": "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2"}
    first = requests.get(live_server.sparql, params=params, timeout=10)
    again = requests.get(live_server.sparql, params=params, headers={"If-None-Match": first.headers["ETag"]},
                         timeout=10)
    assert again.status_code == 304
    for name in ("Vary", "Cache-Control", "ETag"):
        assert again.headers[name] == first.headers[name], name
    assert parse_date(again.headers["Date"]) is not None  # one Date, not two joined


def test_cors_preflight_and_exposed_headers_over_http(live_server):
    preflight = requests.options(live_server.sparql, timeout=10, headers={
        "Origin": "https://portal.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-api-key,x-request-id"})
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert preflight.status_code == 200 and all(name in allowed for name in ("x-api-key", "x-request-id"))
    answer = requests.post(live_server.sparql, data={"query": "ASK {}"}, timeout=10,
                           headers={"Origin": "https://portal.example", "X-Request-Id": "portal-7"})
    exposed = answer.headers["Access-Control-Expose-Headers"].lower()
    assert answer.headers["X-Request-Id"] == "portal-7"
    assert all(name in exposed for name in ("retry-after", "x-request-id", "x-cache", "x-result-truncated"))


def test_a_preflight_allows_the_methods_of_the_route_over_http(live_server):
    for path, methods in (("/sparql", "GET, HEAD, OPTIONS, POST"), ("/doc/city/koeln", "GET, HEAD, OPTIONS"),
                          ("/downloads/alliance-kg.ttl", "GET, HEAD, OPTIONS")):
        preflight = requests.options(live_server.url + path, timeout=10, headers={
            "Origin": "https://portal.example", "Access-Control-Request-Method": "GET"})
        allowed = preflight.headers["Access-Control-Allow-Methods"]
        assert (preflight.status_code, ", ".join(sorted(allowed.split(", ")))) == (200, methods), path
        assert allowed == preflight.headers["Allow"]


def test_a_query_with_a_byte_order_mark_over_http(live_server):
    """As a client posts a file saved with one, direct or form-encoded."""
    for answer in (requests.post(live_server.sparql, data=b"\xef\xbb\xbfASK {}", timeout=10,
                                 headers={"Content-Type": "application/sparql-query"}),
                   requests.post(live_server.sparql, data={"query": "\ufeffASK {}"}, timeout=10)):
        assert (answer.status_code, answer.json()["boolean"]) == (200, True), answer.text


def test_sparqlwrapper_sees_syntax_errors_as_bad_formed(live_server):
    wrapper = SPARQLWrapper(live_server.sparql)
    wrapper.setReturnFormat(JSON)
    wrapper.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        wrapper.queryAndConvert()


def test_syntax_error_names_the_clients_line_not_the_row_caps(live_server):
    """A SELECT without LIMIT is capped by a LIMIT we add; its syntax error is the client's text's."""
    text = "SELECT ?s WHERE {\n  ?s ?p ?o\n"
    for response in (requests.get(live_server.sparql, params={"query": text}, timeout=10),
                     requests.post(live_server.sparql, data=text.encode(), timeout=10,
                                   headers={"Content-Type": "application/sparql-query"})):
        assert response.status_code == 400
        assert response.text.startswith("400 Bad Request\n\nline 3, column 1: ")
        assert "LIMIT" not in response.text


def test_slow_query_is_stopped_while_others_are_served(live_server):
    outcome: dict = {}
    slow = threading.Thread(target=lambda: outcome.setdefault(
        "slow", requests.get(live_server.sparql, params={"query": CARTESIAN}, timeout=30)))
    slow.start()
    time.sleep(0.3)
    started = time.monotonic()
    fast = requests.get(live_server.sparql, params={"query": "ASK {}"}, timeout=10)
    assert fast.status_code == 200
    assert time.monotonic() - started < 1.0
    slow.join()
    assert outcome["slow"].status_code == 503
    assert outcome["slow"].headers["Content-Type"] == "text/plain; charset=utf-8"


def test_row_cap_header_over_http(live_server):
    response = requests.get(live_server.sparql, params={"query": "SELECT * { ?s ?p ?o }"}, timeout=10)
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == 50


def test_a_get_query_is_tagged_and_revalidated_over_http(live_server):
    """What an HTTP cache before the endpoint needs of a GET query (answered without Flask,
    ``web.direct``): one weak ETag, Cache-Control and one Date; then the same GET with that tag
    gets 304 with no body (Flask's ``make_conditional``), another Accept a full answer."""
    params = {"query": "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3"}
    first = requests.get(live_server.sparql, params=params, headers={"Accept": "application/sparql-results+json"},
                         timeout=10)
    assert first.status_code == 200 and len(first.json()["results"]["bindings"]) == 3
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and first.headers["Cache-Control"] == "public, max-age=300"
    assert parse_date(first.headers["Date"]) is not None  # two Date headers would come joined: no date
    again = requests.get(live_server.sparql, params=params, timeout=10,
                         headers={"Accept": "application/sparql-results+json", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    other = requests.get(live_server.sparql, params=params, timeout=10,
                         headers={"Accept": "text/csv", "If-None-Match": etag})
    assert other.status_code == 200 and other.text.splitlines()[0] == "s"


def test_gzip_cors_and_conditional_get_over_http(live_server):
    response = requests.get(live_server.url + "/downloads/alliance-kg.nq", timeout=10)
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    again = requests.get(live_server.url + "/downloads/alliance-kg.nq", timeout=10,
                         headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_download_is_resumed_with_a_range_over_http(live_server):
    """A harvester that lost a large dump midway asks for the rest, and gets those bytes."""
    url = live_server.url + "/downloads/alliance-kg.trig"
    whole = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    rest = requests.get(url, headers={"Accept-Encoding": "identity", "Range": "bytes=1000-",
                                      "If-Range": whole.headers["ETag"]}, timeout=10)
    assert rest.status_code == 206
    assert rest.headers["Content-Range"] == f"bytes 1000-{len(whole.content) - 1}/{len(whole.content)}"
    assert whole.content[:1000] + rest.content == whole.content
    weak = requests.get(url, headers={"Accept-Encoding": "identity", "Range": "bytes=1000-",
                                      "If-Range": "W/" + whole.headers["ETag"]}, timeout=10)
    assert weak.status_code == 200 and weak.content == whole.content  # If-Range compares strongly
    beyond = requests.get(url, headers={"Accept-Encoding": "identity", "Range": f"bytes={len(whole.content)}-"},
                          timeout=10)
    assert beyond.status_code == 416  # and says how long the file is, so the client can start again
    assert beyond.headers["Content-Range"] == f"bytes */{len(whole.content)}"
    assert beyond.headers["Content-Type"].startswith("text/plain")


def test_linked_data_redirect_over_http(live_server):
    response = requests.get(live_server.url + "/id/city/koeln", headers={"Accept": "text/turtle"}, timeout=10)
    assert response.history[0].status_code == 303
    assert response.headers["Content-Type"].startswith("text/turtle")


def test_access_log_lines_are_written(live_server):
    requests.get(live_server.url + "/healthz", timeout=10)
    time.sleep(0.2)
    assert '"GET /healthz HTTP/1.1" 200' in live_server.output()


@pytest.mark.parametrize("http_server", sorted(HTTP_SERVERS))
def test_sigterm_stops_gracefully_and_kills_workers(tmp_path, http_server):
    server = live.start(tmp_path, "--query-workers", "2", "--http-server", http_server)
    pids = [int(line.split()[0]) for line in os.popen(f"pgrep -P {server.process.pid}").read().splitlines()]
    assert len(pids) >= 2
    assert server.stop() == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert "Traceback" not in server.output()
    assert server.output().rstrip().endswith("stopped")


@pytest.mark.parametrize("http_server", sorted(HTTP_SERVERS))
def test_port_0_is_served_on_the_port_the_start_up_line_names(tmp_path, http_server):
    server = live.start(tmp_path, "--query-workers", "1", "--http-server", http_server, port=0)
    try:
        assert not server.url.endswith(":0")
        assert f"with {http_server}," in server.output()
        assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
    finally:
        server.stop()


@pytest.mark.parametrize("http_server", sorted(HTTP_SERVERS))
def test_a_taken_port_is_refused_in_one_line_with_exit_2(tmp_path, http_server):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = live.run_to_exit(tmp_path, "--data", str(live.ENDPOINT_DATA), "--query-workers", "1",
                                  "--port", str(port), "--http-server", http_server)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unknown_http_server_is_refused_before_the_data_is_loaded(tmp_path):
    result = live.run_to_exit(tmp_path, "--data", str(live.FIXTURES / "endpoint-invalid" / "broken.ttl"),
                              "--http-server", "apache")
    assert result.returncode == 2
    assert "--http-server 'apache': use granian or waitress" in result.stderr
    assert "broken.ttl" not in result.stderr


def test_refuses_to_start_on_data_that_does_not_parse(tmp_path):
    result = live.run_to_exit(tmp_path, "--data", str(live.FIXTURES / "endpoint-invalid" / "broken.ttl"))
    assert result.returncode == 2
    assert "broken.ttl:4" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_refuses_to_start_on_two_files_for_one_graph(tmp_path):
    """``a/data/x.ttl`` and ``b/data/x.ttl`` given as two paths are both ``graph/x`` (each named
    below its data folder): refused before either is read."""
    for name in ("a", "b"):
        (tmp_path / name / "data").mkdir(parents=True)
        shutil.copy(live.ENDPOINT_DATA / "memo.ttl", tmp_path / name / "data" / "x.ttl")
    first, second = tmp_path / "a" / "data" / "x.ttl", tmp_path / "b" / "data" / "x.ttl"
    result = live.run_to_exit(tmp_path, "--data", f"{first},{second}", timeout=30)
    assert result.returncode == 2
    assert f"{second}: would share the graph <https://w3id.org/alliance-kg/graph/x> with {first} " in result.stderr
    assert "serving" not in result.stderr + result.stdout and "Traceback" not in result.stderr + result.stdout


def test_refuses_to_start_on_data_that_does_not_conform(tmp_path):
    result = live.run_to_exit(tmp_path, "--data", str(live.FIXTURES / "endpoint-invalid" / "nonconforming.ttl"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
