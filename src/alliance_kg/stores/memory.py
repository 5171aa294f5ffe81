"""The rdflib in-memory store: the dataset the pipeline loaded, queried with rdflib's engine.

rdflib's own handling of a dataset clause loads any graph it does not hold (from the network or
disk), so a selected dataset is built here as a fresh, in-memory view of graphs that exist, and
the query reaching rdflib never carries a dataset clause.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from .base import PreparedQuery, QueryResult, Selection, graph_result, select_result

#: Views per selection kept by one process (building one copies the selected graphs).
VIEW_CACHE_SIZE = 16


class MemoryStore:
    """A loaded rdflib ``Dataset`` (``default_union=True``) and its version."""

    def __init__(self, dataset: Dataset, version: str):
        self.dataset = dataset
        self.version = version
        self._names = {
            c.identifier for c in dataset.graphs()
            if isinstance(c.identifier, URIRef) and c.identifier != DATASET_DEFAULT_GRAPH_ID
        }
        self._count = len(set(dataset.triples((None, None, None))))
        self._views: OrderedDict[tuple, Dataset] = OrderedDict()

    def graph_names(self) -> set[URIRef]:
        return set(self._names)

    def triple_count(self) -> int:
        return self._count

    def query(self, prepared: PreparedQuery, *, dataset: Selection = None,
              max_rows: int | None = None) -> QueryResult:
        target = self.dataset if dataset is None else self._view(*dataset)
        result = target.query(prepared.query)
        return _collect(prepared.form, result, max_rows)

    def _view(self, default_graphs: Sequence[URIRef], named_graphs: Sequence[URIRef]) -> Dataset:
        """A dataset whose default graph merges ``default_graphs`` and whose named graphs are
        ``named_graphs`` — copies of graphs this store holds, nothing else."""
        key = (tuple(default_graphs), tuple(named_graphs))
        if key in self._views:
            self._views.move_to_end(key)
            return self._views[key]
        view = Dataset(default_union=False)
        for name in default_graphs:
            for triple in self.dataset.graph(name) if name in self._names else ():
                view.default_graph.add(triple)
        for name in named_graphs:
            if name in self._names:
                target = view.graph(name)
                for triple in self.dataset.graph(name):
                    target.add(triple)
        self._views[key] = view
        while len(self._views) > VIEW_CACHE_SIZE:
            self._views.popitem(last=False)
        return view


def _collect(form: str, result, max_rows: int | None) -> QueryResult:
    """rdflib's result as a ``QueryResult``, reading at most ``max_rows`` rows (+1 to know)."""
    if form == "ASK":
        return QueryResult(form, boolean=bool(result.askAnswer))
    if form == "SELECT":
        return select_result([str(v) for v in result.vars or ()], (tuple(row) for row in result), max_rows)
    return graph_result(form, result.graph, max_rows)
