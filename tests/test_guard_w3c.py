"""The guard on every query and update of the W3C SPARQL 1.1 test suite: no SERVICE missed, no
update run, no valid query without SERVICE refused, and every query the suite calls invalid a
400 with line and column from the Oxigraph path (guard, then Oxigraph's parser).

Whether a query holds SERVICE is decided independently of the guard, by rdflib's parser (its
algebra has a ``ServiceGraphPattern``)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF
from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from alliance_kg.errors import ForbiddenQuery, QueryError, QuerySyntaxError, UpdateRefused
from alliance_kg.query.prepare import prepare
from alliance_kg.app import create_app
from alliance_kg.stores import InMemoryOxigraphStore
from alliance_kg.rdf import new_dataset
from w3c import MF, QT, W3C, entries, included, manifest

SUITE = W3C / "sparql11"
SYNTAX = ("syntax-query", "syntax-fed")
UPDATES = ("syntax-update-1", "syntax-update-2")


def _cases(folders: tuple[str, ...]) -> list[tuple[str, str, Path]]:
    cases = []
    for folder in folders:
        graph = manifest(SUITE / folder / "manifest.ttl")
        for test in entries(graph):
            kind = str(graph.value(test, RDF.type)).rsplit("#", 1)[-1]
            action = Path(str(graph.value(test, MF.action)).removeprefix("file://"))
            cases.append((f"{folder}/{action.name}", kind, action))
    return cases


def _evaluation_queries() -> list[tuple[str, Path]]:
    """Every query file of the suite's evaluation tests: each is a valid SPARQL 1.1 query."""
    found = {}
    for sub in included(SUITE / "manifest-sparql11-query.ttl"):
        graph = manifest(sub)
        for test in entries(graph):
            action = graph.value(test, MF.action)
            query = graph.value(action, QT.query) if action is not None else None
            if query is not None:
                path = Path(str(query).removeprefix("file://"))
                found[f"{sub.parent.name}/{path.name}"] = path
    return sorted(found.items())


SYNTAX_CASES = _cases(SYNTAX)
UPDATE_CASES = _cases(UPDATES)
EVALUATION = _evaluation_queries()


def _has_service(text: str) -> bool | None:
    """rdflib's reading: does the query hold SERVICE? None if rdflib cannot parse it."""
    try:
        stack: list = [parseQuery(text)]
    except Exception:
        return None
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)
    return False


def test_the_suites_were_found():
    assert len(SYNTAX_CASES) == 97 and len(UPDATE_CASES) == 55
    assert len(EVALUATION) > 200


@pytest.fixture(scope="module")
def empty_store() -> InMemoryOxigraphStore:
    return InMemoryOxigraphStore(new_dataset(), "empty")


@pytest.mark.parametrize("name, kind, path", SYNTAX_CASES, ids=[c[0] for c in SYNTAX_CASES])
def test_syntax_suite(name, kind, path, empty_store):
    text = path.read_text(encoding="utf-8")
    if kind == "PositiveSyntaxTest11":
        service = _has_service(text)
        assert service is not None, "rdflib cannot tell; add the case to an explicit list"
        if service:
            with pytest.raises(ForbiddenQuery):
                prepare(text, max_length=1_000_000)
        else:
            prepare(text, max_length=1_000_000)  # never refused
        return
    refusal = _refusal(text, empty_store)
    if isinstance(refusal, QuerySyntaxError):
        assert refusal.line is not None and refusal.column is not None, str(refusal)
    else:
        assert isinstance(refusal, (ForbiddenQuery, UpdateRefused)), repr(refusal)


def _refusal(text: str, store) -> QueryError | None:
    """Why the Oxigraph path refuses a negative test: the guard (update, SERVICE) or a syntax
    error with its place, from the guard or the engine; None if it would run it."""
    try:
        store.query(prepare(text, max_length=1_000_000))
    except QueryError as exc:
        return exc
    return None


NEGATIVE = [c for c in SYNTAX_CASES if c[1] == "NegativeSyntaxTest11"]


@pytest.mark.parametrize("name, kind, path", NEGATIVE, ids=[c[0] for c in NEGATIVE])
def test_negative_syntax_over_http_is_refused_with_its_place(name, kind, path, backend, backend_client, empty_store):
    """Every negative syntax test over HTTP, on every backend (``backend``: memory, rdflib, an
    on-disk Oxigraph store, Virtuoso behind ``sparql:URL``): 400 with "line L, column C" (or 403
    for an update), as the Oxigraph path refuses it. On Virtuoso a difference is reported (an
    xfail), not gating, as in the other suites."""
    text = path.read_text(encoding="utf-8")
    response = backend_client.post("/sparql", data=text.encode("utf-8"), content_type="application/sparql-query")
    body = response.get_data(as_text=True)
    refusal = _refusal(text, empty_store)
    problems = []
    if response.status_code != refusal.status:
        problems.append(f"status {response.status_code}, not {refusal.status}: {body[:200]}")
    if isinstance(refusal, QuerySyntaxError) and not re.search(r"line \d+, column \d+", body):
        problems.append(f"no line and column: {body[:200]}")
    if problems and backend == "sparql":
        pytest.xfail(f"Virtuoso (reported, not gating): {'; '.join(problems)}")
    assert not problems, problems


@pytest.fixture(scope="module")
def backend_client(fixture_store):
    """A test client over the backend's store (the endpoint fixture data: syntax needs none)."""
    app = create_app({"STORE": fixture_store, "TESTING": True, "query_workers": 1})
    yield app.test_client()
    app.extensions["alliance_kg"].executor.close()


@pytest.mark.parametrize("name, kind, path", UPDATE_CASES, ids=[c[0] for c in UPDATE_CASES])
def test_every_update_is_refused(name, kind, path):
    text = path.read_text(encoding="utf-8")
    with pytest.raises(QueryError) as caught:
        prepare(text, max_length=1_000_000)
    if kind == "PositiveUpdateSyntaxTest11" and "has no SELECT" not in str(caught.value):
        # an update with operations is refused as one (an empty one, only a prologue, is no query)
        assert isinstance(caught.value, UpdateRefused), str(caught.value)


@pytest.mark.parametrize("name, path", EVALUATION, ids=[e[0] for e in EVALUATION])
def test_evaluation_queries_pass_the_guard_unless_they_use_service(name, path):
    text = path.read_text(encoding="utf-8")
    service = _has_service(text)
    if service is None:
        pytest.xfail("rdflib cannot parse this query, so it cannot say whether it holds SERVICE")
    if service:
        with pytest.raises(ForbiddenQuery):
            prepare(text, max_length=1_000_000)
    else:
        prepared = prepare(text, max_length=1_000_000)
        assert prepared.form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
        ox.Store().query(prepared.text, base_iri="http://example.org/")  # Oxigraph parses what passed


def _union(branches: int, nonce: int) -> str:
    return ("SELECT ?s WHERE {" + " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(branches)) + "}"
            f" LIMIT 1 # {nonce}")


def test_oxigraph_path_never_runs_rdflibs_parser(in_memory_oxigraph_store):
    from alliance_kg.query.prepare import answer
    from alliance_kg.stores.rdflib_store import rdflib_query

    before = rdflib_query.cache_info()
    for nonce in range(3):  # distinct texts: nothing could come from a cache
        body, truncated, _ = answer(in_memory_oxigraph_store, prepare(_union(300, nonce), max_length=1_000_000),
                                 "application/sparql-results+json", max_rows=10)
        assert body.startswith(b'{"head":{"vars":["s"]}') and not truncated
    after = rdflib_query.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)


def test_rdflib_path_does_parse_with_rdflib(rdflib_store):
    from alliance_kg.query.prepare import execute
    from alliance_kg.stores.rdflib_store import rdflib_query

    before = rdflib_query.cache_info().misses
    execute(rdflib_store, prepare("ASK { ?s ?p ?o } # a text never seen before", max_length=1000))
    assert rdflib_query.cache_info().misses == before + 1


EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "queries" / "examples").glob("*.rq"))
READINGS = ([(name, path) for name, _, path in SYNTAX_CASES + UPDATE_CASES] + EVALUATION
            + [(f"examples/{p.name}", p) for p in EXAMPLES])


@pytest.mark.parametrize("name, path", READINGS, ids=[r[0] for r in READINGS])
def test_the_fast_reading_finds_what_every_token_finds(name, path):
    """``guard._fast`` reads the head and the tail only; where it answers, it answers as the
    tokens of the whole text do, and it never lets through what they refuse."""
    from alliance_kg.query.guard import _fast, scan_tokens

    text = path.read_text(encoding="utf-8")
    try:
        full = scan_tokens(text)
    except (UpdateRefused, ForbiddenQuery) as refused:
        try:
            assert _fast(text) is None, "the fast reading let through what the tokens refuse"
        except type(refused):
            pass
        return
    except QuerySyntaxError:
        return  # the engine says where, whichever reading let it through
    fast = _fast(text)
    assert fast is None or fast == full


def test_the_fast_reading_is_taken_for_most_queries():
    """Proof that the comparison above compares something: the examples and most of the
    suite's valid queries are read the fast way."""
    from alliance_kg.query.guard import _fast

    def fast(path: Path) -> bool:
        try:
            return _fast(path.read_text(encoding="utf-8")) is not None
        except QueryError:
            return False

    assert all(fast(path) for path in EXAMPLES)
    assert sum(fast(path) for _, path in EVALUATION) > len(EVALUATION) / 2


@pytest.mark.parametrize("tail, line, column", [
    ("LIMIT 2 ~", 1, 37), ("\nORDER BY ?s\nLIMIT 2\n  ~", 4, 3), ("VALUES ?s { <urn:x> } ~", 1, 51),
])
def test_a_mistake_after_the_main_group_is_placed_in_the_whole_text(tail, line, column):
    """The fast reading tokenizes the tail on its own; a character there that no token takes
    is reported at its line and column in the text, not in the tail."""
    from alliance_kg.query.guard import scan

    with pytest.raises(QuerySyntaxError) as raised:
        scan("SELECT * WHERE { ?s ?p ?o } " + tail)
    assert (raised.value.line, raised.value.column) == (line, column), str(raised.value)


@pytest.mark.parametrize("tail", [
    "", "# nonce 12", "ORDER BY DESC(?s) OFFSET 3", "GROUP BY ?s HAVING (COUNT(*) > 1) # a comment",
    "# LIMIT 5 in a comment", "ORDER BY ?s LIMIT 10 # nonce 4", "VALUES ?s { <urn:x> }", "limit 3",
])
def test_a_tail_without_limit_or_values_is_read_as_its_tokens_read_it(tail):
    """The fast reading tokenizes a tail only when it holds "limit" or "values": either way, it
    finds what the whole text's tokens find."""
    from alliance_kg.query.guard import _fast, scan_tokens

    text = "PREFIX s: <https://schema.org/> SELECT ?s WHERE { ?s a s:City } " + tail
    assert _fast(text) == scan_tokens(text)
    assert _fast(text) is not None


def test_a_remembered_head_gives_each_text_its_own_findings():
    """A template sent with another pattern, LIMIT or VALUES row reads its head from memory
    (``guard._remembered_head``) and its tail afresh: each text's findings are those of all its
    tokens; a refused head is refused every time."""
    from alliance_kg.query.guard import _remembered_head, scan, scan_tokens

    head = "PREFIX org: <http://www.w3.org/ns/org#>\nSELECT ?m ?city FROM <https://example.org/g> WHERE "
    texts = [head + "{ ?m org:member ?city } LIMIT 7", head + "{ ?m org:member <urn:x:koeln> }",
             head + "{ ?m org:member ?city } VALUES ?city { <urn:x:1> }", head + "{ ?m org:member ?city } # nonce 3"]
    before = _remembered_head.cache_info().hits
    for text in texts:
        assert scan(text) == scan_tokens(text)
    assert _remembered_head.cache_info().hits >= before + len(texts) - 1
    assert scan(texts[0]).limit[0] == 7 and scan(texts[1]).limit is None
    assert scan(texts[2]).limit_insert_at == texts[2].index("VALUES")
    assert scan(texts[0]).projection == ("m", "city")
    other = scan(head.replace("example.org/g", "example.org/h") + "{ ?m org:member ?city }")
    assert [str(g) for g in other.from_default] == ["https://example.org/h"]
    for _ in range(2):
        with pytest.raises(UpdateRefused):
            scan("PREFIX org: <http://www.w3.org/ns/org#>\nINSERT DATA { <urn:x:a> org:member <urn:x:b> }")
