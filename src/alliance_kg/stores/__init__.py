"""A built graph at rest, and writing to one: the stores the server queries (Oxigraph in memory
or on disk, rdflib, a remote SPARQL service) behind one ``Store`` interface, the writers that
fill them (``oxigraph.write``, ``push``), and the graph as files (``dumps``, ``void``).

Stores are handed a graph someone else built; nothing here parses, infers or validates.
"""

from __future__ import annotations

from .base import NativeAnswers, PreparedQuery, QueryResult, Selection, Store
from .oxigraph import InMemoryOxigraphStore, OxigraphStore
from .rdflib_store import RdflibStore

__all__ = ["InMemoryOxigraphStore", "NativeAnswers", "OxigraphStore", "PreparedQuery", "QueryResult",
           "RdflibStore", "Selection", "Store"]
