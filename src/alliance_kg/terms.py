"""One mapping between rdflib's terms and pyoxigraph's, for every place that hands data from
one library to the other (the Oxigraph store, the fast N-Triples/N-Quads reader, the checks)."""

from __future__ import annotations

import pyoxigraph as ox
from typing import Iterator

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

_XSD_STRING = str(XSD.string)


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
    """A pyoxigraph term as an rdflib term (``None`` stays ``None``: an unbound variable)."""
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return URIRef(term.value)
    if kind is ox.Literal:
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if kind is ox.BlankNode:
        return BNode(term.value)
    raise TypeError(f"unsupported term {term!r}")  # RDF-star triples: not in our data


def ox_quads(dataset: Dataset) -> Iterator[tuple[ox.Quad, tuple[Identifier, Identifier, Identifier, URIRef]]]:
    """The named graphs' quads as Oxigraph quads (each distinct term converted once), each with
    the rdflib quad it came from; the default graph of an rdflib Dataset is left out."""
    cache: dict[Identifier, object] = {}

    def term(node: Identifier):
        converted = cache.get(node)
        if converted is None:
            converted = cache[node] = to_ox(node)
        return converted

    from .sources import named_quads  # sources reads files with from_ox: import it late

    for s, p, o, name in named_quads(dataset):
        yield ox.Quad(term(s), term(p), term(o), term(name)), (s, p, o, name)
