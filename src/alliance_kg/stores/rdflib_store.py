"""The rdflib store (``--store rdflib``): the dataset the pipeline built, queried with rdflib's
engine, the reference the other backends are tested against.

rdflib's own handling of a dataset clause loads any graph it does not hold (from the network or
disk), so a selected dataset is built here as a fresh, in-memory view of graphs that exist, and
the query reaching rdflib never carries a dataset clause. rdflib's parser costs milliseconds per
query (pyparsing), so parses are cached by text. Every text is checked by Oxigraph's parser
first, which costs microseconds: a syntax error is then the same on every backend (Oxigraph's,
with its line and column), and rdflib's parser never sees what the SPARQL 1.1 grammar forbids and
it would let through (the W3C negative syntax tests).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any, Sequence

import pyoxigraph as ox
from pyparsing import ParseBaseException
from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql import parser as sparql_grammar
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from ..errors import ForbiddenQuery, QuerySyntaxError
from ..namespaces import QUERY_BASE
from .base import PreparedQuery, QueryResult, Selection, as_written, graph_result, ordered_variables, select_result

_FORM_OF = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}

#: Parsed queries kept per process; parsing costs rdflib ~7 ms, often more than evaluating.
PARSE_CACHE_SIZE = 256

#: rdflib's query grammar, as its own copy told to keep TAB characters: pyparsing expands tabs
#: to spaces before parsing unless told not to, which rewrites a TAB inside a string literal.
_GRAMMAR = sparql_grammar.Query.copy().parse_with_tabs()

#: Views per selection kept by one process (building one copies the selected graphs).
VIEW_CACHE_SIZE = 16


class RdflibStore:
    """A built rdflib ``Dataset`` (``default_union=True``) and its version."""

    kind = "rdflib"

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
        result = target.query(as_written(prepared, rdflib_query))
        return _collect(prepared, result, max_rows)

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


def _collect(prepared: PreparedQuery, result, max_rows: int | None) -> QueryResult:
    """rdflib's result as a ``QueryResult``, reading at most ``max_rows`` rows (+1 to know)."""
    form = prepared.form
    if form == "ASK":
        return QueryResult(form, boolean=bool(result.askAnswer))
    if form == "SELECT":
        own = [str(v) for v in result.vars or ()]
        variables = ordered_variables(prepared, own)
        order = [own.index(v) for v in variables]
        return select_result(variables, (tuple(row[i] for i in order) for row in result), max_rows)
    return graph_result(form, result.graph, max_rows)


#: rdflib's parser, one thread at a time (see ``rdflib_query``).
_PARSING = threading.Lock()


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def rdflib_query(text: str) -> Query:
    """``text`` parsed by rdflib, SERVICE refused again and the dataset clause removed (the
    store builds the dataset itself), LIMIT/OFFSET clamped to what ``islice`` takes. One parse
    at a time: pyparsing's grammar objects keep state while they parse (two threads explaining
    syntax errors at once in a serving process failed with TypeErrors from inside pyparsing)."""
    _check_grammar(text)
    with _PARSING:
        try:
            parsed = _GRAMMAR.parse_string(sparql_grammar.expandUnicodeEscapes(text), parse_all=True)
        except ParseBaseException as exc:
            raise QuerySyntaxError(_parse_message(exc), line=exc.lineno, column=exc.col) from None
        try:
            query = translateQuery(parsed, base=QUERY_BASE)  # relative IRIs: as on Oxigraph
        except RecursionError:
            raise
        except Exception as exc:  # rdflib raises bare Exception for e.g. an undeclared prefix
            raise QuerySyntaxError(str(exc) or type(exc).__name__) from None
    main = query.algebra
    form = _FORM_OF.get(main.name)
    if form is None:  # pragma: no cover - the query grammar has exactly four forms
        raise QuerySyntaxError(f"unsupported query form {main.name}")
    _walk(main)
    items = {k: v for k, v in main.items() if k != "datasetClause"}
    if form == "CONSTRUCT" and not main.get("template"):
        # CONSTRUCT WHERE { ... }: rdflib finds the template only when no modifier wraps the
        # pattern (with LIMIT it fails on None); the template is the pattern's triples.
        items["template"] = _first_bgp_triples(main)
    return Query(query.prologue, CompValue(main.name, **items))


def _check_grammar(text: str) -> None:
    """Raise Oxigraph's syntax error for ``text``, if it has one: what every backend reports,
    and what the SPARQL 1.1 grammar forbids and rdflib's parser lets through (a variable bound
    twice by BIND or VALUES in one group, ``SELECT (1 AS ?x) ?x``, a VALUES row of the wrong
    length...). The text is planned over an empty store, in microseconds."""
    try:
        ox.Store().query(text, base_iri=QUERY_BASE)
    except SyntaxError as exc:
        raise QuerySyntaxError.from_oxigraph(exc, text) from None


def _first_bgp_triples(root: CompValue) -> list:
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "BGP":
                return list(node.triples)
            stack.extend(node.values())
    return []


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
                raise ForbiddenQuery.service(str(node.term))
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

