"""What a harvester reads about the dataset and the service: the SPARQL service description,
VoID and the bulk downloads. Descriptions name the canonical endpoint
``https://w3id.org/alliance-kg/sparql``, never the host the server happens to run on."""

from __future__ import annotations

from typing import BinaryIO

from flask import Blueprint, Response, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from werkzeug.exceptions import NotFound

from ..namespaces import SD, VOID
from ..query import formats
from ..rdf import sorted_serialization
from ..stores import dumps
from ..stores.dcat import (DATES_QUERY, MODIFIED_QUERY, Download, catalog_graph, contributor_id,
                           last_modified)
from ..stores.void import ENDPOINT, LICENSE, Counts, counts_of, void_graph
from . import citation
from .downloads import DumpFile, dump_file, send
from .state import state

bp = Blueprint("catalog", __name__)

LICENSE_LINK = f'<{LICENSE}>; rel="license"'


def service_description() -> Graph:
    """SPARQL 1.1 Service Description of /sparql (cached: the data never changes while served)."""
    current = state()
    counts = _counts(current)
    return current.cached("service-description", lambda: _describe(current.store, counts))


def service_description_in(media_type: str) -> bytes:
    """The service description's bytes in one of ``formats.GRAPH_TYPES``: the same in every
    serving process (``rdf.sorted_serialization``), as its weak tag, made of the data version
    and the request, promises."""
    current = state()
    graph = service_description()  # outside the next cached(): its lock is not re-entrant
    return current.cached(f"service-description:{media_type}", lambda: sorted_serialization(graph, media_type))


def _counts(current) -> Counts:
    return current.cached("counts", lambda: counts_of(current.store))


def _describe(store, counts: Counts) -> Graph:
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
    g.add((s, DCTERMS.license, LICENSE))
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
    for number, name in enumerate(sorted(store.graph_names())):
        # labelled by their place in the sorted names: alike in every process, so are the bytes
        named = BNode(f"namedGraph{number}")
        graph = BNode(f"graph{number}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, name))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(counts.graphs.get(str(name), 0), datatype=XSD.integer)))
    return g


@bp.route("/.well-known/void")
def void() -> Response:
    """VoID description of the dataset (licence, endpoint, dumps, subsets), by conneg (HTML, as
    the home page's link asks for it: its Turtle, readable, as the catalog does); the same bytes
    in every serving process, as the service description (``rdf.sorted_serialization``)."""
    current = state()
    offered = [*formats.GRAPH_TYPES, formats.HTML]
    media_type = formats.negotiate_graph(offered, request.headers.get("Accept"), request.args.get("format"))
    shown = formats.TURTLE if media_type == formats.HTML else media_type
    counts = _counts(current)
    body = current.cached(f"void:{shown}", lambda: sorted_serialization(void_graph(counts, dumps.DUMPS), shown))
    response = Response(body, content_type=formats.content_type("text/plain" if media_type == formats.HTML else shown))
    response.vary.add("Accept")
    response.headers["Link"] = LICENSE_LINK
    return response


@bp.route("/catalog")
def catalog() -> Response:
    """The DCAT-AP record for open-data portals, by conneg (HTML: its Turtle, readable); the same
    bytes in every serving process (``rdf.sorted_serialization``; its blank nodes are labelled
    by what they are: ``stores.dcat``)."""
    current = state()
    offered = [*formats.GRAPH_TYPES, formats.HTML]
    media_type = formats.negotiate_graph(offered, request.headers.get("Accept"), request.args.get("format"))
    shown = formats.TURTLE if media_type == formats.HTML else media_type
    downloads = {name: _dump_file(current, name).download for name in dumps.DUMPS}  # written once each
    body = current.cached(f"catalog:{shown}", lambda: sorted_serialization(_catalog(current, downloads), shown))
    response = Response(body, content_type=formats.content_type("text/plain" if media_type == formats.HTML else shown))
    response.vary.add("Accept")
    response.headers["Link"] = LICENSE_LINK
    return response


def _catalog(current, downloads: dict[str, Download]) -> Graph:
    """The record of the served data; its dates are the data's (``dcat.last_modified``), not the
    load's, which ``/status`` gives."""
    dates = (row[0] for row in current.result(DATES_QUERY, max_rows=None).rows)
    modified = last_modified(current.result(MODIFIED_QUERY, max_rows=None).rows, current.store.graph_names())
    return catalog_graph(dates, downloads, modified=modified,
                         contributor=contributor_id(current.settings.catalog_contributor))


def _dump_file(current, name: str) -> DumpFile:
    """A dump as downloaded (the catalog's size and checksum are of these very bytes): Turtle,
    TriG and N-Quads open with a citation comment (without the access date, which the response's
    X-Citation carries: the file is written once for the generation); JSON-LD has no comments.
    The canonical N-Quads are written from the store, the others from them (``stores.dumps``),
    so every dump is the same bytes for the same data, in every process and after a restart."""
    canonical = None if name == dumps.CANONICAL else _dump_file(current, dumps.CANONICAL)

    def write(output: BinaryIO) -> None:
        if not name.endswith(".jsonld"):
            output.write(f"# Cite as: {citation.line(current.store.version, retrieved=False)}\n".encode("utf-8"))
        if canonical is None:
            dumps.write_nquads(current.store, output)
        else:
            dumps.write_converted(canonical.path, name, output)
    return dump_file(current, name, dumps.DUMPS[name][1], write)


@bp.route("/downloads/<name>")
def download(name: str) -> Response:
    """One of the dumps ``dumps.DUMPS`` names, with its licence in a Link header."""
    if name not in dumps.DUMPS:
        raise NotFound(f"no download {name!r}; available: {', '.join(dumps.DUMPS)}")
    current = state()
    media_type = dumps.DUMPS[name][1]
    dump = _dump_file(current, name)
    cite = citation.line(current.store.version)
    response = send(request, dump, content_type=formats.content_type(media_type))
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Link"] = f'{LICENSE_LINK}, <{citation.BASE}>; rel="cite-as"'
    response.headers["X-Citation"] = cite.encode("ascii", "replace").decode("ascii")
    return response
