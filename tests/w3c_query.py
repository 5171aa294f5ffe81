"""The W3C SPARQL 1.1 query evaluation tests as data, run two ways and compared the suite's way.

*Through our layer*: one app per backend over a store holding every data file of the suite as
a named graph (its file IRI); a test selects its dataset with the protocol's
``default-graph-uri`` (``qt:data``) and ``named-graph-uri`` (``qt:graphData``), so the request
goes through the guard, the dataset resolution, the backend and the writers, over HTTP (Flask's
test client). A test without data names a graph we do not hold: an empty default graph.

*The engine called directly*: pyoxigraph or rdflib loads the test's files itself and queries
them with the query file as base; its answer goes through the same comparison, so the two
columns say whether our layer loses anything its engine has.

Comparison (the suite's rules): result sets as multisets of solutions, in order when the query
has ORDER BY; blank nodes matched by a one-to-one mapping; literals by value where their
datatype has one (numbers, booleans) and by term otherwise; graphs by isomorphism.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from werkzeug.datastructures import MultiDict

from alliance_kg.query.guard import scan
from w3c import MF, QT, W3C, entries, included, manifest

SUITE = W3C / "sparql11"
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
#: The default graph of a test without data: a graph no store holds, so an empty one.
EMPTY = "urn:x-alliance-kg:w3c:empty"
EVALUATION_TYPES = {MF.QueryEvaluationTest, MF.CSVResultFormatTest}
RDF_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".nt": "nt"}
OX_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}
RESULT_FORMATS = {".srx": "xml", ".srj": "json", ".csv": "csv", ".tsv": "tsv"}
NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.short, XSD.byte,
           XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger,
           XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte}


@dataclass(frozen=True)
class Case:
    """One evaluation test: its IRI, query, data and expected result."""

    iri: str
    name: str
    query: Path
    data: tuple[Path, ...]
    graph_data: tuple[Path, ...]
    result: Path

    @property
    def accept(self) -> str:
        """What a client asks for: the expected result's own format where it is CSV or TSV."""
        if self.result.suffix == ".csv":
            return "text/csv"
        if self.result.suffix == ".tsv":
            return "text/tab-separated-values"
        return "application/sparql-results+json, application/n-triples;q=0.9"


@dataclass(frozen=True)
class Outcome:
    """What one run of one test gave: ``passed`` or ``failed``, and why it failed."""

    passed: bool
    message: str = ""


def _path(term: Any) -> Path:
    return Path(str(term).removeprefix("file://"))


def cases() -> list[Case]:
    """Every evaluation test of ``manifest-sparql11-query.ttl`` and the result-format folders."""
    found: list[Case] = []
    subs = included(SUITE / "manifest-sparql11-query.ttl") + [SUITE / "json-res" / "manifest.ttl",
                                                              SUITE / "csv-tsv-res" / "manifest.ttl"]
    for sub in subs:
        graph = manifest(sub)
        for test in entries(graph):
            if graph.value(test, RDF.type) not in EVALUATION_TYPES:
                continue
            action = graph.value(test, MF.action)
            found.append(Case(
                iri=str(test), name=f"{sub.parent.name}/{str(test).rsplit('#', 1)[-1]}",
                query=_path(graph.value(action, QT.query)),
                data=tuple(sorted(_path(d) for d in graph.objects(action, QT.data))),
                graph_data=tuple(sorted(_path(d) for d in graph.objects(action, QT.graphData))),
                result=_path(graph.value(test, MF.result)),
            ))
    return found


def data_files(all_cases: Iterable[Case]) -> list[Path]:
    """Every data file the tests use, once: as data, or named by a query's own FROM."""
    found = set()
    for case in all_cases:
        found.update(case.data, case.graph_data)
        prepared = scan(f"BASE <{case.query.as_uri()}>\n" + case.query.read_text(encoding="utf-8"))
        found.update(_path(g) for g in (*prepared.from_default, *prepared.from_named))
    return sorted(p for p in found if p.suffix in OX_FORMATS and p.is_file())


def suite_dataset(all_cases: Iterable[Case]) -> Dataset:
    """Every data file as the named graph of its file IRI, read by Oxigraph's parser with each
    literal kept as written (rdflib would rewrite ``"01"^^xsd:integer`` to ``"1"``)."""
    dataset = Dataset(default_union=True)
    for path in data_files(all_cases):
        target = dataset.graph(URIRef(path.as_uri()))
        blanks: dict[str, BNode] = {}

        def term(node):
            if type(node) is ox.BlankNode:
                return blanks.setdefault(node.value, BNode())
            if type(node) is ox.Literal:
                if node.language:
                    return Literal(node.value, lang=node.language, normalize=False)
                if node.datatype.value == str(XSD.string):  # a simple literal, as rdflib writes it
                    return Literal(node.value, normalize=False)
                return Literal(node.value, datatype=URIRef(node.datatype.value), normalize=False)
            return URIRef(node.value)

        for quad in ox.parse(path=str(path), format=OX_FORMATS[path.suffix], base_iri=path.as_uri()):
            target.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return dataset


# -- running --------------------------------------------------------------------------------

def through_client(client) -> Callable[[Case], tuple[str, bytes]]:
    """Run a case through the app: POST form with the dataset as protocol parameters (or the
    query's own FROM clauses, which win over the test's data, as the suite reads them), and the query file as base: the suite
    resolves a query's relative IRIs against its file, and a protocol client says so with BASE."""

    def run(case: Case) -> tuple[str, bytes]:
        text = f"BASE <{case.query.as_uri()}>\n" + case.query.read_text(encoding="utf-8")
        form = [("query", text)]
        prepared = scan(text)
        if not (prepared.from_default or prepared.from_named):  # a query's own FROM wins (as in the suite)
            form += [("default-graph-uri", p.as_uri()) for p in case.data] or [("default-graph-uri", EMPTY)]
            form += [("named-graph-uri", p.as_uri()) for p in case.graph_data]
        response = client.post("/sparql", data=MultiDict(form), headers={"Accept": case.accept})
        if response.status_code != 200:
            raise AssertionError(f"HTTP {response.status_code}: {response.get_data(as_text=True)[:300]}")
        return response.mimetype, response.get_data()

    return run


def pyoxigraph_direct(case: Case) -> tuple[str, bytes]:
    """pyoxigraph on the test's own files, the query file as base."""
    store = ox.Store()
    for path in case.data:
        store.load(path=str(path), format=OX_FORMATS[path.suffix], base_iri=path.as_uri(), to_graph=ox.DefaultGraph())
    for path in case.graph_data:
        store.load(path=str(path), format=OX_FORMATS[path.suffix], base_iri=path.as_uri(),
                   to_graph=ox.NamedNode(path.as_uri()))
    result = store.query(case.query.read_text(encoding="utf-8"), base_iri=case.query.as_uri())
    if isinstance(result, ox.QueryTriples):
        return "application/n-triples", result.serialize(format=ox.RdfFormat.N_TRIPLES)
    media = case.accept.split(",")[0]
    return media, result.serialize(format=ox.QueryResultsFormat.from_media_type(media))


def rdflib_direct(case: Case) -> tuple[str, bytes]:
    """rdflib on the test's own files, the query file as base."""
    dataset = Dataset()
    for path in case.data:
        dataset.default_graph.parse(path, format=RDF_FORMATS[path.suffix], publicID=path.as_uri())
    for path in case.graph_data:
        dataset.graph(URIRef(path.as_uri())).parse(path, format=RDF_FORMATS[path.suffix], publicID=path.as_uri())
    result = dataset.query(case.query.read_text(encoding="utf-8"), base=case.query.as_uri())
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return "application/n-triples", result.graph.serialize(format="nt", encoding="utf-8")
    media = case.accept.split(",")[0]
    kind = {"text/csv": "csv", "text/tab-separated-values": "tsv"}.get(media, "json")
    return media, result.serialize(format=kind)


def outcome(case: Case, run: Callable[[Case], tuple[str, bytes]]) -> Outcome:
    """Run ``case`` and compare its answer with the expected result."""
    try:
        media, body = run(case)
        got = _read_answer(media, body)
    except Exception as exc:  # an engine's failure on a test is that test's outcome
        return Outcome(False, f"{type(exc).__name__}: {str(exc)[:300]}")
    expected = _read_expected(case.result)
    ordered = bool(re.search(r"ORDER\s+BY", case.query.read_text(encoding="utf-8"), re.I))
    problem = compare(expected, got, ordered=ordered)
    return Outcome(problem is None, problem or "")


# -- reading and comparing ------------------------------------------------------------------

Answer = tuple[str, Any]  # ("graph", Graph) | ("boolean", bool) | ("rows", (variables, rows))


def _read_answer(media: str, body: bytes) -> Answer:
    if media in ("application/n-triples", "text/turtle"):
        return "graph", Graph().parse(data=body.decode("utf-8"), format="nt" if "n-triples" in media else "turtle")
    kind = {"text/csv": "csv", "text/tab-separated-values": "tsv", "application/sparql-results+xml": "xml"}.get(
        media, "json")
    return _from_result(Result.parse(io.BytesIO(body), format=kind))


def _read_expected(path: Path) -> Answer:
    if path.suffix in RESULT_FORMATS:
        with path.open("rb") as handle:
            return _from_result(Result.parse(handle, format=RESULT_FORMATS[path.suffix]))
    graph = Graph().parse(path, format=RDF_FORMATS[path.suffix], publicID=path.as_uri())
    result_set = graph.value(None, RDF.type, RS.ResultSet, any=True)
    if result_set is None:
        return "graph", graph
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return "boolean", boolean.toPython()
    variables = sorted(str(v) for v in graph.objects(result_set, RS.resultVariable))
    rows = []
    for solution in graph.objects(result_set, RS.solution):
        row = {str(graph.value(b, RS.variable)): graph.value(b, RS.value) for b in graph.objects(solution, RS.binding)}
        rows.append(tuple(row.get(v) for v in variables))
    return "rows", (variables, rows)


def _from_result(result: Result) -> Answer:
    if result.type == "ASK":
        return "boolean", bool(result.askAnswer)
    variables = sorted(str(v) for v in result.vars or ())
    return "rows", (variables, [tuple(row.get(v) for v in variables) for row in (r.asdict() for r in result)])


def _value(term: Any) -> Any:
    """What two terms are compared on: numbers and booleans by value, other terms as terms."""
    if isinstance(term, Literal) and term.datatype in NUMERIC:
        try:
            return ("number", Decimal(str(term).strip()).normalize(), str(term.datatype))
        except InvalidOperation:
            return term
    if isinstance(term, Literal) and term.datatype == XSD.boolean and str(term) in ("true", "false", "1", "0"):
        return ("boolean", str(term) in ("true", "1"))
    return term


def compare(expected: Answer, got: Answer, *, ordered: bool) -> str | None:
    """None when ``got`` answers as ``expected`` does, else what differs."""
    if expected[0] != got[0]:
        return f"expected a {expected[0]} result, got a {got[0]} result"
    if expected[0] == "boolean":
        return None if expected[1] == got[1] else f"expected {expected[1]}, got {got[1]}"
    if expected[0] == "graph":
        return None if isomorphic(expected[1], got[1]) else \
            f"graphs differ: expected {len(expected[1])} triples, got {len(got[1])}"
    (want_vars, want), (got_vars, have) = expected[1], got[1]
    if want_vars != got_vars and want and have:
        return f"variables differ: expected {want_vars}, got {got_vars}"
    if len(want) != len(have):
        return f"expected {len(want)} solutions, got {len(have)}"
    want = [tuple(_value(t) for t in row) for row in want]
    have = [tuple(_value(t) for t in row) for row in have]
    if _match(want, have, ordered=ordered and not _has_blank(want)):
        return None
    return f"solutions differ: expected {_show(want)}, got {_show(have)}"


def _has_blank(rows: list[tuple]) -> bool:
    return any(isinstance(t, BNode) for row in rows for t in row)


def _show(rows: list[tuple]) -> str:
    return repr(rows[:4])[:300]


def _match(want: list[tuple], have: list[tuple], *, ordered: bool) -> bool:
    """Rows equal as multisets (or sequences), blank nodes under one one-to-one mapping."""
    if ordered:
        return want == have
    if not _has_blank(want) and not _has_blank(have):
        return sorted(map(repr, want)) == sorted(map(repr, have))
    used = [False] * len(have)

    def fits(a: tuple, b: tuple, forth: dict, back: dict) -> tuple[dict, dict] | None:
        """The blank node mapping (both ways) extended so that row ``a`` is row ``b``, or None."""
        forth, back = dict(forth), dict(back)
        for x, y in zip(a, b):
            if isinstance(x, BNode) and isinstance(y, BNode):
                if forth.setdefault(x, y) != y or back.setdefault(y, x) != x:
                    return None
            elif x != y:
                return None
        return forth, back

    def search(i: int, forth: dict, back: dict) -> bool:
        if i == len(want):
            return True
        for j, row in enumerate(have):
            if not used[j]:
                extended = fits(want[i], row, forth, back)
                if extended is not None:
                    used[j] = True
                    if search(i + 1, *extended):
                        return True
                    used[j] = False
        return False

    return search(0, {}, {})
