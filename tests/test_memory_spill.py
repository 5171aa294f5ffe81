"""``--store memory`` with a graph over ``memory_max_triples``: built in memory as always, but
served from an Oxigraph folder of its own (query workers forked from a server holding an
in-memory store copy its pages as they read it). The folder is written while the graph is
built, holds what was built, and goes with its store: when the store is collected (a reload),
when the server exits, or when the graph is refused."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

import server as live_server
from alliance_kg.app import open_store
from alliance_kg.build.validation import ValidationFailed
from alliance_kg.settings import Settings
from alliance_kg.stores import InMemoryOxigraphStore, OxigraphStore
from alliance_kg.stores.oxigraph import META
from test_cli import BAD_CITY

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """TMPDIR of this test: where the memory store's folders go."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _folders(root):
    return sorted(root.glob("alliance-kg-store-*"))


def test_a_graph_over_the_limit_is_served_from_a_folder_that_goes_with_its_store(scratch):
    spilled = open_store(Settings.load({"memory_max_triples": 1}))
    assert isinstance(spilled, OxigraphStore)
    assert _folders(scratch) == [spilled.path]
    in_memory = open_store(Settings.load({}))
    assert isinstance(in_memory, InMemoryOxigraphStore)  # the shipped graph is under the default
    assert _folders(scratch) == [spilled.path]
    assert (spilled.version, spilled.triple_count(), spilled.graph_names()) == \
        (in_memory.version, in_memory.triple_count(), in_memory.graph_names())
    assert spilled.meta["quads"] == len(in_memory._handle())
    folder = spilled.path
    del spilled
    gc.collect()
    assert not folder.exists()


def test_no_limit_keeps_any_graph_in_memory(scratch):
    assert isinstance(open_store(Settings.load({"memory_max_triples": 0})), InMemoryOxigraphStore)
    assert not _folders(scratch)


def test_a_refused_graph_leaves_no_folder(scratch):
    bad = scratch / "bad-city.ttl"
    bad.write_text(BAD_CITY, encoding="utf-8")
    with pytest.raises(ValidationFailed):
        open_store(Settings.load({"memory_max_triples": 1, "data": str(bad)}))
    gc.collect()
    assert not _folders(scratch)


def test_the_server_answers_from_the_folder_replaces_it_on_reload_and_removes_it_on_exit(tmp_path):
    """Over real HTTP: every process opens the folder (the workers included); a reload builds
    the next folder and the old one goes once its generation is stopped (the query timeout plus
    5 s later); a SIGTERM leaves nothing in TMPDIR."""
    scratch, data = tmp_path / "tmp", tmp_path / "data"
    scratch.mkdir()
    shutil.copytree(live_server.ENDPOINT_DATA, data)
    env = dict(os.environ, ALLIANCE_KG_ROOT=str(live_server.test_root(tmp_path / "root")), TMPDIR=str(scratch))
    srv = live_server.launch(["--data", str(data), "--memory-max-triples", "1", "--query-workers", "1",
                              "--query-timeout", "1", "--reload-token", "s3cret"], env=env, log_dir=tmp_path)
    try:
        [first] = _folders(scratch)
        before = _count(srv.sparql)
        serving = set(requests.get(srv.url + "/status", timeout=10).json()["serving_processes"])
        opened = {pid for pid in _pids_below(srv.process.pid) if _has_open(pid, first)}
        # the server, its query worker and the serving processes that have answered, each its own handle
        assert srv.process.pid in opened and len(opened - serving) == 2 and opened & serving, opened
        (data / "extra.ttl").write_text(
            '<https://w3id.org/alliance-kg/id/topic/extra> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n')
        r = requests.post(srv.url + "/admin/reload", headers={"Authorization": "Bearer s3cret"}, timeout=60)
        assert r.status_code == 200 and r.json()["ok"], r.text
        assert _count(srv.sparql) == before + 1
        deadline = time.monotonic() + 30
        while first.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        [second] = _folders(scratch)
        assert second != first and not first.exists()
    finally:
        assert srv.stop() == 0, srv.output()
    assert not _folders(scratch)


def test_the_folder_of_a_killed_server_goes_when_the_next_one_makes_its_own(scratch):
    """SIGKILL runs no finalizer: the folder stays until the next server spills (or a load of
    the downloads kind), which removes every folder whose owner has gone."""
    killed = subprocess.run(
        [sys.executable, "-c", "import os, signal\n"
         "from alliance_kg.app import open_store\nfrom alliance_kg.settings import Settings\n"
         "store = open_store(Settings.load({'memory_max_triples': 1}))\nprint(store.path, flush=True)\n"
         "os.kill(os.getpid(), signal.SIGKILL)"],
        env=dict(os.environ, TMPDIR=str(scratch)), capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = Path(killed.stdout.strip())
    assert _folders(scratch) == [left] and (left / META).exists()
    spilled = open_store(Settings.load({"memory_max_triples": 1}))
    assert _folders(scratch) == [spilled.path]


def _count(url: str) -> int:
    r = requests.get(url, params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _pids_below(pid: int) -> list[int]:
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listing:
            children += [int(child) for child in listing.read().split()]
    return [pid, *children]


def _has_open(pid: int, folder) -> bool:
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(str(folder)):
                return True
        except OSError:
            pass
    return False


def test_the_memory_a_dropped_build_freed_is_handed_back_before_workers_fork():
    """What the allocator keeps after a large build is dropped (Oxigraph's store is many small
    allocations) goes back to the system, so forked workers cannot reuse, and copy, it."""
    import ctypes

    from alliance_kg.app import _return_freed_memory
    from alliance_kg.query.executor import resident_bytes

    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(1000) for _ in range(300_000)]
    for address in blocks:
        ctypes.memset(address, 1, 1000)  # resident, as a filled store is
    keep = libc.malloc(1000)  # above the freed blocks: the heap's top cannot shrink by itself
    for address in blocks:
        libc.free(address)
    freed = resident_bytes()
    _return_freed_memory()
    assert freed - resident_bytes() > 200 * 2**20
    libc.free(keep)
