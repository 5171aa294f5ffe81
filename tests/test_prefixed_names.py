"""``rdf.prefixed_name``, the one way an IRI becomes a prefixed name: in Turtle and reports
and queries (``plain``) and on a page (``shown``). Every name it writes plain is read back by
Oxigraph and rdflib as the same IRI, in Turtle and in SPARQL."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from alliance_kg.namespaces import AKG, BASE, ID, PREFIXES, prefix_declarations
from alliance_kg.rdf import prefixed_name
from alliance_kg.web.documentation import curie

#: (local part after ``id:``, plain): ``None`` where it cannot be written plain (``<iri>``).
LOCAL_PARTS = [
    ("city", "id:city"),
    ("city/koeln", None),  # id:city\/koeln: rdflib's SPARQL parser keeps the backslash
    ("a(b)", None),
    ("50%", None),  # a bare % is no name character
    ("a%20b", "id:a%20b"),  # a percent and two hex digits are name characters, kept as written
    ("-x", None),  # a local part may not open with - or .
    (".x", None),
    ("x.", None),
    ("x.y", "id:x.y"),
    ("a-b_c", "id:a-b_c"),
    ("1x", "id:1x"),
    ("köln", "id:köln"),
    ("科隆", "id:科隆"),
    ("a:b", "id:a:b"),
    ("a~b!c$d&e'f*g+h,i;j=k?l#m@n", None),
    ("a b", None),
    ("a|b", None),
    ("a\\b", None),
    ("\u0300x", None),  # a combining mark may not open a local part, and has no escape
    ("", None),  # the namespace itself: no local part, no name
]


@pytest.mark.parametrize("local, plain", LOCAL_PARTS, ids=[repr(case[0]) for case in LOCAL_PARTS])
def test_a_local_part_is_written_as_each_form_allows(local, plain):
    iri = str(ID) + local
    assert prefixed_name(iri) == (plain or f"<{iri}>")
    assert prefixed_name(iri, local="shown") == (f"id:{local}" if local else iri)


WRITTEN = sorted({(str(ID) + local, plain) for local, plain in LOCAL_PARTS if plain} | {(str(XSD.boolean), "xsd:boolean"), (str(AKG.District), "akg:District")})


@pytest.mark.parametrize("iri, name", WRITTEN, ids=[name for _, name in WRITTEN])
def test_every_name_written_reads_back_as_its_iri(iri, name):
    """In a query (Oxigraph and rdflib, the endpoint's engines) and in Turtle (Oxigraph and
    rdflib, as reports and dumps are read)."""
    query = f"{prefix_declarations()}\nSELECT ?x {{ VALUES ?x {{ {name} }} }}"
    assert [solution["x"].value for solution in ox.Store().query(query)] == [iri]
    assert [row[0] for row in Graph().query(query)] == [URIRef(iri)]
    turtle = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + f"<urn:s> <urn:p> {name} .\n"
    assert [quad.object.value for quad in ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)] == [iri]
    assert list(Graph().parse(data=turtle, format="turtle").objects()) == [URIRef(iri)]


def test_the_longest_namespace_whose_local_part_fits_is_chosen():
    nested = {"e": "http://e.org/", "ex": "http://e.org/x/"}
    assert prefixed_name("http://e.org/x/y", prefixes=nested) == "ex:y"
    assert prefixed_name("http://e.org/x/y", prefixes=dict(reversed(nested.items()))) == "ex:y"  # not the first
    assert prefixed_name("http://e.org/x/", prefixes=nested) == "<http://e.org/x/>"  # ex: no local part; e: "x/"
    assert prefixed_name("http://e.org/x/y/z", prefixes=nested) == "<http://e.org/x/y/z>"


def test_an_iri_in_no_namespace_is_bracketed_except_when_shown():
    assert prefixed_name("urn:x") == "<urn:x>"
    assert prefixed_name("urn:x", local="shown") == "urn:x"


def test_the_pages_name_shapes_with_akgsh_and_show_local_parts_as_they_are():
    assert curie(URIRef(BASE + "shapes#DistrictShape")) == "akgsh:DistrictShape"
    assert curie(AKG.District) == "akg:District"
    assert curie(ID["city/koeln"]) == "id:city/koeln"
    assert curie(BASE + "shapes#") == BASE + "shapes#"
    assert curie("urn:x") == "urn:x"
    assert prefixed_name(BASE + "shapes#DistrictShape") == f"<{BASE}shapes#DistrictShape>"  # not a query's prefix


def test_a_typed_value_in_a_finding_names_its_datatype_so_it_reads_back():
    from alliance_kg.rdf import shown, typed_literal

    assert shown(typed_literal("yes", str(XSD.boolean))) == '"yes"^^xsd:boolean'
    assert shown(Literal("x", datatype=URIRef(str(ID) + "type/a(b)"))) == f'"x"^^<{ID}type/a(b)>'
