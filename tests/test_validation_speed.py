"""The fast ways of validating give the same findings as the plain ones: shapes split over
processes, and the SPARQL checks on Oxigraph instead of rdflib. (Behaviour only; the timings
are in benchmarks/pipeline.py.)"""

from __future__ import annotations

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import RDFS

from alliance_kg import validation
from alliance_kg.inference import infer
from alliance_kg.namespaces import SH
from alliance_kg.sources import load_dataset, load_shapes
from alliance_kg.validation import Finding, default_checks, only_targets, run_checks, run_shapes, split_shapes


def key(finding: Finding) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in finding.as_dict().items()))


def broken_dataset():
    """The shipped graph with an OCR artefact and a foreign typed subject, so shapes and
    checks both report something."""
    dataset = load_dataset().dataset
    graph = dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/memo/members"))
    graph.add((URIRef("https://w3id.org/alliance-kg/id/city/koeln"), RDFS.label, Literal("Kdln", lang="de")))
    graph.add((URIRef("http://example.org/x"), RDF.type, URIRef("https://schema.org/City")))
    infer(dataset)
    return dataset


def test_shapes_split_over_two_processes_report_the_same():
    dataset = broken_dataset()
    shapes, _ = load_shapes()
    data = validation.union_graph(dataset)
    one_graph, one = run_shapes(data, shapes, workers=1)
    two_graph, two = run_shapes(data, shapes, workers=2)
    assert one and sorted(map(key, one)) == sorted(map(key, two))
    assert len(one_graph) == len(two_graph)
    assert two_graph.value(next(two_graph.subjects(RDF.type, SH.ValidationReport)), SH.conforms) == Literal(False)


def test_split_shapes_covers_every_targeted_shape_once():
    shapes, _ = load_shapes()
    data = validation.union_graph(load_dataset().dataset)
    groups = split_shapes(data, shapes, 2)
    flat = [s for g in groups for s in g]
    targeted = {s for t in validation.TARGETS for s in shapes.subjects(t, None)}
    assert len(groups) == 2 and len(flat) == len(set(flat)) and set(flat) == targeted
    # the other half's shapes stay (they may be referred to) but lose their targets
    half = only_targets(shapes, groups[0])
    assert set(half.subjects()) == set(shapes.subjects())
    assert {s for t in validation.TARGETS for s in half.subjects(t, None)} == set(groups[0])


def test_checks_on_oxigraph_find_what_rdflib_finds():
    dataset = broken_dataset()
    checks = default_checks()
    assert checks
    on_oxigraph = run_checks(dataset, checks)
    assert any(f.shape == "check:ocr-artefact-in-label-violation" for f in on_oxigraph)
    assert any(f.shape == "check:foreign-subject-violation" for f in on_oxigraph)
    on_rdflib = []
    for check in checks:
        for row in dataset.query(check.read_text(encoding="utf-8")):
            bound = {str(k): v for k, v in row.asdict().items()}
            on_rdflib.append((check.stem, str(bound.get("focus")), str(bound.get("value"))))
    assert sorted(on_rdflib) == sorted((f.shape.removeprefix("check:"), f.focus, str(f.value)) for f in on_oxigraph)
