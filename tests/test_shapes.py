"""SHACL conformance cases (tests/shapes/cases/*.trig) and the shipped data's conformance.

Each case is one TriG file: the default graph holds minimal bad data, the named graph
<urn:expected> the results the report must contain as (focus, path, component, severity), and
`<urn:case> akgsh:covers <shape>` naming the node shape(s) it exercises. The case data is
validated together with the ontology and its OWL-RL closure, exactly like the shipped data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import RDF

from factsupport import ROOT, asserted, shapes, validate_dataset

from alliance_kg.rdf import new_dataset

SH = Namespace("http://www.w3.org/ns/shacl#")
AKGSH = Namespace("https://w3id.org/alliance-kg/shapes#")
CASES = sorted((ROOT / "tests" / "shapes" / "cases").glob("*.trig"))
EXPECTED = URIRef("urn:expected")
TARGETS = (SH.target, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def targeted_node_shapes() -> set[URIRef]:
    graph = shapes()
    return {s for s in graph.subjects(RDF.type, SH.NodeShape) if any(graph.value(s, t) is not None for t in TARGETS)}


def read_case(path: Path) -> tuple[Graph, Graph]:
    case = Dataset()
    case.parse(path, format="trig")
    data = Graph()
    for triple in case.default_graph:
        data.add(triple)
    return data, case.graph(EXPECTED)


def validate_case(data: Graph) -> Graph:
    dataset = new_dataset()
    ontology = asserted().graph(URIRef("https://w3id.org/alliance-kg/graph/ontology"))
    target = dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/ontology"))
    for triple in ontology:
        target.add(triple)
    case_graph = dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/case"))
    for triple in data:
        case_graph.add(triple)
    _, report, _ = validate_dataset(dataset)
    return report


def expected_results(expected: Graph) -> set[tuple]:
    found = set()
    for result in expected.subjects(SH.focusNode, None):
        found.add(tuple(expected.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.sourceConstraintComponent, SH.resultSeverity)))
    return found


def actual_results(report: Graph) -> set[tuple]:
    return {
        tuple(report.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.sourceConstraintComponent, SH.resultSeverity))
        for result in report.subjects(RDF.type, SH.ValidationResult)
    }


def test_cases_were_discovered():
    assert len(CASES) >= len(targeted_node_shapes()), "fewer cases than shapes"


def test_every_node_shape_is_covered_by_a_case():
    covered = set()
    for path in CASES:
        _, expected = read_case(path)
        covered.update(expected.objects(URIRef("urn:case"), AKGSH.covers))
    missing = targeted_node_shapes() - covered
    assert not missing, f"node shapes without a case: {sorted(missing)}"
    # untargeted helper shapes (LocalResource, GermanText, ...) are exercised through the shapes using them
    graph = shapes()
    helpers = set(graph.subjects(RDF.type, SH.NodeShape)) - targeted_node_shapes()
    unused = {h for h in helpers if not any(True for _ in graph.subject_predicates(h))}
    assert not unused, f"helper shapes used by no shape: {sorted(unused)}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_report_contains_expected_results(path: Path):
    data, expected = read_case(path)
    wanted = expected_results(expected)
    assert wanted, f"{path.name}: no expected results"
    report = validate_case(data)
    got = actual_results(report)
    missing = wanted - got
    assert not missing, f"{path.name}: missing {missing}\n\nreport:\n{report.serialize(format='turtle')}"
    # the shapes the case claims to cover really produced a result
    shape_graph = shapes()
    sources = set(report.objects(None, SH.sourceShape))
    for shape in expected.objects(URIRef("urn:case"), AKGSH.covers):
        own = {shape, *shape_graph.objects(shape, SH.property)}
        assert own & sources, f"{path.name}: no result from {shape}"


def test_shipped_data_has_no_violations():
    dataset = new_dataset()
    for graph in asserted().graphs():
        target = dataset.graph(graph.identifier)
        for triple in graph:
            target.add(triple)
    _, report, text = validate_dataset(dataset)
    violations = list(report.subjects(SH.resultSeverity, SH.Violation))
    assert not violations, text
    warnings = {report.value(r, SH.focusNode) for r in report.subjects(SH.resultSeverity, SH.Warning)}
    assert warnings <= {URIRef("https://w3id.org/alliance-kg/id/city/taizhou")}, text
