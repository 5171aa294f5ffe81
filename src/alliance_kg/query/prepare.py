"""The single guarded way to run SPARQL: every query, from the web or the CLI, is prepared here.

Queries are untrusted input: engines follow ``SERVICE <http://...>`` over the network and load
``FROM <file:///etc/passwd>`` if they are asked to. ``prepare`` caps the text and runs the
``guard`` (microseconds, no engine's parser), which refuses updates and SERVICE and records
FROM/FROM NAMED; ``execute`` resolves those graphs against the ones the store holds (a graph it
does not hold is empty) and hands the store the dataset explicitly, so they are answered from the
store, never fetched. The engine parses the text itself. Time limits are the job of ``executor``
(a worker process that can be killed); this module runs in-process and has none.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from rdflib import URIRef

from ..errors import QuerySyntaxError, QueryTooLarge
from ..stores.base import Answer, Deferred, NativeAnswers, PreparedQuery, QueryResult, Selection, Store
from . import formats
from .guard import scan


#: Texts up to this many characters have what the guard found remembered (the last
#: ``REMEMBERED`` of them): a text sent again, a dashboard's or a portal's, is not scanned again.
REMEMBERED_UP_TO = 8192
REMEMBERED = 1024


def prepare(text: str, *, max_length: int) -> PreparedQuery:
    """Check ``text`` and refuse what the endpoint never runs (updates, SERVICE)."""
    if len(text) > max_length:
        raise QueryTooLarge(f"query is {len(text)} characters long; the limit is {max_length}")
    return _remembered(text) if len(text) <= REMEMBERED_UP_TO else _checked(text)


@lru_cache(maxsize=REMEMBERED)
def _remembered(text: str) -> PreparedQuery:
    return _checked(text)  # a refusal is raised each time, not remembered


def _checked(text: str) -> PreparedQuery:
    if "\x00" in text:
        raise QuerySyntaxError("query contains a NUL character")
    if not text.strip():
        raise QuerySyntaxError("query is empty")
    return scan(text)


def resolve_dataset(
    prepared: PreparedQuery,
    graph_names: Sequence[URIRef] | set[URIRef],
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> Selection:
    """The dataset to query: protocol parameters win over FROM clauses (SPARQL 1.1 Protocol
    2.1.4); ``None`` means the store's own (default graph = union of all named graphs).

    A graph named either way that the store does not hold is an empty graph (as in Oxigraph and
    Fuseki): it is left out of the selection, never fetched, so no query can reach the network or
    the local file system. ``unknown_graphs`` says which they were.
    """
    known = set(graph_names)
    if default_graphs or named_graphs:
        default, named = default_graphs or (), named_graphs or ()
    elif prepared.from_default or prepared.from_named:
        default, named = prepared.from_default, prepared.from_named
    else:
        return None
    return (tuple(URIRef(g) for g in default if URIRef(g) in known),
            tuple(URIRef(g) for g in named if URIRef(g) in known))


def unknown_graphs(
    prepared: PreparedQuery,
    graph_names: Sequence[URIRef] | set[URIRef],
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """The graphs the request names (parameters or FROM clauses) that the store does not hold
    and that were therefore answered as empty, each once, in the order named."""
    known = set(graph_names)
    named = [*(default_graphs or ()), *(named_graphs or ())] if default_graphs or named_graphs else \
        [*prepared.from_default, *prepared.from_named]
    return tuple(dict.fromkeys(str(g) for g in named if URIRef(g) not in known))


def execute(
    store: Store,
    prepared: PreparedQuery,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a prepared query on ``store`` in this process (no timeout: see ``executor``)."""
    return _run(store, prepared, _selection(store, prepared, default_graphs, named_graphs), max_rows)


def _selection(store: Store, prepared: PreparedQuery, default_graphs: Sequence[str] | None,
               named_graphs: Sequence[str] | None) -> Selection:
    return resolve_dataset(prepared, store.graph_names(), default_graphs=default_graphs, named_graphs=named_graphs)


def _run(store: Store, prepared: PreparedQuery, selection: Selection, max_rows: int | None) -> QueryResult:
    return store.query(prepared, dataset=selection, max_rows=max_rows)


def answer(store: Store, prepared: PreparedQuery, media_type: str, **dataset_and_cap: Any) -> Answer:
    """``prepared``'s answer in ``media_type`` as bytes (``deferred_answer``'s, written whole)."""
    found = deferred_answer(store, prepared, media_type, **dataset_and_cap)
    return found.written() if isinstance(found, Deferred) else found


def deferred_answer(
    store: Store,
    prepared: PreparedQuery,
    media_type: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    max_rows: int | None = None,
) -> Answer | Deferred:
    """``prepared``'s answer in ``media_type``: ready to be written by the engine where it can
    (Oxigraph: a ``Deferred``, which a caller may stream), else bytes from a ``QueryResult``."""
    selection = _selection(store, prepared, default_graphs, named_graphs)
    native: NativeAnswers | None = store if hasattr(store, "answer") else None  # type: ignore[assignment]
    if native is not None:  # an attribute lookup, cheaper than a runtime Protocol check per query
        deferred = native.answer(prepared, media_type, dataset=selection, max_rows=max_rows)
        if deferred is not None:
            return deferred
    result = _run(store, prepared, selection, max_rows)
    rows = 1 if result.form == "ASK" else len(result.graph) if result.graph is not None else len(result.rows)
    return Answer(formats.serialize(result, media_type), result.truncated, rows)
