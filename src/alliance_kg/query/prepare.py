"""The single guarded way to run SPARQL: every query, from the web or the CLI, is prepared here.

Queries are untrusted input. rdflib will happily follow ``SERVICE <http://...>`` and load
``FROM <file:///etc/passwd>`` over the network or from disk, and it has no timeout. So
``prepare`` refuses updates and SERVICE, records FROM/FROM NAMED for ``execute`` to check against
the graphs the store holds (they are then answered from the store, never fetched), and clamps
slices rdflib cannot represent. Time limits are the job of ``executor`` (a worker process that
can be killed); this module runs in-process and has none.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any, Sequence

from pyparsing import ParseBaseException
from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from ..errors import ForbiddenQuery, QuerySyntaxError, QueryTooLarge, UnknownGraph, UpdateRefused
from ..stores.base import PreparedQuery, QueryResult, Store

_FORM_OF = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}

#: Parsed queries kept per process; parsing costs rdflib ~7 ms, often more than evaluating.
PARSE_CACHE_SIZE = 256


def prepare(text: str, *, max_length: int) -> PreparedQuery:
    """Parse ``text`` and refuse what the endpoint never runs (updates, SERVICE)."""
    if len(text) > max_length:
        raise QueryTooLarge(f"query is {len(text)} characters long; the limit is {max_length}")
    if "\x00" in text:
        raise QuerySyntaxError("query contains a NUL character")
    if not text.strip():
        raise QuerySyntaxError("query is empty")
    return _prepare_cached(text)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _prepare_cached(text: str) -> PreparedQuery:
    try:
        parsed = parseQuery(text)
    except ParseBaseException as exc:
        if _is_update(text):
            raise UpdateRefused("this endpoint is read-only: SPARQL updates are not accepted") from None
        raise QuerySyntaxError(_parse_message(exc), line=exc.lineno, column=exc.col) from None
    try:
        query = translateQuery(parsed)
    except RecursionError:
        raise
    except Exception as exc:  # rdflib raises bare Exception for e.g. an undeclared prefix
        raise QuerySyntaxError(str(exc) or type(exc).__name__) from None
    main = query.algebra
    form = _FORM_OF.get(main.name)
    if form is None:  # pragma: no cover - the query grammar has exactly four forms
        raise QuerySyntaxError(f"unsupported query form {main.name}")
    _walk(main)
    from_default = tuple(d.default for d in main.datasetClause or () if d.default is not None)
    from_named = tuple(d.named for d in main.datasetClause or () if d.named is not None)
    items = {k: v for k, v in main.items() if k != "datasetClause"}
    if form == "CONSTRUCT" and not main.get("template"):
        # CONSTRUCT WHERE { ... }: rdflib finds the template only when no modifier wraps the
        # pattern (with LIMIT it fails on None); the template is the pattern's triples.
        items["template"] = _first_bgp_triples(main)
    stripped = CompValue(main.name, **items)
    return PreparedQuery(text, form, Query(query.prologue, stripped), from_default, from_named)


def _first_bgp_triples(root: CompValue) -> list:
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "BGP":
                return list(node.triples)
            stack.extend(node.values())
    return []


def _is_update(text: str) -> bool:
    """True if ``text`` is a (non-empty) SPARQL update: it gets 403, not a confusing parse error."""
    try:
        parsed = parseUpdate(text)
    except (ParseBaseException, RecursionError):
        return False
    return bool(parsed.request)


def _parse_message(exc: ParseBaseException) -> str:
    line = exc.line if isinstance(exc.line, str) else ""
    pointer = f"\n    {line}\n    {' ' * (max(exc.col, 1) - 1)}^" if line and len(line) < 300 else ""
    return f"{exc.msg}, found {_found(exc)}{pointer}"


def _found(exc: ParseBaseException) -> str:
    rest = exc.pstr[exc.loc:exc.loc + 20] if isinstance(exc.pstr, str) else ""
    return repr(rest.split()[0]) if rest.strip() else "end of query"


def _walk(root: CompValue) -> None:
    """Refuse SERVICE anywhere (also inside EXISTS); clamp LIMIT/OFFSET to what islice takes.

    Iterative, because the algebra of a query with thousands of UNIONs is thousands deep.
    """
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                raise ForbiddenQuery(
                    f"SERVICE <{node.term}> is not allowed: this endpoint answers from its own dataset only"
                )
            if node.name == "Slice":
                for key in ("start", "length"):
                    value = node.get(key)
                    if isinstance(value, int) and value > sys.maxsize:
                        node[key] = sys.maxsize
            stack.extend(v for k, v in node.items() if k != "_vars")
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def resolve_dataset(
    prepared: PreparedQuery,
    graph_names: Sequence[URIRef] | set[URIRef],
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> tuple[tuple[URIRef, ...], tuple[URIRef, ...]] | None:
    """The dataset to query: protocol parameters win over FROM clauses (SPARQL 1.1 Protocol
    2.1.4); ``None`` means the store's own (default graph = union of all named graphs).

    Every graph named either way must be one the store holds; anything else is refused, not
    fetched, so no query can reach the network or the local file system.
    """
    known = set(graph_names)
    check_graph_names([*(default_graphs or ()), *(named_graphs or ()),
                       *prepared.from_default, *prepared.from_named], known)
    if default_graphs or named_graphs:
        return tuple(URIRef(g) for g in default_graphs or ()), tuple(URIRef(g) for g in named_graphs or ())
    if prepared.from_default or prepared.from_named:
        return prepared.from_default, prepared.from_named
    return None


def check_graph_names(names: Sequence[str], known: set[URIRef]) -> None:
    """Raise ``UnknownGraph`` for the first name not in ``known``."""
    for name in names:
        if URIRef(name) not in known:
            raise UnknownGraph(
                f"graph <{name}> is not in this dataset; this endpoint never fetches graphs "
                "(GET /sparql lists the named graphs it holds)"
            )


def execute(
    store: Store,
    prepared: PreparedQuery,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a prepared query on ``store`` in this process (no timeout: see ``executor``)."""
    selection = resolve_dataset(prepared, store.graph_names(), default_graphs=default_graphs,
                                named_graphs=named_graphs)
    return store.query(prepared, dataset=selection, max_rows=max_rows)
