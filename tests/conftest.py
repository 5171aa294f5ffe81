"""Shared fixtures: the shipped knowledge graph (loaded once), an in-process CLI runner and the
process id of a process that has ended."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from alliance_kg.cli import main
from alliance_kg.build.pipeline import KnowledgeGraph, validated

ROOT = Path(__file__).resolve().parents[1]

#: Fixture modules shared by many test files (stores per backend, apps, live servers, Virtuoso).
pytest_plugins = ("backends", "fixtures_server")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def knowledge_graph() -> KnowledgeGraph:
    """The shipped graph, parsed, inferred and validated once per test session."""
    return validated()


@pytest.fixture
def dead_pid() -> int:
    """The process id of a process that has ended (not reused this soon)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def run_cli(monkeypatch):
    """Run ``alliance-kg`` in-process; argparse's own exits are caught like real exit codes. On
    the system's allocator: a command that preloads one (``load``) would execute the test
    process itself again."""
    monkeypatch.setenv("ALLIANCE_KG_ALLOCATOR", "system")

    def run(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
        return CliResult(code, out.getvalue(), err.getvalue())

    return run
