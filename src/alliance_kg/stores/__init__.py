"""Stores hold the served dataset; the rest of the server talks to them only through ``Store``."""

from __future__ import annotations

from .base import Store
from .memory import MemoryStore

__all__ = ["MemoryStore", "Store"]


def open_configured(settings) -> Store:
    """The store ``settings.store`` names: ``memory`` (parse, infer and validate the data now),
    ``oxigraph:PATH`` (a folder written by ``alliance-kg load``) or ``sparql:URL`` (a remote
    SPARQL 1.1 query endpoint filled by ``alliance-kg push``)."""

    kind, _, where = settings.store.partition(":")
    if kind == "memory" and not where:
        from ..pipeline import load_knowledge_graph

        graph = load_knowledge_graph(settings.data_paths or None)
        return MemoryStore(graph.dataset, graph.version)
    if kind == "oxigraph" and where:
        from .oxigraph import OxigraphStore

        return OxigraphStore(where)
    if kind == "sparql" and where:
        from .sparql import SparqlStore

        return SparqlStore(where, timeout=settings.query_timeout)
    raise ValueError(f"store {settings.store!r}: use memory, oxigraph:PATH or sparql:URL")
