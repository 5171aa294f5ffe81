"""Dereferenceable IRIs: every IRI under ``https://w3id.org/alliance-kg/`` is served here by
path (``namespaces.local_path``).

- ``/id/{type}/{slug}`` names a thing: 303 See Other to its description ``/doc/{type}/{slug}``;
- ``/doc/...`` describes it (every statement in and out, with the named graph and the source
  passage each came from) as HTML, Turtle, JSON-LD, N-Triples, RDF/XML or TriG by conneg or by
  an extension (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.trig``, ``.html``);
- ``/graph/{name}`` is a named graph: its triples and its description;
- ``/ontology`` is the ontology document (terms are hash IRIs ``/ontology#Term``), served whole
  at its version IRI too; each module it imports (``/ontology/{module}``) is its file, whole;
- ``/shapes`` is the SHACL shapes graph the data is validated with (terms ``/shapes#Shape``);
  its Turtle form is the shapes files as written, comments and all.

All data comes through the guarded query pool, like any client's query.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Iterable
from urllib.parse import unquote

from flask import Blueprint, Response, redirect, render_template, request
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Identifier
from werkzeug.exceptions import NotFound

from ..namespaces import (AKG, BASE, DCTERMS, ID, ONTOLOGY, ONTOLOGY_GRAPH, OWL, PROV, RDF, RDFS, SCHEMA, SKOS,
                          is_local, local_path)
from ..query import formats
from ..rdf import canonical_blank_nodes
from . import citation, documentation, memo
from .catalog import LICENSE_LINK
from .collation import sort_key
from .i18n import t
from .language import foreign, pick_label, pick_label_language, preferred_language, ui_language
from .state import Shapes, state

bp = Blueprint("linkeddata", __name__)

#: Characters allowed in a path we turn into an IRI (so it can be written as <...> in SPARQL).
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@/%-]+$")
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
EXTENSIONS = {".ttl": formats.TURTLE, ".nt": formats.NTRIPLES, ".jsonld": formats.JSONLD,
              ".rdf": formats.RDFXML, ".trig": formats.TRIG, ".html": formats.HTML}
PAGE_TYPES = [formats.HTML] + list(formats.GRAPH_TYPES)
#: Each page type's extension (``/doc/...`` routes them) and ``format=`` name (every page reads it).
_EXTENSION_OF = {media_type: extension for extension, media_type in EXTENSIONS.items()}
_FORMAT_OF = {media_type: extension[1:] for extension, media_type in EXTENSIONS.items()}
LABELS = (SKOS.prefLabel, RDFS.label, SCHEMA.name)


def _iri(rest: str, prefix: str) -> URIRef:
    if not _SAFE_PATH.match(rest) or "//" in rest:
        raise NotFound("no such resource")
    return URIRef(BASE + prefix + rest)


def _ref(term: Identifier) -> str:
    return f"<{term}>"


def _exists(iri: URIRef) -> bool:
    return bool(state().result(f"ASK {{ {{ {_ref(iri)} ?p ?o }} UNION {{ ?s ?p {_ref(iri)} }} }}").boolean)


@bp.route("/id/<path:rest>")
def thing(rest: str) -> Response:
    """A thing is not a document: 303 to its description (conneg happens there)."""
    iri = _iri(rest, "id/")
    if not _exists(iri):
        raise NotFound(f"{iri} is not in this dataset")
    target = request.script_root + "/doc/" + rest
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    response = redirect(target, code=303)
    response.vary.add("Accept")
    return response


@bp.route("/doc/<path:rest>")
def document(rest: str) -> Response:
    forced = None
    for extension, media_type in EXTENSIONS.items():
        if rest.endswith(extension):
            rest, forced = rest[: -len(extension)], media_type
            break
    return describe(_iri(rest, "id/"), forced)


@bp.route("/graph/<path:name>")
def named_graph(name: str) -> Response:
    iri = _iri(name, "graph/")
    if iri not in state().store.graph_names():
        raise NotFound(f"{iri} is not a graph of this dataset")
    return graph_document(iri, iri)


@bp.route("/ontology")
def ontology() -> Response:
    if ONTOLOGY_GRAPH not in state().store.graph_names():
        raise NotFound("this dataset holds no ontology graph")
    return ontology_document()


def ontology_document() -> Response:
    """The ontology, whole (its graph and what is said of its IRI), at its IRI and at its version
    IRI; its blank nodes (OWL lists) labelled by what they are, so that every start of the
    server writes the same bytes."""
    media_type = _negotiate(None)
    if media_type == formats.HTML:
        return _respond(render_template("ontology.html", **ontology_page()), formats.HTML)
    current = state()
    whole = current.cached("ontology-document", lambda: canonical_blank_nodes(
        current.result(_document_query(ONTOLOGY_GRAPH, ONTOLOGY), max_rows=None).graph))
    body = current.cached(f"ontology-document:{media_type}", lambda: formats.serialize_graph(whole, media_type))
    return _representation(_respond(body, media_type), media_type)


def _ontology_graph() -> Graph:
    current = state()
    return current.cached("ontology-graph", lambda: current.result(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_ref(ONTOLOGY_GRAPH)} {{ ?s ?p ?o }} }}", max_rows=None).graph)


def _shapes() -> Shapes | None:
    current = state()
    if current.read_shapes is None:
        return None
    return current.cached("shapes", lambda: current.read_shapes(current.settings))


def _shapes_graph() -> Graph | None:
    shapes = _shapes()
    return shapes.graph if shapes else None


def ontology_page() -> dict[str, Any]:
    """Template context of the ontology's documentation (``documentation.py``): labels in the
    reader's language where the ontology has them (``picked``: the text and the ``lang``
    attribute a fallback needs), the page's own words in the interface's."""
    graph, shapes = _ontology_graph(), _shapes_graph()
    lang, ui = preferred_language(), ui_language()
    terms = documentation.ontology_terms(graph, shapes)

    def picked(labels: dict[str, str]) -> dict[str, str]:
        text, found = pick_label_language(labels, lang)
        return {"text": text or "", "lang": foreign(found, ui)}

    base = lang.split("-")[0].lower()
    return {"header": documentation.ontology_header(graph), "terms": terms, "lang": lang,
            "classes": [term for term in terms if term.kind == "class"],
            "properties": [term for term in terms if term.kind == "property"],
            "reused": documentation.reused_terms(graph),
            "diagram": documentation.overview_svg(terms, lang, t("overview_svg_title", ui)),
            # the reader's language first among those every term is described in
            "languages": sorted(("de", "en", "zh"), key=lambda code: code != base),
            "curie": documentation.curie, "picked": picked}


@bp.route("/ontology/<path:rest>")
def ontology_part(rest: str) -> Response:
    """The version IRI (``owl:versionIRI``) is the ontology of the version served, whole; a module
    (``owl:imports``) is its file's statements, whole, as OWL tools that follow the imports need
    them (its page, in HTML, is its description). Anything else below ``/ontology/`` is described
    by what the dataset says of it."""
    iri = _iri(rest, "ontology/")
    served = _ontology_graph()
    if (ONTOLOGY, OWL.versionIRI, iri) in served:
        return ontology_document()
    module = _ontology_documents().get(iri)
    if module is None or (iri, RDF.type, OWL.Ontology) not in served:
        return describe(iri, None)
    media_type = _negotiate(None)
    if media_type == formats.HTML:
        return describe(iri, formats.HTML)
    body = state().cached(f"module:{iri}:{media_type}", lambda: formats.serialize_graph(module, media_type))
    return _representation(_respond(body, media_type), media_type)


def _ontology_documents() -> dict[URIRef, Graph]:
    """The ontology's documents as their files hold them (none where the app was not given its
    reader), blank nodes labelled by what they are: only the served ontology's are served."""
    current = state()
    if current.read_ontology is None:
        return {}
    return current.cached("ontology-documents", lambda: {
        iri: canonical_blank_nodes(graph) for iri, graph in current.read_ontology(current.settings).items()})


@bp.route("/shapes")
def shapes() -> Response:
    """The shapes are files beside the data, not part of the served dataset: read them once."""
    current = state()
    if current.read_shapes is None:
        raise NotFound("this server was not given its shapes")
    media_type = _negotiate(None)
    if media_type == formats.HTML:  # the rules in plain words, per shape
        rules = documentation.shape_rules(_shapes_graph(), ui_language())
        return _respond(render_template("shapes.html", shapes=rules), formats.HTML)
    read = _shapes()  # outside the next cached(): its lock is not re-entrant
    assert read is not None
    if media_type == formats.TURTLE and read.turtle is not None:  # the files as written, comments and all
        return _respond(read.turtle.encode("utf-8"), media_type)
    body = current.cached(f"shapes:{media_type}", lambda: formats.serialize_graph(read.graph, media_type))
    return _respond(body, media_type)


def _negotiate(forced: str | None) -> str:
    if forced:
        return forced
    return formats.negotiate_graph(PAGE_TYPES, request.headers.get("Accept"), request.args.get("format"))


def _respond(body: bytes | str, media_type: str) -> Response:
    response = Response(body, content_type=formats.content_type(media_type))
    response.vary.add("Accept")
    if media_type == formats.HTML:
        response.vary.add("Accept-Language")
    return response


def _representation(response: Response, media_type: str, iri: URIRef | None = None) -> Response:
    """A description says what it is (RFC 9110, 8.7: Content-Location, the URL of this very
    representation, whatever was negotiated) and under which licence (as VoID and the downloads
    do). A thing's description (``/doc/...``, ``iri`` under ``/id/``) is located by extension
    (``/doc/city/koeln.ttl``), anything else by ``format=`` on its own path."""
    response.headers["Link"] = LICENSE_LINK
    if iri is not None and iri.startswith(ID):
        location = f"{href(iri)}{_EXTENSION_OF[media_type]}"
    else:
        location = f"{request.script_root}{request.path}?format={_FORMAT_OF[media_type]}"
    response.headers["Content-Location"] = location
    return response


def graph_document(graph: URIRef, subject: URIRef) -> Response:
    """A named graph's triples plus what is said about it (RDF), or its description page (HTML)."""
    media_type = _negotiate(None)
    if media_type == formats.HTML:
        return describe(subject, formats.HTML, extra={"graph_iri": str(graph)})
    reply = state().run(_document_query(graph, subject), format=media_type)
    response = _representation(_respond(reply.body, media_type), media_type)
    if reply.truncated:
        response.headers["X-Result-Truncated"] = "true"
    return response


def _document_query(graph: URIRef, subject: URIRef) -> str:
    """The triples of ``graph`` and what any graph says of ``subject`` (the graph's IRI, or the
    ontology's)."""
    return (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ GRAPH {_ref(graph)} {{ ?s ?p ?o }} }} UNION "
            f"{{ GRAPH ?d {{ {_ref(subject)} ?p ?o }} BIND({_ref(subject)} AS ?s) }} }}")


def describe(iri: URIRef, forced: str | None, extra: dict[str, Any] | None = None) -> Response:
    """Every statement about ``iri`` (as subject or object), per named graph."""
    media_type = _negotiate(forced)
    quads = _quads(iri)
    if not quads and not extra:
        raise NotFound(f"{iri} is not in this dataset")
    if media_type != formats.HTML:
        data = Dataset() if media_type == formats.TRIG else Graph()
        for s, p, o, g in quads:
            if isinstance(data, Dataset):
                data.graph(g).add((s, p, o))
            else:
                data.add((s, p, o))
        return _representation(_respond(formats.serialize_graph(data, media_type), media_type), media_type, iri)
    context = page_context(iri, quads)
    context.update(extra or {})
    select = lambda text: state().result(text, max_rows=None)  # noqa: E731
    if memo.is_source_document(iri, select):  # the memo: its text passage by passage
        context.update(memo.memo_context(iri, select, _labels, lambda named: pick_label(named, context["lang"]), href))
        page = render_template("memo.html", **context)
    else:
        page = render_template("resource.html", **context)
    return _representation(_respond(page, formats.HTML), formats.HTML, None if extra else iri)


def _quads(iri: URIRef) -> list[tuple[Identifier, Identifier, Identifier, Identifier]]:
    text = (f"SELECT ?s ?p ?o ?g WHERE {{ {{ GRAPH ?g {{ {_ref(iri)} ?p ?o }} BIND({_ref(iri)} AS ?s) }} "
            f"UNION {{ GRAPH ?g {{ ?s ?p {_ref(iri)} }} BIND({_ref(iri)} AS ?o) }} }}")
    return [row for row in state().result(text).rows if None not in row]


def _values(terms: Iterable[Identifier]) -> str:
    return " ".join(_ref(t) for t in sorted(set(terms)) if isinstance(t, URIRef) and not _IRI_UNSAFE.search(t))


def _labels(terms: Iterable[Identifier]) -> dict[URIRef, dict[str, str]]:
    """Labels per IRI and language ('' for none), preferring skos:prefLabel, then rdfs:label."""
    values = _values(terms)
    if not values:
        return {}
    text = (f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ {' '.join(f'<{p}>' for p in LABELS)} }} "
            "?x ?p ?l FILTER(isLiteral(?l)) }")
    rows = state().result(text, max_rows=None).rows
    labels: dict[URIRef, dict[str, str]] = defaultdict(dict)
    ranked = sorted(rows, key=lambda r: LABELS.index(r[1]), reverse=True)
    for x, _, label in ranked:
        labels[x][label.language or ""] = str(label)
    return labels


#: A source's owner in ``_sources``' answer: the resource (in the graph) or the graph itself.
_OWN, _GRAPH = "resource", "graph"

Sources = dict[URIRef, list[tuple[Identifier, str]]]


def _sources(iri: URIRef, graphs: Iterable[Identifier]) -> tuple[Sources, Sources]:
    """The sources of ``iri``'s statements per named graph, in one query: what ``iri`` itself
    was derived from and cites in that graph (prov:wasDerivedFrom, dcterms:source with ``iri``
    as subject, as the editorial graph cites its pages on the thing each is about), and what the
    graph was (the same properties of the graph, in the provenance graph). Each source once, with
    a passage's text ('' when the source is no passage), passages first, then links, then
    sentences."""
    values = _values(graphs)
    if not values:
        return {}, {}
    cites = f"{_ref(PROV.wasDerivedFrom)}|{_ref(DCTERMS.source)}"
    text = (f"SELECT ?g ?of ?source ?text WHERE {{ VALUES ?g {{ {values} }} "
            f"{{ GRAPH ?g {{ {_ref(iri)} {cites} ?source }} BIND(\"{_OWN}\" AS ?of) }} "
            f"UNION {{ ?g {cites} ?source BIND(\"{_GRAPH}\" AS ?of) }} "
            f"OPTIONAL {{ ?source {_ref(SCHEMA.text)} ?text }} }}")
    found: dict[str, Sources] = {_OWN: defaultdict(list), _GRAPH: defaultdict(list)}
    for g, of, source, source_text in state().result(text, max_rows=None).rows:
        listed = found[str(of)][g]
        if source not in (known for known, _ in listed):
            listed.append((source, str(source_text or "")))
    for per_graph in found.values():
        for listed in per_graph.values():
            listed.sort(key=lambda st: (not st[1], isinstance(st[0], Literal), str(st[0])))
    return dict(found[_OWN]), dict(found[_GRAPH])


def _corrections(terms: Iterable[Identifier]) -> dict[URIRef, str]:
    """A readable name for each OCR correction among ``terms``: "printed → corrected" (they have
    no labels: a label would hold the misreading)."""
    values = _values(terms)
    if not values:
        return {}
    text = (f"SELECT ?x ?printed ?corrected WHERE {{ VALUES ?x {{ {values} }} "
            f"?x {_ref(AKG.printedText)} ?printed ; {_ref(AKG.correctedText)} ?corrected }}")
    return {x: f"{printed} → {corrected}" for x, printed, corrected in state().result(text, max_rows=None).rows}


def href(term: Identifier) -> str | None:
    """Where a link to ``term`` goes: our own IRIs stay on this server (things go straight to
    their description), others point to themselves."""
    if not isinstance(term, URIRef):
        return None
    if is_local(term):
        path = local_path(term)
        if path.startswith("/id/"):
            path = "/doc/" + path[len("/id/"):]
        return request.script_root + path
    return str(term) if str(term).startswith(("http://", "https://")) else None


def page_context(iri: URIRef, quads: list) -> dict[str, Any]:
    """Template context of a resource page; plain data, so templates can change freely."""
    own, of_graph = _sources(iri, {q[3] for q in quads})
    # Per graph, the resource's own sources there when it cites any (the editorial graph cites
    # seven pages, Bao'an two of them), else the graph's.
    sources = {g: own.get(g) or of_graph[g] for g in set(own) | set(of_graph)}
    terms = ({iri} | {t for q in quads for t in q}
             | {s for listed in (*own.values(), *of_graph.values()) for s, _ in listed})
    labels = _labels(terms)
    corrections = _corrections(terms - set(labels))
    lang = preferred_language({l for per in labels.values() for l in per})
    ui = ui_language()

    def named(term: Identifier) -> str:
        return pick_label(labels.get(term, {}), lang) or corrections.get(term) or _short(term)

    # Vocabulary terms whose labels collide on this page (prov:, foaf: and schema:Person are all
    # "Person") are shown by their prefixed names, so that they can be told apart.
    vocabulary = {q[1] for q in quads} | {q[2] for q in quads if q[1] == RDF.type}
    by_label: dict[str, set[Identifier]] = defaultdict(set)
    for term in vocabulary:
        by_label[named(term)].add(term)
    ambiguous = {term for same in by_label.values() if len(same) > 1 for term in same}

    def node(term: Identifier) -> dict[str, Any]:
        if isinstance(term, Literal):
            return {"kind": "literal", "text": str(term), "lang": term.language or "",
                    "datatype": str(term.datatype or "")}
        kind = "bnode" if isinstance(term, BNode) else "iri"
        return {"kind": kind, "iri": str(term), "href": href(term),
                "label": documentation.curie(term) if term in ambiguous else named(term)}

    def source(term: Identifier, text: str) -> dict[str, str]:
        """A passage (its text, quoted) or another source: a link by its label, or a sentence."""
        if isinstance(term, Literal):  # a sentence in its own language (lang= where the page's differs)
            return {"iri": "", "href": "", "text": "", "label": str(term), "lang": foreign(term.language or "", ui)}
        shown = pick_label(labels.get(term, {}), lang) or _readable(term)
        return {"iri": str(term), "href": href(term) or "", "text": text, "label": shown, "lang": ""}

    def statement(s, p, o, g) -> dict[str, Any]:
        """A statement with its sources: ours for our own, the graph's for another's about us."""
        cited = sources.get(g, []) if s == iri else of_graph.get(g, [])
        return {"subject": node(s), "predicate": node(p), "object": node(o), "graph": node(g),
                "sources": [source(*found) for found in cited]}

    def shown(term: Identifier) -> tuple:
        """Where ``term`` goes in a list on this page: by what the page shows of it, as a reader
        of its language looks that up (``collation``), then by the term itself."""
        return sort_key(str(term) if isinstance(term, Literal) else named(term)), str(term)

    # Each table by property, then value (or subject), as shown: a Chinese page's members of
    # the alliance in pinyin order, a German page's with Köln under K.
    ordered = sorted(quads, key=lambda q: (shown(q[1]), shown(q[2]), shown(q[0]), str(q[3])))
    types = list(dict.fromkeys(o for s, p, o, g in ordered if s == iri and p == RDF.type))
    label, label_lang = pick_label_language(labels.get(iri, {}), lang)
    return {
        "iri": str(iri),
        "label": label or _short(iri),
        "label_lang": label_lang,
        "labels": [{"lang": k, "text": v} for k, v in sorted(labels.get(iri, {}).items())],
        "lang": lang,
        "types": [node(o) for o in types],
        "outgoing": [statement(*q) for q in ordered if q[0] == iri],
        "incoming": [statement(*q) for q in ordered if q[0] != iri],
        "sources": [{"graph": node(g), "passages": [source(*found) for found in sources[g]]}
                    for g in sorted(sources, key=shown)],
        "alternates": [{"media_type": m, "href": f"{request.base_url}?format={n}"}
                       for m, n in ((formats.TURTLE, "turtle"), (formats.JSONLD, "jsonld"),
                                    (formats.NTRIPLES, "nt"), (formats.RDFXML, "rdfxml"), (formats.TRIG, "trig"))],
        "endpoint": request.script_root + "/sparql",
        "citation": citation.line(state().store.version, str(iri), label or _short(iri), lang=ui),
    }


#: A Creative Commons licence or dedication IRI, read as its name ("CC BY 4.0", "CC0 1.0").
_CREATIVE_COMMONS = re.compile(r"^https?://creativecommons\.org/(?:licenses/([a-z-]+)|publicdomain/(zero|mark))/([0-9.]+)/?$")


def _short(term: Identifier) -> str:
    """A name for an IRI nobody labelled: a licence's, else its last segment, decoded."""
    text = str(term)
    licence = _CREATIVE_COMMONS.match(text)
    if licence:
        kind, dedication, version = licence.groups()
        return f"CC {kind.upper()} {version}" if kind else f"CC0 {version}" if dedication == "zero" else f"PDM {version}"
    for cut in ("#", "/"):
        if cut in text.rstrip(cut):
            return decoded(text.rstrip(cut).rsplit(cut, 1)[-1])
    return decoded(text)


def _readable(term: Identifier) -> str:
    """An IRI to show whole (a source's address), percent-decoded; its link keeps the encoding."""
    licence = _CREATIVE_COMMONS.match(str(term))
    return _short(term) if licence else decoded(str(term))


def decoded(text: str) -> str:
    """An IRI as a reader reads it: ``%E5%AE%9D`` as 宝; text whose escapes are no UTF-8 stays
    as it is (resource pages and search results show IRIs so)."""
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text
