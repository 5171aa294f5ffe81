"""Media types, content negotiation and serialisation of query results.

Two tables: one for result sets (SELECT, ASK) and one for graphs (CONSTRUCT, DESCRIBE, linked
data pages). Negotiation uses werkzeug's ``MIMEAccept`` (wildcards, q-values, ``q=0``) on media
ranges reduced to their type and subtype (``parse_accept``); a ``format=`` parameter we know
(or its aliases ``output=`` and ``results=``: ``format_asked``) overrides the Accept header. The
first entry of each table is the default for a missing Accept header or ``*/*``.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..errors import NotAcceptable
from ..rdf import sorted_serialization
from ..stores.base import QueryResult

JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
TRIG = "application/trig"
HTML = "text/html"

#: Result-set media types, default first, with their W3C format IRI (for the service description).
RESULT_TYPES: dict[str, str] = {
    JSON_RESULTS: "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    XML_RESULTS: "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    CSV: "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    TSV: "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
}
#: Graph media types, default first: media type -> (rdflib format name, W3C format IRI).
GRAPH_TYPES: dict[str, tuple[str, str]] = {
    TURTLE: ("turtle", "http://www.w3.org/ns/formats/Turtle"),
    NTRIPLES: ("nt", "http://www.w3.org/ns/formats/N-Triples"),
    JSONLD: ("json-ld", "http://www.w3.org/ns/formats/JSON-LD"),
    RDFXML: ("xml", "http://www.w3.org/ns/formats/RDF_XML"),
    TRIG: ("trig", "http://www.w3.org/ns/formats/TriG"),
}
#: Other media types clients ask for: alias -> (for result sets, for graphs), offered after the
#: canonical ones. ``application/json`` is JSON-LD for a graph, as ``format=json`` is: a client
#: asking for JSON gets JSON either way. A Turtle document is an N3 document (Turtle is a subset of
#: N3), so an N3 client gets Turtle. ``application/xml`` stays a result-set name only: browsers
#: send it (``;q=0.9``), and a browser at ``/.well-known/void`` should not get RDF/XML for it.
ALIASES: dict[str, tuple[str | None, str | None]] = {
    "application/json": (JSON_RESULTS, JSONLD),
    "application/xml": (XML_RESULTS, None),
    "text/xml": (XML_RESULTS, None),
    "application/x-turtle": (None, TURTLE),
    "text/n3": (None, TURTLE),
    "text/plain": (None, NTRIPLES),
    "application/x-trig": (None, TRIG),
}
#: ``format=`` short names: (for result sets, for graphs), among them every value SPARQLWrapper's
#: ``setReturnFormat`` sends (``n3``, ``rdf+xml``, ``json-ld``, ``rdf``, ``tsv``, ...; it repeats
#: them as ``output=`` and ``results=``, read with the same table: ``format_asked``).
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": (JSON_RESULTS, JSONLD),
    "xml": (XML_RESULTS, RDFXML),
    "csv": (CSV, None),
    "tsv": (TSV, None),
    "turtle": (None, TURTLE),
    "ttl": (None, TURTLE),
    "n3": (None, TURTLE),
    "nt": (None, NTRIPLES),
    "ntriples": (None, NTRIPLES),
    "n-triples": (None, NTRIPLES),
    "jsonld": (None, JSONLD),
    "json-ld": (None, JSONLD),
    "rdfxml": (None, RDFXML),
    "rdf+xml": (None, RDFXML),
    "rdf": (None, RDFXML),
    "trig": (None, TRIG),
    "html": (None, HTML),
}

#: Longest Accept header we parse; anything longer is not a real client.
MAX_ACCEPT_LENGTH = 4096


#: The parameters that name a format, in the order they count: ``format`` (ours, and Virtuoso's),
#: then ``output`` (sparqler's, Fuseki's) and ``results``. SPARQLWrapper sends all three, alike,
#: not knowing which one an endpoint reads.
FORMAT_PARAMETERS = ("format", "output", "results")


def format_asked(given: Iterable[str]) -> str | None:
    """The one format parameter value that counts, among ``given``: the values of
    ``FORMAT_PARAMETERS`` in that order (``format=`` before ``output=`` before ``results=``, each
    one's values as sent). The first value that names a format we know counts, even if a later
    one names another (``format=`` wins) and even if this result cannot take it (a 406, as for
    ``format=`` alone); values we do not know, and empty ones, are passed over, as an unknown
    ``format=`` is (SPARQLWrapper sends ``format=tsv&format=text/tab-separated-values``, and an
    empty value for ``*/*``). With no known value the Accept header decides, and the first
    unknown value is returned to be named in its 406 (``_negotiate`` reads it as unknown again);
    None when there is no value at all. The value returned, not the parameters sent, is what the
    answer depends on: the result cache keys it (``query.cache.result_key``)."""
    unknown = None
    for value in given:
        if not value:
            continue
        if _from_format_param(value, _RESULTS_COLUMN) != _UNKNOWN:
            return value
        unknown = unknown or value
    return unknown


def offered_for(form: str) -> list[str]:
    """Canonical media types that can carry a result of this query form."""
    return list(RESULT_TYPES) if form in ("SELECT", "ASK") else list(GRAPH_TYPES)


def parse_accept(header: str | None) -> MIMEAccept:
    """The Accept header's media ranges as we match them; a missing header accepts anything.

    Parameters other than q are dropped (RFC 9110 §12.5.1: one must not turn an offered type into
    a 406), so ``text/csv; header=present`` or a JSON-LD ``profile`` match on type/subtype alone,
    case-insensitively; werkzeug would compare them strictly. A ``charset`` other than UTF-8 drops
    its range instead: everything we write is UTF-8, and a client that can read only another
    charset would misread it; its other ranges (``*/*`` too) still count. Where a range appears
    twice once reduced, the more specific one's q counts, as RFC 9110 orders them.
    """
    return _reduced(header or "*/*")


@functools.lru_cache(maxsize=512)
def _reduced(header: str) -> MIMEAccept:
    ranges: dict[str, float] = {}
    for value, quality in parse_accept_header(header, MIMEAccept):  # most specific first
        media_type, _, parameters = value.partition(";")
        if _utf8(parameters):
            ranges.setdefault(media_type.strip().lower(), quality)
    return MIMEAccept(list(ranges.items()))


def _utf8(parameters: str) -> bool:
    """Whether a media range's parameters allow UTF-8 (no charset, or UTF-8's)."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def negotiate_graph(offered: Iterable[str], accept: str | None, format_param: str | None = None) -> str:
    """The media type for a graph (or a page about one) among ``offered``; ``format_param``
    short names mean their graph format (``json`` is JSON-LD, ``xml`` RDF/XML)."""
    return _negotiate(tuple(offered), accept, format_param, _GRAPH_COLUMN)


def negotiate_result(form: str, accept: str | None, format_param: str | None = None) -> str:
    """The media type for a query form's result (result sets for SELECT/ASK, graphs otherwise)."""
    column = _GRAPH_COLUMN if form in ("CONSTRUCT", "DESCRIBE") else _RESULTS_COLUMN
    return _negotiate(tuple(offered_for(form)), accept, format_param, column)


_RESULTS_COLUMN, _GRAPH_COLUMN = 0, 1


@functools.lru_cache(maxsize=512)
def _negotiate(offered: tuple[str, ...], accept: str | None, format_param: str | None, column: int) -> str:
    """Pick the media type to answer with, or raise ``NotAcceptable`` listing ``offered``.

    A ``format_param`` we know (a short name or a media type of our tables) wins over
    ``accept``; one that names a format this result cannot take is a 406. One we do not know is
    passed over for the Accept header: ``format=`` is no part of the SPARQL protocol, and clients
    such as SPARQLWrapper send it beside an Accept header, trusting endpoints to ignore the values
    they do not read. Remembered by its arguments: clients send a handful of Accept headers, and
    werkzeug's parse of one costs more than Oxigraph's answer to a lookup (a refusal is not
    remembered, so it costs the same).
    """
    unknown = ""
    if format_param:
        choice = _from_format_param(format_param, column)
        if choice in offered:
            return choice
        if choice != _UNKNOWN:
            raise NotAcceptable(f"format {format_param!r} cannot carry this result", offered=list(offered))
        unknown = f"format {format_param!r} is none we know ({', '.join(FORMAT_NAMES)}, or a media type); "
    aliases = {alias: targets[column] for alias, targets in ALIASES.items() if targets[column] in offered}
    match = parse_accept(accept).best_match([*offered, *aliases])
    if match is None:
        raise NotAcceptable(unknown + "none of the media types in the Accept header can carry this result",
                            offered=list(offered))
    return aliases.get(match, match)


#: What ``_from_format_param`` answers for a value that names no format we know.
_UNKNOWN = "unknown"
_KNOWN_TYPES = frozenset([*RESULT_TYPES, *GRAPH_TYPES, HTML])


def names_a_format(value: str) -> bool:
    """Whether ``value`` is a ``format=`` value we know: a short name, an alias or a media type of
    our tables (for either column). The endpoint passes over one it does not know
    (``_negotiate``); the command line refuses it."""
    return _from_format_param(value, _RESULTS_COLUMN) != _UNKNOWN


def _from_format_param(value: str, column: int) -> str | None:
    """The media type a ``format=`` value names for this column (None: a format this column does
    not have), or ``_UNKNOWN``. A ``+`` that reached us as a space (``rdf+xml`` unescaped in a
    URL) is read as the ``+`` it was."""
    value = value.split(";", 1)[0].strip().lower().replace(" ", "+")
    if value in FORMAT_NAMES:
        return FORMAT_NAMES[value][column]
    if value in ALIASES:
        return ALIASES[value][column]
    return value if value in _KNOWN_TYPES else _UNKNOWN


def content_type(media_type: str) -> str:
    """The Content-Type header value: text types say they are UTF-8."""
    if media_type.startswith("text/") or media_type in (JSON_RESULTS, XML_RESULTS, NTRIPLES, TRIG):
        return f"{media_type}; charset=utf-8"
    return media_type


def serialize(result: QueryResult, media_type: str) -> bytes:
    """The bytes of ``result`` in ``media_type`` (one of the two tables)."""
    if result.form in ("SELECT", "ASK"):
        writer = _RESULT_WRITERS.get(media_type)
        if writer is None:
            raise NotAcceptable(f"{media_type} cannot carry a result set", offered=list(RESULT_TYPES))
        return writer(result).encode("utf-8")
    assert result.graph is not None
    return serialize_graph(result.graph, media_type)


def serialize_graph(graph: Graph, media_type: str) -> bytes:
    """A graph (or dataset, for TriG) in one of ``GRAPH_TYPES``, written by Oxigraph as
    ``rdf.sorted_serialization`` writes it: every literal as written (rdflib's Turtle and TriG
    writers wrote an ill-typed ``"yes"^^xsd:boolean`` bare, as ``yes`` or ``false``, and its
    JSON-LD writer as ``false``), in the same order in every process, and as the Oxigraph
    backend writes its own answers."""
    if media_type not in GRAPH_TYPES:
        raise NotAcceptable(f"{media_type} cannot carry a graph", offered=list(GRAPH_TYPES))
    return sorted_serialization(graph, media_type)


# --- result-set writers (rdflib has no TSV writer and its CSV writer differs from the spec) ---


def _json_term(term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    value: dict[str, str] = {"type": "literal", "value": str(term)}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        value["datatype"] = str(term.datatype)
    return value


def _write_json(result: QueryResult) -> str:
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)})
    bindings = [
        {var: _json_term(term) for var, term in zip(result.variables, row) if term is not None}
        for row in result.rows
    ]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False)


def _xml_term(term) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype is not None and term.datatype != XSD.string:
        attrs = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attrs}>{escape(str(term))}</literal>"


def _write_xml(result: QueryResult) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.form == "ASK":
        out += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
    out.append("<results>")
    for row in result.rows:
        cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                        for v, t in zip(result.variables, row) if t is not None)
        out.append(f"<result>{cells}</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _csv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _write_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.form == "ASK":
        writer.writerows([["_askResult"], ["true" if result.boolean else "false"]])
        return buffer.getvalue()
    writer.writerow(result.variables)
    writer.writerows([_csv_term(t) for t in row] for row in result.rows)
    return buffer.getvalue()


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    lexical = f'"{str(term).translate(_TSV_ESCAPES)}"'
    if term.language:
        return f"{lexical}@{term.language}"
    if term.datatype is not None and term.datatype != XSD.string:
        return f"{lexical}^^<{term.datatype}>"
    return lexical


def _write_tsv(result: QueryResult) -> str:
    if result.form == "ASK":
        return "?_askResult\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


_RESULT_WRITERS = {JSON_RESULTS: _write_json, XML_RESULTS: _write_xml, CSV: _write_csv, TSV: _write_tsv}
