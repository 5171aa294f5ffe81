"""A finding names the file and line of its focus node in every format we read, not only in
Turtle and N-Quads: TriG (statements indented in graph blocks), RDF/XML (``rdf:about``) and
JSON-LD (``"@id"``), on both the rdflib and the Oxigraph path; where the line cannot be found,
the file at line 1. A blank focus is placed where its node is written (found by what the data
says of it), a value at fault in RDF/XML at the element or attribute writing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_kg.build.pipeline import validated
from alliance_kg.build.places import written_subjects
from foreign_network import ONTOLOGY, SHAPES, rdf_xml

TOWN = "https://example.org/net/town/t"

# (file name, text, line of the town without a name)
CASES = {
    "trig-indented": ("a.trig", """\
@prefix ex: <https://example.org/net/> .
@prefix town: <https://example.org/net/town/> .

ex:g {
    town:s ex:name "S" ;
        ex:mayor ex:m .

    town:t
        ex:mayor ex:m .
}
""", 8),
    "trig-graph-keyword": ("a.trig", """\
PREFIX ex: <https://example.org/net/>
PREFIX town: <https://example.org/net/town/>

GRAPH ex:g {
town:t ex:mayor ex:m .
}
""", 5),
    # the base a TriG file declares, in either form, resolves its relative IRIs
    "trig-base": ("a.trig", """\
@prefix ex: <https://example.org/net/> .
@base <https://example.org/net/town/> .

ex:g {
    <s> ex:name "S" .
    <t> ex:mayor ex:m .
}
""", 6),
    "trig-sparql-base": ("a.trig", """\
PREFIX ex: <https://example.org/net/>
BASE <https://example.org/net/>
GRAPH ex:g {
  <town/s> ex:name "S" .
}
BASE <town/>
GRAPH ex:h {
  <t> ex:mayor ex:m .
}
""", 8),
    "trig-one-line": ("a.trig", """\
@prefix ex: <https://example.org/net/> .
ex:g { <https://example.org/net/town/s> ex:name "S" . }
ex:h { <https://example.org/net/town/t> ex:mayor ex:m . }
""", 3),
    "rdfxml": ("a.rdf", rdf_xml("""\
  <rdf:Description rdf:about="https://example.org/net/town/s">
    <ex:name>S</ex:name>
  </rdf:Description>
  <rdf:Description rdf:about="https://example.org/net/town/t">
    <ex:mayor rdf:resource="https://example.org/net/m"/>
  </rdf:Description>
"""), 7),
    "rdfxml-entities-and-base": ("a.rdf", rdf_xml("""\
  <ex:Thing rdf:about="s"><ex:name>S</ex:name></ex:Thing>
  <rdf:Description
      rdf:about="&town;t">
    <ex:mayor rdf:resource="https://example.org/net/m"/>
  </rdf:Description>
""", dtd=True, base="https://example.org/net/town/"), 10),
    "jsonld-compact": ("a.jsonld", """\
{
  "@context": {"ex": "https://example.org/net/", "mayor": {"@id": "ex:mayor", "@type": "@id"}},
  "@graph": [
    {"@id": "ex:town/s", "ex:name": "S", "ex:twin": {"@id": "ex:town/t"}},
    {
      "@id": "ex:town/t",
      "mayor": "ex:m"
    }
  ]
}
""", 6),
    "jsonld-expanded": ("a.jsonld", """\
[
  {
    "@id": "https://example.org/net/town/t",
    "https://example.org/net/mayor": [{"@id": "https://example.org/net/m"}]
  }
]
""", 3),
    "jsonld-relative": ("a.jsonld", """\
{
  "@context": {"@base": "https://example.org/net/town/", "@vocab": "https://example.org/net/"},
  "@id": "t",
  "mayor": {"@id": "https://example.org/net/m"}
}
""", 3),
    # "@id" and its value on two lines: the value's line
    "jsonld-id-value-on-its-own-line": ("a.jsonld", """\
{
  "@id":
    "https://example.org/net/town/t",
  "https://example.org/net/mayor": {"@id": "https://example.org/net/m"}
}
""", 3),
    # the line cannot be found ("@id" under another name): the file, at line 1
    "jsonld-unfound": ("a.jsonld", """\
{
  "@context": {"id": "@id"},
  "id": "https://example.org/net/town/t",
  "https://example.org/net/mayor": {"id": "https://example.org/net/m"}
}
""", 1),
}


@pytest.fixture
def network(tmp_path: Path) -> Path:
    (tmp_path / "ontology.ttl").write_text(ONTOLOGY, encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "data").mkdir()
    return tmp_path


@pytest.mark.parametrize("into", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_finding_names_the_file_and_line_of_its_focus(network: Path, case: str, into: str):
    name, text, line = CASES[case]
    data = network / "data" / name
    data.write_text(text, encoding="utf-8")
    graph = validated([network / "data"], ontology=[network / "ontology.ttl"], shapes=[network / "shapes.ttl"],
                      into=into)
    assert graph.report is not None
    finding, = graph.report.findings
    assert finding.focus == TOWN
    assert (finding.file, finding.line) == (str(data), line), graph.report.findings


@pytest.mark.parametrize("into", ["rdflib", "oxigraph"])
def test_a_subject_found_in_one_file_is_not_placed_at_line_1_of_another(network: Path, into: str):
    """A subject written where its line cannot be found in one file and at a line in another
    is placed at that line, whichever file is read first."""
    _, text, _ = CASES["jsonld-unfound"]
    (network / "data" / "a.jsonld").write_text(text, encoding="utf-8")
    (network / "data" / "b.ttl").write_text(
        "@prefix ex: <https://example.org/net/> .\n\n<https://example.org/net/town/t>\n    ex:rank 1 .\n",
        encoding="utf-8")
    graph = validated([network / "data"], ontology=[network / "ontology.ttl"], shapes=[network / "shapes.ttl"],
                      into=into)
    assert graph.report is not None
    finding, = graph.report.findings
    assert (finding.file, finding.line) == (str(network / "data" / "b.ttl"), 3)


def test_an_indented_turtle_subject_is_placed_in_its_file():
    """Turtle subjects are looked for at column 0 only (the fast pass); one written elsewhere
    still names its file (the rdflib path knows the file's subjects)."""
    from rdflib import Graph, URIRef

    from alliance_kg.build.sources import Locator, SourceFile

    text = "@prefix ex: <https://example.org/net/> .\n\n  ex:a ex:p ex:b .\n"
    graph = Graph().parse(data=text, format="turtle")
    locator = Locator()
    locator.learn(SourceFile(Path("x/a.ttl"), URIRef("https://example.org/g")), graph, text)
    assert locator.locate(URIRef("https://example.org/net/a")) == ("x/a.ttl", 1)


def test_trig_continuation_lines_are_not_taken_for_subjects():
    text = """\
@prefix ex: <https://example.org/net/> .
ex:g {
  ex:a ex:p ex:b ;
    ex:q ex:c .
  ex:q ex:label "q" .
}
"""
    places = written_subjects(text, "trig", base="https://example.org/g", prefixes={"ex": "https://example.org/net/"})
    assert [(str(node).rsplit("/", 1)[-1], line) for node, line in places] == [("a", 3), ("q", 5)]


def test_other_formats_have_no_written_places():
    assert written_subjects("<a> <b> <c> .", "turtle", base="https://example.org/", prefixes={}) == []


# -- blank nodes ------------------------------------------------------------------------------------

#: Ranks are whole numbers (a finding with a value, at fault inside a blank node).
RANKS = """\
@prefix ex: <https://example.org/net/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:RankShape
    a sh:NodeShape ;
    sh:targetClass ex:Place ;
    sh:property [ sh:path ex:rank ; sh:datatype xsd:integer ] .
"""
S_NAMED = '<https://example.org/net/s> <https://example.org/net/name> "S" .\n'
# (file name, text, line): the one blank node that is a place without a name, or with the rank
# "first", is written at that line (its "[" or its label's statement group; the value's line).
BLANK_CASES = {
    "turtle-bracket": ("a.ttl", """\
@prefix ex: <https://example.org/net/> .
ex:s ex:name "S" ;
    ex:twin [ ex:name "T" ; a ex:Town ] ,
        [
          a ex:Town ;
          ex:mayor ex:m
        ] .
""", 4),
    "turtle-label": ("a.ttl", """\
@prefix ex: <https://example.org/net/> .
ex:s ex:name "S" ; ex:twin _:t .

_:t
    a ex:Town ;
    ex:mayor ex:m .
""", 4),
    "turtle-subject": ("a.ttl", """\
@prefix ex: <https://example.org/net/> .
[ a ex:Town ; ex:name "T" ] .
[ a ex:Town ; ex:mayor ex:m ] .
""", 3),
    "turtle-value": ("a.ttl", """\
@prefix ex: <https://example.org/net/> .
ex:s ex:name "S" ;
    ex:twin [
        a ex:Town ; ex:name "T" ;
        ex:rank "first"
    ] .
""", 5),
    "trig-indented": ("a.trig", """\
@prefix ex: <https://example.org/net/> .
ex:g {
    ex:s ex:name "S" ;
        ex:twin [ a ex:Town ; ex:name "T" ] , [ a ex:Town ;
            ex:mayor ex:m ] .
}
""", 4),
    "ntriples-label": ("a.nt", S_NAMED + """\
<https://example.org/net/s> <https://example.org/net/twin> _:t .
_:u <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/net/Town> .
_:u <https://example.org/net/name> "U" .
_:t <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/net/Town> .
_:t <https://example.org/net/mayor> <https://example.org/net/m> .
""", 5),
    "nquads-value": ("a.nq", S_NAMED + """\
<https://example.org/net/s> <https://example.org/net/twin> _:t <https://example.org/net/g> .
_:t <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/net/Town> <https://example.org/net/g> .
_:t <https://example.org/net/name> "T" <https://example.org/net/g> .
_:t <https://example.org/net/rank> "first" <https://example.org/net/g> .
""", 5),
    # not read for statements: the statement holding it, at its subject
    "jsonld-nested": ("a.jsonld", """\
{
  "@context": {"@vocab": "https://example.org/net/"},
  "@id": "https://example.org/net/s",
  "name": "S",
  "twin": {"@type": "Town", "mayor": {"@id": "https://example.org/net/m"}}
}
""", 3),
}


# (file name, text, line): the rank "first" (not a whole number) is written at that line, in
# the formats whose statements are read only by their subjects before.
VALUE_CASES = {
    "rdfxml-element": ("a.rdf", rdf_xml("""\
  <ex:Town rdf:about="https://example.org/net/town/t">
    <ex:name>T</ex:name>
    <ex:rank>first</ex:rank>
  </ex:Town>
"""), 6),
    "rdfxml-attribute": ("a.rdf", rdf_xml("""\
  <ex:Town rdf:about="https://example.org/net/town/t" ex:name="T"
           ex:rank="first"/>
"""), 5),
    "rdfxml-blank": ("a.rdf", rdf_xml("""\
  <rdf:Description rdf:about="https://example.org/net/s">
    <ex:name>S</ex:name>
    <ex:twin>
      <ex:Town>
        <ex:name>T</ex:name>
        <ex:rank>first</ex:rank>
      </ex:Town>
    </ex:twin>
  </rdf:Description>
"""), 9),
}


def only_finding(network: Path, name: str, text: str, into: str):
    """The one finding on ``text`` (a file of ``network``'s data) with the ranks' shape too, and
    the file; pyshacl's (the engine below ``COMPILED_FROM`` triples): it names the data's blank
    nodes, where the compiled engine labels them afresh and its findings on them have no place."""
    data = network / "data" / name
    data.write_text(text, encoding="utf-8")
    (network / "ranks.ttl").write_text(RANKS, encoding="utf-8")
    graph = validated([network / "data"], ontology=[network / "ontology.ttl"],
                      shapes=[network / "shapes.ttl", network / "ranks.ttl"], into=into, engine="pyshacl")
    assert graph.report is not None
    finding, = graph.report.findings
    return finding, str(data)


@pytest.mark.parametrize("into", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("case", sorted(BLANK_CASES))
def test_a_finding_on_a_blank_node_names_the_line_where_it_is_written(network: Path, case: str, into: str):
    finding, data = only_finding(network, *BLANK_CASES[case][:2], into)
    assert not finding.focus.startswith("http")
    assert (finding.file, finding.line) == (data, BLANK_CASES[case][2]), finding


@pytest.mark.parametrize("into", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_a_value_at_fault_is_placed_at_its_line(network: Path, case: str, into: str):
    finding, data = only_finding(network, *VALUE_CASES[case][:2], into)
    assert finding.value == "first"
    assert (finding.file, finding.line) == (data, VALUE_CASES[case][2]), finding
