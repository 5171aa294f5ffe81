"""Reloading: the new generation is built beside the old, swapped in one step; bad data never
replaces good data; the old generation is stopped only after its grace period."""

from __future__ import annotations

import time
from dataclasses import dataclass

from alliance_kg.web.reloading import Reloader, fingerprint, token_matches


@dataclass
class FakeStore:
    version: str

    def triple_count(self) -> int:
        return 1


def make_live(versions, grace=0.05, settled=None):
    stopped = []
    live = Reloader.started(FakeStore("v1"), build=lambda: next(versions), start=lambda store: f"pool-{store.version}",
                        stop=stopped.append, grace=grace, settle=None if settled is None else settled.append)
    return live, stopped


def test_memory_is_settled_on_the_current_pool_once_a_reloads_leftovers_are_gone():
    def versions():
        yield FakeStore("v2")
        raise ValueError("does not parse")

    settled = []
    live, stopped = make_live(versions(), settled=settled)
    live.reload()
    assert settled == []  # the old generation still serves its requests in flight
    time.sleep(0.3)
    assert stopped == ["pool-v1"] and settled == ["pool-v2"]
    assert not live.reload().ok  # a failed build's garbage: settled in the background
    for _ in range(100):
        if len(settled) == 2:
            break
        time.sleep(0.02)
    assert settled == ["pool-v2", "pool-v2"]


def test_a_failing_settle_does_not_stop_reloading():
    class Broken(list):
        def append(self, item):
            raise RuntimeError("no")

    live, stopped = make_live(iter([FakeStore("v2"), FakeStore("v3")]), settled=Broken())
    live.reload()
    time.sleep(0.3)
    assert live.reload().ok and live.current.store.version == "v3"


def test_reload_swaps_and_retires_the_old_generation_after_grace():
    live, stopped = make_live(iter([FakeStore("v2")]))
    before = live.current
    outcome = live.reload()
    assert outcome.ok and outcome.version == "v2" and live.current.store.version == "v2"
    assert before.server == "pool-v1" and stopped == []  # in-flight requests still have it
    time.sleep(0.3)
    assert stopped == ["pool-v1"]


def test_bad_data_keeps_the_last_good_generation_and_reports_why():
    def broken():
        raise ValueError("data does not conform: 2 violation(s)")
        yield  # pragma: no cover

    live, stopped = make_live(broken())
    outcome = live.reload()
    assert not outcome.ok and "2 violation" in outcome.message
    assert live.current.store.version == "v1"
    status = live.status()
    assert status["version"] == "v1" and status["last_reload"]["ok"] is False
    assert stopped == []


def test_unchanged_version_keeps_the_generation():
    live, _ = make_live(iter([FakeStore("v1")]))
    current = live.current
    assert live.reload().message == "unchanged" and live.current is current


def test_watch_reloads_when_a_file_changes(tmp_path):
    data = tmp_path / "a.ttl"
    data.write_text("x")
    live, _ = make_live(iter([FakeStore("v2")]))
    live.watch([tmp_path], interval=0.05)
    time.sleep(0.1)
    data.write_text("changed")
    deadline = time.monotonic() + 3
    while live.current.store.version != "v2" and time.monotonic() < deadline:
        time.sleep(0.05)
    live.close()
    assert live.current.store.version == "v2"


def test_fingerprint_and_token():
    assert fingerprint([]) == ()
    assert token_matches("s3cret", "s3cret")
    assert not token_matches("s3cret", "")
    assert not token_matches(None, "s3cret")
    assert not token_matches("wrong", "s3cret")


# -- over HTTP: a real server, its data changed under it ------------------------------------

import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402

import server as live_server  # noqa: E402
from alliance_kg.web.httpservers import HTTP_SERVERS  # noqa: E402

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(base: str) -> int:
    r = requests.get(base + "/sparql", params={"query": COUNT},
                     headers={"Accept": "application/sparql-results+json"}, timeout=10)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_reload_route_swaps_good_data_and_refuses_bad(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(live_server.ENDPOINT_DATA, data)
    srv = live_server.start(tmp_path, "--reload-token", "s3cret", "--query-workers", "1", data=data)
    try:
        before = _count(srv.url)
        status = requests.get(srv.url + "/status", timeout=5).json()
        assert status["version"] and status["last_reload"] is None
        assert requests.post(srv.url + "/admin/reload", timeout=5).status_code == 401
        assert requests.post(srv.url + "/admin/reload", headers={"Authorization": "Bearer nope"},
                             timeout=5).status_code == 401
        (data / "extra.ttl").write_text(
            '<https://w3id.org/alliance-kg/id/topic/extra> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n')
        r = requests.post(srv.url + "/admin/reload", headers={"Authorization": "Bearer s3cret"}, timeout=60)
        assert r.status_code == 200 and r.json()["ok"], r.text
        assert _count(srv.url) > before
        good = requests.get(srv.url + "/status", timeout=5).json()["version"]
        (data / "broken.ttl").write_text("this is not turtle")
        r = requests.post(srv.url + "/admin/reload", headers={"Authorization": "Bearer s3cret"}, timeout=60)
        assert r.status_code == 422 and not r.json()["ok"]
        status = requests.get(srv.url + "/status", timeout=5).json()
        assert status["version"] == good and status["last_reload"]["ok"] is False
        assert "broken.ttl" in status["last_reload"]["message"]
        assert _count(srv.url) > before  # the last good graph is still served
    finally:
        # at once after the failed reload, while its settle forks fresh serving processes: they
        # are stopped too, and the server stops by itself (it was killed, leaving them, before)
        code = srv.stop(timeout=30)
    assert code == 0, srv.output()
    assert not _processes_serving(data)


def _processes_serving(data: Path) -> list[int]:
    """Live processes whose command line names ``data`` (a server's, and its children's)."""
    import psutil

    found = []
    for process in psutil.process_iter(["pid", "cmdline", "status"]):
        if str(data) in " ".join(process.info["cmdline"] or ()) and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process.info["pid"])
    return found


def test_reload_route_is_off_without_a_token(tmp_path: Path):
    srv = live_server.start(tmp_path, "--query-workers", "1")
    try:
        assert requests.post(srv.url + "/admin/reload", headers={"Authorization": "Bearer x"},
                             timeout=5).status_code == 404
    finally:
        srv.stop()


def _rewrite_unseen(path: Path, text: str) -> None:
    """Give ``path`` new content of the same size and mtime: a change the file watcher cannot
    see, so only a signal can make the server reload it."""
    stat = path.stat()
    assert len(text.encode()) == stat.st_size
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _last_reload_after(base: str, previous: dict | None, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = requests.get(base + "/status", timeout=5).json()
        if status["last_reload"] is not None and status["last_reload"] != previous:
            return status
        time.sleep(0.1)
    raise AssertionError(f"no reload within {timeout} s")


@pytest.mark.parametrize("http_server", sorted(HTTP_SERVERS))
def test_sighup_reloads_in_the_serving_process_and_refuses_bad_data(tmp_path: Path, http_server):
    data = tmp_path / "data"
    shutil.copytree(live_server.ENDPOINT_DATA, data)
    srv = live_server.start(tmp_path, "--query-workers", "1", "--http-server", http_server, data=data)
    try:
        before, version = _count(srv.url), requests.get(srv.url + "/status", timeout=5).json()["version"]
        topics = data / "topics.ttl"
        _rewrite_unseen(topics, "this is not turtle".ljust(topics.stat().st_size - 1) + "\n")
        srv.process.send_signal(signal.SIGHUP)
        status = _last_reload_after(srv.url, None)
        assert status["last_reload"]["ok"] is False and "topics.ttl" in status["last_reload"]["message"]
        assert status["version"] == version and _count(srv.url) == before  # the old data, still served
        assert f"reload failed, still serving version {version}" in srv.output()

        _rewrite_unseen(topics, "#".ljust(topics.stat().st_size - 1) + "\n")  # valid: a comment, no triples
        srv.process.send_signal(signal.SIGHUP)
        status = _last_reload_after(srv.url, status["last_reload"])
        assert status["last_reload"]["ok"] is True and status["version"] != version
        assert _count(srv.url) < before
        assert srv.process.poll() is None
    finally:
        assert srv.stop() == 0
