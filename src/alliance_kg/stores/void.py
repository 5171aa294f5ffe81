"""The VoID description of the built graph: size, vocabularies, licence, endpoint, dumps, one
subset per named graph, linksets. Names the canonical IRIs under ``BASE`` only."""

from __future__ import annotations

from typing import Iterable

from rdflib import OWL, RDF, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS

from .. import __version__
from ..namespaces import BASE, ID, SD, VOID
from ..rdf import bind_prefixes

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DATASET = URIRef(BASE + ".well-known/void#alliance-kg")
ENDPOINT = URIRef(BASE + "sparql")


def void_graph(dataset: Dataset, downloads: Iterable[str]) -> Graph:
    """VoID: size, vocabularies, licence, endpoint, the dumps named ``downloads`` (file names
    below ``/downloads/``), one subset per named graph, linksets."""
    g = bind_prefixes(Graph())
    union = [t for t in dataset.triples((None, None, None))]
    subjects = {s for s, _, _ in union}
    classes = {o for _, p, o in union if p == RDF.type}
    properties = {p for _, p, _ in union}
    entities = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(str(ID))}
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, DCTERMS.title, Literal("Chinesisch-Deutsche Industriestädteallianz — Wissensgraph", lang="de")))
    g.add((d, DCTERMS.title, Literal("Chinese-German Industrial Cities Alliance knowledge graph", lang="en")))
    g.add((d, DCTERMS.description, Literal(
        "The alliance, its founding, its members and Cologne's accession, from the memo to Cologne's "
        "Economic Committee of 9 March 2017, with provenance per statement group.", lang="en")))
    g.add((d, DCTERMS.license, LICENSE))
    g.add((d, DCTERMS.hasVersion, Literal(__version__)))
    g.add((d, FOAF.homepage, URIRef(BASE)))
    g.add((d, RDFS.seeAlso, URIRef(BASE + "catalog")))  # the DCAT-AP record (stores/dcat.py)
    g.add((d, VOID.sparqlEndpoint, ENDPOINT))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    g.add((d, VOID.exampleResource, ID["city/koeln"]))
    g.add((d, VOID.triples, Literal(len(union), datatype=XSD.integer)))
    g.add((d, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    g.add((d, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((d, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    g.add((d, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))
    g.add((d, VOID.distinctObjects, Literal(len({o for _, _, o in union}), datatype=XSD.integer)))
    for name in downloads:
        g.add((d, VOID.dataDump, URIRef(BASE + "downloads/" + name)))
    for namespace in sorted({str(p).rsplit("#", 1)[0] + "#" if "#" in str(p) else str(p).rsplit("/", 1)[0] + "/"
                             for p in properties}):
        g.add((d, VOID.vocabulary, URIRef(namespace)))
    for context in sorted(dataset.graphs(), key=lambda c: str(c.identifier)):
        if not isinstance(context.identifier, URIRef) or not len(context):
            continue
        subset = URIRef(f"{DATASET}-graph-{str(context.identifier).rsplit('graph/', 1)[-1].replace('/', '-')}")
        g.add((d, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, context.identifier))
        g.add((subset, VOID.triples, Literal(len(context), datatype=XSD.integer)))
    sameas = [(s, o) for s, p, o in union if p == OWL.sameAs and isinstance(o, URIRef) and not str(o).startswith(BASE)]
    targets = sorted({str(o).split("/", 3)[2] for _, o in sameas})
    for host in targets:
        linkset = URIRef(f"{DATASET}-links-{host}")
        g.add((d, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.linkPredicate, OWL.sameAs))
        g.add((linkset, VOID.subjectsTarget, d))
        g.add((linkset, VOID.target, URIRef(f"https://{host}/")))
        g.add((linkset, VOID.triples, Literal(sum(1 for _, o in sameas if f"//{host}/" in str(o)), datatype=XSD.integer)))
    return g
