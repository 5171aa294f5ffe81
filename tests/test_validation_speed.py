"""The fast ways of validating give the same findings as the plain ones: the compiled SHACL
engine against pyshacl, and the SPARQL checks on Oxigraph instead of rdflib. (Behaviour only; the timings
are in benchmarks/pipeline.py.)"""

from __future__ import annotations

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import RDFS

from alliance_kg.build import validation
from alliance_kg.build.baseline import identity
from alliance_kg.build.inference import infer
from alliance_kg.namespaces import SH
from alliance_kg.build.sources import load_dataset, load_shapes
from alliance_kg.build.validation import Finding, default_checks, run_checks
from alliance_kg.rdf import oxigraph_copy, shown

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


def shape_key(finding: Finding) -> str:
    """What both engines must agree on: everything a finding says and where (shape name, path,
    focus, value, constraint, message, file and line), and so its baseline key."""
    return repr((sorted(finding.as_dict().items()), identity(finding)))


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


#: (shapes, data) that the shape cases do not hold: a path other than a predicate, and blank
#: property shapes of one path, in one shape or in two, that only their constraint tells apart.
NAMED_ALIKE = {
    "paths": (
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property "
        "[ sh:path [ sh:inversePath ex:p ] ; sh:minCount 5 ] , [ sh:path ( ex:p ex:q ) ; sh:minCount 5 ] , "
        "[ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:minCount 5 ] , "
        "[ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:maxCount 0 ] , [ sh:path [ sh:oneOrMorePath ex:p ] ; sh:minCount 5 ] , "
        "[ sh:path [ sh:zeroOrOnePath ex:p ] ; sh:minCount 5 ] , "
        "[ sh:path ( [ sh:inversePath ex:p ] [ sh:alternativePath ( ex:q [ sh:zeroOrMorePath ex:p ] ) ] ) ; sh:minCount 5 ] .",
        "ex:a ex:p ex:b . ex:b ex:q ex:c ."),
    "one-path-in-two-shapes": (
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:datatype xsd:date ] , "
        "[ sh:path ex:p ; sh:minCount 2 ] , [ sh:path ex:q ; sh:in ( 1 2 ) ] . "
        "ex:T a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:datatype xsd:gYear ; "
        "sh:maxLength 2 ] , [ sh:path ex:q ; sh:languageIn ( \"de\" ) ; sh:message \"German\"@en , \"Deutsch\"@de ] .",
        'ex:a ex:p "2017-04-31"^^xsd:date ; ex:q 3 .'),
}


@pytest.mark.parametrize("name", list(NAMED_ALIKE))
def test_both_engines_name_shapes_and_paths_alike(name, tmp_path):
    dataset, shapes = _case(tmp_path, *NAMED_ALIKE[name])
    reference = validation.validate(dataset, shapes, checks=[], engine="pyshacl")
    compiled = validation.validate(dataset, shapes, checks=[], engine="compiled")
    assert reference.findings and not any("_:" in (f.path or "") + (f.shape or "") for f in reference.findings)
    assert not any((f.shape or "").startswith("[") for f in compiled.findings)
    assert sorted(map(shape_key, reference.findings)) == sorted(map(shape_key, compiled.findings))


def test_a_shapes_own_message_else_one_of_ours(tmp_path):
    dataset, shapes = _case(tmp_path, *NAMED_ALIKE["one-path-in-two-shapes"])
    said = {(f.shape.replace("http://example.org/", ""), f.component.rsplit("#", 1)[-1], f.message)
            for f in validation.validate(dataset, shapes, checks=[], engine="compiled").findings}
    assert said == {
        ("S/property[p]", "DatatypeConstraintComponent", "value is not a valid xsd:date"),
        ("S/property[p]", "MinCountConstraintComponent", "fewer than 2 values"),
        ("S/property[q]", "InConstraintComponent", "value is not one of 1, 2"),
        ("T/property[p]", "DatatypeConstraintComponent", "value is not a literal of datatype xsd:gYear"),
        ("T/property[p]", "MaxLengthConstraintComponent", "value is longer than 2 characters"),
        ("T/property[q]", "LanguageInConstraintComponent", "Deutsch; German"),
    }


def test_unknown_engine_is_an_error():
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        validation.validate(load_dataset().dataset, load_shapes()[0], engine="fast")


def test_checks_on_oxigraph_find_what_rdflib_finds():
    dataset = broken_dataset()
    checks = default_checks()
    assert checks
    on_oxigraph = run_checks(oxigraph_copy(dataset), checks)
    assert any(f.shape == "check:ocr-artefact-in-label-violation" for f in on_oxigraph)
    assert any(f.shape == "check:foreign-subject-violation" for f in on_oxigraph)
    on_rdflib = []
    for check in checks:
        for row in dataset.query(check.read_text(encoding="utf-8")):
            bound = {str(k): v for k, v in row.asdict().items()}
            on_rdflib.append((check.stem, str(bound.get("focus")), shown(bound.get("value"))))
    assert sorted(on_rdflib, key=repr) == sorted(((f.shape.removeprefix("check:"), f.focus, f.value) for f in on_oxigraph),
                                                 key=repr)


# -- where the engines differ: ``auto`` never picks the one that is wrong for the shapes -------

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
"""
#: (shapes, data) where the two engines report differently, found by the W3C suite and beyond it.
DIFFERENCES = {
    "deactivated-sparql-constraint": (
        'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:deactivated true ; '
        'sh:select "SELECT $this WHERE { $this ?p ?o }" ] .', "ex:a ex:p 1 ."),
    "closed-property-shape": (
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:closed true ; "
        "sh:ignoredProperties ( ex:q ) ] .", "ex:a ex:p ex:b ; ex:r 1 . ex:b ex:s 2 ."),
    "regex-flag-s": (
        'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:pattern "^a.b$" ; sh:flags "s" ] .',
        'ex:a ex:p "a\\nb" .'),
    "regex-flag-x": (
        'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:pattern "^a b$" ; sh:flags "x" ] .',
        'ex:a ex:p "ab" .'),
}


def _case(tmp_path, shapes: str, data: str):
    """The case's data and shapes read from files the way the project reads its own (literals
    as written), the data in a named graph of its own."""
    (tmp_path / "data.ttl").write_text(PREFIXES + data, encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(PREFIXES + shapes, encoding="utf-8")
    return load_dataset([tmp_path / "data.ttl"]).dataset, load_shapes([tmp_path / "shapes.ttl"])[0]


def _keys(report) -> list[tuple]:
    return sorted((f.focus, str(f.component), f.severity) for f in report.findings)


@pytest.mark.parametrize("name", list(DIFFERENCES))
def test_auto_gives_pyshacls_findings_at_every_size_where_the_compiled_engine_differs(name, tmp_path):
    dataset, shapes = _case(tmp_path, *DIFFERENCES[name])
    engine, why = validation.choose_engine(shapes, validation.COMPILED_FROM * 10)
    assert engine == "pyshacl", why
    reference = validation.validate(dataset, shapes, checks=[], engine="pyshacl")
    assert _keys(validation.validate(dataset, shapes, checks=[], engine=engine)) == _keys(reference)


def test_auto_refuses_a_sub_select_the_spec_refuses_at_every_size(tmp_path):
    dataset, shapes = _case(
        tmp_path, 'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select '
        '"SELECT $this WHERE { $this ?p ?o . { SELECT ?o WHERE { ?x ?y ?o } } }" ] .', "ex:a ex:p 1 .")
    assert validation.choose_engine(shapes, validation.COMPILED_FROM * 10)[0] == "pyshacl"
    with pytest.raises(Exception):
        validation.validate(dataset, shapes, checks=[], engine="pyshacl")


#: (shapes, data, what a correct engine reports) where pyshacl is wrong and the compiled engine right.
PYSHACL_DIFFERENCES = {
    "shapes-graph-in-sparql": (
        'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select '
        '"SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }" ] .', "ex:a ex:p 1 .", []),
    "unique-lang-one-is-not-true": (
        'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:uniqueLang "1"^^xsd:boolean ] .',
        'ex:a ex:p "a"@en, "b"@en .', []),
}


@pytest.mark.parametrize("name", list(PYSHACL_DIFFERENCES))
def test_auto_takes_the_compiled_engine_at_every_size_where_pyshacl_differs(name, tmp_path):
    shapes_text, data, components = PYSHACL_DIFFERENCES[name]
    dataset, shapes = _case(tmp_path, shapes_text, data)
    engine, why = validation.choose_engine(shapes, 10)
    assert engine == "compiled", why
    report = validation.validate(dataset, shapes, checks=[], engine=engine)
    assert [str(f.component).rsplit("#", 1)[-1] for f in report.findings] == components


def test_pyshacl_finds_prefixes_declared_through_owl_imports(tmp_path):
    """SHACL counts the sh:declare of what a sh:prefixes value imports; pyshacl alone reads only
    the value's own, so validate() hands it the imported declarations (leaving ours as they are)."""
    dataset, shapes = _case(tmp_path, 'ex:Ontology sh:declare [ sh:prefix "t" ; sh:namespace "http://t.example/"^^xsd:anyURI ] . '
                            "ex:Prefixes owl:imports ex:Ontology . ex:S a sh:NodeShape ; sh:targetNode ex:a, ex:b ; "
                            'sh:sparql [ sh:prefixes ex:Prefixes ; sh:select "SELECT $this WHERE { $this ?p t:v }" ] .',
                            "ex:a ex:p <http://t.example/v> . ex:b ex:p ex:c .")
    before = len(shapes)
    for engine in ("pyshacl", "compiled"):
        report = validation.validate(dataset, shapes, checks=[], engine=engine)
        assert [f.focus for f in report.findings] == ["http://example.org/a"], engine
    assert len(shapes) == before


def test_shipped_shapes_keep_the_size_rule():
    shapes, _ = load_shapes()
    assert validation.choose_engine(shapes, 10)[0] == "pyshacl"
    assert validation.choose_engine(shapes, validation.COMPILED_FROM)[0] == "compiled"


def _property_shape(constraint: str) -> str:
    return f"ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; {constraint} ] ."


#: (constraint, data, the components reported): literals a parser that rewrites lexical forms
#: (rdflib's, on by default) would judge wrongly, and "x"^^xsd:string, the same term as "x".
AS_WRITTEN = {
    "ill-formed-boolean": ("sh:datatype xsd:boolean", 'ex:a ex:p "yes"^^xsd:boolean .', ["DatatypeConstraintComponent"]),
    "nan-is-a-double": ("sh:datatype xsd:double", 'ex:a ex:p "NaN"^^xsd:double .', []),
    "one-is-not-the-term-true": ("sh:hasValue true", 'ex:a ex:p "1"^^xsd:boolean .', ["HasValueConstraintComponent"]),
    "typed-string-in-sh-in": ('sh:in ( "x"^^xsd:string )', 'ex:a ex:p "x" .', []),
    "typed-string-in-sh-hasValue": ('sh:hasValue "x"^^xsd:string', 'ex:a ex:p "x" .', []),
    "plain-string-in-sh-in-typed-data": ('sh:in ( "x" )', 'ex:a ex:p "x"^^xsd:string .', []),
}


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
@pytest.mark.parametrize("name", list(AS_WRITTEN))
def test_both_engines_see_literals_as_written(name, engine, tmp_path):
    constraint, data, components = AS_WRITTEN[name]
    dataset, shapes = _case(tmp_path, _property_shape(constraint), data)
    report = validation.validate(dataset, shapes, checks=[], engine=engine)
    assert [str(f.component).rsplit("#", 1)[-1] for f in report.findings] == components


def test_compiled_engine_sees_literals_as_written(tmp_path):
    """Through the project's parser and the compiled engine's N-Triples, the lexical form
    reaches the engine as written: the ill-formed boolean fails, NaN passes."""
    dataset, shapes = _case(tmp_path, _property_shape("sh:datatype xsd:boolean") + " ex:T a sh:NodeShape ; "
                            "sh:targetNode ex:b ; sh:property [ sh:path ex:p ; sh:datatype xsd:double ] .",
                            'ex:a ex:p "yes"^^xsd:boolean . ex:b ex:p "NaN"^^xsd:double .')
    report = validation.validate(dataset, shapes, checks=[], engine="compiled")
    assert [(f.focus, f.value) for f in report.findings] == [("http://example.org/a", '"yes"^^xsd:boolean')]
