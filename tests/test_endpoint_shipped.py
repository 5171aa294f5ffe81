"""A few checks of the endpoint over the shipped graph (ontology, data, example queries)."""

from __future__ import annotations

from markupsafe import escape
from urllib.parse import quote

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from alliance_kg.build.pipeline import conforming
from alliance_kg.settings import project_root
from alliance_kg.stores import InMemoryOxigraphStore
from alliance_kg.web.examples import load_examples

EXAMPLES = load_examples(project_root() / "queries" / "examples")


@pytest.fixture(scope="module")
def shipped_store() -> InMemoryOxigraphStore:
    graph = conforming()
    return InMemoryOxigraphStore(graph.dataset, graph.version)


@pytest.fixture
def shipped(make_app, shipped_store):
    return make_app(shipped_store, query_workers=2).test_client()


def test_ontology_dereferences(shipped):
    response = shipped.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (URIRef("https://w3id.org/alliance-kg/ontology"), RDF.type, OWL.Ontology) in graph


def test_every_thing_in_the_graph_dereferences(shipped, shipped_store):
    things = sorted({s for s in shipped_store.dataset.subjects() if str(s).startswith("https://w3id.org/alliance-kg/id/")})
    assert things
    for thing in things[:25]:
        path = str(thing)[len("https://w3id.org/alliance-kg"):]
        assert shipped.get(path).status_code == 303, thing
        assert shipped.get(path.replace("/id/", "/doc/", 1), headers={"Accept": "text/html"}).status_code == 200


def test_examples_were_found():
    assert EXAMPLES, "queries/examples/*.rq"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_example_queries_answer(shipped, example):
    response = shipped.get("/sparql?query=" + quote(example["query"]))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_query_page_lists_examples(shipped):
    page = shipped.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    for example in EXAMPLES:
        assert str(escape(example["title"])) in page


def test_every_project_iri_in_data_and_shapes_dereferences(shipped):
    """Each IRI under the base (fragment removed) answers 200, following the 303 of /id/."""
    from alliance_kg.namespaces import BASE
    from alliance_kg.build.pipeline import unvalidated
    from alliance_kg.build.sources import load_shapes

    iris = set()
    graphs = [unvalidated().dataset, load_shapes()[0]]
    for graph in graphs:
        for triple in graph.triples((None, None, None)):
            iris.update(str(t).split("#")[0] for t in triple if str(t).startswith(BASE))
    assert len(iris) > 100
    failing = {}
    for iri in sorted(iris):
        response = shipped.get("/" + iri[len(BASE):], headers={"Accept": "text/turtle"}, follow_redirects=True)
        if response.status_code != 200:
            failing[iri] = response.status_code
    assert failing == {}


@pytest.mark.parametrize("lexical, expected", [("true", True), ("1", True), ("false", False), ("0", False)])
def test_a_boolean_answer_is_read_by_value(lexical, expected):
    """Answers keep literals as the store wrote them, so the home page's district and ambiguity
    flags read "1"^^xsd:boolean as true, like "true"."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    from alliance_kg.web.pages import _is_true

    assert _is_true(Literal(lexical, datatype=XSD.boolean, normalize=False)) is expected
    assert _is_true(Literal(1)) is False  # an integer is not a boolean answer


def test_the_home_page_reads_the_members_once_per_generation(knowledge_graph, monkeypatch):
    """A visit after the first asks the store nothing about the members, whatever its language;
    a reload (a new generation) reads them again."""
    from alliance_kg.app import create_app
    from alliance_kg.web.admin import reloader_of
    from alliance_kg.web.pages import MEMBERS
    from alliance_kg.web.state import AppState

    asked: list[str] = []
    result = AppState.result
    monkeypatch.setattr(AppState, "result", lambda self, text, **job: asked.append(text) or result(self, text, **job))
    app = create_app({"STORE": InMemoryOxigraphStore(knowledge_graph.dataset, "v1"), "TESTING": True,
                      "query_workers": 1})
    first = app.extensions["alliance_kg"]
    client = app.test_client()
    try:
        english = client.get("/?lang=en").get_data(as_text=True)
        assert ">Cologne<" in english and ">Köln<" not in english and asked.count(MEMBERS) == 1
        assert ">Köln<" in client.get("/?lang=de").get_data(as_text=True)  # labels are chosen per visit
        assert asked.count(MEMBERS) == 1, "the second visit asked for the members again"
        reloader = reloader_of(app)
        reloader.build = lambda: InMemoryOxigraphStore(knowledge_graph.dataset, "v2")
        assert reloader.reload().ok and app.extensions["alliance_kg"] is not first
        assert ">Cologne<" in client.get("/?lang=en").get_data(as_text=True)
        assert asked.count(MEMBERS) == 2, "the new generation read its own members"
        client.get("/?lang=zh")
        assert asked.count(MEMBERS) == 2
    finally:
        for state in {id(first): first, id(app.extensions["alliance_kg"]): app.extensions["alliance_kg"]}.values():
            state.executor.close()
