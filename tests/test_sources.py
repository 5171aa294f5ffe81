"""Reading files into named graphs: the fast line-format reader behaves like rdflib's parsers."""

from __future__ import annotations

from rdflib import BNode, Dataset, URIRef

from alliance_kg.namespaces import GRAPH
from alliance_kg.build.sources import discover, load_dataset

TRIPLE = '_:b <http://example.org/p> "x" .\n<http://example.org/s> <http://example.org/p> "ü"@de .\n'


def test_blank_nodes_are_scoped_to_their_file(tmp_path):
    for name in ("one.nt", "two.nt"):
        (tmp_path / name).write_text(TRIPLE, encoding="utf-8")
    dataset = load_dataset([tmp_path]).dataset
    blanks = {s for s in dataset.subjects() if isinstance(s, BNode)}
    assert len(blanks) == 2


def test_line_formats_match_rdflib(tmp_path):
    path = tmp_path / "mixed.nq"
    path.write_text(TRIPLE + '<http://example.org/s> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <http://example.org/g> .\n',
                    encoding="utf-8")
    ours = load_dataset([path]).dataset
    reference = Dataset().parse(path, format="nquads")
    assert {(s, p, o) for s, p, o, _ in ours.quads() if not isinstance(s, BNode)} == \
        {(s, p, o) for s, p, o, _ in reference.quads() if not isinstance(s, BNode)}
    names = {c.identifier for c in ours.graphs() if len(c)}
    assert names == {GRAPH["mixed"], URIRef("http://example.org/g")}


def test_line_format_subjects_are_located(tmp_path):
    path = tmp_path / "data.nt"
    path.write_text(TRIPLE, encoding="utf-8")
    loaded = load_dataset([path])
    assert loaded.locator.locate(URIRef("http://example.org/s")) == (str(path), 2)


def test_a_folder_given_names_its_graphs_by_path_below_it(tmp_path):
    for name in ("a/items.ttl", "b/items.ttl", "top.ttl"):
        (tmp_path / "coll" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "coll" / name).write_text(TRIPLE, encoding="utf-8")
    names = {s.graph for s in discover([tmp_path / "coll"], root=tmp_path / "elsewhere")}
    assert names == {GRAPH["a/items"], GRAPH["b/items"], GRAPH["top"]}


def test_a_file_given_is_named_below_its_data_folder_else_by_its_name(tmp_path):
    for name in ("data/memo/members.ttl", "x/members.ttl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(TRIPLE, encoding="utf-8")
    given = [tmp_path / "data" / "memo" / "members.ttl", tmp_path / "x" / "members.ttl"]
    assert [s.graph for s in discover(given, root=tmp_path / "elsewhere")] == [GRAPH["memo/members"], GRAPH["members"]]
