"""A built graph at rest, and writing to one: the stores the server queries (Oxigraph in memory
or on disk, rdflib, a remote SPARQL service) behind one ``Store`` interface, the writers that
fill them (``oxigraph.write``, ``push``), and the graph as files (``dumps``, ``void``).

Stores are handed a graph someone else built; nothing here parses, infers or validates.
"""

from __future__ import annotations

from ..settings import StoreSpec
from .base import NativeAnswers, PreparedQuery, QueryResult, Selection, Store
from .oxigraph import InMemoryOxigraphStore, OxigraphStore
from .rdflib_store import RdflibStore

__all__ = ["InMemoryOxigraphStore", "NativeAnswers", "OxigraphStore", "PreparedQuery", "QueryResult",
           "RdflibStore", "Selection", "Store", "open_built"]


def open_built(spec: StoreSpec, *, timeout: float) -> Store | None:
    """The store ``spec`` names if it holds a graph built before: an Oxigraph folder
    (``oxigraph:PATH``, written by ``alliance-kg load``) or a SPARQL 1.1 query endpoint
    (``sparql:URL``, filled by ``alliance-kg push``; asked with ``timeout``); ``None`` for the
    kinds built from the files now (``memory``, ``rdflib``), which only the caller can build.
    The server and ``alliance-kg query`` open them alike."""
    if spec.kind == "oxigraph":
        return OxigraphStore(spec.where)
    if spec.kind == "sparql":
        from .sparql import SparqlStore  # requests, only for a remote store

        return SparqlStore(spec.where, timeout=timeout)
    return None
