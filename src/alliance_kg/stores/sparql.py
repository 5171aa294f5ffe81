"""A remote SPARQL 1.1 service as the store (e.g. Virtuoso filled by ``alliance-kg push``): the
endpoint's protocol layer, safety rules, pages and UI stay in front, the remote store evaluates.

Every query is sent with the dataset made explicit — ``default-graph-uri`` and
``named-graph-uri`` for each of the project's graphs, or the caller's selection — so the remote
store's own system graphs (Virtuoso has several) never leak into answers, and the default graph
is the union of the project's graphs as with the other backends.

Queries go as a form-encoded POST (Virtuoso 7.2 never answers a direct
``application/sparql-query`` POST). A remote error becomes an ``EngineError``; a remote store
that does not answer within the deadline a ``QueryTimeout``.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pyoxigraph as ox
import requests
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import EngineError, InputError, QuerySyntaxError, QueryTimeout
from ..namespaces import GRAPH, QUERY_BASE
from ..rdf import from_ox_scoped, new_dataset, typed_literal
from .base import PreparedQuery, QueryResult, Selection, as_written, graph_result, ordered_variables, select_result
from .oxigraph import check_syntax
from .remote import GRAPH_TYPES, HAS_VERSION, JSON_RESULTS, META_GRAPH

#: Named-graph list meaning "none": the protocol has no other way to say it.
NO_GRAPH = "urn:alliance-kg:no-graph"


def term(binding: dict[str, str]):
    """A SPARQL JSON results term as an rdflib term (also Virtuoso's older ``typed-literal``),
    a literal's lexical form as the store wrote it (``normalize=False``, as ``rdf.from_ox``)."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype and datatype != str(XSD.string):
        return typed_literal(value, datatype)
    return Literal(value)


class SparqlStore:
    """The project's graphs held by a remote SPARQL service at ``url`` (its query endpoint):
    the graphs whose IRIs start with ``graph_prefix`` (the project's; the W3C suites' tests serve
    their own graphs this way)."""

    kind = "sparql"

    def __init__(self, url: str, *, timeout: float = 30.0, session_factory=requests.Session,
                 graph_prefix: str = GRAPH):
        self.url = url
        self.graph_prefix = graph_prefix
        self.timeout = timeout
        self._session_factory = session_factory
        self._pid = -1
        self._session: requests.Session | None = None
        self._dataset: Dataset | None = None
        self.refresh()

    # -- metadata ---------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Re-read graph names, size and version; True if the version changed."""
        rows = self._select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER(STRSTARTS(STR(?g), \"{self.graph_prefix}\")) }} GROUP BY ?g", named=None, default=None)
        graphs = {str(r["g"]["value"]): int(r["n"]["value"]) for r in rows}
        if not graphs:
            raise InputError(f"the SPARQL store at {self.url} holds none of the project's graphs "
                             "(run `alliance-kg push --to UPDATE-URL` first)")
        meta = self._select(f"SELECT ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o }} }}",
                            named=None, default=None)
        described = {r["p"]["value"]: r["o"]["value"] for r in meta}
        version = described.get(HAS_VERSION) or hashlib.sha256(
            repr(sorted(graphs.items())).encode()).hexdigest()[:16]
        changed = version != getattr(self, "version", None)
        self.graphs = graphs
        self._names = {URIRef(g) for g in graphs}
        self.version = version
        if changed:
            self._dataset = None
            self._count = None
        return changed

    def graph_names(self) -> set[URIRef]:
        return set(self._names)

    def triple_count(self) -> int:
        if self._count is None:
            rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
            self._count = int(rows[0]["n"]["value"])
        return self._count

    @property
    def dataset(self) -> Dataset:
        """The project's graphs fetched as rdflib (dumps, VoID); on first use only."""
        if self._dataset is None:
            dataset = new_dataset()
            for name in sorted(self._names):
                target = dataset.graph(name)
                for s, p, o in self._construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default=[name]):
                    target.add((s, p, o))
            self._dataset = dataset
        return self._dataset

    # -- queries ----------------------------------------------------------------------------

    def query(self, prepared: PreparedQuery, *, dataset: Selection = None,
              max_rows: int | None = None) -> QueryResult:
        as_written(prepared, check_syntax)  # the grammar checked here, with line and column, not by the remote
        default, named = (sorted(self._names), sorted(self._names)) if dataset is None else dataset
        form = prepared.form
        # relative IRIs resolve against the endpoint's IRI, as on the other backends (the remote
        # store has none of its own to offer); a query's own BASE stands
        text = prepared.text if prepared.base else f"BASE <{QUERY_BASE}>\n{prepared.text}"
        if form in ("SELECT", "ASK"):
            body = self._request(text, default, named, JSON_RESULTS).json()
            if form == "ASK":
                return QueryResult(form, boolean=bool(body.get("boolean")))
            variables = ordered_variables(prepared, list(body.get("head", {}).get("vars", [])))
            bindings = body.get("results", {}).get("bindings", [])
            rows = (tuple(term(b[v]) if v in b else None for v in variables) for b in bindings)
            return select_result(variables, rows, max_rows)
        return graph_result(form, self._construct(text, default=default, named=named), max_rows)

    def _construct(self, text: str, *, default=None, named=None) -> Graph:
        response = self._request(text, default if default is not None else sorted(self._names),
                                 named if named is not None else sorted(self._names), GRAPH_TYPES)
        kind = response.headers.get("Content-Type", "").split(";")[0].strip()
        syntax = ox.RdfFormat.N_TRIPLES if kind in ("application/n-triples", "text/plain") else ox.RdfFormat.TURTLE
        graph = Graph()
        try:  # Oxigraph's parser, which keeps literals as written (rdflib's rewrites them)
            term = from_ox_scoped()
            for quad in ox.parse(response.content, format=syntax):
                graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
        except SyntaxError as exc:
            raise EngineError(f"the SPARQL store's answer is not valid {syntax.name}: {exc.msg}") from None
        return graph

    def _select(self, text: str, *, default: Any = (), named: Any = ()) -> list[dict]:
        if default == ():
            default = sorted(self._names)
        if named == ():
            named = sorted(self._names)
        return self._request(text, default, named, JSON_RESULTS).json().get("results", {}).get("bindings", [])

    def _http(self) -> requests.Session:
        if self._session is None or self._pid != os.getpid():  # never share a pool across a fork
            self._session = self._session_factory()
            self._pid = os.getpid()
        return self._session

    def _request(self, text: str, default, named, accept: str) -> requests.Response:
        form: list[tuple[str, str]] = [("query", text)]
        if default is not None:
            form += [("default-graph-uri", str(g)) for g in default] or [("default-graph-uri", NO_GRAPH)]
        if named is not None:
            form += [("named-graph-uri", str(g)) for g in named] or [("named-graph-uri", NO_GRAPH)]
        try:
            response = self._http().post(self.url, data=form, headers={"Accept": accept}, timeout=self.timeout)
        except requests.Timeout:
            raise QueryTimeout(f"the SPARQL store did not answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise EngineError(f"the SPARQL store at {self.url} could not be reached ({type(exc).__name__})") from None
        if response.status_code >= 400:
            message = " ".join(response.text.split())[:500]
            if "estimated execution time" in message:  # Virtuoso refuses what it expects to be slow
                raise QueryTimeout(f"the SPARQL store refused the query as too slow: {message[:300]}")
            if response.status_code < 500 or _is_compile_error(message):
                # The query was checked here already, so this is the store's own dialect limit
                # (e.g. Virtuoso's SQ074 for a LIMIT beyond its integers): the client's to change.
                raise QuerySyntaxError(f"the SPARQL store rejected the query: {message}")
            raise EngineError(f"the SPARQL store refused the query (HTTP {response.status_code}): {message}")
        if response.headers.get("X-SQL-State") == "S1TAT":  # Virtuoso's partial "anytime" answer
            raise QueryTimeout("the SPARQL store stopped the query at its own time limit (partial result refused)")
        return response


def _is_compile_error(message: str) -> bool:
    """Virtuoso answers 500 with SQL state 37000 (SPARQL compiler: SQxxx) for queries it rejects."""
    return "37000" in message and " SQ" in message

