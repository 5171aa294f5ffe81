"""Turtle and TriG as the locator reads them: one reader of an IRI as written (``token_iri``)
and of the statement structure (``Reader``), checked here against the grammar's cases that the
three readers it replaced each got differently (base resolution, the keyword ``a``, escapes in
local names, the punctuation after a name), and against TriG's graph blocks."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from alliance_kg.build.statements import find
from alliance_kg.build.turtle import SUBJECT, Anonymous, Reader, subjects, token_iri

EX = "https://example.org/net/"
PREFIXES = {"ex": EX, "": "https://example.org/empty/"}
BASE = "https://example.org/graph/dir/file"


@pytest.mark.parametrize("token, base, iri", [
    ("<https://example.org/x>", BASE, "https://example.org/x"),  # absolute: as written
    ("<t>", BASE, "https://example.org/graph/dir/t"),  # relative: against the base
    ("<../t>", BASE, "https://example.org/graph/t"),
    ("<#frag>", BASE, BASE + "#frag"),
    ("<>", BASE, BASE),  # the base itself
    ("<t>", None, "t"),  # no base: as written
    ("<>", None, None),  # the base, unknown
    ("<https://example.org/k\\u00f6ln>", None, "https://example.org/köln"),  # \u escapes in an IRI
])
def test_an_iri_is_resolved_against_the_base(token, base, iri):
    assert token_iri(token, PREFIXES, base) == (URIRef(iri) if iri else None)


def test_a_is_rdf_type_only_where_a_predicate_stands():
    assert token_iri("a", PREFIXES, verb=True) == RDF.type
    assert token_iri("a", PREFIXES) is None  # a subject or an object named "a" is not Turtle


@pytest.mark.parametrize("token, local", [
    ("ex:a\\,b", "a,b"),
    ("ex:a\\;b", "a;b"),
    ("ex:x\\.", "x."),  # an escaped dot may end a local name
    ("ex:a\\-\\~\\(1\\)", "a-~(1)"),
    ("ex:a%20b", "a%20b"),  # %hh is kept as written
    ("ex:a.b", "a.b"),
    ("ex:", ""),
])
def test_a_local_name_loses_its_backslashes(token, local):
    assert token_iri(token, PREFIXES) == URIRef(EX + local)


@pytest.mark.parametrize("token, iri", [
    ("ex:a;", EX + "a"), ("ex:a,", EX + "a"), ("ex:a.", EX + "a"), ("ex:a.b.", EX + "a.b"),
    ("ex:a].", EX + "a"), ("<https://example.org/x>;", "https://example.org/x"),
    (":a.", "https://example.org/empty/a"),
])
def test_the_punctuation_after_a_name_is_not_part_of_it(token, iri):
    assert token_iri(token, PREFIXES) == URIRef(iri)


@pytest.mark.parametrize("token", ["other:a", "http://example.org/x", "_:b1", '"ex:a"', "ex:a!b", "<x", "42"])
def test_what_writes_no_iri_gives_none(token):
    assert token_iri(token, PREFIXES, BASE) is None


def test_every_reading_agrees_with_oxigraph():
    """Each subject the reader finds is one Oxigraph parses from the same text."""
    text = f"""\
@prefix ex: <{EX}> .
@base <https://example.org/graph/> .
ex:a\\,b ex:p ex:q .
<rel> ex:p ex:q .
<> ex:p ex:q .
@base <sub/> .
<deeper> a ex:C .
"""
    parsed = {URIRef(q.subject.value) for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE)}
    read = {node for node, _ in subjects(text, {"ex": EX}, BASE)}
    assert read == parsed == {URIRef(EX + "a,b"), URIRef("https://example.org/graph/rel"),
                              URIRef("https://example.org/graph/"), URIRef("https://example.org/graph/sub/deeper")}


TRIG = f"""\
@prefix ex: <{EX}> .
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

ex:g {{
    ex:a ex:p "a" ;
        ex:q [ ex:p "inside" ] .

    ex:b
        ex:p "b" .
}}
GRAPH ex:h {{
  ex:c ex:p "c" , "{{ not a block }}" .
  ex:d ex:p ( ex:e [ ex:p 1 ] ) }}
<{EX}i> {{ ex:f ex:p 2 }}
{{ ex:g2 ex:p 3 . }}
ex:top ex:p "#not a comment" . # a comment: ex:x ex:p 4 .
"""


def test_trig_statements_are_found_in_graph_blocks():
    read = [(node.removeprefix(EX), line) for node, line in subjects(TRIG, {"ex": EX})]
    assert read == [("a", 5), ("b", 8), ("c", 12), ("d", 13), ("f", 14), ("g2", 15), ("top", 16)]


def test_trig_values_are_found_at_their_lines_and_nested_ones_are_not_the_subjects(tmp_path):
    path = tmp_path / "a.trig"
    path.write_text(TRIG, encoding="utf-8")
    p = URIRef(EX + "p")
    wanted = {(URIRef(EX + "a"), p, Literal("a")), (URIRef(EX + "a"), p, Literal("inside")),
              (URIRef(EX + "b"), p, Literal("b")), (URIRef(EX + "c"), p, Literal("{ not a block }")),
              (URIRef(EX + "f"), p, Literal("2", datatype=XSD.integer)), (URIRef(EX + "top"), p, None)}
    found = find([(path, "trig", {"ex": EX})], wanted)
    name = str(path)
    assert found.statements == {
        (URIRef(EX + "a"), p, Literal("a")): (name, 5), (URIRef(EX + "b"), p, Literal("b")): (name, 9),
        (URIRef(EX + "c"), p, Literal("{ not a block }")): (name, 12),
        (URIRef(EX + "f"), p, Literal("2", datatype=XSD.integer)): (name, 14), (URIRef(EX + "top"), p, None): (name, 16),
        (URIRef(EX + "a"), p, None): (name, 5), (URIRef(EX + "b"), p, None): (name, 9),
        (URIRef(EX + "c"), p, None): (name, 12), (URIRef(EX + "f"), p, None): (name, 14),
    }
    assert found.groups[(URIRef(EX + "b"), name)] == 8


def test_blank_nodes_are_read_as_written():
    text = f"@prefix ex: <{EX}> .\nex:s ex:p [ ex:q _:b1 ] .\n_:b1 ex:r 1 .\n[ ex:t 2 ] .\n"
    events = [(kind, line, node) for kind, line, node, _, _ in Reader(text, {"ex": EX}) if kind == SUBJECT]
    assert events == [(SUBJECT, 2, URIRef(EX + "s")), (SUBJECT, 2, Anonymous("[1")), (SUBJECT, 3, Anonymous("b1")),
                      (SUBJECT, 4, Anonymous("[2"))]


def test_a_blank_node_in_a_list_is_read_as_a_node_of_its_own():
    text = f"@prefix ex: <{EX}> .\nex:s ex:or (\n  [ ex:q 1 ]\n  ( [ ex:r 2 ] ) ex:t\n) .\n"
    events = [(kind, line, node, predicate) for kind, line, node, predicate, _ in Reader(text, {"ex": EX})
              if type(node) is Anonymous]
    assert events == [(SUBJECT, 3, Anonymous("[2"), None), ("verb", 3, Anonymous("[2"), URIRef(EX + "q")),
                      ("object", 3, Anonymous("[2"), URIRef(EX + "q")),
                      (SUBJECT, 4, Anonymous("[3"), None), ("verb", 4, Anonymous("[3"), URIRef(EX + "r")),
                      ("object", 4, Anonymous("[3"), URIRef(EX + "r"))]


def test_a_subject_not_understood_is_passed_over_to_its_end():
    text = f"@prefix ex: <{EX}> .\n<> ex:p [ ex:q 1 ] .\nex:y ex:p 2 .\n"
    assert subjects(text, {"ex": EX}) == [(URIRef(EX + "y"), 3)]
