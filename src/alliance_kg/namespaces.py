"""IRIs of the project: one base, fixed here, independent of the host the server runs on.

Everything the project mints lives under ``BASE``; the server maps its own URL paths onto the
part after ``BASE`` so that ``{BASE}id/city/koeln`` is served at ``/id/city/koeln`` on any host.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/alliance-kg/"

#: The ontology's namespace (hash namespace: the ontology document dereferences at ONTOLOGY).
ONTOLOGY = URIRef(BASE + "ontology")


class AKG(DefinedNamespace):
    """The ontology's own terms, closed: a misspelt term in code is an error, not a new IRI.
    ``tests/test_namespaces.py`` checks this list against the terms ``ontology/`` declares."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    AccessionEvent: URIRef
    AdmissionEvent: URIRef
    Aim: URIRef
    Alliance: URIRef
    AmbiguousPlace: URIRef
    AnnualMeeting: URIRef
    Benefit: URIRef
    District: URIRef
    FoundingEvent: URIRef
    Passage: URIRef
    PostHolding: URIRef
    Region: URIRef
    # properties
    aim: URIRef
    beneficiary: URIRef
    benefit: URIRef
    candidateMatch: URIRef
    complements: URIRef
    costNote: URIRef
    eventStatusAsOf: URIRef
    focus: URIRef
    holder: URIRef
    iso3166Code: URIRef
    knownEndedAsOf: URIRef
    knownToHoldAsOf: URIRef
    membershipFree: URIRef
    officialAdmission: URIRef
    post: URIRef
    signatory: URIRef
    signatureText: URIRef

ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

#: Named graph holding the OWL-RL closure (only triples not already asserted).
INFERRED_GRAPH = GRAPH["inferred"]
#: Named graph holding the ontology files.
ONTOLOGY_GRAPH = GRAPH["ontology"]

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
TIME = Namespace("http://www.w3.org/2006/time#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: Prefixes declared for users (query page, serialisations); sorted by prefix.
PREFIXES: dict[str, str] = {
    "akg": str(AKG),
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": str(GEO),
    "id": str(ID),
    "org": str(ORG),
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": str(PROV),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": str(SCHEMA),
    "sd": str(SD),
    "sh": str(SH),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": str(TIME),
    "void": str(VOID),
    "wgs84": str(WGS84),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def is_local(iri: str) -> bool:
    """True for IRIs this project mints (and so must dereference on its server)."""
    return iri.startswith(BASE)


def local_path(iri: str) -> str:
    """The server path for a project IRI: ``{BASE}id/city/koeln`` -> ``/id/city/koeln``."""
    if not is_local(iri):
        raise ValueError(f"not a project IRI: {iri}")
    return "/" + iri[len(BASE):]


def graph_for(relative: str) -> URIRef:
    """Named graph of a data file, from its path below ``data/`` without the suffix."""
    return GRAPH[relative]
