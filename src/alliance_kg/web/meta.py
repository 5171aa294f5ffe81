"""About the service rather than the data: health, readiness, the SPARQL service description,
VoID and the bulk downloads. Descriptions name the canonical endpoint
``https://w3id.org/alliance-kg/sparql``, never the host the server happens to run on."""

from __future__ import annotations

from flask import Blueprint, Response, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from werkzeug.exceptions import NotFound

from .. import export, formats
from ..namespaces import SD, VOID
from .service import current

bp = Blueprint("meta", __name__)

ENDPOINT = URIRef(export.ENDPOINT)
LICENSE_LINK = f'<{export.LICENSE}>; rel="license"'


@bp.route("/healthz")
def healthz() -> Response:
    """The process is up (it only starts answering once the graph has loaded and validated)."""
    return _plain("ok")


@bp.route("/readyz")
def readyz() -> Response:
    """Ready to answer queries: the graph is loaded and the query workers are alive."""
    service = current()
    if not service.executor.ready():
        return _plain("query workers unavailable", 503)
    return _plain(f"ready: {service.store.triple_count()} triples, version {service.store.version}")


def _plain(text: str, status: int = 200) -> Response:
    response = Response(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def service_description() -> Graph:
    """SPARQL 1.1 Service Description of /sparql (cached: the data never changes while served)."""
    service = current()
    return service.cached("service-description", lambda: _describe(service.store))


def _describe(store) -> Graph:
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    s = ENDPOINT
    g.add((s, RDF.type, SD.Service))
    g.add((s, SD.endpoint, ENDPOINT))
    g.add((s, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((s, SD.feature, SD.UnionDefaultGraph))
    for iri in formats.RESULT_TYPES.values():
        g.add((s, SD.resultFormat, URIRef(iri)))
    for _, iri in formats.GRAPH_TYPES.values():
        g.add((s, SD.resultFormat, URIRef(iri)))
    g.add((s, DCTERMS.license, export.LICENSE))
    g.add((s, DCTERMS.description, Literal(
        "Read-only SPARQL 1.1 endpoint. The default graph is the union of all named graphs "
        "(asserted and inferred); default-graph-uri and named-graph-uri may select only graphs "
        "listed here. SERVICE and updates are refused.", lang="en")))
    dataset = BNode("defaultDataset")
    g.add((s, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, VOID.sparqlEndpoint, ENDPOINT))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(store.triple_count(), datatype=XSD.integer)))
    for name in sorted(store.graph_names()):
        named = BNode()
        graph = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, name))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(len(store.dataset.graph(name)), datatype=XSD.integer)))
    return g


@bp.route("/.well-known/void")
def void() -> Response:
    """VoID description of the dataset (licence, endpoint, dumps, subsets), by conneg."""
    service = current()
    media_type = formats.negotiate(list(formats.GRAPH_TYPES), request.headers.get("Accept"),
                                   request.args.get("format"), graph=True)
    body = service.cached(f"void:{media_type}", lambda: formats.serialize_graph(
        export.void_graph(service.store.dataset), media_type))
    response = Response(body, content_type=formats.content_type(media_type))
    response.vary.add("Accept")
    response.headers["Link"] = LICENSE_LINK
    return response


@bp.route("/downloads/<name>")
def download(name: str) -> Response:
    """One of the dumps ``export.DUMPS`` names, with its licence in a Link header."""
    if name not in export.DUMPS:
        raise NotFound(f"no download {name!r}; available: {', '.join(export.DUMPS)}")
    service = current()
    media_type = export.DUMPS[name][1]
    body = service.cached(f"dump:{name}", lambda: export.dump(service.store.dataset, name))
    response = Response(body, content_type=formats.content_type(media_type))
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Link"] = LICENSE_LINK
    return response
