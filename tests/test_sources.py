"""Reading files into named graphs: the fast line-format reader behaves like rdflib's parsers."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Dataset, URIRef

from alliance_kg.errors import InputError
from alliance_kg.namespaces import GRAPH, ONTOLOGY_GRAPH
from alliance_kg.build.sources import discover, load_dataset, load_shapes

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


def test_files_given_apart_are_named_below_the_folder_they_share(tmp_path, monkeypatch):
    """``d/berlin/index.ttl`` and ``d/hamburg/index.ttl`` as the pre-commit hook passes them, one
    of them written absolute: ``graph/berlin/index`` and ``graph/hamburg/index``, as ``d/``
    names them; a file of a data folder keeps its name below it."""
    for name in ("d/berlin/index.ttl", "d/hamburg/index.ttl", "data/memo/members.ttl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(TRIPLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    given = [Path("d/berlin/index.ttl"), tmp_path / "d" / "hamburg" / "index.ttl", Path("data/memo/members.ttl")]
    assert [s.graph for s in discover(given, root=tmp_path / "elsewhere")] == [
        GRAPH["berlin/index"], GRAPH["hamburg/index"], GRAPH["memo/members"]]
    assert [s.graph for s in discover(given[:1], root=tmp_path / "elsewhere")] == [GRAPH["index"]]


def _files(tmp_path, *names: str) -> list:
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(TRIPLE, encoding="utf-8")
    return [tmp_path / name for name in names]


@pytest.mark.parametrize("names,given,graph", [
    (("a/data/x.ttl", "b/data/x.ttl"), ("a/data/x.ttl", "b/data/x.ttl"), "x"),
    (("side/x.trig", "side/x.ttl"), ("side",), "x"),
    (("side/x.nq", "side/x.ttl"), ("side",), "x"),
    (("data/x.ttl", "data/x.nt"), ("data/x.ttl", "data/x.nt"), "x"),
    (("own/ontology/o.ttl", "x/ontology.ttl"), ("own/ontology", "x/ontology.ttl"), "ontology"),
])
def test_two_files_for_one_graph_are_an_input_error_naming_both(tmp_path, names, given, graph):
    files = _files(tmp_path, *names)
    with pytest.raises(InputError) as raised:
        discover([tmp_path / p for p in given], root=tmp_path / "own")
    assert raised.value.path == str(files[1])
    assert raised.value.message.startswith(f"would share the graph <{GRAPH[graph]}> with {files[0]} ")
    assert ("is given with --ontology; else rename it" if graph == "ontology" else "; rename one") in raised.value.message


def test_the_ontology_files_share_their_graph(tmp_path):
    """The project's ontology folder and ``--ontology`` files go into the ontology graph together."""
    project, extra = _files(tmp_path, "own/ontology/o.ttl", "theirs/o.ttl")
    found = discover([project.parent, extra], root=tmp_path / "own", ontology=[extra])
    assert [(s.path, s.graph) for s in found] == [(project, ONTOLOGY_GRAPH), (extra, ONTOLOGY_GRAPH)]


def test_a_file_given_twice_is_read_once(tmp_path):
    path, = _files(tmp_path, "data/one.nt")
    loaded = load_dataset([tmp_path / "data", path, path])
    assert [s.path for s in loaded.files] == [path]
    assert len({s for s in loaded.dataset.subjects() if isinstance(s, BNode)}) == 1


def test_shapes_files_of_one_name_are_read_into_the_one_shapes_graph(tmp_path):
    a, b = _files(tmp_path, "a/shapes.ttl", "b/shapes.ttl")
    shapes, _ = load_shapes([a, b], root=tmp_path)
    assert len(shapes) == 3  # the named subject's triple once, each file's blank node its own
