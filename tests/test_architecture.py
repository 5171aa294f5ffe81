"""The layout is the architecture: imports go one way (import-linter contracts in
pyproject.toml) and no module imports itself back through others (no cycle). And no name is
left unused or used undefined (ruff's pyflakes rules), in the package, the tests and benchmarks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import alliance_kg

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(alliance_kg.__file__).resolve().parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(package_parent: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the project's contracts over the package found in ``package_parent``."""
    return subprocess.run([str(LINT), "--no-cache", str(ROOT / "pyproject.toml")], cwd=package_parent,
                          env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept():
    result = _lint(PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module, wrong_import, contract", [
    ("stores/rdflib_store.py", "from ..build import pipeline", "serving never builds"),
    ("rdf.py", "from .query import formats", "layers: cli, app"),
    ("build/reports.py", "import flask", "no Flask or argparse"),
])
def test_a_wrong_way_import_breaks_a_contract(tmp_path: Path, module: str, wrong_import: str, contract: str):
    copy = tmp_path / "alliance_kg"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{wrong_import}  # noqa\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), result.stdout


def cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in imports.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(imports):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back():
    graph = grimp.build_graph("alliance_kg")
    imports = {m: {i for i in graph.find_modules_directly_imported_by(m) if i.startswith("alliance_kg")}
               for m in graph.modules}
    assert len(imports) > 40  # the whole package was read
    assert cycles(imports) == []


# -- names: ruff's pyflakes rules ------------------------------------------------------------------

RUFF = Path(sys.executable).with_name("ruff")


def _names(*paths: Path) -> subprocess.CompletedProcess:
    """Unused imports and variables, undefined names, repeated dict keys: ruff's F rules."""
    return subprocess.run([str(RUFF), "check", "--no-cache", "--select", "F", "--output-format", "concise",
                           *map(str, paths)], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_no_unused_or_undefined_names():
    result = _names(ROOT / "src", ROOT / "tests", ROOT / "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_undefined_name_is_found(tmp_path: Path):
    module = tmp_path / "module.py"
    module.write_text("import math\n\nKEYS = {'a': 1, 'a': 2}\n\n\ndef f():\n    return undefined_name\n")
    result = _names(module)
    assert result.returncode == 1
    assert all(code in result.stdout for code in ("F401", "F601", "F821")), result.stdout
