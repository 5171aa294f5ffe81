"""What every store backend takes, what it gives back, and the ``Store`` interface itself.

``PreparedQuery`` (made by ``query.prepare``) and ``QueryResult`` live here, below the query
layer, because they are the store's contract: a backend evaluates a prepared query and answers
a backend-neutral result, without knowing who asked. The helpers at the end are the parts of
that contract every backend applies alike (the row cap, the order of SELECT variables).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterable, Protocol, Sequence, runtime_checkable

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier

from ..rdf import bind_prefixes

#: (default graphs, named graphs) chosen by the protocol or FROM clauses; None = the store's own.
Selection = tuple[Sequence[URIRef], Sequence[URIRef]] | None


@dataclass(frozen=True)
class PreparedQuery:
    """A parsed query that passed the safety walk, ready for a store.

    ``query`` has its dataset clause removed: the graphs it named are kept in ``from_default``
    and ``from_named`` and are resolved against the store, never by rdflib.
    """

    text: str
    form: str
    query: Query
    from_default: tuple[URIRef, ...] = ()
    from_named: tuple[URIRef, ...] = ()

    @property
    def projection(self) -> list[str] | None:
        """The SELECT variables in rdflib's order, so that every backend lists them alike
        (``SELECT *`` has no order of its own)."""
        names = self.query.algebra.get("PV") if self.form == "SELECT" else None
        return [str(v) for v in names] if names else None


@dataclass
class QueryResult:
    """A backend-neutral result: rows for SELECT, a boolean for ASK, a graph otherwise."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Identifier | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False


@runtime_checkable
class Store(Protocol):
    """A read-only, versioned dataset that answers prepared queries (in memory with rdflib,
    on disk with Oxigraph, or a remote SPARQL service)."""

    #: The whole dataset (for dumps and VoID); default graph = union of the named graphs.
    dataset: Dataset
    #: Content hash of the data; changes exactly when the data does (ETags).
    version: str

    def graph_names(self) -> set[URIRef]:
        """IRIs of the named graphs, the only graphs a query may select."""
        ...

    def triple_count(self) -> int:
        """Number of distinct triples in the default (union) graph."""
        ...

    def query(self, prepared: PreparedQuery, *, dataset: Selection = None,
              max_rows: int | None = None) -> QueryResult:
        """Evaluate ``prepared`` on the whole dataset or on ``dataset``'s selection of graphs."""
        ...


def ordered_variables(prepared: PreparedQuery, own: list[str]) -> list[str]:
    """The SELECT variables in the prepared query's order when the engine's own list holds the
    same names (engines order ``SELECT *`` differently), else the engine's own."""
    wanted = prepared.projection
    return wanted if wanted is not None and sorted(wanted) == sorted(own) else own


def select_result(variables: list[str], rows: Iterable[tuple], max_rows: int | None) -> QueryResult:
    """A SELECT result of at most ``max_rows`` rows, reading one more to know it was cut."""
    limit = None if max_rows is None else max_rows + 1
    taken = list(itertools.islice(rows, limit))
    truncated = max_rows is not None and len(taken) > max_rows
    return QueryResult("SELECT", variables=variables, rows=taken[:max_rows] if truncated else taken,
                       truncated=truncated)


def graph_result(form: str, triples: Iterable[tuple], max_rows: int | None) -> QueryResult:
    """A CONSTRUCT/DESCRIBE result of at most ``max_rows`` distinct triples, prefixes bound."""
    if isinstance(triples, Graph) and (max_rows is None or len(triples) <= max_rows):
        return QueryResult(form, graph=bind_prefixes(triples))  # the engine's own graph, uncut
    graph = bind_prefixes(Graph())
    truncated = False
    for triple in triples:
        if max_rows is not None and len(graph) >= max_rows and triple not in graph:
            truncated = True
            break
        graph.add(triple)
    return QueryResult(form, graph=graph, truncated=truncated)
