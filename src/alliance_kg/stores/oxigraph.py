"""The Oxigraph stores: the built dataset in pyoxigraph, in memory (the embedded default,
``--store memory``) or on disk (RocksDB, ``--store oxigraph:PATH``), queried with Oxigraph's
compiled SPARQL engine. Answers to clients are written by Oxigraph too (``answer``): a SELECT is
capped in the engine (its LIMIT rewritten to the row cap plus one) and serialised in Rust, so no
term becomes a Python object on the way.

``alliance-kg load --store oxigraph:PATH`` has the graph parsed, inferred and validated once
(by the build layer) while ``Writing`` puts the quads (named graphs as they are, the inferred
graph included) into a new folder below PATH; ``serve --store oxigraph:PATH`` then opens that
folder read-only and starts at once, without parsing a file. Layout::

    PATH/alliance-kg.json       which folder is current, its version, graphs and size
    PATH/data-<version>-<n>/    one RocksDB database per load
    PATH/loading-<pid>-<n>/     a load being written by process pid (renamed data-... once complete)

A load writes a new folder and then replaces ``alliance-kg.json`` atomically, so a running
server keeps reading the folder it opened until it reloads; the folder before that is kept
for its in-flight requests, older ones (and what a killed load left) are removed.

The SPARQL default graph is the union of the named graphs, as in the memory store. Oxigraph's
own union mode repeats a triple held by two graphs; where the data has such triples the load
also writes the distinct union into Oxigraph's default graph and queries use that instead.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import threading
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO, Iterator

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..errors import InputError, QuerySyntaxError, no_room
from ..namespaces import PREFIXES, QUERY_BASE
from ..scratch import owner_alive, owner_pid, remove_with
from ..rdf import dataset_from, from_ox, line_slices, ox_quads, utc_timestamp
from .base import Deferred, PreparedQuery, QueryResult, Selection, graph_result, ordered_variables, select_result
from . import dumps
from .void import Counts

log = logging.getLogger(__name__)

META = "alliance-kg.json"


# -- writing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filled:
    """What ``fill`` put into a store."""

    graphs: dict[str, int]
    quads: int
    triples: int
    #: True when some triple is in two graphs and the distinct union was written as the default graph.
    union_materialised: bool


def fill(store: ox.Store, dataset: Dataset) -> Filled:
    """Copy the dataset's named graphs into ``store``. The SPARQL default graph is their union;
    Oxigraph's own union mode repeats a triple held by two graphs, so where the data has such
    triples the distinct union is also written into Oxigraph's default graph. An empty named
    graph of the dataset is kept as a name (Oxigraph holds no graph without quads)."""
    graphs: dict[str, int] = {str(c.identifier): 0 for c in dataset.graphs()
                              if isinstance(c.identifier, URIRef) and c.identifier != DATASET_DEFAULT_GRAPH_ID}
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
    if materialised:
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in union.values())
    return Filled(dict(sorted(graphs.items())), total, len(union), materialised)


def counted(store: ox.Store) -> Filled:
    """``fill``'s description of a store the graph was built in (``build.loading``), counted by
    Oxigraph, the store unchanged (``union_materialised``: whether the distinct union must be
    written as the default graph, some triple being in two graphs)."""
    graphs = {str(g.value): 0 for g in store.named_graphs() if type(g) is ox.NamedNode}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graphs[row["g"].value] = int(row["n"].value)
    quads = sum(graphs.values())
    triples = int(next(iter(store.query(_DISTINCT_COUNT)))["n"].value)
    return Filled(dict(sorted(graphs.items())), quads, triples, triples != quads)


_DISTINCT_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
_DISTINCT_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"


def adopt(store: ox.Store) -> Filled:
    """``counted``, with the distinct union written into the store's default graph where needed,
    as ``fill`` does: for a built store that is served as it is."""
    filled = counted(store)
    if filled.union_materialised:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return filled


def _unwritable(exc: Exception, root: Path, *, temporary: bool = False) -> InputError:
    reason = (getattr(exc, "strerror", None) or str(exc)).split(": While ", 1)[0].removeprefix("IO error: ")
    if temporary:  # a served graph's scratch copy (``app.load``): nothing was there before it
        return no_room("the temporary store that a graph this large is served from", reason, root)
    return InputError(f"cannot write the store ({reason}); the previous data is untouched", path=str(root))


def write(path: Path | str, source: Dataset | ox.Store, version: str, *, report: dict | None = None) -> Path:
    """Write ``source`` (already inferred and validated: an rdflib dataset, or the Oxigraph store
    it was built in) as the current data of the store at ``path``; returns the new data folder.
    The previous folder is kept, older ones removed."""
    if isinstance(source, ox.Store):
        with Writing(path) as writing:
            writing.finish(source)
            return writing.commit(version, report)
    root = Path(path)
    folder = _new_folder(root, f"data-{version}")
    try:
        store = ox.Store(str(folder))
        filled = fill(store, source)
        store.flush()
        store.optimize()
        del store
    except (OSError, RuntimeError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise _unwritable(exc, root) from None
    return _switch(root, folder, filled, version, report)


#: Quads per call of Oxigraph's bulk loader, which holds what it is given in memory (about 1 KB
#: a quad): files go in by slices of whole lines (at 1M: 180 MB instead of 1 GB, and no slower,
#: 6.6 s against 8 s in one call). Each call names blank nodes afresh, so the lines that hold
#: one are kept aside and loaded together, in the last call.
BULK_QUADS = 100_000


class Writing:
    """A new data folder below ``path``, filled in a background thread while the caller goes on
    (Oxigraph's bulk loading, counting and dumping release the interpreter): ``alliance-kg load``
    hands it the asserted quads as soon as they are parsed (``begin``), and the built store
    once inferred (``finish``), then validates meanwhile. The built store is only read. Nothing
    reads the folder until ``commit`` names it and makes it current; ``abandon``, or leaving the
    ``with`` block on an error (data that does not conform, an interrupt), stops the filling
    after the slice being loaded and removes the folder."""

    def __init__(self, path: Path | str, *, temporary: bool = False):
        self.root, self.temporary = Path(path), temporary
        self.folder = _new_folder(self.root, f"loading-{os.getpid()}", temporary=temporary)
        self.filled: Filled | None = None
        self._store: ox.Store | None = None
        self._blank = self.root / f"staged-{os.getpid()}-{time.time_ns()}-blank.nq"  # lines naming a blank node
        self._tasks: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    def begin(self, path: Path, rdf_format: ox.RdfFormat = ox.RdfFormat.N_QUADS, graph: str | None = None) -> None:
        """Load the N-Quads or N-Triples file at ``path``, its statements without a graph into
        ``graph``: Oxigraph's own N-Quads (``build.loading``'s as-written copy), or lines of a
        data file that name no blank node. Opened now, so it may be removed once this returns."""
        into = ox.NamedNode(graph) if graph else None
        self._tasks.put(lambda handle=path.open("rb"): self._load(handle, rdf_format, into))

    def finish(self, source: ox.Store, graph: str | None = None) -> None:
        """The built store, the whole of the data: counted for the description, and its quads
        written, those of ``graph`` only when the rest came through ``begin``."""
        self._tasks.put(lambda: self._finish(source, graph))

    def _run(self) -> None:
        while (task := self._tasks.get()) is not None:
            if self._error is None and not self._stop.is_set():
                try:
                    task()
                except Exception as exc:  # reported by commit, in the caller's thread
                    self._error = exc.with_traceback(None)  # no frame keeps the new store open
        self._blank.unlink(missing_ok=True)
        self._store = None  # closes the RocksDB database before the folder is renamed

    def _disk(self) -> ox.Store:
        if self._store is None:
            self._store = ox.Store(str(self.folder))
        return self._store

    def _load(self, handle: BinaryIO, rdf_format: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        """N-Quads, or N-Triples into ``graph`` (default: the default graph), in slices; the
        lines naming a blank node (or holding "_:" in a literal: harmless) go aside as N-Quads
        (only Oxigraph's own N-Quads hold blank nodes here, each line with its graph)."""
        into = {"to_graph": graph} if graph is not None else {}
        with handle:
            for chunk, blank in line_slices(handle, BULK_QUADS):
                if self._stop.is_set():
                    return
                if blank.strip():
                    with self._blank.open("ab") as aside:
                        aside.writelines(_as_quad(line, rdf_format, graph) for line in blank.splitlines(True) if line.strip())
                self._disk().bulk_load(chunk, format=rdf_format, lenient=True, **into)  # Oxigraph's own output

    def _finish(self, source: ox.Store, graph: str | None) -> None:
        filled = counted(source)
        dump = self.root / f"staged-{os.getpid()}-{time.time_ns()}.nq"
        try:
            if graph:
                source.dump(str(dump), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
                self._load(dump.open("rb"), ox.RdfFormat.N_TRIPLES, ox.NamedNode(graph))
            else:
                source.dump(str(dump), format=ox.RdfFormat.N_QUADS)
                self._load(dump.open("rb"), ox.RdfFormat.N_QUADS)
            if filled.union_materialised:
                source.query(_DISTINCT_UNION).serialize(str(dump), format=ox.RdfFormat.N_TRIPLES)
                self._load(dump.open("rb"), ox.RdfFormat.N_TRIPLES)  # into the default graph
        finally:
            dump.unlink(missing_ok=True)
        if self._stop.is_set():
            return
        store = self._disk()
        if self._blank.exists():  # every blank node's quads in one call: one node stays one node
            store.bulk_load(path=str(self._blank), format=ox.RdfFormat.N_QUADS, lenient=True)
        expected = filled.quads + (filled.triples if filled.union_materialised else 0)
        if len(store) != expected:  # the built store changed beyond ``graph`` after ``begin``
            raise RuntimeError(f"wrote {len(store)} quads of {expected}")
        store.flush()
        store.optimize()
        self.filled = filled

    def commit(self, version: str, report: dict | None = None) -> Path:
        """Wait for the folder to be filled, name it for ``version`` and make it current."""
        self._tasks.put(None)
        self._thread.join()
        if self._error is not None or self.filled is None:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise _unwritable(self._error or RuntimeError("nothing to write"), self.root,
                              temporary=self.temporary) from None
        folder = _new_folder(self.root, f"data-{version}", temporary=self.temporary)
        try:
            os.rename(self.folder, folder)
        except OSError as exc:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise _unwritable(exc, self.root, temporary=self.temporary) from None
        return _switch(self.root, folder, self.filled, version, report, temporary=self.temporary)

    def abandon(self) -> None:
        """Stop filling and remove the folder."""
        self._stop.set()
        self._tasks.put(None)
        self._thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Writing":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self.abandon()


def _as_quad(line: bytes, rdf_format: ox.RdfFormat, graph: ox.NamedNode | None) -> bytes:
    """An N-Triples line of Oxigraph's (``s p o .``) as the N-Quads line placing it in ``graph``
    (an N-Quads line, or a triple of the default graph, as it is)."""
    if rdf_format != ox.RdfFormat.N_TRIPLES or graph is None:
        return line
    return line.rstrip()[:-1] + f"{graph} .\n".encode()


def _new_folder(root: Path, prefix: str = "data", *, temporary: bool = False) -> Path:
    """A fresh folder name below ``root`` (created, with its parents)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(exc, root, temporary=temporary) from None
    return root / f"{prefix}-{time.time_ns()}"


def _switch(root: Path, folder: Path, filled: Filled, version: str, report: dict | None, *,
            temporary: bool = False) -> Path:
    """Make the filled ``folder`` current (one rename of the description, after everything is on
    disk), keep the folder before it for in-flight requests and remove older ones."""
    previous = _read_meta(root)
    scratch = root / (META + ".tmp")
    meta = {
        "folder": folder.name,
        "version": version,
        "loaded_at": utc_timestamp(),
        "triples": filled.triples,
        "quads": filled.quads,
        "graphs": filled.graphs,
        "union_materialised": filled.union_materialised,
        "report": report or {},
    }
    try:
        scratch.write_text(json.dumps(meta, indent=2), encoding="utf-8")
        os.replace(scratch, root / META)
    except OSError as exc:  # a full disk, a read-only folder: what is served stays
        shutil.rmtree(folder, ignore_errors=True)
        scratch.unlink(missing_ok=True)
        raise _unwritable(exc, root, temporary=temporary) from None
    keep = {folder.name, previous.get("folder")}
    for old in [*root.glob("data-*"), *filter(_abandoned, root.glob("loading-*"))]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in filter(_abandoned, root.glob("staged-*.nq")):
        leftover.unlink(missing_ok=True)
    return folder


def _abandoned(path: Path) -> bool:
    """A ``loading-<pid>-…`` folder or ``staged-<pid>-…`` file left by a load that died (or by
    this process's own, which are done by now), not one another load is writing meanwhile."""
    owner = owner_pid(path.name, path.name.split("-")[0] + "-")  # None in an older name (a time): abandoned
    return owner is None or owner == os.getpid() or not owner_alive(owner)


def _read_meta(root: Path) -> dict:
    try:
        return json.loads((root / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable store description ({exc})", path=str(root / META)) from None


# -- reading ----------------------------------------------------------------------------------

class OxigraphEngine:
    """Queries and answers on a pyoxigraph store; subclasses say where the store is."""

    version: str
    _names: set[URIRef]
    _union_mode: bool

    def _handle(self) -> ox.Store:
        raise NotImplementedError

    def graph_names(self) -> set[URIRef]:
        return set(self._names)

    def counts(self) -> Counts:
        """VoID's counts, by Oxigraph on the store itself (no rdflib copy)."""
        return Counts.of_store(self._handle())

    def write_nquads(self, output: BinaryIO) -> None:
        """The canonical N-Quads every dump is written from (``dumps.write_canonical``), by
        Oxigraph from the store itself: no quad becomes a Python object."""
        dumps.write_canonical(self._handle(), output)

    def query(self, prepared: PreparedQuery, *, dataset: Selection = None,
              max_rows: int | None = None) -> QueryResult:
        return collect(prepared, self.evaluate(prepared, dataset), max_rows)

    def evaluate(self, prepared: PreparedQuery, dataset: Selection = None, text: str | None = None):
        """Oxigraph's own result object for ``prepared`` (or ``text``, a variant of it: capped)
        on the store or a selection of graphs.

        A syntax error is always Oxigraph's error on the client's own text, never on a variant
        of ours (regrouped, capped), whose lines and columns the client never wrote. Should a
        variant fail where the client's text parses, that is our rewrite's bug: the client's text
        is answered instead (the callers cut it at the row cap all the same) and the bug logged."""
        text = prepared.text if text is None else text
        own = prepared.written if prepared.written is not None else prepared.text
        try:
            return self._evaluate(text, dataset)
        except SyntaxError as exc:
            if text == own:
                raise syntax_error(exc, own) from None
        try:
            result = self._evaluate(own, dataset)
        except SyntaxError as exc:
            raise syntax_error(exc, own) from None
        log.error("a rewrite of a query that parses does not parse; answered as written: %r", text[:2000])
        return result

    def _evaluate(self, text: str, dataset: Selection):
        """``text`` evaluated; the dataset is always passed explicitly, so FROM clauses in the
        text never pick graphs by themselves (the caller has resolved them against
        ``graph_names``)."""
        store = self._handle()
        if dataset is None:
            if self._union_mode:
                return store.query(text, base_iri=QUERY_BASE, use_default_graph_as_union=True)
            return store.query(text, base_iri=QUERY_BASE, default_graph=ox.DefaultGraph(),
                               named_graphs=[ox.NamedNode(g) for g in self._names])
        default, named = dataset
        return store.query(text, base_iri=QUERY_BASE, default_graph=[ox.NamedNode(str(g)) for g in default],
                           named_graphs=[ox.NamedNode(str(g)) for g in named])

    def answer(self, prepared: PreparedQuery, media_type: str, *, dataset: Selection = None,
               max_rows: int | None = None) -> Deferred | None:
        """The answer in ``media_type``, to be written by Oxigraph's serializers as they go, and
        whether the row cap cut it; None when Oxigraph has no writer for that media type."""
        if prepared.form in ("SELECT", "ASK"):
            results_format = ox.QueryResultsFormat.from_media_type(media_type)
            if results_format is None:
                return None
            if prepared.form == "ASK":
                boolean = self.evaluate(prepared, dataset)
                return Deferred(False, 1, lambda out: boolean.serialize(out, format=results_format))
            return self._select(prepared, results_format, dataset, max_rows)
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            return None
        return self._graph(prepared, rdf_format, dataset, max_rows)

    def _graph(self, prepared: PreparedQuery, rdf_format: ox.RdfFormat, dataset: Selection,
               max_rows: int | None) -> Deferred:
        """A CONSTRUCT or DESCRIBE answer is a graph: duplicates dropped, cut at the cap. The
        triples are written as N-Triples by Oxigraph a chunk at a time (one triple a line, so a
        line is a triple: duplicates go as bytes, not as terms in Python) until the cap is
        passed, and read back by Oxigraph for the other formats."""
        triples = self.evaluate(prepared, dataset)
        lines: dict[bytes, None] = {}
        truncated = False
        while chunk := list(islice(triples, GRAPH_CHUNK)):
            lines.update(dict.fromkeys(ox.serialize(chunk, format=NT).splitlines(keepends=True)))
            if max_rows is not None and len(lines) > max_rows:
                truncated = True
                break
        kept = list(islice(lines, max_rows)) if truncated else lines
        body = b"".join(kept)
        if rdf_format in (NT, ox.RdfFormat.N_QUADS):  # an N-Triples line is an N-Quads line too
            return Deferred.holding(body, truncated, len(kept))
        prefixes = {p: ns for p, ns in PREFIXES.items() if b"<" + ns.encode() in body}  # the ones used
        return Deferred(truncated, len(kept),
                        lambda out: ox.serialize(ox.parse(body, format=NT), out, format=rdf_format, prefixes=prefixes),
                        replayable=True)

    def _select(self, prepared: PreparedQuery, results_format, dataset: Selection,
                max_rows: int | None) -> Deferred:
        capped = None if max_rows is None else prepared.capped(max_rows + 1)
        if max_rows is None or (capped is None and prepared.limit is not None and results_format != TSV):
            # no cap, or the query's own LIMIT is within it: straight to the client's format,
            # evaluated as it is written
            solutions = self.evaluate(prepared, dataset)
            return Deferred(False, -1, lambda out: solutions.serialize(out, format=results_format),
                            lambda body: _rows_in(body, results_format))
        if results_format == JSON:  # what portals ask for: counted and cut on its own bytes
            body = self.evaluate(prepared, dataset, capped).serialize(format=JSON)
            rows = _json_rows(body)
            if 0 <= rows <= max_rows:
                return Deferred.holding(body, False, rows)
            if rows > max_rows:
                cut = _cut_json(body, max_rows)
                return Deferred.holding(cut, True, max_rows)
        # TSV has one row per line: count, cut at the cap, then convert (all in Rust); also for
        # the JSON whose bytes cannot say how many rows it holds
        tsv = self.evaluate(prepared, dataset, capped).serialize(format=TSV)
        rows = tsv.count(b"\n") - 1
        truncated = rows > max_rows
        if truncated:
            rows = max_rows
            end = -1
            for _ in range(max_rows + 1):
                end = tsv.index(b"\n", end + 1)
            tsv = tsv[:end + 1]
        if results_format == TSV:
            return Deferred.holding(tsv, truncated, rows)
        return Deferred(truncated, rows,  # read from the held TSV each time: a replay evaluates nothing
                        lambda out: ox.parse_query_results(tsv, format=TSV).serialize(out, format=results_format),
                        replayable=True)


TSV = ox.QueryResultsFormat.TSV
JSON = ox.QueryResultsFormat.JSON
NT = ox.RdfFormat.N_TRIPLES
#: Triples of a graph answer written to N-Triples at a time.
GRAPH_CHUNK = 20_000


def _rows_in(body: bytes, results_format) -> int:
    """Rows of a serialised result, counted without reading it as terms (-1 if the format
    gives no cheap count)."""
    if results_format == JSON:
        return _json_rows(body)
    if results_format == ox.QueryResultsFormat.XML:
        return body.count(b"<result>") + body.count(b"<result ")
    return -1


def _json_rows(body: bytes) -> int:
    """Rows of Oxigraph's JSON results, counted on the bytes: every row after the first starts
    right after a ``},{"`` (a quote in a string is always escaped, so it occurs nowhere else),
    unless it binds nothing (``{}``, which a literal may hold too): -1 then, as uncounted."""
    if b"{}" in body:
        return -1
    return body.count(b'},{"') + 1 if b'"bindings":[{' in body else 0


def _cut_json(body: bytes, rows: int) -> bytes:
    """Oxigraph's JSON results (counted by ``_json_rows``) cut after ``rows`` rows."""
    at = body.index(b'"bindings":[') + len(b'"bindings":[')
    for _ in range(rows):
        at = body.index(b'},{"', at) + 1  # just past the row's closing brace
    return body[:at] + b"]}}"


def syntax_error(exc: SyntaxError, text: str) -> QuerySyntaxError:
    """The error to report for a text Oxigraph cannot parse: Oxigraph's own, its line and column
    in ``text`` (which must be the client's own) and that line with a caret. Oxigraph names the
    furthest point its parser reached, which may lie past the mistake (the end of an unclosed
    string); the excerpt shows the client where that is."""
    return QuerySyntaxError.from_oxigraph(exc, text)


def check_syntax(text: str) -> None:
    """Raise ``QuerySyntaxError`` (with line and column) unless Oxigraph parses ``text``: the
    grammar check for stores whose own errors say less (the text is planned over an empty
    store, which costs microseconds)."""
    try:
        ox.Store().query(text, base_iri=QUERY_BASE)
    except SyntaxError as exc:
        raise syntax_error(exc, text) from None


class InMemoryOxigraphStore(OxigraphEngine):
    """The built graph in an in-memory Oxigraph store (no files, no service): the embedded
    default. An rdflib dataset is copied in; a store the graph was built in is taken over as it
    is (nothing else may change it then). Query workers are forked after it is filled and share
    it copy-on-write."""

    kind = "memory"

    def __init__(self, source: Dataset | ox.Store, version: str):
        self.version = version
        if isinstance(source, ox.Store):
            self._store, self._dataset = source, None
            filled = adopt(source)
        else:
            self._store, self._dataset = ox.Store(), source
            filled = fill(self._store, source)
        self._names = {URIRef(g) for g in filled.graphs}
        self._union_mode = not filled.union_materialised
        self._count = filled.triples

    def _handle(self) -> ox.Store:
        return self._store

    @property
    def dataset(self) -> Dataset:
        """The graph as rdflib (VoID, DCAT): as given, or copied out of the store on first use."""
        if self._dataset is None:
            self._dataset = dataset_from(self._store)
        return self._dataset

    def triple_count(self) -> int:
        return self._count


class OxigraphStore(OxigraphEngine):
    """A store folder written by ``write``, opened read-only.

    Worker processes are forked from the server (see ``executor``); a RocksDB handle must not
    cross a fork, so each process opens its own handle on first use. An ``owned`` store (the
    memory store's temporary folder, see ``app.load``) removes its folder when it is collected
    (after a reload, once its generation is stopped) or when the process that made it exits.
    """

    kind = "oxigraph"

    def __init__(self, path: Path | str, *, owned: bool = False):
        self.path = Path(path)
        if owned:
            remove_with(self, self.path)
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
            except (OSError, RuntimeError) as exc:  # RocksDB says "Corruption: ..." as RuntimeError
                raise InputError(f"cannot open the Oxigraph store ({exc})", path=str(self.folder)) from None
            self._pid = os.getpid()
        return self._store

    @property
    def dataset(self) -> Dataset:
        """The whole dataset as rdflib (dumps, VoID); read from disk on first use only."""
        if self._dataset is None:
            self._dataset = dataset_from(self._handle())
        return self._dataset

    def triple_count(self) -> int:
        return int(self.meta["triples"])


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
