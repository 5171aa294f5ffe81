"""The built graph at rest as files: the bulk downloads (TriG, N-Quads, Turtle, JSON-LD),
written by Oxigraph's serializers.

Dumps name the canonical IRIs under ``BASE`` (never the host a server runs on), so a dump
downloaded from any mirror describes itself the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterable

import pyoxigraph as ox
from rdflib import Dataset

from ..errors import unwritable
from ..namespaces import INFERRED_GRAPH, PREFIXES
from ..rdf import ox_quads
from .void import void_graph

#: file name -> (Oxigraph format, media type, what it holds)
DUMPS: dict[str, tuple[ox.RdfFormat, str, str]] = {
    "alliance-kg.trig": (ox.RdfFormat.TRIG, "application/trig", "all named graphs, asserted and inferred"),
    "alliance-kg.nq": (ox.RdfFormat.N_QUADS, "application/n-quads", "all named graphs, asserted and inferred"),
    "alliance-kg.ttl": (ox.RdfFormat.TURTLE, "text/turtle", "asserted triples only, as one graph"),
    "alliance-kg.jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json", "all named graphs, asserted and inferred"),
}
_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))


def quads_of(store) -> Iterable[ox.Quad]:
    """The named graphs' quads of a store: its own where it is Oxigraph, else converted."""
    own = getattr(store, "named_quads", None)
    return own() if own is not None else (quad for quad, _ in ox_quads(store.dataset))


def dump(quads: Iterable[ox.Quad], name: str) -> bytes:
    """The bytes of one of ``DUMPS`` (Turtle holds one graph: the distinct asserted triples)."""
    fmt = DUMPS[name][0]
    if not fmt.supports_datasets:
        triples = dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name != _INFERRED)
        return ox.serialize(list(triples), format=fmt, prefixes=PREFIXES)
    return ox.serialize(quads, format=fmt, prefixes=PREFIXES)


def dump_store(store: ox.Store, name: str, output: BinaryIO) -> None:
    """One of ``DUMPS`` written by Oxigraph straight from a store, so no quad becomes a Python
    object: the dataset formats by ``Store.dump``, Turtle as each asserted graph's
    ``Store.dump`` in turn, under a comment naming it. A triple two graphs hold is then written
    twice, which a Turtle file may do (it is still one triple of the graph); made distinct by a
    query instead, the 1M graph's triples took 750 MB and four times as long. Where the default
    graph holds the materialised union (small data), from the named graphs' quads instead."""
    if next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None:
        output.write(dump((q for q in store.quads_for_pattern(None, None, None, None)
                           if type(q.graph_name) is not ox.DefaultGraph), name))
        return
    fmt = DUMPS[name][0]
    if fmt.supports_datasets:
        store.dump(output, format=fmt, prefixes=PREFIXES)
        return
    for graph in sorted((g for g in store.named_graphs() if g != _INFERRED), key=str):
        output.write(f"# graph {graph}\n".encode())
        store.dump(output, format=fmt, from_graph=graph, prefixes=PREFIXES)


def write_dump(store, name: str, output: BinaryIO) -> None:
    """One of ``DUMPS`` of a served store into ``output``: by Oxigraph from its own store where
    it has one (``dump``, no quad held), else from its quads."""
    own = getattr(store, "dump", None)
    if own is not None:
        own(name, output)
    else:
        output.write(dump(quads_of(store), name))


def write_all(source: Dataset | ox.Store, out: Path) -> list[Path]:
    """Write every dump and ``void.ttl`` into ``out``; returns the files written. ``source``
    is the built graph: an rdflib dataset, or the Oxigraph store it was built in (written and
    counted by Oxigraph, without an rdflib copy). A file or folder that cannot be written is an
    ``InputError`` naming it."""
    try:
        return _write_all(source, out)
    except OSError as exc:
        raise unwritable(exc) from None


def _write_all(source: Dataset | ox.Store, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    quads = [quad for quad, _ in ox_quads(source)] if isinstance(source, Dataset) else []
    written = []
    for name in DUMPS:
        path = out / name
        if isinstance(source, ox.Store):
            with path.open("wb") as output:
                dump_store(source, name, output)
        else:
            path.write_bytes(dump(quads, name))
        written.append(path)
    del quads
    void = out / "void.ttl"
    void.write_bytes(void_graph(source, DUMPS).serialize(format="turtle", encoding="utf-8"))
    written.append(void)
    return written
