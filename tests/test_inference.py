"""The bulk OWL-RL path (owlrl on the TBox, set rules on the data) entails exactly what owlrl's
full closure entails, and falls back to owlrl when the data needs a rule it lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Namespace, OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection

from alliance_kg.build.generate import generate
from alliance_kg.build.inference import asserted_triples, entailments, fast_closure, infer
from alliance_kg.namespaces import AKG, ID, INFERRED_GRAPH, ONTOLOGY_GRAPH, ORG
from alliance_kg.build.pipeline import with_ontology
from alliance_kg.build.sources import load_dataset


def both_ways(dataset) -> tuple[set, set]:
    asserted = asserted_triples(dataset)
    tbox = dataset.graph(ONTOLOGY_GRAPH)
    assert fast_closure(asserted, tbox) is not None, "the bulk path fell back to owlrl"
    return entailments(asserted, tbox, fast=True), entailments(asserted, fast=False)


def test_shipped_data_fast_path_equals_owlrl():
    fast, full = both_ways(load_dataset().dataset)
    assert fast, "nothing inferred"
    assert fast == full, f"only fast: {sorted(fast - full)[:5]}; only owlrl: {sorted(full - fast)[:5]}"


def test_generated_data_fast_path_equals_owlrl(tmp_path: Path):
    generate(60, tmp_path)
    fast, full = both_ways(load_dataset(with_ontology([tmp_path])).dataset)
    assert len(fast) > 300
    assert fast == full, f"only fast: {sorted(fast - full)[:5]}; only owlrl: {sorted(full - fast)[:5]}"


def test_the_inferred_graph_holds_the_entailments():
    dataset = load_dataset().dataset
    expected = entailments(asserted_triples(dataset), fast=False)
    infer(dataset)
    assert set(dataset.graph(INFERRED_GRAPH)) == expected
    # the property chain (org:memberOf = inverse(org:member) o org:organization) fired
    assert any(p == ORG.memberOf and s == ID["city/koeln"] for s, p, _ in expected)


def test_a_functional_property_with_two_values_falls_back_to_owlrl():
    # akg:holder is functional: two holders of one tenure are owl:sameAs, which the bulk rules
    # do not implement; the result must still be owlrl's (statements copied between the two).
    dataset = load_dataset().dataset
    tenure, a, b = ID["tenure/t"], ID["person/a"], ID["person/b"]
    graph = dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/test"))
    graph.add((tenure, AKG.holder, a))
    graph.add((tenure, AKG.holder, b))
    asserted = asserted_triples(dataset)
    assert fast_closure(asserted, dataset.graph(ONTOLOGY_GRAPH)) is None
    found = entailments(asserted, dataset.graph(ONTOLOGY_GRAPH))
    assert (a, OWL.sameAs, b) in found
    assert found == entailments(asserted, fast=False)


#: Made-up terms for schemas the ontology does not have (AKG itself is closed).
EX = Namespace("https://w3id.org/alliance-kg/ontology#test-")


@pytest.mark.parametrize("axiom", [
    (EX.Thing, OWL.someValuesFrom, EX.Other),
    (EX.Thing, OWL.intersectionOf, RDF.nil),
    (ID["city/a"], OWL.sameAs, ID["city/b"]),
])
def test_a_tbox_beyond_the_bulk_rules_falls_back(axiom):
    assert fast_closure({axiom}) is None


def test_bulk_rules_cover_subproperties_inverses_and_chains():
    p, q, r, s = (EX[n] for n in "pqrs")
    tbox = Graph()
    tbox.add((p, RDFS.subPropertyOf, q))
    tbox.add((q, OWL.inverseOf, r))
    chain = URIRef("urn:chain")
    Collection(tbox, chain, [q, p])
    tbox.add((s, OWL.propertyChainAxiom, chain))
    tbox.add((s, RDF.type, OWL.TransitiveProperty))
    x, y, z = ID["x"], ID["y"], ID["z"]
    data = {(x, p, y), (y, p, z)}
    assert fast_closure(data, tbox) is not None
    fast = entailments(data, tbox)
    assert fast == entailments(data, tbox, fast=False)
    assert (x, s, z) in fast and (y, r, x) in fast
