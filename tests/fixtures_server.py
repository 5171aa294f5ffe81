"""Endpoint fixtures (tests/conftest.py belongs to the CLI tests): a fresh app per test from
the factory, over a store built once from ``tests/fixtures/endpoint``, and a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

import server as live
from alliance_kg.sources import load_dataset
from alliance_kg.stores import MemoryStore
from alliance_kg.web import create_app

ENDPOINT_DATA = live.ENDPOINT_DATA


@pytest.fixture(scope="session")
def fixture_store() -> MemoryStore:
    """The fixture data parsed once (read-only; every app shares it)."""
    return MemoryStore(load_dataset([ENDPOINT_DATA]).dataset, "fixture-v1")


@pytest.fixture
def make_app(fixture_store: MemoryStore) -> Iterator[Callable[..., Flask]]:
    """Factory for apps over a store (default: the fixture) with settings overrides."""
    apps: list[Flask] = []

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
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.Server]:
    """A real ``alliance-kg serve`` over the fixture data, with a short timeout."""
    server = live.start(tmp_path_factory.mktemp("live"), "--query-timeout", "2", "--query-workers", "2",
                        "--max-rows", "50")
    yield server
    server.stop()
