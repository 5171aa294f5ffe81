"""A real Virtuoso (Debian's virtuoso-opensource-7-bin) behind scripts/virtuoso.sh: push keeps
the named graphs, needs credentials, and large results are not cut at Virtuoso's 10,000 rows."""

from __future__ import annotations

import pytest
import requests
from rdflib import Dataset, Literal, URIRef

from alliance_kg.stores.push import Credentials, PushFailed, credentials_from, push
from alliance_kg.query.prepare import execute, prepare
from alliance_kg.stores.sparql import SparqlStore

from backends import DBA


@pytest.fixture(scope="module")
def virtuoso(virtuosos):
    """A Virtuoso of its own: push replaces every project graph, so these tests must not share."""
    return virtuosos.url("scratch")


def test_anonymous_push_is_refused(virtuoso):
    dataset = Dataset()
    dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/test-anon")).add(
        (URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
    with pytest.raises(PushFailed, match="401|permission|SECURITY"):
        push(dataset, virtuoso + "/sparql-auth", "v")


def test_credentials_come_from_the_environment():
    assert credentials_from({}) is None
    creds = credentials_from({"ALLIANCE_KG_PUSH_USER": "u", "ALLIANCE_KG_PUSH_PASSWORD": "p",
                              "ALLIANCE_KG_PUSH_AUTH": "basic"})
    assert creds == Credentials("u", "p", "basic")


def test_more_than_ten_thousand_rows_arrive(virtuoso, tmp_path):
    graph = URIRef("https://w3id.org/alliance-kg/graph/test-large")
    dataset = Dataset()
    target = dataset.graph(graph)
    for i in range(12_000):
        target.add((URIRef(f"https://w3id.org/alliance-kg/id/test/{i}"), URIRef("urn:p"), Literal(i)))
    push(dataset, virtuoso + "/sparql-auth", "large", credentials=Credentials(*DBA))
    store = SparqlStore(virtuoso + "/sparql")
    prepared = prepare(f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", max_length=1000)
    assert len(execute(store, prepared).rows) == 12_000
    assert len(execute(store, prepared, max_rows=10_500).rows) == 10_500
    requests.post(virtuoso + "/sparql-auth", data={"update": f"DROP SILENT GRAPH <{graph}>"},
                  auth=requests.auth.HTTPDigestAuth(*DBA), timeout=60).raise_for_status()


def test_graph_store_protocol_push(virtuoso):
    graph = URIRef("https://w3id.org/alliance-kg/graph/test-gsp")
    dataset = Dataset()
    dataset.graph(graph).add((URIRef("urn:a"), URIRef("urn:p"), Literal("Köln", lang="de")))
    result = push(dataset, virtuoso + "/sparql-graph-crud-auth", "gsp", credentials=Credentials(*DBA),
                  protocol="gsp")
    assert result.graphs == {str(graph): 1}
    rows = requests.post(virtuoso + "/sparql", data={"query": f"SELECT ?o {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    assert rows["results"]["bindings"][0]["o"]["value"] == "Köln"
    requests.post(virtuoso + "/sparql-auth", data={"update": f"DROP SILENT GRAPH <{graph}>"},
                  auth=requests.auth.HTTPDigestAuth(*DBA), timeout=60).raise_for_status()
