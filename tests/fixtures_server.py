"""Endpoint fixtures (tests/conftest.py belongs to the CLI tests): a fresh app per test from
the factory, over a store built once from ``tests/fixtures/endpoint``, and a real server."""

from __future__ import annotations

import os
import subprocess
from typing import Any, Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

import server as live
from alliance_kg.stores.push import Credentials, push
from alliance_kg.build.sources import load_dataset
from alliance_kg.stores import InMemoryOxigraphStore, RdflibStore, oxigraph
from alliance_kg.stores.sparql import SparqlStore
from backends import DBA  # noqa: F401
from alliance_kg.app import create_app

ENDPOINT_DATA = live.ENDPOINT_DATA


#: Store backends every endpoint test runs on (``sparql`` is a real Virtuoso).
BACKENDS = ["memory", "rdflib", "oxigraph", "sparql"]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


def build_store(backend: str, dataset, version: str, request, tmp_path_factory, name: str,
                graph_prefix: str | None = None) -> Any:
    """``dataset`` in ``backend`` (``sparql``: pushed into the Virtuoso called ``name``, serving
    the graphs under ``graph_prefix``, the project's unless given)."""
    if backend == "oxigraph":
        folder = tmp_path_factory.mktemp(f"oxigraph-{name}")
        oxigraph.write(folder, dataset, version)
        return oxigraph.OxigraphStore(folder)
    if backend == "sparql":
        url = request.getfixturevalue("virtuosos").url(name)
        push(dataset, url + "/sparql-auth", version, credentials=Credentials(*DBA))
        return SparqlStore(url + "/sparql", timeout=10, **({"graph_prefix": graph_prefix} if graph_prefix else {}))
    if backend == "rdflib":
        return RdflibStore(dataset, version)
    return InMemoryOxigraphStore(dataset, version)


@pytest.fixture(scope="session")
def fixture_store(backend: str, request, tmp_path_factory) -> Any:
    """The fixture data, once per backend (read-only; every app shares it)."""
    return build_store(backend, load_dataset([ENDPOINT_DATA]).dataset, "fixture-v1", request, tmp_path_factory,
                       "endpoint")


#: (test, backend) -> why the backend answers differently; the test is expected to fail there.
KNOWN_DIFFERENCES = {
    ("test_slow_query_is_stopped_with_503_and_worker_killed", "sparql"):
        "Virtuoso refuses the query up front by its cost estimate (503 too), so no worker is killed",
    ("test_worker_that_dies_gives_clean_500_and_pool_respawns", "sparql"):
        "the query runs in Virtuoso, not in the worker: Virtuoso refuses it as too slow (503)",
}


def mark_known_difference(request, backend: str) -> None:
    name = request.node.originalname if hasattr(request.node, "originalname") else request.node.name
    reason = KNOWN_DIFFERENCES.get((name, backend))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=False))


@pytest.fixture
def make_app(fixture_store: Any, backend: str, request) -> Iterator[Callable[..., Flask]]:
    """Factory for apps over a store (default: the fixture) with settings overrides."""
    apps: list[Flask] = []
    mark_known_difference(request, backend)

    def make(store: Any = None, **settings: Any) -> Flask:
        settings.setdefault("query_workers", 1)
        settings.setdefault("query_timeout", 10.0)
        app = create_app({"STORE": store or fixture_store, "TESTING": True, **settings})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["alliance_kg"].executor.close()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def live_server(backend: str, request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.Server]:
    """A real ``alliance-kg serve`` over the fixture data, with a short timeout, on each backend."""
    tmp = tmp_path_factory.mktemp("live")
    store: list[str] = []
    if backend == "oxigraph":
        folder = tmp / "oxigraph"
        env = dict(os.environ, ALLIANCE_KG_ROOT=str(live.test_root(tmp / "root")))
        subprocess.run([*live.CLI, "load", "--store", f"oxigraph:{folder}", str(ENDPOINT_DATA)], env=env,
                       check=True, capture_output=True, timeout=120)
        store = ["--store", f"oxigraph:{folder}"]
    elif backend == "sparql":
        url = request.getfixturevalue("virtuosos").url("endpoint")
        push(load_dataset([ENDPOINT_DATA]).dataset, url + "/sparql-auth", "fixture-v1", credentials=Credentials(*DBA))
        store = ["--store", f"sparql:{url}/sparql"]
    elif backend == "rdflib":
        store = ["--store", "rdflib"]
    server = live.start(tmp, "--query-timeout", "2", "--query-workers", "2", "--max-rows", "50", *store)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shipped_memory_app(knowledge_graph) -> Iterator[Flask]:
    """One app over the shipped graph in memory, for a module of page tests (one backend)."""
    app = create_app({"STORE": InMemoryOxigraphStore(knowledge_graph.dataset, knowledge_graph.version), "TESTING": True,
                      "query_workers": 1})
    yield app
    app.extensions["alliance_kg"].executor.close()


@pytest.fixture
def shipped_memory_client(shipped_memory_app: Flask) -> FlaskClient:
    return shipped_memory_app.test_client()
