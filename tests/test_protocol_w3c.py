"""The W3C SPARQL 1.1 Protocol test suite (manifest in shared/w3c/sparql11-protocol),
driven as data against the app.

dataN.nt go into the named graphs <http://kasei.us/2009/09/sparql/data/dataN.rdf> as SOURCE.txt
says. Many query tests name data0.rdf, which we do not hold, as their default graph and expect
success: a graph we do not hold is answered as empty (never fetched) and named in
``X-Unknown-Graphs``. The endpoint is read-only, so every update request must be refused
(4xx) where the suite expects 2xx, and the follow-up requests that check the update's effect are
not run.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

import earl
from alliance_kg.app import create_app
from alliance_kg.stores import Store
from fixtures_server import build_store
from w3c import W3C

SUITE = W3C / "sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
KASEI = "http://kasei.us/2009/09/sparql/data/data{}.rdf"



def _manifest() -> Graph:
    return Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=(SUITE / "manifest.ttl").as_uri())


def _cases() -> list[tuple[str, list[dict]]]:
    """(test IRI, its requests) for every test of the manifest."""
    if not (SUITE / "manifest.ttl").exists():
        return []
    g = _manifest()
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    cases = []
    for test in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(test, MF.action)
        requests = []
        for req in Collection(g, g.value(action, HT.requests)):
            body = g.value(req, HT.body)
            headers = {}
            header_list = g.value(req, HT.headers)
            for h in Collection(g, header_list) if header_list else []:
                headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            resp = g.value(req, HT.resp)
            requests.append({
                "method": str(g.value(req, HT.methodName)),
                "path": str(g.value(req, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                "body": str(g.value(body, CNT.chars)) if body is not None else None,
                "encoding": str(g.value(body, CNT.characterEncoding) or "UTF-8") if body is not None else None,
                "headers": headers,
                "status": {str(s).rsplit("#", 1)[1] for s in g.objects(resp, MF.expectedStatus)},
                "boolean": g.value(resp, MF.expectedBoolean),
                "format": str(g.value(resp, MF.expectedFormat) or ""),
            })
        cases.append((str(test), requests))
    return cases


@pytest.fixture(scope="module")
def w3c_store(backend: str, request, tmp_path_factory) -> Store:
    """The suite's graphs in the backend under test."""
    dataset = Dataset(default_union=True)
    for n in (1, 2, 3):
        dataset.graph(URIRef(KASEI.format(n))).parse(SUITE / f"data{n}.nt", format="nt")
    return build_store(backend, dataset, "w3c", request, tmp_path_factory, "w3c-protocol",
                       graph_prefix="http://kasei.us/")


CASES = _cases()
SUITE_NAME = "sparql11-protocol"


def check(client, store: Store, requests: list[dict]) -> None:
    """Send one test's requests; raise AssertionError at the first answer the suite does not expect."""
    before = len(store.dataset)
    for req in requests:
        is_update = "update" in req["path"] or (req["body"] or "").startswith("update=") or \
            req["headers"].get("content-type", "").startswith("application/sparql-update")
        data = req["body"].encode(req["encoding"].lower()) if req["body"] is not None else None
        headers = {k: v for k, v in req["headers"].items() if k.lower() != "content-type"}
        response = client.open(req["path"], method=req["method"], data=data, headers=headers,
                               content_type=req["headers"].get("content-type"))
        if is_update:
            assert 400 <= response.status_code < 500, response.get_data(as_text=True)
            assert len(store.dataset) == before
            break  # the suite's follow-up requests check the (refused) update's effect
        expected = {int(s[len("StatusCode"):-2]) for s in req["status"]}
        assert response.status_code // 100 in expected, response.get_data(as_text=True)
        assert response.content_type.startswith("text/plain") or response.status_code < 400
        if response.status_code == 200 and KASEI.format(0) in unquote_plus(req["path"] + (req["body"] or "")):
            assert f"<{KASEI.format(0)}>" in response.headers["X-Unknown-Graphs"]
        if req["format"] == "boolean":
            assert isinstance(response.get_json()["boolean"], bool)
            if req["boolean"] is not None:
                assert response.get_json()["boolean"] is req["boolean"].toPython()
        elif req["format"] == "tabular":
            assert response.mimetype in ("application/sparql-results+json", "application/sparql-results+xml",
                                         "text/csv", "text/tab-separated-values")
        elif req["format"] == "RDF":
            assert response.mimetype in ("text/turtle", "application/n-triples", "application/ld+json",
                                         "application/rdf+xml", "application/trig")


@pytest.fixture(scope="module")
def outcomes(w3c_store) -> dict[str, str | None]:
    """Every test against one app over the backend: None where it passed, else why not."""
    app = create_app({"STORE": w3c_store, "TESTING": True, "query_workers": 1, "query_timeout": 10.0})
    found: dict[str, str | None] = {}
    try:
        for iri, requests in CASES:
            try:
                check(app.test_client(), w3c_store, requests)
                found[iri] = None
            except AssertionError as exc:
                found[iri] = str(exc)[:300] or "assertion failed"
    finally:
        app.extensions["alliance_kg"].executor.close()
    return found


#: (backend, test IRI) -> why it fails there; only Virtuoso (reported, not gating) may have any.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("iri", [c[0] for c in CASES], ids=[c[0].rsplit("#", 1)[1] for c in CASES])
def test_w3c_protocol(backend, outcomes, iri):
    gap = KNOWN_GAPS.get((backend, iri))
    if outcomes[iri] is not None and gap:
        pytest.xfail(gap)
    assert outcomes[iri] is None, outcomes[iri]
    assert gap is None, "passes now: remove it from KNOWN_GAPS"


def test_earl_report_is_current(backend, outcomes):
    results = {iri: ("passed", "") if problem is None else ("failed", KNOWN_GAPS.get((backend, iri), "not known"))
               for iri, problem in outcomes.items()}
    report = earl.report(SUITE_NAME, backend, f"the endpoint's HTTP layer over the {backend} backend", results)
    earl.check_report(SUITE_NAME, backend, report, gating=backend != "sparql")


def test_manifest_was_found():
    assert len(CASES) == 34
