"""Scratch folders carry their owner's process id, and making one removes those of its kind
whose owner is gone: a server killed by SIGKILL or the OOM killer runs no finalizer, and at 10M
triples the folder it leaves is gigabytes."""

from __future__ import annotations

import os
import tempfile

import pytest

from alliance_kg.scratch import owner_alive, scratch_folder


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_a_folder_is_named_for_its_owner(tmp):
    folder = scratch_folder("store")
    assert folder.parent == tmp and folder.is_dir()
    assert folder.name.startswith(f"alliance-kg-store-{os.getpid()}-")


def test_folders_of_a_gone_owner_are_removed_and_no_others(tmp, dead_pid):
    dead = dead_pid
    assert not owner_alive(dead)
    gone = tmp / f"alliance-kg-store-{dead}-abc"
    (gone / "data").mkdir(parents=True)
    (gone / "data" / "file").write_bytes(b"x")
    keep = [tmp / f"alliance-kg-store-{os.getpid()}-mine",  # this process: in use
            tmp / f"alliance-kg-store-{os.getppid()}-parent",  # alive
            tmp / f"alliance-kg-downloads-{dead}-other-kind",  # another kind: its maker clears it
            tmp / "alliance-kg-store-oldname",  # no process id in the name
            tmp / f"unrelated-{dead}"]
    for folder in keep:
        folder.mkdir()
    made = scratch_folder("store")
    assert not gone.exists()
    assert all(folder.exists() for folder in keep)
    assert made.exists()
    scratch_folder("downloads")
    assert not keep[2].exists()


def test_numbers_that_are_no_process_are_not_alive():
    assert not owner_alive(0)  # would signal our own process group
    assert not owner_alive(2**40)
    assert owner_alive(os.getpid())
