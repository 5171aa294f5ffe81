"""``rdf.prefixed_name``, the one way an IRI becomes a prefixed name: in Turtle and reports
(``plain``), in a query a person edits (``escaped``) and on a page (``shown``). Every name it
writes in the first two forms is read back by Oxigraph and rdflib as the same IRI."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from alliance_kg.namespaces import AKG, BASE, ID, PREFIXES, prefix_declarations
from alliance_kg.rdf import prefixed_name
from alliance_kg.web.documentation import curie

#: (local part after ``id:``, plain, escaped): ``None`` where the form cannot write it (``<iri>``).
LOCAL_PARTS = [
    ("city", "id:city", "id:city"),
    ("city/koeln", None, "id:city\\/koeln"),
    ("a(b)", None, "id:a\\(b\\)"),
    ("50%", None, "id:50\\%"),  # an IRI no parser takes (a bare %), but the name is as good as the IRI
    ("a%20b", "id:a%20b", "id:a\\%20b"),  # a percent and two hex digits are name characters, kept as written
    ("-x", None, None),  # escaped (\-x) no name every reader takes: rdflib's Turtle parser refuses x\.
    (".x", None, None),
    ("x.", None, None),
    ("x.y", "id:x.y", "id:x.y"),
    ("a-b_c", "id:a-b_c", "id:a-b_c"),
    ("1x", "id:1x", "id:1x"),
    ("köln", "id:köln", "id:köln"),
    ("科隆", "id:科隆", "id:科隆"),
    ("a:b", "id:a:b", "id:a:b"),
    ("a~b!c$d&e'f*g+h,i;j=k?l#m@n", None, "id:a\\~b\\!c\\$d\\&e\\'f\\*g\\+h\\,i\\;j\\=k\\?l\\#m\\@n"),
    ("a b", None, None),  # no escape makes a space a name character
    ("a|b", None, None),
    ("a\\b", None, None),
    ("\u0300x", None, None),  # a combining mark may not open a local part, and has no escape
    ("", None, None),  # the namespace itself: no local part, no name
]


@pytest.mark.parametrize("local, plain, escaped", LOCAL_PARTS, ids=[repr(case[0]) for case in LOCAL_PARTS])
def test_a_local_part_is_written_as_each_form_allows(local, plain, escaped):
    iri = str(ID) + local
    assert prefixed_name(iri) == (plain or f"<{iri}>")
    assert prefixed_name(iri, local="escaped") == (escaped or f"<{iri}>")
    assert prefixed_name(iri, local="shown") == (f"id:{local}" if local else iri)


WRITTEN = sorted({(str(ID) + local, name) for local, plain, escaped in LOCAL_PARTS for name in (plain, escaped)
                  if name and local != "50%"} | {(str(XSD.boolean), "xsd:boolean"), (str(AKG.District), "akg:District")})


@pytest.mark.parametrize("iri, name", WRITTEN, ids=[name for _, name in WRITTEN])
def test_every_name_written_reads_back_as_its_iri(iri, name):
    """In a query (Oxigraph, as the endpoint parses it) and in Turtle (Oxigraph and rdflib, as
    reports and dumps are read)."""
    solutions = ox.Store().query(f"{prefix_declarations()}\nSELECT ?x {{ VALUES ?x {{ {name} }} }}")
    assert [solution["x"].value for solution in solutions] == [iri]
    turtle = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + f"<urn:s> <urn:p> {name} .\n"
    assert [quad.object.value for quad in ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)] == [iri]
    assert list(Graph().parse(data=turtle, format="turtle").objects()) == [URIRef(iri)]


def test_the_longest_namespace_whose_local_part_fits_is_chosen():
    nested = {"e": "http://e.org/", "ex": "http://e.org/x/"}
    assert prefixed_name("http://e.org/x/y", prefixes=nested) == "ex:y"
    assert prefixed_name("http://e.org/x/y", prefixes=dict(reversed(nested.items()))) == "ex:y"  # not the first
    assert prefixed_name("http://e.org/x/", prefixes=nested) == "<http://e.org/x/>"  # ex: no local part; e: "x/"
    assert prefixed_name("http://e.org/x/", prefixes=nested, local="escaped") == "e:x\\/"
    assert prefixed_name("http://e.org/x/y/z", prefixes=nested) == "<http://e.org/x/y/z>"
    assert prefixed_name("http://e.org/x/y/z", prefixes=nested, local="escaped") == "ex:y\\/z"


def test_an_iri_in_no_namespace_is_bracketed_except_when_shown():
    assert prefixed_name("urn:x") == prefixed_name("urn:x", local="escaped") == "<urn:x>"
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
