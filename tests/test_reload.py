"""Reloading: the new generation is built beside the old, swapped in one step; bad data never
replaces good data; the old generation is stopped only after its grace period."""

from __future__ import annotations

import time
from dataclasses import dataclass

from alliance_kg.reload import Live, fingerprint, token_matches


@dataclass
class FakeStore:
    version: str

    def triple_count(self) -> int:
        return 1


def make_live(versions, grace=0.05):
    stopped = []
    live = Live.started(FakeStore("v1"), build=lambda: next(versions), start=lambda store: f"pool-{store.version}",
                        stop=stopped.append, grace=grace)
    return live, stopped


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
