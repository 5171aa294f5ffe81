"""IRIs of the project: one base, fixed here, independent of the host the server runs on.

Everything the project mints lives under ``BASE``; the server maps its own URL paths onto the
part after ``BASE`` so that ``{BASE}id/city/koeln`` is served at ``/id/city/koeln`` on any host.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD, DefinedNamespace

BASE = "https://w3id.org/alliance-kg/"
#: What relative IRIs in a query resolve against on every backend: the endpoint's canonical IRI
#: (never the host it runs on).
QUERY_BASE = BASE + "sparql"

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
    OcrCorrection: URIRef
    Passage: URIRef
    PostHolding: URIRef
    Region: URIRef
    # properties
    aim: URIRef
    beneficiary: URIRef
    benefit: URIRef
    candidateMatch: URIRef
    complements: URIRef
    correctedText: URIRef
    correction: URIRef
    costNote: URIRef
    eventStatusAsOf: URIRef
    focus: URIRef
    holder: URIRef
    identifiedAs: URIRef
    iso3166Code: URIRef
    knownEndedAsOf: URIRef
    knownToHoldAsOf: URIRef
    membershipFree: URIRef
    officialAdmission: URIRef
    post: URIRef
    printedText: URIRef
    signatory: URIRef
    signatureText: URIRef
    statedMemberCount: URIRef

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
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "geo": str(GEO),
    "id": str(ID),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sd": str(SD),
    "sh": str(SH),
    "skos": str(SKOS),
    "time": str(TIME),
    "void": str(VOID),
    "wgs84": str(WGS84),
    "xsd": str(XSD),
}

__all__ = ["AKG", "BASE", "DCTERMS", "FOAF", "GEO", "GRAPH", "ID", "INFERRED_GRAPH", "ONTOLOGY",
           "ONTOLOGY_GRAPH", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SCHEMA", "SD", "SH", "SKOS",
           "TIME", "VOID", "WGS84", "XSD", "is_local", "local_path", "prefix_declarations"]


def prefix_declarations(names: list[str] | None = None) -> str:
    """``PREFIX p: <ns>`` lines for ``names`` (default: every project prefix), sorted."""
    return "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in sorted(names or PREFIXES))


def is_local(iri: str) -> bool:
    """True for IRIs this project mints (and so must dereference on its server)."""
    return iri.startswith(BASE)


def local_path(iri: str) -> str:
    """The server path for a project IRI: ``{BASE}id/city/koeln`` -> ``/id/city/koeln``."""
    if not is_local(iri):
        raise ValueError(f"not a project IRI: {iri}")
    return "/" + iri[len(BASE):]

