"""What one app serves, shared read-only by every request thread: the settings, the store, its
query pool, the example queries, and how to rebuild (for reloads) and read the shapes and the
ontology's files.

Built by ``create_app`` and kept in ``app.extensions``; views reach it through ``state()``.
Nothing here changes after start except caches of derived things (VoID, the catalog, the dump
files of ``web.downloads``); a reload swaps in a whole new ``AppState``.
"""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from flask import current_app
from rdflib import Graph, URIRef

from ..errors import NotReady, QueryError
from ..query.cache import LRUCache, result_key
from ..query.executor import Executor, Job, Reply
from ..query.formats import CSV
from ..settings import Settings
from ..stores.base import QueryResult, Store
from ..stores.dcat import contributor_id
from .fairuse import Budgets
from .labels import LabelIndex

EXTENSION = "alliance_kg"

#: Builds or opens the configured store; raises on bad data (``InputError``, ``ValidationFailed``).
OpenStore = Callable[[Settings], Store]


@dataclass(frozen=True)
class Shapes:
    """The SHACL shapes the data is validated with, as /shapes serves them: the graph, and its
    files' text as written (Turtle with its comments and nested ``[ ]``), which is the Turtle
    form; None where a file is in another format, and the graph is written instead."""

    graph: Graph
    turtle: str | None = None


#: Reads the shapes (served at /shapes).
ReadShapes = Callable[[Settings], Shapes]

#: The ontology's documents as their files hold them, by the IRI of each (``owl:Ontology``).
OntologyDocuments = dict[URIRef, Graph]

#: Reads the ontology's documents (each module served whole at /ontology/{module}).
ReadOntology = Callable[[Settings], OntologyDocuments]


@dataclass
class AppState:
    """Everything a request needs, shared by all threads (read-only)."""

    settings: Settings
    store: Store
    executor: Executor
    examples: list[dict[str, str]] = field(default_factory=list)
    open_store: OpenStore | None = None
    read_shapes: ReadShapes | None = None
    read_ontology: ReadOntology | None = None
    #: Query time per client (``fairuse``); one for the app, kept across reloads.
    budgets: Budgets | None = None
    #: What ``cached`` and ``labels`` built, and the lock each key is built under (``KEY-lock``).
    _cache: dict[str, Any] = field(default_factory=dict)
    #: Query results by (data version, query, dataset, Accept, format); see ``query.cache``.
    #: Sized from the settings unless given (a reload passes the running one on: keys carry
    #: the version).
    results: LRUCache[Reply] | None = None
    #: False in a serving process (``web.serving``): the server builds the label index and
    #: forks its serving processes afresh once it is built; until then suggestions say so.
    builds_labels: bool = True

    def __post_init__(self) -> None:
        if self.results is None:
            self.results = LRUCache(self.settings.cache_entries)
        if self.budgets is None:
            self.budgets = Budgets.from_settings(self.settings)
        contributor_id(self.settings.catalog_contributor)  # a malformed one stops the start, not a harvest

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()`` once per key (dumps, VoID); the data never changes while we serve it.
        Each key is built under a lock of its own: the first catalog request writes the dumps,
        minutes at 10M triples, and the service description or VoID must not wait for them."""
        if key in self._cache:
            return self._cache[key]
        with self._key_lock(key):
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def _key_lock(self, key: str) -> threading.Lock:
        return self._cache.setdefault(f"{key}-lock", threading.Lock())  # setdefault is atomic

    def labels(self, *, wait: bool = True) -> LabelIndex:
        """This generation's label index (search suggestions, editor completion), built once.
        Under a lock of its own: building it on a large graph (minutes at 10M triples) must not
        hold up ``cached()``, nor, with ``wait=False``, a request (``NotReady`` instead). A build
        that failed is not tried again for this generation: each try would hold a worker for
        up to ``label_index_timeout``."""
        index = self._cache.get("labels")
        if index is not None:
            return index
        lock = self._key_lock("labels")
        if not (self.builds_labels and lock.acquire(blocking=wait)):
            if "labels-failed" in self._cache:
                raise NotReady(self._labels_failed())
            raise NotReady("the search index is being built (on a large graph that takes minutes); try again soon")
        try:
            if "labels" not in self._cache and "labels-failed" not in self._cache:
                try:
                    self._cache["labels"] = LabelIndex.from_store(self._index_rows)
                except QueryError as exc:
                    self._cache["labels-failed"] = str(exc)
        finally:
            lock.release()
        if "labels" in self._cache:
            return self._cache["labels"]
        raise NotReady(self._labels_failed())

    def _labels_failed(self) -> str:
        return (f"the search index could not be built for this data ({self._cache['labels-failed']}); "
                "it is built again when the data is reloaded")

    def _index_rows(self, text: str) -> Iterator[list[str]]:
        return self.csv_rows(text, timeout=self.settings.label_index_timeout)

    def _job(self, text: str, job: dict[str, Any]) -> Job:
        job.setdefault("max_rows", self.settings.max_rows)
        return Job(text, max_length=self.settings.max_query_length, **job)

    def run(self, text: str, *, timeout: float | None = None, **job: Any) -> Reply:
        """A client's query through the pool with the configured caps (and deadline, unless
        ``timeout`` says otherwise): the bytes to send, or for a large answer its ``stream``."""
        return self.executor.run(self._job(text, {"stream_from": self.settings.stream_bytes, **job}), timeout)

    def csv_rows(self, text: str, *, timeout: float | None = None) -> Iterator[list[str]]:
        """One of the server's own SELECT queries, every row, as the strings of its CSV answer
        (header first): no terms built in the worker nor here, for the large ones (labels)."""
        reply = self.run(text, accept=CSV, max_rows=None, timeout=timeout)
        body = reply.body if reply.stream is None else b"".join(reply.stream)  # the worker freed at once
        # decoded as read: a StringIO of the whole text would hold it twice more, once as four
        # bytes a character (the label answer of the 10M graph is hundreds of megabytes)
        return csv.reader(io.TextIOWrapper(io.BytesIO(body), encoding="utf-8", newline=""))

    def result(self, text: str, **job: Any) -> QueryResult:
        """One of the server's own queries (pages, 303s): the result itself, not bytes."""
        return self.executor.result(self._job(text, job))

    def run_cached(self, text: str, *, keep: bool = True, **job: Any) -> tuple[Reply, bool]:
        """``run`` through the result cache; returns the reply and whether it was a hit. A
        query whose answer may not be kept (``keep`` false: NOW, RAND, UUID) is run every time."""
        if not keep:
            return self.run(text, **job), False
        key = result_key(self.store.version, text, job.get("default_graphs", ()), job.get("named_graphs", ()),
                         job.get("accept"), job.get("format"))
        reply = self.results.get(key)
        if reply is not None:
            return reply, True
        reply = self.run(text, **job)
        if reply.stream is None:  # a streamed answer is larger than is worth keeping
            self.results.put(key, reply, 2 * len(reply.body) + len(text) + 200)  # body and its gzip
        return reply, False


def state() -> AppState:
    """The state of the app handling the current request."""
    return current_app.extensions[EXTENSION]
