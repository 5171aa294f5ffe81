"""Dereferenceable IRIs, VoID, downloads, health (Flask test client, fixture data)."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS

from alliance_kg.build.sources import load_dataset
from alliance_kg.namespaces import PROV, VOID
from fixtures_server import ENDPOINT_DATA, build_store

KOELN = URIRef("https://w3id.org/alliance-kg/id/city/koeln")


def test_thing_iri_is_303_to_its_description(client):
    response = client.get("/id/city/koeln", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/doc/city/koeln")


def test_unknown_thing_is_404(client):
    assert client.get("/id/city/atlantis").status_code == 404
    assert client.get("/doc/city/atlantis").status_code == 404


def test_path_that_cannot_be_an_iri_is_404(client):
    assert client.get("/doc/city/ko%3Eeln").status_code == 404


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt")])
def test_description_by_content_negotiation(client, accept, fmt):
    response = client.get("/doc/city/koeln", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    graph = Graph().parse(data=response.get_data(as_text=True), format=fmt)
    assert (KOELN, None, None) in graph
    assert (None, None, KOELN) in graph  # statements in, too


def test_description_by_extension(client):
    response = client.get("/doc/city/koeln.ttl")
    assert response.mimetype == "text/turtle"
    assert "Köln" in response.get_data(as_text=True)


@pytest.mark.parametrize("path, accept, location", [
    ("/doc/city/koeln", "text/turtle", "/doc/city/koeln.ttl"),
    ("/doc/city/koeln", "application/ld+json", "/doc/city/koeln.jsonld"),
    ("/doc/city/koeln", "application/trig", "/doc/city/koeln.trig"),
    ("/doc/city/koeln?format=nt", "text/turtle", "/doc/city/koeln.nt"),
    ("/doc/city/koeln.rdf", "text/turtle", "/doc/city/koeln.rdf"),
    ("/doc/city/koeln", "text/html", "/doc/city/koeln.html"),
    ("/graph/memo", "text/turtle", "/graph/memo?format=ttl"),
    ("/graph/memo", "text/html", "/graph/memo?format=html"),
])
def test_a_description_names_its_licence_and_the_url_of_its_representation(client, path, accept, location):
    response = client.get(path, headers={"Accept": accept, "Origin": "https://portal.example"})
    assert response.status_code == 200
    assert {"link", "content-location"} <= {name.strip().lower() for name in
                                            response.headers["Access-Control-Expose-Headers"].split(",")}
    assert response.headers["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert response.headers["Content-Location"] == location
    again = client.get(location)  # the URL named gives this very representation
    assert again.status_code == 200 and again.mimetype == response.mimetype


def test_description_as_trig_keeps_named_graphs(client):
    response = client.get("/doc/city/koeln", headers={"Accept": "application/trig"})
    data = Dataset().parse(data=response.get_data(as_text=True), format="trig")
    assert URIRef("https://w3id.org/alliance-kg/graph/memo") in {g.identifier for g in data.graphs()}


def test_html_page_uses_requested_language(client):
    zh = client.get("/doc/city/koeln", headers={"Accept": "text/html", "Accept-Language": "zh"})
    assert zh.mimetype == "text/html"
    assert "<h1>科隆</h1>" in zh.get_data(as_text=True)
    de = client.get("/doc/city/koeln?lang=de", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<h1>Köln</h1>" in de


def test_html_page_links_locally_and_shows_source_passage(client):
    page = client.get("/doc/city/koeln", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/doc/organization/alliance"' in page
    assert 'href="/graph/memo"' in page
    assert "Zu den Mitgliedern gehören Köln und Nürnberg." in page


KOELN_PAGE = URIRef("https://example.org/koeln")
TOPICS_PASSAGE = URIRef("https://w3id.org/alliance-kg/id/passage/topics")


@pytest.fixture(scope="module")
def own_sources_store(backend, request, tmp_path_factory):
    """The fixture data where Köln, in the memo graph, cites a page of its own."""
    dataset = load_dataset([ENDPOINT_DATA]).dataset
    dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/memo")).add((KOELN, DCTERMS.source, KOELN_PAGE))
    dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/memo")).add((KOELN, PROV.wasDerivedFrom, TOPICS_PASSAGE))
    return build_store(backend, dataset, "own-sources-v1", request, tmp_path_factory, "own-sources")


def test_a_resources_own_sources_in_a_graph_replace_the_graphs_on_its_page(make_app, own_sources_store):
    client = make_app(own_sources_store).test_client()
    koeln = client.get("/doc/city/koeln", headers={"Accept": "text/html"}).get_data(as_text=True)
    listed = koeln[koeln.index('id="sources-heading"'):]
    assert "Topics for testing." in listed and '<a href="https://example.org/koeln"' in listed
    assert listed.index("Topics for testing.") < listed.index('<a href="https://example.org/koeln"')  # passage first
    assert "Zu den Mitgliedern gehören Köln und Nürnberg." not in listed  # the memo graph's own passage
    nuernberg = client.get("/doc/city/nuernberg", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Zu den Mitgliedern gehören Köln und Nürnberg." in nuernberg[nuernberg.index('id="sources-heading"'):]


def test_html_page_offers_every_format_it_can_be_had_in(client):
    page = client.get("/doc/city/koeln", headers={"Accept": "text/html"}).get_data(as_text=True)
    for name, media_type in (("turtle", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                             ("rdfxml", "application/rdf+xml"), ("trig", "application/trig")):
        assert f'<link rel="alternate" type="{media_type}" href="http://localhost/doc/city/koeln?format={name}">' in page
        assert client.get(f"/doc/city/koeln?format={name}").mimetype == media_type


def test_named_graph_dereferences_with_its_triples_and_description(client):
    response = client.get("/graph/memo", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (KOELN, None, None) in graph
    assert (URIRef("https://w3id.org/alliance-kg/graph/memo"), None, None) in graph


def test_unknown_graph_is_404(client):
    assert client.get("/graph/nope").status_code == 404


def test_ontology_is_404_without_an_ontology_graph(client):
    assert client.get("/ontology").status_code == 404


def test_void_names_licence_endpoint_and_dumps(client):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert 'rel="license"' in response.headers["Link"]
    void = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert URIRef("https://creativecommons.org/licenses/by/4.0/") in set(void.objects(None, DCTERMS.license))
    assert URIRef("https://w3id.org/alliance-kg/sparql") in set(void.objects(None, VOID.sparqlEndpoint))
    assert "localhost" not in response.get_data(as_text=True)


@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"])
def test_void_asked_by_a_browser_is_its_turtle_shown_as_text(client, accept):
    """The home page links it: a browser gets the Turtle to read, not a 406 or a download."""
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert (None, VOID.sparqlEndpoint, None) in Graph().parse(data=response.get_data(as_text=True), format="turtle")


def test_void_dumps_of_the_dataset_hold_the_whole_dataset(client):
    """A portal that loads a ``void:dataDump`` of the dataset must get all of it: the Turtle
    dump (one graph, asserted triples only) is the dump of a subset that says so."""
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True),
                         format="turtle")
    dataset = URIRef("https://w3id.org/alliance-kg/.well-known/void#alliance-kg")
    whole = {str(d).rsplit("/", 1)[-1] for d in void.objects(dataset, VOID.dataDump)}
    assert whole == {"alliance-kg.trig", "alliance-kg.nq", "alliance-kg.jsonld"}
    total = int(void.value(dataset, VOID.triples))
    for name in whole:  # each holds every triple of the dataset (the union of its graphs)
        dump = Dataset()
        dump.parse(data=client.get(f"/downloads/{name}").get_data(), format=name.rsplit(".", 1)[-1].replace("nq", "nquads")
                   .replace("jsonld", "json-ld"))
        assert len({(s, p, o) for s, p, o, _ in dump.quads((None, None, None, None))}) == total, name
    [asserted] = [s for s in void.objects(dataset, VOID.subset) if void.value(s, VOID.dataDump) is not None]
    assert str(void.value(asserted, VOID.dataDump)).endswith("/downloads/alliance-kg.ttl")
    assert "asserted triples only" in str(void.value(asserted, DCTERMS.description))


def test_downloads_carry_media_type_and_licence(client):
    response = client.get("/downloads/alliance-kg.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert 'rel="license"' in response.headers["Link"]
    assert "attachment" in response.headers["Content-Disposition"]
    json.loads(response.get_data(as_text=True))


def test_unknown_download_is_404(client):
    assert client.get("/downloads/secrets.txt").status_code == 404


def test_data_routes_have_cors_and_etags(client):
    response = client.get("/doc/city/koeln", headers={"Accept": "text/turtle"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/doc/city/koeln", headers={"Accept": "text/turtle", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_health_and_readiness(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and "ready" in ready.get_data(as_text=True)


def test_readiness_fails_without_workers(app):
    app.extensions["alliance_kg"].executor.close()
    assert app.test_client().get("/readyz").status_code == 503


@pytest.mark.parametrize("path", ["/doc/city/koeln", "/.well-known/void", "/sparql", "/catalog",
                                  "/graph/memo", "/id/city/koeln"])
@pytest.mark.parametrize("accept, media_type", [
    ("text/turtle;charset=UTF-8", "text/turtle"),
    ("TEXT/Turtle; charset=utf-8", "text/turtle"),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', "application/ld+json"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted";q=0.9, text/turtle;q=0.5',
     "application/ld+json"),
])
def test_accept_parameters_do_not_make_a_406_on_any_route(client, path, accept, media_type):
    """RFC 9110 §12.5.1: a charset (ours) or a JSON-LD profile (the default served) is no refusal."""
    response = client.get(path, headers={"Accept": accept}, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == media_type
    fmt = "turtle" if media_type == "text/turtle" else "json-ld"
    assert len(Graph().parse(data=response.get_data(as_text=True), format=fmt)) > 0


def test_a_graph_route_asked_for_json_gets_json_ld(client):
    response = client.get("/doc/city/koeln", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert (KOELN, None, None) in Graph().parse(data=response.get_data(as_text=True), format="json-ld")
