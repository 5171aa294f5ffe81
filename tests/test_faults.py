"""Faults an operator meets: a store folder that is corrupted or not ours, and a disk that fills
up during a load. Each is a clear message and exit 2, never a traceback, and the data served so
far stays intact."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from alliance_kg.stores import oxigraph

CLI = [sys.executable, "-m", "alliance_kg.cli"]


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    result = _cli("load", "--store", f"oxigraph:{folder}")
    assert result.returncode == 0, result.stderr
    return folder


def _serve_once(folder: Path) -> subprocess.CompletedProcess:
    return _cli("serve", "--store", f"oxigraph:{folder}", "--get", "/readyz")


def test_a_healthy_store_serves(loaded):
    assert _serve_once(loaded).returncode == 0


def test_a_folder_that_is_not_a_store_is_exit_2(tmp_path):
    (tmp_path / "something.txt").write_text("not a store")
    result = _serve_once(tmp_path)
    assert result.returncode == 2 and "no Oxigraph store here" in result.stderr
    assert "Traceback" not in result.stderr


def _corrupt_description(copy: Path) -> None:
    (copy / oxigraph.META).write_text("{ not json")


def _corrupt_database(copy: Path) -> None:
    for path in next(copy.glob("data-*")).iterdir():
        path.write_bytes(b"\x00garbage" * 64)


@pytest.mark.parametrize("corrupt, message", [(_corrupt_description, "unreadable store description"),
                                              (_corrupt_database, "cannot open the Oxigraph store")])
def test_a_corrupted_store_is_exit_2(tmp_path, loaded, corrupt, message):
    copy = tmp_path / "store"
    subprocess.run(["cp", "-r", str(loaded), str(copy)], check=True)
    corrupt(copy)
    result = _serve_once(copy)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def test_a_load_onto_a_full_disk_fails_clearly_and_keeps_the_previous_store(tmp_path):
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "8m"):
        if os.environ.get("CI"):
            pytest.fail("CI runs as root and must be able to mount a small tmpfs for this test")
        pytest.skip("needs root to mount a small tmpfs (CI runs it)")
    try:
        store = disk / "store"
        first = _cli("load", "--store", f"oxigraph:{store}")
        assert first.returncode == 0, first.stderr
        version = oxigraph.OxigraphStore.current_version(store)
        filler = disk / "filler"
        # take every byte that is left; unbuffered, so that nothing is left to flush (and fail) at close
        with filler.open("wb", buffering=0) as out:
            try:
                while True:
                    out.write(b"\x00" * 65536)
            except OSError:
                pass
        second = _cli("load", "--store", f"oxigraph:{store}")
        assert second.returncode == 2, second.stderr
        assert "No space left on device" in second.stderr and "previous data is untouched" in second.stderr
        assert "Traceback" not in second.stderr
        assert oxigraph.OxigraphStore.current_version(store) == version
        assert [p.name for p in store.glob("data-*")] == [oxigraph.OxigraphStore(store).folder.name]
        filler.unlink()
        assert _serve_once(store).returncode == 0  # the previous store still serves
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.mark.parametrize("size", ["300k", "1m"])
def test_a_full_tmpdir_is_named_as_such_and_left_clean(tmp_path, size):
    """``serve`` parses into scratch files under TMPDIR and serves a graph over
    ``--memory-max-triples`` from a folder there: with no room, the message says so (not that a
    data file failed to parse), and nothing is left behind."""
    tiny = tmp_path / "tmp"
    if not _mount_tmpfs(tiny, size):
        if os.environ.get("CI"):
            pytest.fail("CI runs as root and must be able to mount a small tmpfs for this test")
        pytest.skip("needs root to mount a small tmpfs (CI runs it)")
    try:
        result = subprocess.run([*CLI, "serve", "--memory-max-triples", "100", "--get", "/readyz"],
                                capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": str(tiny)})
        assert result.returncode == 2, result.stderr
        assert "No space left on device" in result.stderr and "free space under TMPDIR" in result.stderr
        assert ("cannot write the parsed copy of the data" in result.stderr
                or "cannot write the temporary store" in result.stderr), result.stderr
        assert ".ttl" not in result.stderr and "Traceback" not in result.stderr
        assert list(tiny.iterdir()) == []
    finally:
        subprocess.run(["umount", "-l", str(tiny)], capture_output=True)


def test_a_load_killed_midway_leaves_the_last_good_store(tmp_path, loaded):
    """SIGKILL while the next version is written (a reload's load, a crash, an OOM kill): the
    store still opens at the version before, and the next load clears the half-written folder."""
    import signal
    import time

    store = tmp_path / "store"
    subprocess.run(["cp", "-r", str(loaded), str(store)], check=True)
    version = oxigraph.OxigraphStore.current_version(store)
    data = tmp_path / "generated"
    assert _cli("generate", "--cities", "400", "--out", str(data)).returncode == 0
    process = subprocess.Popen([*CLI, "load", "--store", f"oxigraph:{store}", str(data)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not any(store.glob("loading-*/*")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    assert process.poll() is None, "the load ended before it was seen writing"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert any(store.glob("loading-*")), "killed while writing: the torn folder is there"
    assert oxigraph.OxigraphStore.current_version(store) == version
    assert _serve_once(store).returncode == 0
    assert _cli("load", "--store", f"oxigraph:{store}").returncode == 0
    assert len(list(store.glob("data-*"))) <= 2  # the new one and the one before
    assert not list(store.glob("loading-*")) and not list(store.glob("staged-*"))  # the torn one is gone
