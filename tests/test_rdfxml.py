"""RDF/XML as the locator reads it (``rdfxml.Reader``): the statements it reads from the tags
are the ones Oxigraph parses, each at the line of the element or attribute that writes it."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import RDF, URIRef

from alliance_kg.build.rdfxml import Reader, Value, subjects
from alliance_kg.build.turtle import OBJECT, Anonymous
from foreign_network import rdf_xml

BASE = "https://example.org/graph/g"
DOCUMENT = rdf_xml("""\
  <ex:Town rdf:about="s"><ex:name xml:lang="en">S &amp; T</ex:name></ex:Town>
  <rdf:Description
      rdf:about="&town;t"
      ex:label="tee">
    <ex:mayor rdf:resource="https://example.org/net/m"/>
    <ex:rank rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">1</ex:rank>
    <!-- <ex:rank>2</ex:rank> -->
    <ex:twin>
      <ex:Town rdf:about="u" ex:name="U">
        <ex:pop>3</ex:pop>
      </ex:Town>
    </ex:twin>
    <ex:note><![CDATA[<not a tag>]]></ex:note>
    <ex:seq><rdf:Seq rdf:about="list"><rdf:li>a</rdf:li><rdf:li rdf:resource="b"/></rdf:Seq></ex:seq>
  </rdf:Description>
  <rdf:Description xml:base="https://example.org/other/" rdf:ID="v" xmlns:ex="https://example.org/two/">
    <ex:empty/>
  </rdf:Description>
""", dtd=True, base="https://example.org/net/town/")


def _term(value):
    if isinstance(value, Value):
        datatype = ox.NamedNode(value.datatype) if value.datatype else None
        return ox.Literal(value.text, language=value.language, datatype=datatype)
    return ox.NamedNode(str(value))


def test_the_statements_read_are_those_oxigraph_parses():
    parsed = {(q.subject, q.predicate, q.object)
              for q in ox.parse(DOCUMENT.encode(), format=ox.RdfFormat.RDF_XML, base_iri=BASE)}
    read = {(ox.NamedNode(str(node)), ox.NamedNode(str(predicate)), _term(value))
            for kind, _, node, predicate, value in Reader(DOCUMENT, BASE)
            if kind == OBJECT and type(node) is URIRef and not isinstance(value, Anonymous)}
    assert read == parsed


def test_each_statement_is_at_the_line_that_writes_it():
    lines = {(str(node).rsplit("/", 1)[-1], str(predicate).rsplit("/", 1)[-1].rsplit("#", 1)[-1]): line
             for kind, line, node, predicate, _ in Reader(DOCUMENT, BASE) if kind == OBJECT}
    assert lines[("s", "type")] == 8 and lines[("s", "name")] == 8
    assert lines[("t", "label")] == 11  # an attribute on a line of its own
    assert lines[("t", "mayor")] == 12 and lines[("t", "rank")] == 13
    assert lines[("t", "twin")] == 16 and lines[("u", "pop")] == 17
    assert lines[("list", "_2")] == 21 and lines[("#v", "empty")] == 24
    assert subjects(DOCUMENT, BASE)[:2] == [(URIRef("https://example.org/net/town/s"), 8),
                                            (URIRef("https://example.org/net/town/t"), 10)]
    assert (URIRef("https://example.org/net/town/u"), RDF.type) in {
        (node, predicate) for kind, _, node, predicate, _ in Reader(DOCUMENT, BASE) if kind == OBJECT}
