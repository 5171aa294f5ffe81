"""The fast ways of validating give the same findings as the plain ones: the compiled SHACL
engine against pyshacl, and the SPARQL checks on Oxigraph instead of rdflib. (Behaviour only; the timings
are in benchmarks/pipeline.py.)"""

from __future__ import annotations

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import RDFS

from alliance_kg.build import validation
from alliance_kg.build.inference import infer
from alliance_kg.namespaces import SH
from alliance_kg.build.sources import load_dataset, load_shapes
from alliance_kg.build.validation import Finding, default_checks, run_checks

from test_shapes import CASES, ROOT, read_case


def broken_dataset():
    """The shipped graph with an OCR artefact and a foreign typed subject, so shapes and
    checks both report something."""
    dataset = load_dataset().dataset
    graph = dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/memo/members"))
    graph.add((URIRef("https://w3id.org/alliance-kg/id/city/koeln"), RDFS.label, Literal("Kdln", lang="de")))
    graph.add((URIRef("http://example.org/x"), RDF.type, URIRef("https://schema.org/City")))
    infer(dataset)
    return dataset


def shape_key(finding: Finding) -> tuple:
    """What both engines must agree on (messages and path spelling may differ)."""
    return finding.focus, finding.component, finding.severity, finding.file, finding.line


def test_compiled_engine_reports_what_pyshacl_reports():
    dataset = broken_dataset()
    shapes, _ = load_shapes()
    reference = validation.validate(dataset, shapes, checks=[], engine="pyshacl")
    compiled = validation.validate(dataset, shapes, checks=[], engine="compiled")
    assert reference.count("Violation") >= 1
    assert sorted(map(shape_key, reference.findings)) == sorted(map(shape_key, compiled.findings))
    assert all(f.message for f in compiled.findings)
    assert (None, SH.conforms, Literal(False)) in compiled.graph


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_compiled_engine_agrees_on_every_shape_case(case):
    data, _ = read_case(case)
    dataset = load_dataset([ROOT / "ontology"]).dataset
    target = dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/case"))
    for triple in data:
        target.add(triple)
    infer(dataset)
    shapes, _ = load_shapes()
    reference = validation.validate(dataset, shapes, checks=[], engine="pyshacl")
    compiled = validation.validate(dataset, shapes, checks=[], engine="compiled")
    assert reference.findings
    assert sorted(map(shape_key, reference.findings)) == sorted(map(shape_key, compiled.findings))


def test_compiled_engine_agrees_on_generated_data(tmp_path):
    from alliance_kg.build.generate import generate
    from alliance_kg.build.pipeline import with_ontology

    generate(40, tmp_path)
    loaded = load_dataset(with_ontology([tmp_path]))
    infer(loaded.dataset)
    shapes, _ = load_shapes()
    reference = validation.validate(loaded.dataset, shapes, locator=loaded.locator, engine="pyshacl")
    compiled = validation.validate(loaded.dataset, shapes, locator=loaded.locator, engine="compiled")
    assert reference.findings and all(f.file for f in compiled.findings if f.component != "sparql-check")
    assert sorted(map(shape_key, reference.findings)) == sorted(map(shape_key, compiled.findings))


def test_unknown_engine_is_an_error():
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        validation.validate(load_dataset().dataset, load_shapes()[0], engine="fast")


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
