"""Synthetic data: alliance-shaped, passes the same shapes and checks, grows linearly."""

from __future__ import annotations

from pathlib import Path

from alliance_kg.build.generate import generate
from alliance_kg.build.pipeline import validated


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
