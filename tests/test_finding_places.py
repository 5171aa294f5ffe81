"""Findings point at the statement at fault, and reports write its value as the data did.

The audit's data: the shipped data with the alliance's ``akg:membershipFree`` written as the
ill-typed ``"yes"^^xsd:boolean`` (in memo/costs.ttl; the alliance is first described in
context/editorial.ttl), a second German label for Köln's membership (in memo/members.ttl; the
membership is first described, without labels, in memo/accession.ttl) and Aachen's membership
without its member. Each finding names
the file and line where its triple is written (or, for the missing member, where the
membership is described), in every report format and on every path that validates."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from alliance_kg.build.loading import load_store
from alliance_kg.build.pipeline import validated, with_ontology
from alliance_kg.build.sources import load_dataset, load_shapes
from alliance_kg.build.statements import Asked, find, where
from alliance_kg.build.store_inference import infer_store
from alliance_kg.build.store_validation import validate_store
from alliance_kg.rdf import named_quads, shown, turtle, typed_literal

ALLIANCE = "https://w3id.org/alliance-kg/id/organization/chinesisch-deutsche-industriestaedteallianz"
BOTTROP = "https://w3id.org/alliance-kg/id/city/bottrop"
KOELN = "https://w3id.org/alliance-kg/id/membership/koeln"
AACHEN = "https://w3id.org/alliance-kg/id/membership/aachen"
FREE = "https://w3id.org/alliance-kg/ontology#membershipFree"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
MEMBER = "http://www.w3.org/ns/org#member"

EDITS = {
    "memo/costs.ttl": [("akg:membershipFree true ;",
                        'akg:membershipFree "yes"^^<http://www.w3.org/2001/XMLSchema#boolean> ;')],
    # Bottrop's second German label: a finding without a value (at most one label per language)
    # is placed at the label line of the file that describes the city (memo/members.ttl), not at
    # its first label anywhere (its Chinese one, in geo/geonames.ttl, read first); Köln's
    # membership has its labels in one file only.
    "memo/members.ttl": [('rdfs:label "Bottrop"@de , "Bottrop"@en ;', 'rdfs:label "Bottrop"@de , "Bottropp"@de, "Bottrop"@en ;'),
                         ('"Mitgliedschaft von Köln in der Chinesisch-Deutschen Industriestädteallianz"@de ,',
                          '"Mitgliedschaft von Köln in der Chinesisch-Deutschen Industriestädteallianz"@de , "Mitgliedschaft Kölns"@de ,'),
                         ("    org:member city:aachen ;\n", "")],
}


def line_of(path: Path, text: str, after: str | None = None) -> int:
    """The number of the first line holding ``text`` (after the first holding ``after``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start=start + 1) if text in line)


@pytest.fixture(scope="module")
def audit(tmp_path_factory, repo_root) -> tuple[Path, dict[tuple[str, str], tuple[str, int]]]:
    """The audit's data and where each of its three findings belongs: (focus, path) -> (file, line)."""
    data = tmp_path_factory.mktemp("audit") / "data"
    shutil.copytree(repo_root / "data", data)
    for name, edits in EDITS.items():
        path = data / name
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert text.count(old) == 1, (name, old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    costs, members = data / "memo/costs.ttl", data / "memo/members.ttl"
    # the bad value's and the second label's focus nodes are described in files read before these
    assert line_of(data / "geo/geonames.ttl", '"博特罗普"@zh')
    assert line_of(data / "context/editorial.ttl", "organization:chinesisch-deutsche-industriestaedteallianz")
    assert line_of(data / "memo/accession.ttl", "membership:koeln")
    expected = {
        (ALLIANCE, FREE): (str(costs), line_of(costs, "akg:membershipFree")),
        (KOELN, LABEL): (str(members), line_of(members, '"Mitgliedschaft Kölns"@de')),
        (BOTTROP, LABEL): (str(members), line_of(members, '"Bottropp"@de')),
        (AACHEN, MEMBER): (str(members), line_of(members, "membership:aachen")),
    }
    return data, expected


def places(findings) -> dict[tuple[str, str], set[tuple[str, int]]]:
    found: dict[tuple[str, str], set[tuple[str, int]]] = {}
    for f in findings:
        found.setdefault((f["focus"], f["path"]), set()).add((f["file"], f["line"]))
    return found


def assert_placed(found: dict, expected: dict) -> None:
    for key, place in expected.items():
        assert found.get(key) == {place}, (key, found.get(key))


def test_text_report_names_the_file_and_line_of_each_statement_at_fault(run_cli, audit):
    data, expected = audit
    result = run_cli("validate", str(data), "--format", "text")
    lines = result.out.splitlines()
    for (focus, path), (file, line) in expected.items():
        heads = [lines[i - 1] for i, l in enumerate(lines) if l == f"    focus: {focus}" and lines[i + 1] == f"    path: {path}"]
        assert heads and all(h.startswith(f"{file}:{line}: Violation") for h in heads), (focus, heads)
    assert '    value: "yes"^^xsd:boolean' in lines


def test_sarif_report_names_the_file_and_line_of_each_statement_at_fault(run_cli, audit):
    data, expected = audit
    result = run_cli("validate", str(data), "--format", "sarif")
    found: dict = {}
    for r in json.loads(result.out)["runs"][0]["results"]:
        location = r["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        file = uri.removeprefix("file://") if uri.startswith("file:") else str(Path.cwd() / uri)
        found.setdefault((r["properties"]["focus"], r["properties"].get("path")), set()).add(
            (file, location["region"]["startLine"]))
    assert_placed(found, expected)


def test_github_annotations_name_the_file_and_line_of_each_statement_at_fault(run_cli, audit):
    data, expected = audit
    result = run_cli("validate", str(data), "--format", "github")
    for (focus, path), (file, line) in expected.items():
        title = f"title=SHACL Violation: {path}".replace(":", "%3A")
        marks = [l for l in result.out.splitlines() if f"(focus {focus})" in l and f"{title}::" in l]
        escaped = file.replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
        assert marks and all(f"file={escaped},line={line}," in m for m in marks), (focus, marks)


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
def test_both_engines_and_the_oxigraph_path_place_findings_alike(audit, engine):
    data, expected = audit
    graph = validated([data], engine=engine)
    assert_placed(places(f.as_dict() for f in graph.report.findings), expected)
    loaded = load_store(with_ontology([data]))
    infer_store(loaded.store)
    shapes, _ = load_shapes()
    assert_placed(places(f.as_dict() for f in validate_store(loaded, shapes, engine=engine).findings), expected)


def test_line_based_files_point_at_the_line_of_the_statement(audit, tmp_path):
    """The same data as one N-Quads file (the large data comes so): each finding at its triple's line."""
    data, _ = audit
    loaded = load_dataset([data])
    quads = sorted(f"{s.n3()} {p.n3()} {o.n3()} <{g}> .\n" for s, p, o, g in named_quads(loaded.dataset))
    dump = tmp_path / "data.nq"
    dump.write_text("".join(quads), encoding="utf-8")
    lines = dump.read_text(encoding="utf-8").splitlines()

    def line_with(start: str) -> int:
        return next(i for i, l in enumerate(lines, start=1) if l.startswith(start))

    expected = {
        (ALLIANCE, FREE): (str(dump), line_with(f"<{ALLIANCE}> <{FREE}> \"yes\"")),
        (KOELN, LABEL): (str(dump), line_with(f"<{KOELN}> <{LABEL}>")),
        (AACHEN, MEMBER): (str(dump), line_with(f"<{AACHEN}>")),
    }
    assert_placed(places(f.as_dict() for f in validated([dump], engine="pyshacl").report.findings), expected)


def test_turtle_report_parses_with_the_ill_typed_value_as_written_and_no_warning(run_cli, audit):
    data, _ = audit
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_cli("validate", str(data), "--format", "turtle")
    assert not [w for w in caught if issubclass(w.category, UserWarning)], [str(w.message) for w in caught]
    assert "UserWarning" not in result.err
    bad = ox.Literal("yes", datatype=ox.NamedNode(str(XSD.boolean)))
    values = [q.object for q in ox.parse(result.out.encode(), format=ox.RdfFormat.TURTLE)
              if q.predicate == ox.NamedNode("http://www.w3.org/ns/shacl#value")]
    assert bad in values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdflib's parser warns on the value; it must still parse
        assert len(Graph().parse(data=result.out, format="turtle")) == len(list(ox.parse(result.out.encode(), format=ox.RdfFormat.TURTLE)))


def test_json_report_gives_a_typed_value_with_its_datatype(run_cli, audit):
    data, _ = audit
    findings = json.loads(run_cli("validate", str(data), "--format", "json").out)["findings"]
    values = {(f["focus"], f["path"]): f["value"] for f in findings}
    assert values[(ALLIANCE, FREE)] == '"yes"^^xsd:boolean'
    assert "Bottropp" in {f["value"] for f in findings if f["focus"] == BOTTROP}  # a language-tagged value as before


@pytest.mark.parametrize("lexical, datatype", [
    ("yes", XSD.boolean), ("1", XSD.boolean), ("TRUE", XSD.boolean), ("true", XSD.boolean), ("abc", XSD.integer),
    ("01", XSD.integer), ("-inf", XSD.double), ("1.5E0", XSD.double), ("1.50", XSD.decimal), ("x\"y", XSD.date),
])
def test_turtle_writes_every_typed_literal_as_it_was_written(lexical, datatype):
    graph = Graph()
    graph.bind("xsd", XSD)
    value = typed_literal(lexical, str(datatype))
    graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), value))
    written = turtle(graph)
    [quad] = ox.parse(written.encode(), format=ox.RdfFormat.TURTLE)
    assert quad.object == ox.Literal(lexical, datatype=ox.NamedNode(str(datatype))), written


def test_values_are_shown_with_their_datatype_when_they_have_one():
    assert shown(typed_literal("yes", str(XSD.boolean))) == '"yes"^^xsd:boolean'
    assert shown(Literal("x", datatype=URIRef("http://example.org/t"))) == '"x"^^<http://example.org/t>'
    assert shown(Literal("Bottrop", lang="de")) == "Bottrop"
    assert shown(Literal("plain")) == "plain"
    assert shown(URIRef("http://example.org/x")) == "http://example.org/x"


TRICKY = '''\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:s
    ex:note """a long note ; with ex:p "inside"
ex:s ex:p "not a statement" .
and its end""" ;
    ex:q [ ex:p "nested" ] , "a; b" ;
    ex:p "first" ,
        "second"@en , 42 ;
    a ex:Thing .
ex:t ex:p "elsewhere" .
'''


def test_turtle_statements_are_found_by_predicate_and_value(tmp_path):
    path = tmp_path / "tricky.ttl"
    path.write_text(TRICKY, encoding="utf-8")
    ex = "http://example.org/"
    s, p = URIRef(ex + "s"), URIRef(ex + "p")
    lines = TRICKY.splitlines()

    def line(text: str) -> int:
        return next(i for i, l in enumerate(lines, start=1) if text in l)

    wanted = {(s, p, Literal("first")), (s, p, Literal("second", lang="en")),
              (s, p, Literal("42", datatype=XSD.integer)), (s, p, Literal("nested")), (s, p, None),
              (s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(ex + "Thing"))}
    found = find([(path, "turtle", {"ex": ex, "xsd": str(XSD)})], wanted).statements
    name = str(path)
    assert found[(s, p, None)] == (name, line('"first"'))
    assert found[(s, p, Literal("first"))] == (name, line('"first"'))
    assert found[(s, p, Literal("second", lang="en"))] == (name, line('"second"'))
    assert found[(s, p, Literal("42", datatype=XSD.integer))] == (name, line('"second"'))
    assert (s, p, Literal("nested")) not in found  # a blank node's statement, not the subject's
    assert found[(s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(ex + "Thing"))] == (name, line("a ex:Thing"))


def test_a_missing_statement_is_placed_where_the_focus_is_described_as_its_class(tmp_path):
    ex = "http://example.org/"
    first, typed = tmp_path / "a.ttl", tmp_path / "b.ttl"
    first.write_text(f"@prefix ex: <{ex}> .\nex:m ex:note \"mentioned\" .\n", encoding="utf-8")
    typed.write_text(f"@prefix ex: <{ex}> .\n\nex:m\n    a ex:Membership ;\n    ex:role ex:r .\n", encoding="utf-8")
    files = [(first, "turtle", {"ex": ex}), (typed, "turtle", {"ex": ex})]
    m = URIRef(ex + "m")
    missing = Asked(m, URIRef(ex + "member"), None, (URIRef(ex + "Membership"),))
    untyped = Asked(m, URIRef(ex + "member"))  # a shape with no target class: where m is typed at all
    nowhere_typed = Asked(URIRef(ex + "r"), URIRef(ex + "member"))  # typed nowhere: its first place
    assert where(files, [missing, untyped, nowhere_typed], lambda node: (str(first), 2)) == [
        (str(typed), 3), (str(typed), 3), (str(first), 2)]


def test_a_baseline_from_before_typed_values_still_matches_them():
    from alliance_kg.build.baseline import compare
    from alliance_kg.build.validation import Finding

    now = Finding("Violation", "not a boolean", ALLIANCE, FREE, '"yes"^^xsd:boolean', "s", "c")
    before = Finding("Violation", "not a boolean", ALLIANCE, FREE, "yes", "s", "c")
    other = Finding("Violation", "not a boolean", ALLIANCE, FREE, "no", "s", "c")
    assert compare([before], [now]).unchanged == [now]
    comparison = compare([other], [now])
    assert comparison.new == [now] and comparison.fixed == [other]
