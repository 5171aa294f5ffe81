"""Store backends for tests: a throw-away Virtuoso (scripts/virtuoso.sh) and helpers that fill
each backend with the shipped graph. Import the fixtures into a test module to use them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "virtuoso.sh"
DBA = ("dba", "dba")


def free_port_pair() -> int:
    """A port P with P and P+1 free (Virtuoso's HTTP and isql listeners)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 65535:
            continue
        with socket.socket() as second:
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair")


class Virtuosos:
    """Throw-away Virtuoso servers, one per data set, stopped at the end of the session."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.running: dict[str, tuple[Path, str]] = {}

    def url(self, name: str) -> str:
        if name not in self.running:
            folder = self.tmp.mktemp(f"virtuoso-{name}")
            port = free_port_pair()
            subprocess.run(["bash", str(SCRIPT), "start", str(folder), str(port)], check=True, timeout=180,
                           capture_output=True, env={**os.environ, "VIRTUOSO_BUFFERS": "20000",
                                                     "VIRTUOSO_DIRTY_BUFFERS": "15000"})
            self.running[name] = (folder, f"http://127.0.0.1:{port}")
        return self.running[name][1]

    def stop(self) -> None:
        for folder, _ in self.running.values():
            subprocess.run(["bash", str(SCRIPT), "stop", str(folder)], check=False, timeout=60)


@pytest.fixture(scope="session")
def virtuosos(tmp_path_factory):
    if shutil.which("virtuoso-t") is None:
        pytest.skip("virtuoso-t not installed (apt-get install virtuoso-opensource-7-bin; "
                    "make system-deps does it)")
    servers = Virtuosos(tmp_path_factory)
    try:
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def virtuoso(virtuosos):
    """A running Virtuoso for the shipped graph: its base URL (``/sparql``, ``/sparql-auth``)."""
    return virtuosos.url("shipped")


@pytest.fixture(scope="session")
def virtuoso_store(virtuoso, knowledge_graph):
    """The shipped graph pushed into Virtuoso, opened as a ``SparqlStore``."""
    from alliance_kg.stores.push import Credentials, push
    from alliance_kg.stores.sparql import SparqlStore

    push(knowledge_graph.dataset, virtuoso + "/sparql-auth", knowledge_graph.version,
         credentials=Credentials(*DBA))
    return SparqlStore(virtuoso + "/sparql")


@pytest.fixture(scope="session")
def oxigraph_store(tmp_path_factory, knowledge_graph):
    """The shipped graph written to an Oxigraph folder and opened read-only."""
    from alliance_kg.stores import oxigraph

    folder = tmp_path_factory.mktemp("oxigraph")
    oxigraph.write(folder, knowledge_graph.dataset, knowledge_graph.version)
    return oxigraph.OxigraphStore(folder)


@pytest.fixture(scope="session")
def in_memory_oxigraph_store(knowledge_graph):
    """The shipped graph in Oxigraph in memory: the embedded default."""
    from alliance_kg.stores import InMemoryOxigraphStore

    return InMemoryOxigraphStore(knowledge_graph.dataset, knowledge_graph.version)


@pytest.fixture(scope="session")
def spilled_store():
    """The shipped graph as ``--store memory`` serves a graph over ``memory_max_triples``: in
    an Oxigraph folder of its own, written while it was built."""
    from alliance_kg.app import open_store
    from alliance_kg.settings import Settings

    return open_store(Settings.load({"memory_max_triples": 1}))


@pytest.fixture(scope="session")
def rdflib_store(knowledge_graph):
    from alliance_kg.stores import RdflibStore

    return RdflibStore(knowledge_graph.dataset, knowledge_graph.version)
