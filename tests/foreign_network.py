"""Another city network, for the tests of validating someone else's data: its own ontology
(a town is a place; whoever has a mayor is a place), shapes (a place has a name) and IRIs."""

ONTOLOGY = """\
@prefix ex: <https://example.org/net/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:Town
    rdfs:subClassOf ex:Place .

ex:mayor
    rdfs:domain ex:Place .
"""
SHAPES = """\
@prefix ex: <https://example.org/net/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .

ex:PlaceShape
    a sh:NodeShape ;
    sh:targetClass ex:Place ;
    sh:property [
        sh:path ex:name ;
        sh:minCount 1 ;
        sh:message "a place has a name"
    ] .
"""


def rdf_xml(body: str, *, dtd: bool = False, base: str | None = None) -> str:
    """An RDF/XML document of the network: ``body`` inside ``rdf:RDF``, which declares the RDF
    and the network's namespaces, from line 4; with ``dtd`` the entity ``&town;`` (the towns'
    namespace) is declared first, three lines more, and ``base`` is an ``xml:base`` line more."""
    doctype = '<!DOCTYPE rdf:RDF [\n  <!ENTITY town "https://example.org/net/town/">\n]>\n' if dtd else ""
    declared = f'\n         xml:base="{base}"' if base else ""
    return (f'<?xml version="1.0"?>\n{doctype}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
            f'         xmlns:ex="https://example.org/net/"{declared}>\n{body}</rdf:RDF>\n')
