"""A built graph at rest, and writing to one: the stores the server queries (rdflib in memory,
Oxigraph on disk, a remote SPARQL service) behind one ``Store`` interface, the writers that
fill them (``oxigraph.write``, ``push``), and the graph as files (``dumps``, ``void``).

Stores are handed a graph someone else built; nothing here parses, infers or validates.
"""

from __future__ import annotations

from .base import PreparedQuery, QueryResult, Selection, Store
from .memory import MemoryStore

__all__ = ["MemoryStore", "PreparedQuery", "QueryResult", "Selection", "Store"]
