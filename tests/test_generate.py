"""Synthetic data: alliance-shaped, passes the same shapes and checks, grows linearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_kg.build.generate import generate
from alliance_kg.build.pipeline import validated
from alliance_kg.cli import EXIT_INPUT
from alliance_kg.errors import InputError


def test_generated_data_conforms_and_has_the_requested_members(tmp_path: Path):
    result = generate(60, tmp_path)
    assert result.path.is_file() and result.cities >= 60
    graph = validated([tmp_path])
    assert graph.report.conforms, [f"{f.focus}: {f.message}" for f in graph.report.findings
                                   if f.severity == "Violation"]
    rows = graph.dataset.query(
        "PREFIX org: <http://www.w3.org/ns/org#> SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a org:Membership }")
    assert int(next(iter(rows))[0]) >= 60


def test_named_graphs_are_the_real_ones(tmp_path: Path, knowledge_graph):
    generate(30, tmp_path)
    graph = validated([tmp_path])
    real = {c.identifier for c in knowledge_graph.dataset.graphs()}
    generated = {c.identifier for c in graph.dataset.graphs()}
    assert generated == real


def test_size_grows_with_cities(tmp_path: Path):
    small = generate(24, tmp_path / "small")
    large = generate(240, tmp_path / "large")
    assert large.quads > 3 * small.quads


@pytest.mark.parametrize("cities", ["0", "-5"])
def test_fewer_than_one_city_is_exit_2(run_cli, tmp_path: Path, cities):
    result = run_cli("generate", "--cities", cities, "--out", str(tmp_path))
    assert result.code == EXIT_INPUT and "argument --cities" in result.err and not list(tmp_path.iterdir())
    with pytest.raises(InputError):
        generate(int(cities), tmp_path)


def test_cities_are_at_least_n_synthetic_ones_beside_the_real(tmp_path: Path):
    """What ``--cities N`` promises in its help: whole copies (at least N cities), the real set on top."""
    result = generate(30, tmp_path)
    per_copy = (result.cities) // (result.copies + 1)
    assert result.copies * per_copy >= 30 > (result.copies - 1) * per_copy
