"""Dataset helpers every layer shares, and the one mapping between rdflib's terms and
pyoxigraph's, for every place that hands data from one library to the other (the Oxigraph
store, the fast N-Triples/N-Quads reader, the checks, the compiled SHACL engine)."""

from __future__ import annotations

import io
import logging
import re
import sys
import time
import typing
import warnings
from itertools import islice
from typing import Callable, Iterable, Iterator, Mapping, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, Graph
from rdflib.namespace import XSD
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Identifier, Node

from .namespaces import PREFIXES

_XSD_STRING = str(XSD.string)
_XSD_BOOLEAN = str(XSD.boolean)

G = TypeVar("G", bound=Graph)


def bind_prefixes(graph: G) -> G:
    """Declare the project's prefixes on ``graph`` (serialisations then read like the docs)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def new_dataset() -> Dataset:
    """An empty dataset whose default graph is the union of its named graphs, as we serve it."""
    return bind_prefixes(Dataset(default_union=True))


def named_quads(dataset: Dataset) -> Iterator[tuple[Node, Node, Node, URIRef]]:
    """Every quad of the dataset's named graphs (an rdflib Dataset's own default graph is not
    one of ours: everything we load is in a named graph)."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        if name is not None and name != DATASET_DEFAULT_GRAPH_ID:
            yield s, p, o, name


def utc_timestamp() -> str:
    """Now, in UTC, as an ``xsd:dateTime`` lexical form (what status routes and stores record)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def to_ox(term: Identifier):
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def from_ox(term) -> Identifier | None:
    """A pyoxigraph term as an rdflib term (``None`` stays ``None``: an unbound variable). A
    literal keeps its lexical form as written (``normalize=False``): rdflib would otherwise
    rewrite ``"1"^^xsd:boolean`` as ``"true"`` and an ill-formed ``"yes"^^xsd:boolean`` as the
    valid ``"false"``, and validation, queries and dumps would see a different term."""
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return URIRef(term.value)
    if kind is ox.Literal:
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value, normalize=False)
        return typed_literal(term.value, datatype)
    if kind is ox.BlankNode:
        return BNode(term.value)
    raise TypeError(f"unsupported term {term!r}")  # RDF-star triples: not in our data


class _IllTyped(logging.Filter):
    """Drops the warning rdflib's ``rdflib.term`` logger gives, with a traceback, for a literal
    whose lexical form is not of its datatype ("Failed to convert Literal lexical form to value"),
    when ``typed_literal`` is building it: the data's ill-formed value is validation's to report,
    as a finding. Other callers' warnings, and the logger's other messages, pass."""

    MESSAGE = "Failed to convert Literal lexical form to value"

    def __init__(self) -> None:
        super().__init__()
        self.installed = False

    def install(self) -> None:
        logging.getLogger("rdflib.term").addFilter(self)
        self.installed = True

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(self.MESSAGE):
            return True
        frame = sys._getframe()  # the thread that logs: rdflib's logger calls its filters in it
        while frame is not None:
            if frame.f_code is typed_literal.__code__:
                return False
            frame = frame.f_back
        return True


_ILL_TYPED = _IllTyped()

#: The lexical forms rdflib maps to a boolean without a word (it compares them lower-cased).
_BOOLEANS = frozenset(("true", "false", "1", "0"))


def typed_literal(lexical: str, datatype: str) -> Literal:
    """A literal of the data as written (``normalize=False``). rdflib computes a Python value for
    every typed literal it builds, and an ill-formed one (``"yes"^^xsd:boolean``,
    ``"2017-04-31"^^xsd:date``, which validation exists to report) makes it warn on stderr, a
    date or number with a traceback; those warnings are silenced here, where they are raised, and
    only for these literals (a ``catch_warnings`` per term would cost the large loads, and a
    filter set at import would hide them for every caller): the boolean's by ``catch_warnings``
    on that rare path, the others' by ``_IllTyped``, which looks for this function on the stack
    only when rdflib logs one."""
    if not _ILL_TYPED.installed:
        _ILL_TYPED.install()
    if datatype == _XSD_BOOLEAN and lexical.lower() not in _BOOLEANS:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)
            return Literal(lexical, datatype=URIRef(datatype), normalize=False)
    return Literal(lexical, datatype=URIRef(datatype), normalize=False)


def literal_as_written(lexical: str, language: str | None, datatype: str | None) -> Literal:
    """The literal of this lexical form, language or datatype, as written (``typed_literal``)."""
    if language:
        return Literal(lexical, lang=language, normalize=False)
    if datatype is None:
        return Literal(lexical, normalize=False)
    return typed_literal(lexical, datatype)


def pickled_as_written(term: Literal) -> tuple[Callable[..., Literal], tuple[str, str | None, str | None]]:
    """A ``pickle`` reduction of a literal that keeps it as written: rdflib's own rebuilds it
    normalised, so ``"yes"^^xsd:boolean`` crossed a pipe as ``"false"`` and ``"01"`` as ``"1"``."""
    datatype = term.datatype
    return literal_as_written, (str(term), term.language, None if datatype is None else str(datatype))


def from_ox_scoped() -> Callable[[object], Identifier]:
    """``from_ox`` with blank node labels scoped to one document (a file, a remote answer): the
    same label gives the same fresh rdflib blank node within it and never one of another's,
    as rdflib's own parsers scope them."""
    blanks: dict[str, BNode] = {}

    def term(node) -> Identifier:
        if type(node) is ox.BlankNode:
            return blanks.setdefault(node.value, BNode())
        return from_ox(node)

    return term


def _converter() -> Callable[[Identifier], object]:
    """``to_ox`` remembering what it converted: each distinct term of a large graph once."""
    cache: dict[Identifier, object] = {}

    def term(node: Identifier):
        converted = cache.get(node)
        if converted is None:
            converted = cache[node] = to_ox(node)
        return converted

    return term


def ox_quads(dataset: Dataset) -> Iterator[tuple[ox.Quad, tuple[Identifier, Identifier, Identifier, URIRef]]]:
    """The named graphs' quads as Oxigraph quads, each with the rdflib quad it came from; the
    default graph of an rdflib Dataset is left out."""
    term = _converter()
    for s, p, o, name in named_quads(dataset):
        yield ox.Quad(term(s), term(p), term(o), term(name)), (s, p, o, name)


def ntriples(triples: Iterable[tuple[Identifier, Identifier, Identifier]]) -> str:
    """Triples as N-Triples, written by Oxigraph's serializer straight from the terms, so every
    literal keeps its lexical form: an Oxigraph store in between would write a well-formed
    ``"1"^^xsd:boolean`` back as ``"true"``, and rdflib's Turtle writer has forms of its own."""
    term = _converter()
    written = ox.serialize((ox.Triple(term(s), term(p), term(o)) for s, p, o in triples),
                           format=ox.RdfFormat.N_TRIPLES)
    return written.decode("utf-8") if written else ""


def term_from_ntriples(text: str) -> Identifier:
    """One term written as in N-Triples (``"yes"^^<...#boolean>``, ``<iri>``, ``_:b``) as an
    rdflib term, a literal as written (``from_ox``)."""
    quad = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)))
    return from_ox(quad.object)


# -- terms as people and Turtle read them -----------------------------------------------------------

#: Turtle's short forms of typed literals (``true``, ``42``, ``1.5``, ``1e3``): a literal is
#: written so only when its lexical form is one, else a reader would get another term back.
_SHORT_FORMS = {
    str(XSD.boolean): re.compile(r"true|false"),
    str(XSD.integer): re.compile(r"[+-]?[0-9]+"),
    str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    str(XSD.double): re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
}
# The terminals of a prefixed name's local part, shared by SPARQL 1.1 (section 19.8) and Turtle
# (section 6.5): the query guard tokenises with them, ``prefixed_name`` writes with them.
PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                 "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
PN_CHARS_U = PN_CHARS_BASE + "_"
PN_CHARS = PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
PN_LOCAL = f"(?:[{PN_CHARS_U}:0-9]|{PLX})(?:(?:[{PN_CHARS}.:]|{PLX})*(?:[{PN_CHARS}:]|{PLX}))?"
_PN_LOCAL = re.compile(PN_LOCAL)

#: How ``prefixed_name`` writes the part after the prefix, and what it gives when it cannot.
LocalForm = typing.Literal["plain", "shown"]


def prefixed_name(iri: str, *, local: LocalForm = "plain", prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``iri`` as a prefixed name of the longest namespace of ``prefixes`` it is in whose local
    part can be written in the form ``local`` asks for (an empty local part never is):

    - ``plain``: a PN_LOCAL as it stands, without backslash escapes (``xsd:boolean``), so that
      Turtle and SPARQL read the same IRI back, as reports, typed literals and queries need;
      else ``<iri>``. Not ``id:city\\/koeln``: rdflib's SPARQL parser keeps the backslash, naming
      another IRI, so a query written so would answer differently on the rdflib backend.
    - ``shown``: the local part as it is (``id:city/koeln``), for people reading a page, not
      for a parser; else the IRI bare, as no syntax is meant.

    One function for both, because the choice of namespace and the grammar are the same;
    only what a reader of the name can take differs."""
    best: tuple[int, str] | None = None  # the namespace's length, the name
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > best[0]):
            written = _local_part(iri[len(namespace):], local)
            if written is not None:
                best = (len(namespace), f"{prefix}:{written}")
    if best is not None:
        return best[1]
    return iri if local == "shown" else f"<{iri}>"


def _local_part(text: str, local: LocalForm) -> str | None:
    """``text`` written as a local part in the form ``local``, or ``None`` if it cannot be."""
    if not text:
        return None
    if local == "shown":
        return text
    if "\\" in text:  # a backslash would be read as an escape, naming another IRI
        return None
    return text if _PN_LOCAL.fullmatch(text) else None


def typed_turtle(lexical: str, datatype: str, name: Callable[[str], str] = prefixed_name) -> str:
    """A typed literal in Turtle as written: the short form only when the lexical form is one
    (``true``), else quoted with its datatype (``"yes"^^xsd:boolean``, ``"1"^^xsd:boolean``)."""
    short = _SHORT_FORMS.get(datatype)
    if short is not None and short.fullmatch(lexical):
        return lexical
    return f"{ox.Literal(lexical)}^^{name(datatype)}"


def shown(term: Node | None) -> str | None:
    """A term as findings and reports show it: an IRI bare, a literal by its lexical form, with
    its datatype in Turtle syntax when it has one other than xsd:string (``"yes"^^xsd:boolean``,
    ``"9"^^xsd:integer``: an ill-typed value reads as what it is), a blank node as ``_:b``."""
    if term is None:
        return None
    if isinstance(term, Literal):
        datatype = term.datatype
        if datatype is None or term.language or str(datatype) == _XSD_STRING:
            return str(term)
        return f"{ox.Literal(str(term))}^^{prefixed_name(str(datatype))}"
    if isinstance(term, URIRef):
        return str(term)
    return term.n3()


class _AsWritten(TurtleSerializer):
    """rdflib's Turtle writer, typed literals as written: its own writes any boolean's lexical
    form bare (``yes``, which does not parse; ``1``, an integer) and rewrites numbers."""

    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal) and node.datatype is not None and not node.language:
            return typed_turtle(str(node), str(node.datatype),
                                lambda iri: self.get_pname(URIRef(iri), False) or f"<{iri}>")
        return super().label(node, position)


def turtle(graph: Graph) -> str:
    """``graph`` as Turtle that reads back as the same terms (``_AsWritten``)."""
    out = io.BytesIO()
    _AsWritten(graph).serialize(out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def sorted_serialization(graph: Graph, media_type: str) -> bytes:
    """``graph`` in ``media_type`` (an RDF one Oxigraph writes), written by Oxigraph in the order
    of its statements' N-Triples (N-Quads) forms, under those of its prefixes and the project's
    it uses: the same graph gives the same bytes in every process. rdflib's writers follow the
    order of its sets, which differs between processes with the hash seed (and its Turtle writer
    writes an ill-typed ``"yes"^^xsd:boolean`` bare, as no Turtle reader reads it); Oxigraph
    writes every literal as it is. Blank nodes keep their labels, so they must be labelled alike
    in every process too. A dataset keeps its graphs in a format of datasets (TriG) and is the
    union of its graphs in one of graphs; a graph is the default graph in a format of datasets."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"no RDF format is written as {media_type}")
    term = _converter()
    if isinstance(graph, Dataset):
        quads = [ox.Quad(term(s), term(p), term(o), _graph_name(g, term)) for s, p, o, g in graph.quads()]
    else:
        quads = [ox.Quad(term(s), term(p), term(o), ox.DefaultGraph()) for s, p, o in graph]
    statements: Iterable = (quads if fmt.supports_datasets
                            else dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    written = sorted((str(statement), statement) for statement in statements)
    text = "\n".join(line for line, _ in written)
    bound = {**{prefix: str(namespace) for prefix, namespace in sorted(graph.namespaces())}, **PREFIXES}
    used = {prefix: namespace for prefix, namespace in bound.items() if f"<{namespace}" in text}
    return ox.serialize([statement for _, statement in written], format=fmt, prefixes=used)


def canonical_blank_nodes(graph: Graph) -> Graph:
    """``graph`` with each blank node labelled by its place in the graph (``rdfc_labelled``), its
    prefixes kept: a parser labels blank nodes at random, so the same file read by two processes
    (an OWL list, say) is written with the same bytes by ``sorted_serialization`` only once they
    are labelled so."""
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return graph
    labelled = Graph()
    for prefix, namespace in graph.namespaces():
        labelled.bind(prefix, namespace, override=True, replace=True)
    for quad in rdfc_labelled(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph):
        labelled.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return labelled


def rdfc_labelled(quads: Iterable[ox.Quad]) -> ox.Dataset:
    """``quads`` with their blank nodes labelled by RDFC-1.0 (``_:c14n0``, ...), the W3C's
    canonical labelling, in Oxigraph: the same statements get the same labels whatever labels
    they were read with. One labelling for the downloads and the documents the server writes."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def _graph_name(name, term: Callable[[Identifier], object]):
    """An rdflib dataset's graph (or its name) as Oxigraph names it: its default graph as the
    default graph."""
    name = getattr(name, "identifier", name)
    return ox.DefaultGraph() if name is None or name == DATASET_DEFAULT_GRAPH_ID else term(name)


def oxigraph_copy(dataset: Dataset) -> ox.Store:
    """An in-memory Oxigraph store holding the dataset's named graphs."""
    store = ox.Store()
    store.bulk_extend(quad for quad, _ in ox_quads(dataset))
    return store


def dataset_from(store: ox.Store) -> Dataset:
    """An rdflib dataset of the store's named graphs (blank node labels kept, empty named graphs
    kept as names), for the consumers that need rdflib: VoID and DCAT on the web, diff, push,
    the rdflib backend, owlrl's fallback."""
    dataset = new_dataset()
    for name in store.named_graphs():
        dataset.graph(from_ox(name))
    for quad in store.quads_for_pattern(None, None, None, None):
        if type(quad.graph_name) is not ox.DefaultGraph:
            dataset.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object),
                         dataset.graph(from_ox(quad.graph_name))))
    return dataset


def line_slices(lines: Iterable[bytes], size: int) -> Iterator[tuple[bytes, bytes]]:
    """N-Triples or N-Quads lines, ``size`` at a time, as (the slice with its lines that hold
    "_:" left empty, those lines with the others left empty): both keep the slice's line count,
    so a parse error's line stays the file's. Oxigraph names blank nodes afresh on each load,
    so a caller loads the first part of each slice as it comes and the blank nodes' lines all
    together (a "_:" in a literal or an IRI only sends its line that slower way)."""
    iterator = iter(lines)
    while batch := list(islice(iterator, size)):
        chunk = b"".join(batch)
        if b"_:" not in chunk:
            yield chunk, b"\n" * len(batch)
        else:
            yield (b"".join(b"\n" if b"_:" in line else line for line in batch),
                   b"".join(line if b"_:" in line else b"\n" for line in batch))
