"""The Oxigraph store: the built dataset kept on disk by pyoxigraph (RocksDB), queried with
Oxigraph's compiled SPARQL engine.

``alliance-kg load --store oxigraph:PATH`` has the graph parsed, inferred and validated once
(by the build layer) and ``write`` puts the quads (named graphs as they are, the inferred graph included) into a new folder below PATH;
``serve --store oxigraph:PATH`` then opens that folder read-only and starts at once, without
parsing a file. Layout::

    PATH/alliance-kg.json       which folder is current, its version, graphs and size
    PATH/data-<version>-<n>/    one RocksDB database per load

A load writes a new folder and then replaces ``alliance-kg.json`` atomically, so a running
server keeps reading the folder it opened until it reloads; the folder before that is kept
for its in-flight requests, older ones are removed.

The SPARQL default graph is the union of the named graphs, as in the memory store. Oxigraph's
own union mode repeats a triple held by two graphs; where the data has such triples the load
also writes the distinct union into Oxigraph's default graph and queries use that instead.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from ..errors import InputError, QuerySyntaxError
from ..rdf import from_ox, new_dataset, ox_quads, utc_timestamp
from .base import PreparedQuery, QueryResult, Selection, graph_result, ordered_variables, select_result

META = "alliance-kg.json"


# -- writing ----------------------------------------------------------------------------------

def write(path: Path | str, dataset: Dataset, version: str, *, report: dict | None = None) -> Path:
    """Write ``dataset`` (already inferred and validated) as the current data of the store at
    ``path``; returns the new data folder. The previous folder is kept, older ones removed."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    previous = _read_meta(root)
    folder = root / f"data-{version}-{time.time_ns()}"
    store = ox.Store(str(folder))
    graphs: dict[str, int] = {}
    total = 0

    union: dict[tuple, ox.Quad] = {}

    def convert() -> Iterator[ox.Quad]:
        nonlocal total
        for quad, (s, p, o, g) in ox_quads(dataset):
            total += 1
            union.setdefault((s, p, o), quad)
            graphs[str(g)] = graphs.get(str(g), 0) + 1
            yield quad

    store.bulk_extend(convert())
    materialised = len(union) != total
    if materialised:  # some triple is in two graphs: keep a distinct union as the default graph
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in union.values())
    store.flush()
    store.optimize()
    del store
    meta = {
        "folder": folder.name,
        "version": version,
        "loaded_at": utc_timestamp(),
        "triples": len(union),
        "quads": total,
        "graphs": dict(sorted(graphs.items())),
        "union_materialised": materialised,
        "report": report or {},
    }
    scratch = root / (META + ".tmp")
    scratch.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    os.replace(scratch, root / META)
    keep = {folder.name, previous.get("folder")}
    for old in root.glob("data-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    return folder


def _read_meta(root: Path) -> dict:
    try:
        return json.loads((root / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable store description ({exc})", path=str(root / META)) from None


# -- reading ----------------------------------------------------------------------------------

class OxigraphStore:
    """A store folder written by ``write``, opened read-only.

    Worker processes are forked from the server (see ``executor``); a RocksDB handle must not
    cross a fork, so each process opens its own handle on first use.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        meta = _read_meta(self.path)
        if not meta:
            raise InputError("no Oxigraph store here (run `alliance-kg load --store oxigraph:PATH` first)",
                             path=str(self.path))
        self.meta = meta
        self.folder = self.path / meta["folder"]
        self.version: str = meta["version"]
        self._names = {URIRef(g) for g in meta["graphs"]}
        self._union_mode = not meta.get("union_materialised", False)
        self._pid = -1
        self._store: ox.Store | None = None
        self._dataset: Dataset | None = None
        self._handle()  # fail now, not on the first query, if the folder is unusable

    @staticmethod
    def current_version(path: Path | str) -> str | None:
        """The version ``load`` last wrote at ``path`` (cheap: reads the description only)."""
        return _read_meta(Path(path)).get("version")

    def _handle(self) -> ox.Store:
        if self._store is None or self._pid != os.getpid():
            try:
                self._store = ox.Store.read_only(str(self.folder))
            except OSError as exc:
                raise InputError(f"cannot open the Oxigraph store ({exc})", path=str(self.folder)) from None
            self._pid = os.getpid()
        return self._store

    @property
    def dataset(self) -> Dataset:
        """The whole dataset as rdflib (dumps, VoID); read from disk on first use only."""
        if self._dataset is None:
            dataset = new_dataset()
            for quad in self._handle().quads_for_pattern(None, None, None, None):
                if isinstance(quad.graph_name, ox.DefaultGraph):
                    continue
                dataset.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object),
                             dataset.graph(URIRef(quad.graph_name.value))))
            self._dataset = dataset
        return self._dataset

    def graph_names(self) -> set[URIRef]:
        return set(self._names)

    def triple_count(self) -> int:
        return int(self.meta["triples"])

    def query(self, prepared: PreparedQuery, *, dataset: Selection = None,
              max_rows: int | None = None) -> QueryResult:
        return collect(prepared, self.evaluate(prepared.text, dataset), max_rows)

    def evaluate(self, text: str, dataset: Selection = None):
        """Oxigraph's own result object for ``text`` on the store or a selection of graphs.

        The dataset is always passed explicitly, so FROM clauses in the text never pick graphs
        by themselves (the caller has resolved them against ``graph_names``)."""
        store = self._handle()
        try:
            if dataset is None:
                if self._union_mode:
                    return store.query(text, use_default_graph_as_union=True)
                return store.query(text, default_graph=ox.DefaultGraph(),
                                   named_graphs=[ox.NamedNode(g) for g in self._names])
            default, named = dataset
            return store.query(text, default_graph=[ox.NamedNode(str(g)) for g in default],
                               named_graphs=[ox.NamedNode(str(g)) for g in named])
        except SyntaxError as exc:  # rdflib accepted it: Oxigraph's grammar differs here
            raise QuerySyntaxError(str(exc)) from None


def collect(prepared: PreparedQuery, result, max_rows: int | None) -> QueryResult:
    """Oxigraph's result as a ``QueryResult``, reading at most ``max_rows`` (+1 to know)."""
    if prepared.form == "ASK":
        return QueryResult(prepared.form, boolean=bool(result))
    if prepared.form == "SELECT":
        variables = ordered_variables(prepared, [v.value for v in result.variables])
        rows = (tuple(from_ox(solution[name]) for name in variables) for solution in result)
        return select_result(variables, rows, max_rows)
    triples = ((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in result)
    return graph_result(prepared.form, triples, max_rows)
