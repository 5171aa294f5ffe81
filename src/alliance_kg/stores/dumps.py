"""The built graph at rest as files: the bulk downloads (TriG, N-Quads, Turtle, JSON-LD).

Dumps name the canonical IRIs under ``BASE`` (never the host a server runs on), so a dump
downloaded from any mirror describes itself the same way.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from ..namespaces import INFERRED_GRAPH
from ..rdf import bind_prefixes
from .void import void_graph

#: file name -> (rdflib format, media type, what it holds)
DUMPS: dict[str, tuple[str, str, str]] = {
    "alliance-kg.trig": ("trig", "application/trig", "all named graphs, asserted and inferred"),
    "alliance-kg.nq": ("nquads", "application/n-quads", "all named graphs, asserted and inferred"),
    "alliance-kg.ttl": ("turtle", "text/turtle", "asserted triples only, as one graph"),
    "alliance-kg.jsonld": ("json-ld", "application/ld+json", "all named graphs, asserted and inferred"),
}


def asserted_graph(dataset: Dataset) -> Graph:
    """Every asserted triple (all named graphs except the inferred one) as one graph."""
    graph = bind_prefixes(Graph())
    for context in dataset.graphs():
        if context.identifier != INFERRED_GRAPH:
            for triple in context:
                graph.add(triple)
    return graph


def dump(dataset: Dataset, name: str) -> bytes:
    """The bytes of one of ``DUMPS``."""
    fmt = DUMPS[name][0]
    if fmt == "turtle":
        return asserted_graph(dataset).serialize(format="turtle", encoding="utf-8")
    bind_prefixes(dataset)
    return dataset.serialize(format=fmt, encoding="utf-8")


def write_all(dataset: Dataset, out: Path) -> list[Path]:
    """Write every dump and ``void.ttl`` into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in DUMPS:
        path = out / name
        path.write_bytes(dump(dataset, name))
        written.append(path)
    void = out / "void.ttl"
    void.write_bytes(void_graph(dataset, DUMPS).serialize(format="turtle", encoding="utf-8"))
    written.append(void)
    return written

