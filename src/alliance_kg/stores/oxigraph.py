"""The Oxigraph store: the built dataset kept on disk by pyoxigraph (RocksDB), queried with
Oxigraph's compiled SPARQL engine.

``alliance-kg load --store oxigraph:PATH`` parses, infers and validates once and writes the
quads (named graphs as they are, the inferred graph included) into a new folder below PATH;
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
from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from ..errors import InputError
from ..terms import from_ox, ox_quads
from ..sources import new_dataset
from ..namespaces import PREFIXES
from ..query import PreparedQuery, QueryResult
from .base import Selection

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
        "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
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
        self.loaded_at: str = meta.get("loaded_at", "")
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
        return collect(prepared.form, self.evaluate(prepared.text, dataset), max_rows, projection(prepared))

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
            from ..errors import QuerySyntaxError

            raise QuerySyntaxError(str(exc)) from None


def projection(prepared: PreparedQuery) -> list[str] | None:
    """The SELECT variables in rdflib's order, so that every backend lists them alike
    (``SELECT *`` has no order of its own)."""
    names = prepared.query.algebra.get("PV") if prepared.form == "SELECT" else None
    return [str(v) for v in names] if names else None


def collect(form: str, result, max_rows: int | None, variables: list[str] | None = None) -> QueryResult:
    """Oxigraph's result as a ``QueryResult``, reading at most ``max_rows`` (+1 to know)."""
    if form == "ASK":
        return QueryResult(form, boolean=bool(result))
    limit = None if max_rows is None else max_rows + 1
    if form == "SELECT":
        own = [v.value for v in result.variables]
        if variables is None or sorted(variables) != sorted(own):
            variables = own
        rows = []
        for solution in result:
            rows.append(tuple(from_ox(solution[name]) for name in variables))
            if limit is not None and len(rows) >= limit:
                break
        truncated = max_rows is not None and len(rows) > max_rows
        return QueryResult(form, variables=variables, rows=rows[:max_rows] if truncated else rows,
                           truncated=truncated)
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    truncated = False
    for triple in result:
        if max_rows is not None and len(graph) >= max_rows:
            truncated = True
            break
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return QueryResult(form, graph=graph, truncated=truncated)


def open_store(path: Path | str) -> OxigraphStore:
    return OxigraphStore(path)


def load(path: Path | str, paths: Iterable[Path | str] | None = None) -> OxigraphStore:
    """Parse, infer and validate the files (refusing data that does not conform), write them to
    the store at ``path`` and open it."""
    from ..pipeline import load_knowledge_graph

    graph = load_knowledge_graph(list(paths) if paths else None)
    report = {"violations": graph.report.count("Violation"), "warnings": graph.report.count("Warning")}
    write(path, graph.dataset, graph.version, report=report)
    return OxigraphStore(path)
