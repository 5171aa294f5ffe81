"""The interface every store backend offers (in-memory rdflib now; Oxigraph or a remote SPARQL
service later). Kept small and free of rdflib evaluation details so that the executor's
worker can call ``store.query`` without knowing which backend it talks to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Sequence, runtime_checkable

from rdflib import Dataset, URIRef

if TYPE_CHECKING:
    from ..query import PreparedQuery, QueryResult

#: (default graphs, named graphs) chosen by the protocol or FROM clauses; None = the store's own.
Selection = tuple[Sequence[URIRef], Sequence[URIRef]] | None


@runtime_checkable
class Store(Protocol):
    """A read-only, versioned dataset that answers prepared queries."""

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

    def query(self, prepared: "PreparedQuery", *, dataset: Selection = None,
              max_rows: int | None = None) -> "QueryResult":
        """Evaluate ``prepared`` on the whole dataset or on ``dataset``'s selection of graphs."""
        ...
