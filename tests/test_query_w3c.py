"""The W3C SPARQL 1.1 query evaluation tests through our whole layer on every backend, and
through each engine called directly, in the same run (see ``w3c_query`` for how and how the
results are compared).

The target is that our layer loses nothing its engine has: a test that fails on a backend is an
xfail only when its engine, called directly, fails it too (the engine's gap), or when it is listed
in ``LAYER_GAPS`` with the reason; Virtuoso (``sparql``) is reported, not gating. Each run's
outcomes are the EARL reports in ``docs/conformance``, and a stale report fails here.
"""

from __future__ import annotations

import pytest
from rdflib import Dataset

import earl
from alliance_kg.app import create_app
from alliance_kg.stores.push import Credentials, PushFailed, push
from alliance_kg.stores.sparql import SparqlStore
from backends import DBA
from fixtures_server import build_store
from w3c_query import Outcome, cases, outcome, pyoxigraph_direct, rdflib_direct, suite_dataset, through_client

SUITE = "sparql11-query"
CASES = cases()
#: The engine under each backend (Virtuoso is its own engine: not called directly here).
ENGINE_OF = {"memory": "pyoxigraph", "oxigraph": "pyoxigraph", "rdflib": "rdflib", "sparql": None}
ENGINES = {"pyoxigraph": pyoxigraph_direct, "rdflib": rdflib_direct}
DESCRIPTIONS = {
    "memory": "the endpoint over Oxigraph in memory (the default), through guard, store, writers and HTTP",
    "oxigraph": "the endpoint over Oxigraph on disk, through guard, store, writers and HTTP",
    "rdflib": "the endpoint over rdflib's engine, through guard, store, writers and HTTP",
    "sparql": "the endpoint over a remote Virtuoso 7 (reported, not gating), through guard, store, writers and HTTP",
}
#: The engines called directly: their own reports (an engine and a backend may share a name).
ENGINE_DESCRIPTIONS = {
    "pyoxigraph": "pyoxigraph called directly on each test's files (the baseline of memory and oxigraph)",
    "rdflib": "rdflib called directly on each test's files (the baseline of the rdflib backend)",
}

#: (backend, test IRI) -> why our layer fails a test its engine passes. Empty: none do.
LAYER_GAPS: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="session")
def engine_outcomes() -> dict[str, dict[str, Outcome]]:
    """Each engine's outcomes, run once per session on first use."""
    return {name: {c.iri: outcome(c, run) for c in CASES} for name, run in ENGINES.items()}


@pytest.fixture(scope="module")
def backend_outcomes(backend: str, request, tmp_path_factory) -> dict[str, Outcome]:
    """Every case through one app over the backend holding all the suite's data files."""
    dataset, refused = suite_dataset(CASES), set()
    if backend == "sparql":  # graph by graph: Virtuoso refuses a few of them
        url = request.getfixturevalue("virtuosos").url("w3c-query")
        refused = _push_each_graph(dataset, url)
        store = SparqlStore(url + "/sparql", timeout=10, graph_prefix="file:///")
    else:
        store = build_store(backend, dataset, "w3c-query", request, tmp_path_factory, "w3c-query")
    app = create_app({"STORE": store, "TESTING": True, "query_workers": 1, "query_timeout": 20.0,
                      "max_rows": 100_000, "cache_entries": 0})
    try:
        run = through_client(app.test_client())
        return {c.iri: Outcome(False, f"Virtuoso refused to load {', '.join(sorted(refused & set(_files(c))))}")
                if refused & set(_files(c)) else outcome(c, run) for c in CASES}
    finally:
        app.extensions["alliance_kg"].executor.close()


def _files(case) -> list[str]:
    return [p.as_uri() for p in (*case.data, *case.graph_data)]


def _push_each_graph(dataset: Dataset, url: str) -> set[str]:
    """Push every graph into Virtuoso on its own; the IRIs of those it refuses (some of the
    suite's literals make Virtuoso 7 fail: SR002 string_output_string)."""
    refused = set()
    for graph in list(dataset.graphs()):
        if not str(graph.identifier).startswith("file:"):
            continue
        one = Dataset(default_union=True)
        target = one.graph(graph.identifier)
        for triple in graph:
            target.add(triple)
        try:
            push(one, url + "/sparql-auth", "w3c-query", credentials=Credentials(*DBA))
        except PushFailed:
            refused.add(str(graph.identifier))
            dataset.remove_graph(graph)
    return refused


def why_failed(backend: str, iri: str, engines: dict[str, dict[str, Outcome]]) -> str | None:
    """The known reason a backend fails a test (None: not known, a real failure)."""
    if (backend, iri) in LAYER_GAPS:
        return LAYER_GAPS[(backend, iri)]
    engine = ENGINE_OF[backend]
    if engine is None:
        return "Virtuoso 7 answers differently (reported, not gating)"
    if not engines[engine][iri].passed:
        return f"{engine} fails this test when called directly: the engine's gap, not our layer's"
    return None


def test_the_suite_was_found():
    assert len(CASES) == 235


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_w3c_query(backend, case, backend_outcomes, engine_outcomes):
    result = backend_outcomes[case.iri]
    reason = why_failed(backend, case.iri, engine_outcomes)
    if result.passed:
        assert (backend, case.iri) not in LAYER_GAPS, "passes now: remove it from LAYER_GAPS"
        return
    if reason is None:
        pytest.fail(f"our layer fails what {ENGINE_OF[backend]} passes: {result.message}")
    pytest.xfail(reason)


def _outcomes(results: dict[str, Outcome], reason) -> dict[str, tuple[str, str]]:
    return {iri: ("passed", "") if o.passed else ("failed", reason(iri) or "not known") for iri, o in results.items()}


def test_earl_report_of_the_backend_is_current(backend, backend_outcomes, engine_outcomes):
    outcomes = _outcomes(backend_outcomes, lambda iri: why_failed(backend, iri, engine_outcomes))
    earl.check_report(SUITE, backend, earl.report(SUITE, backend, DESCRIPTIONS[backend], outcomes),
                      gating=backend != "sparql")


@pytest.mark.parametrize("engine", list(ENGINES))
def test_earl_report_of_the_engine_is_current(engine, engine_outcomes):
    outcomes = _outcomes(engine_outcomes[engine], lambda iri: f"{engine}'s own gap")
    earl.check_report(SUITE, f"engine-{engine}", earl.report(SUITE, f"engine-{engine}", ENGINE_DESCRIPTIONS[engine], outcomes))


@pytest.mark.parametrize("backend_name", [b for b, e in ENGINE_OF.items() if e])
def test_our_layer_passes_what_its_engine_passes(backend_name, engine_outcomes):
    """Read from the committed reports, so it holds for the published numbers too."""
    ours = earl.counts(earl.path_of(SUITE, backend_name))
    engine = earl.counts(earl.path_of(SUITE, f"engine-{ENGINE_OF[backend_name]}"))
    assert ours["passed"] >= engine["passed"]
