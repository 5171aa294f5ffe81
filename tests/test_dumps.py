"""The dumps are canonical: the same data gives the same bytes in every format, whatever store
holds it, in whatever order its quads went in and whatever its blank nodes were called (a load
names them afresh), and they read back as that data."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from alliance_kg.namespaces import INFERRED_GRAPH
from alliance_kg.stores import dumps

EX = "http://example.org/"
#: A literal that looks like a blank node and like the end of an N-Triples line.
TRICKY = 'not a blank node: _:b1 .\nand a second line "quoted" .'


def quads(label: str) -> list[ox.Quad]:
    """The test data, its blank nodes labelled ``label``-something: a list, a node shared by
    two graphs, an inferred triple about it, and a literal that looks like one."""
    first, rest, shared = (ox.BlankNode(f"{label}{n}") for n in ("first", "rest", "shared"))
    g1, g2, inferred = ox.NamedNode(EX + "g1"), ox.NamedNode(EX + "g2"), ox.NamedNode(str(INFERRED_GRAPH))
    p, s = ox.NamedNode(EX + "p"), ox.NamedNode(EX + "s")
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    return [ox.Quad(s, p, first, g1), ox.Quad(first, ox.NamedNode(rdf + "first"), ox.Literal("a"), g1),
            ox.Quad(first, ox.NamedNode(rdf + "rest"), rest, g1), ox.Quad(rest, ox.NamedNode(rdf + "first"),
                                                                         ox.Literal("b"), g1),
            ox.Quad(rest, ox.NamedNode(rdf + "rest"), ox.NamedNode(rdf + "nil"), g1),
            ox.Quad(shared, p, ox.Literal("in g1"), g1), ox.Quad(s, p, shared, g2),
            ox.Quad(s, p, ox.Literal(TRICKY), g2), ox.Quad(s, p, ox.Literal("1", datatype=ox.NamedNode(EX + "t")), g2),
            *(ox.Quad(ox.NamedNode(f"{EX}s{n}"), p, ox.Literal(str(n)), g2) for n in range(50)),
            ox.Quad(shared, ox.NamedNode(EX + "inferred"), s, inferred)]


def store_of(label: str, seed: int) -> ox.Store:
    shuffled = quads(label)
    random.Random(seed).shuffle(shuffled)
    store = ox.Store()
    for quad in shuffled:  # one at a time: the memory store keeps this order
        store.add(quad)
    return store


def canonical(store: ox.Store, folder: Path) -> Path:
    path = folder / dumps.CANONICAL
    with path.open("wb") as output:
        dumps.write_canonical(store, output)
    return path


def every_dump(store: ox.Store, folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    source = canonical(store, folder)
    written = {dumps.CANONICAL: source.read_bytes()}
    for name in dumps.DUMPS:
        if name != dumps.CANONICAL:
            with (folder / name).open("wb") as output:
                dumps.write_converted(source, name, output)
            written[name] = (folder / name).read_bytes()
    return written


def test_every_dump_is_the_same_bytes_whatever_the_order_and_the_blank_node_labels(tmp_path):
    one, other = every_dump(store_of("x", 1), tmp_path / "one"), every_dump(store_of("y", 2), tmp_path / "other")
    assert set(one) == set(dumps.DUMPS)
    for name in dumps.DUMPS:
        assert one[name] == other[name], name
    assert b"_:x" not in one[dumps.CANONICAL] and b"_:c14n0 " in one[dumps.CANONICAL]


def test_the_canonical_dump_is_sorted_by_graph_then_by_line(tmp_path):
    lines = canonical(store_of("x", 3), tmp_path).read_bytes().splitlines(keepends=True)
    graphs = [line[line.rindex(b" <"):] for line in lines]
    assert graphs == sorted(graphs) and len(set(graphs)) == 3
    for graph in set(graphs):
        own = [line for line in lines if line.endswith(graph)]
        assert own == sorted(own)


@pytest.mark.parametrize("name", sorted(dumps.DUMPS))
def test_every_dump_reads_back_as_the_store(tmp_path, name):
    """The same graph (blank nodes compared by RDFC-1.0): every graph in a dataset format, the
    asserted graphs' triples in Turtle, the literal that looks like a blank node kept as it is."""
    store = store_of("x", 4)
    path = tmp_path / "dumps" / name
    path.write_bytes(every_dump(store, tmp_path / "dumps")[name])
    fmt = dumps.DUMPS[name][0]
    read = ox.Dataset(ox.parse(path=str(path), format=fmt))
    if fmt.supports_datasets:
        expected = ox.Dataset(store)
    else:
        expected = ox.Dataset({ox.Quad(q.subject, q.predicate, q.object) for q in store
                               if q.graph_name != ox.NamedNode(str(INFERRED_GRAPH))})
    for dataset in (read, expected):
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert read == expected
    assert any(type(q.object) is ox.Literal and q.object.value == TRICKY for q in read)


def test_a_graph_larger_than_the_sort_buffer_is_sorted_in_runs_to_the_same_bytes(tmp_path, monkeypatch):
    store = store_of("x", 5)
    whole = canonical(store, tmp_path).read_bytes()
    monkeypatch.setattr(dumps, "SORT_BYTES", 200)  # some lines per run
    (tmp_path / "runs").mkdir()
    assert canonical(store, tmp_path / "runs").read_bytes() == whole


def test_the_materialised_union_in_the_default_graph_is_not_dumped(tmp_path):
    store = store_of("x", 6)
    alone = canonical(store, tmp_path).read_bytes()
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    (tmp_path / "union").mkdir()
    assert canonical(store, tmp_path / "union").read_bytes() == alone
