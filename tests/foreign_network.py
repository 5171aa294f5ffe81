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
