"""``benchmarks/run.py``, the README's benchmark command, run for real on the shipped graph with
a couple of rounds: every system it starts answers every query of the mix in both modes, the
figures and the ratios against the peers come out, and the row counts agree across systems. The
figures themselves are not judged here (benchmarks are scripts, not timed tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
MODES = ("repeated-c1", "repeated-c8", "unique-c1", "unique-c8")
ROUNDS = 3


def _run(tmp: Path, *args: str) -> tuple[dict, str]:
    out = tmp / "results.json"
    done = subprocess.run([sys.executable, str(RUN), "--sizes", "1k", "--rounds", str(ROUNDS), "--passes", "1",
                           "--work", str(tmp / "work"), "--out", str(out), "--markdown", *args],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text()), done.stdout


def _answered_everything(results: dict, systems: list[str]) -> None:
    """Every system answered every request; the Python clients send the mix exactly ``ROUNDS``
    times, wrk at least as often (its threads stop once each has its share of answers)."""
    sent = ROUNDS * len(results["queries"])
    entry = results["sizes"]["1k"]
    assert list(entry["systems"]) == systems
    assert entry["row_mismatches"] == {}
    for name, figures in entry["systems"].items():
        assert "error" not in figures, (name, figures.get("error"))
        assert set(figures["rows"]) == set(results["queries"]), name
        for mode in MODES:
            measured = figures[mode]
            if results["client"] == "wrk":
                assert measured["requests"] >= sent, (name, mode, measured)
            else:
                assert measured["requests"] == sent, (name, mode, measured)
            assert measured["failed"] == {} and measured["qps"] > 0, (name, mode, measured)
            assert measured["cpu_ms_per_query"] >= 0, (name, mode, measured)  # clock ticks: may round to 0


def test_the_readme_command_with_wrk_against_the_oxigraph_server(tmp_path: Path):
    """The README's command (wrk, POST), the Oxigraph server with and without a deadline as peers,
    and the floor under our endpoint."""
    systems = ["memory", "oxigraph-server", "oxigraph-server-unbounded", "bare-pyoxigraph"]
    results, table = _run(tmp_path, "--systems", ",".join(systems), "--client", "wrk")
    assert results["client"] == "wrk" and results["method"] == "post"
    _answered_everything(results, systems)
    assert results["sizes"]["1k"]["systems"]["memory"]["allocator"]  # named, whichever it is
    rows = [line for line in table.splitlines() if line.startswith("| memory |")]
    assert len(rows) == 2  # repeated and unique texts
    for row in rows:
        against_oxigraph = row.split("|")[-4:-1]  # c1, c8, c8 against the unbounded one
        assert all(cell.strip().endswith("×") for cell in against_oxigraph), row
    assert "Row counts: all systems agree" in table


@pytest.mark.parametrize("client", ["light", "requests"])
def test_queries_sent_as_gets_by_the_python_clients(tmp_path: Path, client: str):
    systems = ["memory", "bare-pyoxigraph"]
    results, _ = _run(tmp_path, "--systems", ",".join(systems), "--client", client, "--method", "get")
    assert results["client"] == client and results["method"] == "get"
    _answered_everything(results, systems)


def test_a_wrong_flag_is_refused(tmp_path: Path):
    done = subprocess.run([sys.executable, str(RUN), "--modes", "sometimes", "--out", str(tmp_path / "r.json")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown mode(s): sometimes" in done.stderr
    assert not (tmp_path / "r.json").exists()
