"""What every store backend takes, what it gives back, and the ``Store`` interface itself.

``PreparedQuery`` (made by ``query.prepare``) and ``QueryResult`` live here, below the query
layer, because they are the store's contract: a backend evaluates a prepared query and answers
a backend-neutral result, without knowing who asked. The helpers at the end are the parts of
that contract every backend applies alike (the row cap, the order of SELECT variables).
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Iterable, NamedTuple, Protocol, Sequence, TypeVar, runtime_checkable

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Identifier

from ..errors import QuerySyntaxError
from ..rdf import bind_prefixes

T = TypeVar("T")

#: (default graphs, named graphs) chosen by the protocol or FROM clauses; None = the store's own.
Selection = tuple[Sequence[URIRef], Sequence[URIRef]] | None


@dataclass(frozen=True)
class PreparedQuery:
    """A query text the guard (``query.guard``) let through, with what it read from it.

    The text is handed to the engine as it is; the graphs its dataset clause names are kept in
    ``from_default`` and ``from_named`` and resolved against the store by the caller, so a store
    always passes the dataset explicitly and an engine never picks (or fetches) graphs itself.
    """

    text: str
    form: str
    from_default: tuple[URIRef, ...] = ()
    from_named: tuple[URIRef, ...] = ()
    #: The BASE the query declares itself (None: relative IRIs resolve against ``QUERY_BASE``).
    base: str | None = None
    #: Variables of an explicit SELECT projection, in order (None for ``SELECT *`` and other forms).
    projection: tuple[str, ...] | None = None
    #: The top-level LIMIT of a SELECT: (value, start, end) of its number in ``text``.
    limit: tuple[int, int, int] | None = None
    #: Where a LIMIT may be inserted in a SELECT that has none (before a trailing VALUES).
    limit_insert_at: int | None = None
    #: The text as the client wrote it, when the guard regrouped it (``text`` is then what the
    #: engine gets): syntax errors are reported at their place in this one.
    written: str | None = None

    def capped(self, rows: int) -> str | None:
        """This SELECT with its top-level LIMIT at most ``rows`` (so the engine stops there), or
        None when it cannot return more than ``rows`` rows anyway or is not a SELECT."""
        if self.form != "SELECT":
            return None
        if self.limit is not None:
            value, start, end = self.limit
            return None if value <= rows else self.text[:start] + str(rows) + self.text[end:]
        if self.limit_insert_at is None:
            return None
        at = self.limit_insert_at
        return f"{self.text[:at]}\nLIMIT {rows}\n{self.text[at:]}"


def as_written(prepared: PreparedQuery, parse: Callable[[str], T]) -> T:
    """``parse(prepared.text)``; when that fails on a text the guard regrouped, the text as
    written is parsed instead, so the error names the client's line and column, not ours (and
    should our regrouping be what failed, the client's text is what is run)."""
    try:
        return parse(prepared.text)
    except QuerySyntaxError:
        if prepared.written is None:
            raise
    return parse(prepared.written)


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
    #: The backend's name, as ``--store`` spells it (for metrics and /status).
    kind: str

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


class Answer(NamedTuple):
    """A client's answer as bytes: whether the row cap cut it, and how many rows (or triples,
    1 for ASK) it holds, for logs and metrics."""

    body: bytes
    truncated: bool
    rows: int


class Deferred(NamedTuple):
    """An answer not written yet: ``write`` writes its bytes to a binary file as the engine
    produces them, so a large answer can be streamed instead of held whole. Whether the row cap
    cut it is known before (it goes into a header); its rows are -1 when only the bytes tell
    (``count`` reads them from the bytes, where it can)."""

    truncated: bool
    rows: int
    write: Callable[[BinaryIO], None]
    count: Callable[[bytes], int] | None = None
    #: The bytes, when the engine already holds them whole (an answer counted and cut at the row
    #: cap in memory): sent as they are, not evaluated again to be streamed.
    held: bytes | None = None
    #: Whether ``write`` converts what the engine holds already (a held answer in another format),
    #: so that writing it again, to stream it, evaluates nothing. (A ``held`` answer is never
    #: written again: it is sent as it is.)
    replayable: bool = False

    @classmethod
    def holding(cls, body: bytes, truncated: bool, rows: int) -> "Deferred":
        """An answer whose bytes the engine holds whole already: written as they are."""
        return cls(truncated, rows, lambda out: out.write(body), held=body)

    def written(self) -> Answer:
        """The answer as bytes, for callers that want them whole."""
        if self.held is not None:
            return Answer(self.held, self.truncated, self.rows_in(self.held))
        out = io.BytesIO()
        self.write(out)
        body = out.getvalue()
        return Answer(body, self.truncated, self.rows_in(body))

    def rows_in(self, body: bytes) -> int:
        """The rows of the answer whose bytes are ``body`` (-1 if they cannot be counted cheaply)."""
        return self.rows if self.rows >= 0 or self.count is None else self.count(body)


class NativeAnswers(Protocol):
    """A store whose engine writes the client's bytes itself (Oxigraph), skipping ``QueryResult``."""

    def answer(self, prepared: PreparedQuery, media_type: str, *, dataset: Selection = None,
               max_rows: int | None = None) -> Deferred | None:
        """The answer in ``media_type``, ready to be written; None if the engine has no writer
        for that media type (the caller serialises a ``QueryResult`` then)."""
        ...


def ordered_variables(prepared: PreparedQuery, own: list[str]) -> list[str]:
    """The SELECT variables in the query's own order, and sorted for ``SELECT *`` (which has no
    order of its own; Oxigraph sorts them), so that every backend lists them alike."""
    wanted = prepared.projection
    if wanted is None:
        return sorted(own)
    return list(wanted) if sorted(wanted) == sorted(own) else own


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
