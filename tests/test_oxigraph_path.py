"""The Oxigraph path (files parsed into a pyoxigraph store, inferred and validated there) gives
what the rdflib path, the reference, gives: the same inferred graph, the same findings with the
same file and line, the same VoID counts and dumps; and a broken file still fails with its file
and line, leaving nothing loaded."""

from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT

from alliance_kg.build import loading
from alliance_kg.build.generate import generate
from alliance_kg.build.pipeline import unvalidated, validated
from alliance_kg.cli import EXIT_VIOLATIONS
from alliance_kg.errors import InputError
from alliance_kg.namespaces import INFERRED_GRAPH
from alliance_kg.rdf import named_quads
from alliance_kg.stores import oxigraph
from alliance_kg.stores.dumps import CANONICAL, DUMPS, write_all, write_canonical, write_converted
from alliance_kg.stores.void import Counts

from test_cli import BAD_CITY
from test_validation_speed import AS_WRITTEN, _case, _property_shape

#: Added to a copy of the data: an OCR artefact in a label, a foreign subject typed as a city,
#: a tenure without a holder's dates (shapes and checks both report something).
BROKEN = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix schema: <https://schema.org/> .
<https://w3id.org/alliance-kg/id/city/koeln> rdfs:label "Kdln"@de .

<http://example.org/x> a schema:City .
"""


def marked(graph) -> Graph:
    """Asserted and inferred triples in one graph, the inferred ones under a marked predicate,
    so that isomorphism (blank nodes are labelled differently by each parse) compares both
    what was inferred and where it went."""
    out = Graph()
    for s, p, o, g in named_quads(graph.dataset):
        out.add((s, URIRef(f"urn:inferred:{p}") if g == INFERRED_GRAPH else p, o))
    return out


def findings(report) -> list[dict]:
    """The findings as dicts, blank node labels (which differ between parses) blanked out."""
    def plain(value):
        return "_:" if isinstance(value, str) and (value.startswith("_:") or _is_label(value)) else value

    return [{k: plain(v) if k in ("focus", "value") else v for k, v in f.as_dict().items()} for f in report.findings]


def _is_label(text: str) -> bool:
    return len(text) >= 16 and text.isalnum() and not text.isdigit() and ":" not in text


def both(paths, **options):
    return validated(paths, **options), validated(paths, into="oxigraph", **options)


@pytest.fixture(scope="module")
def generated_broken(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    generate(40, folder)
    (folder / "broken.ttl").write_text(BROKEN, encoding="utf-8")
    return folder


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
def test_shipped_data_same_inferred_graph_and_findings(engine):
    reference, ours = both(None, engine=engine)
    assert ours.store is not None and reference.store is None
    assert isomorphic(marked(reference), marked(ours))
    assert findings(ours.report) == findings(reference.report)
    assert any(f.file and f.line for f in ours.report.findings), "no finding was located"


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
def test_generated_data_with_violations_same_inferred_graph_and_findings(engine, generated_broken):
    reference, ours = both([generated_broken], engine=engine)
    assert reference.report.count("Violation") >= 2
    assert len(reference.dataset.graph(INFERRED_GRAPH)) > 300
    assert isomorphic(marked(reference), marked(ours))
    assert findings(ours.report) == findings(reference.report)
    located = {(Path(f.file).name, f.line) for f in ours.report.findings if f.focus.endswith("koeln") and f.file}
    assert ("broken.ttl", 2) in located or any(name == "members.ttl" for name, _ in located)


def test_a_functional_property_with_two_values_falls_back_to_owlrl_in_both(tmp_path):
    (tmp_path / "two-holders.ttl").write_text(
        "@prefix akg: <https://w3id.org/alliance-kg/ontology#> .\n"
        "<https://w3id.org/alliance-kg/id/tenure/t> akg:holder <https://w3id.org/alliance-kg/id/person/a> , "
        "<https://w3id.org/alliance-kg/id/person/b> .\n", encoding="utf-8")
    paths = [Path(__file__).resolve().parents[1] / "data", tmp_path]
    reference, ours = unvalidated(paths), unvalidated(paths, into="oxigraph")
    assert isomorphic(marked(reference), marked(ours))
    inferred = {(str(s), str(p), str(o)) for s, p, o in ours.dataset.graph(INFERRED_GRAPH)}
    assert ("https://w3id.org/alliance-kg/id/person/a", "http://www.w3.org/2002/07/owl#sameAs",
            "https://w3id.org/alliance-kg/id/person/b") in inferred


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
@pytest.mark.parametrize("name", list(AS_WRITTEN))
def test_the_store_path_sees_literals_as_written(name, engine, tmp_path):
    constraint, data, components = AS_WRITTEN[name]
    _case(tmp_path, _property_shape(constraint), data)
    graph = validated([tmp_path / "data.ttl"], shapes=[tmp_path / "shapes.ttl"], ontology=[], checks=[],
                      engine=engine, into="oxigraph")
    assert [str(f.component).rsplit("#", 1)[-1] for f in graph.report.findings] == components


def test_void_counts_and_dumps_from_the_store_match_rdflib(tmp_path):
    reference, ours = unvalidated(), unvalidated(into="oxigraph")
    assert Counts.of_store(ours.store) == Counts.of_dataset(reference.dataset)
    for name, source in (("rdflib", reference.dataset), ("oxigraph", ours.store)):
        write_all(source, tmp_path / name)
    for dump in DUMPS:  # canonical: the same bytes, however the graph was built
        assert (tmp_path / "oxigraph" / dump).read_bytes() == (tmp_path / "rdflib" / dump).read_bytes(), dump
    assert (tmp_path / "oxigraph" / "void.ttl").read_bytes() == (tmp_path / "rdflib" / "void.ttl").read_bytes()


def test_a_broken_file_fails_with_file_and_line_and_nothing_is_loaded(tmp_path, run_cli):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.ttl").write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    (folder / "b.ttl").write_text("<http://example.org/b> <http://example.org/p> 2 .\n<http://example.org/c> oops\n",
                                  encoding="utf-8")
    with pytest.raises(InputError) as caught:
        unvalidated([folder], ontology=[], into="oxigraph")
    assert caught.value.path == str(folder / "b.ttl") and caught.value.line == 2
    store = tmp_path / "store"
    assert run_cli("load", "--store", f"oxigraph:{store}").code == 0
    before = json.loads((store / "alliance-kg.json").read_text())
    result = run_cli("load", "--store", f"oxigraph:{store}", str(folder))
    assert result.code == 2 and "b.ttl:2" in result.err
    assert json.loads((store / "alliance-kg.json").read_text()) == before
    assert [p.name for p in store.glob("data-*")] == [before["folder"]]


# -- writing the built store to disk (``alliance-kg load``, ``oxigraph.Writing``) -------------------

def test_load_writes_what_was_built(tmp_path, run_cli):
    """The asserted quads (written while inference runs) and the inferred graph (while the
    shapes run) make up exactly the graph built in memory."""
    assert run_cli("load", "--store", f"oxigraph:{tmp_path}").code == 0
    disk = oxigraph.OxigraphStore(tmp_path)
    built = unvalidated(into="oxigraph")
    assert isomorphic(marked(disk), marked(built))
    assert json.loads((tmp_path / oxigraph.META).read_text())["quads"] == len(built.store)
    assert not list(tmp_path.glob("loading-*")) and not list(tmp_path.glob("staged-*"))


def test_a_load_clears_what_dead_loads_left_but_not_what_a_running_one_writes(tmp_path, run_cli, dead_pid):
    dead, running = dead_pid, os.getppid()  # a process that ended; one that runs (pytest's parent)
    for name in (f"loading-{dead}-1", f"loading-{running}-1", "loading-1764000000000000000"):
        (tmp_path / name).mkdir(parents=True)
    for name in (f"staged-{dead}-1.nq", f"staged-{running}-1.nq"):
        (tmp_path / name).write_text("")
    assert run_cli("load", "--store", f"oxigraph:{tmp_path}").code == 0
    assert sorted(p.name for p in tmp_path.glob("loading-*")) == [f"loading-{running}-1"]
    assert sorted(p.name for p in tmp_path.glob("staged-*")) == [f"staged-{running}-1.nq"]


def test_a_load_that_does_not_conform_leaves_no_folder(tmp_path, run_cli):
    assert run_cli("load", "--store", f"oxigraph:{tmp_path}").code == 0
    before = json.loads((tmp_path / oxigraph.META).read_text())
    bad = tmp_path / "bad-city.ttl"
    bad.write_text(BAD_CITY, encoding="utf-8")
    result = run_cli("load", "--store", f"oxigraph:{tmp_path}", str(bad))
    assert result.code == EXIT_VIOLATIONS, result.err
    assert json.loads((tmp_path / oxigraph.META).read_text()) == before
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [before["folder"]]


def test_a_store_is_written_in_slices_with_its_blank_nodes_and_distinct_union(tmp_path, monkeypatch):
    """Slices of two quads: a blank node used across slices stays one node, and a triple in two
    graphs is written once into the default graph (the union the queries read)."""
    monkeypatch.setattr(oxigraph, "BULK_QUADS", 2)
    ex, b = "http://example.org/", ox.BlankNode("shared")
    g1, g2 = ox.NamedNode(ex + "g1"), ox.NamedNode(ex + "g2")
    p = ox.NamedNode(ex + "p")
    quads = [ox.Quad(b, p, ox.Literal(str(n)), g1) for n in range(5)]
    quads += [ox.Quad(ox.NamedNode(ex + "a"), p, b, g1), ox.Quad(ox.NamedNode(ex + "a"), p, b, g2)]
    source = ox.Store()
    source.extend(quads)
    oxigraph.write(tmp_path, source, "v1")
    meta = json.loads((tmp_path / oxigraph.META).read_text())
    assert (meta["quads"], meta["triples"], meta["union_materialised"]) == (7, 6, True)
    disk = ox.Store.read_only(str(tmp_path / meta["folder"]))
    blank = {q.subject for q in disk if type(q.subject) is ox.BlankNode} | {
        q.object for q in disk if type(q.object) is ox.BlankNode}
    assert len(blank) == 1  # relabelled by the bulk loader, but one node
    (node,) = blank
    renamed = {ox.Quad(node if q.subject == b else q.subject, q.predicate, node if q.object == b else q.object,
                       q.graph_name) for q in quads}
    assert set(disk) == renamed | {ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in renamed}
    store = oxigraph.OxigraphStore(tmp_path)
    assert store.triple_count() == 6


def test_a_built_store_changed_behind_the_writer_is_refused(tmp_path):
    """Handed the asserted quads as a file and the store for one graph only, the writer checks
    the total: a quad outside that graph, not in the file, fails the write and keeps the
    previous data."""
    ex = "http://example.org/"
    source = ox.Store()
    source.add(ox.Quad(ox.NamedNode(ex + "s"), ox.NamedNode(ex + "p"), ox.Literal("o"), ox.NamedNode(ex + "g")))
    asserted = tmp_path / "asserted.nq"
    asserted.write_bytes(b"")
    with pytest.raises(InputError, match="wrote 0 quads of 1"):
        with oxigraph.Writing(tmp_path / "store") as writing:
            writing.begin(asserted)
            writing.finish(source, ex + "other")
            writing.commit("v1")
    assert not (tmp_path / "store" / oxigraph.META).exists()
    assert not list((tmp_path / "store").iterdir())


# -- line-based files: loaded by Oxigraph in slices, the lines with a blank node parsed together ---

def test_line_files_read_in_slices_give_the_same_graph_and_findings(generated_broken, monkeypatch):
    monkeypatch.setattr(loading, "LINES", 7)  # the ontology's blank nodes span slices
    reference, ours = both([generated_broken], engine="compiled")
    assert isomorphic(marked(reference), marked(ours))
    assert findings(ours.report) == findings(reference.report)


def test_blank_nodes_of_line_files_stay_apart_and_literals_as_written(tmp_path, monkeypatch):
    """Two files' ``_:b`` are two nodes, one file's ``_:b`` in two slices one node; a literal
    holding "_:" and a boolean written "1" reach the shapes as written."""
    monkeypatch.setattr(loading, "LINES", 1)
    p, ex = "<http://example.org/p>", "http://example.org/"
    (tmp_path / "a.nt").write_text(f'_:b {p} "a" .\n<{ex}s> {p} _:b .\n<{ex}s> {p} "x_:y" .\n', encoding="utf-8")
    (tmp_path / "b.nq").write_text(f'_:b {p} "b" <{ex}g> .\n<{ex}t> {p} "t" .\n', encoding="utf-8")
    reference, ours = unvalidated([tmp_path], ontology=[]), unvalidated([tmp_path], ontology=[], into="oxigraph")
    assert isomorphic(marked(reference), marked(ours))
    blank = {q.subject for q in ours.store if type(q.subject) is ox.BlankNode}
    assert len(blank) == 2
    (tmp_path / "c.nt").write_text(f'<{ex}t> {p} "1"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n', encoding="utf-8")
    ours = unvalidated([tmp_path], ontology=[], into="oxigraph")
    seen = b"".join(part.path.read_bytes() for part in ours.loaded.written)
    assert b'"x_:y"' in seen and b'"1"^^<http://www.w3.org/2001/XMLSchema#boolean>' in seen


@pytest.mark.parametrize("bad, line", [("<http://example.org/s> <http://example.org/p> oops .", 8),
                                       ("_:x <http://example.org/p> oops .", 8)])
def test_a_syntax_error_in_a_later_slice_names_the_files_line(tmp_path, monkeypatch, bad, line):
    monkeypatch.setattr(loading, "LINES", 3)
    good = [f'<http://example.org/s{n}> <http://example.org/p> "{n}" .' for n in range(1, 11)]
    good[line - 1] = bad
    (tmp_path / "data.nt").write_text("\n".join(good) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        unvalidated([tmp_path], ontology=[], into="oxigraph")
    assert (caught.value.path, caught.value.line) == (str(tmp_path / "data.nt"), line)


def test_the_turtle_dump_of_a_store_is_its_asserted_triples_once_each(tmp_path):
    """Turtle holds one graph: every asserted graph's triples (a blank node one node across
    them, a triple of two graphs one triple), none of the inferred graph."""
    ex = "http://example.org/"
    b, p = ox.BlankNode("b"), ox.NamedNode(ex + "p")
    g1, g2, inferred = ox.NamedNode(ex + "g1"), ox.NamedNode(ex + "g2"), ox.NamedNode(str(INFERRED_GRAPH))
    store = ox.Store()
    store.extend([ox.Quad(b, p, ox.Literal("x"), g1), ox.Quad(ox.NamedNode(ex + "s"), p, b, g2),
                  ox.Quad(ox.NamedNode(ex + "s"), p, ox.Literal("both"), g1),
                  ox.Quad(ox.NamedNode(ex + "s"), p, ox.Literal("both"), g2),
                  ox.Quad(ox.NamedNode(ex + "s"), p, ox.Literal("inferred"), inferred)])
    with (tmp_path / CANONICAL).open("wb") as output:
        write_canonical(store, output)
    with (tmp_path / "out.ttl").open("wb") as output:
        write_converted(tmp_path / CANONICAL, "alliance-kg.ttl", output)
    parsed = Graph().parse(tmp_path / "out.ttl", format="turtle")
    expected = Graph().parse(data=f'_:b <{ex}p> "x" . <{ex}s> <{ex}p> _:b , "both" .', format="turtle")
    assert isomorphic(parsed, expected)


def test_void_the_service_description_the_catalog_and_downloads_need_no_rdflib_copy():
    """On the embedded default, a harvester's VoID, service description, catalog or download
    request is answered from the store (Oxigraph's counts, the same as rdflib's; the catalog's
    dates by a query; dumps by ``Store.dump``), and no rdflib copy of the store is made."""
    from alliance_kg.app import create_app
    from alliance_kg.namespaces import SD, VOID
    from alliance_kg.stores import InMemoryOxigraphStore
    from alliance_kg.stores.void import DATASET

    reference, built = unvalidated(), unvalidated(into="oxigraph")
    store = InMemoryOxigraphStore(built.store, built.version)
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True),
                         format="turtle")
    described = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True),
                              format="turtle")
    expected = Counts.of_dataset(reference.dataset)
    assert int(void.value(DATASET, VOID.triples)) == expected.triples
    sizes = {str(described.value(named, SD.name)): int(described.value(described.value(named, SD.graph), VOID.triples))
             for named in described.subjects(predicate=SD.name)}
    assert set(sizes) == {str(name) for name in store.graph_names()}
    assert sizes == {name: expected.graphs.get(name, 0) for name in sizes}
    catalog = Graph().parse(data=client.get("/catalog", headers={"Accept": "text/turtle"}).get_data(as_text=True),
                            format="turtle")
    assert len(set(catalog.objects(None, DCAT.startDate))) == 1 and len(set(catalog.objects(None, DCAT.endDate))) == 1
    quads = client.get("/downloads/alliance-kg.nq").get_data()
    assert isomorphic(marked(built), marked(SimpleNamespace(dataset=Dataset().parse(data=quads, format="nquads"))))
    assert store._dataset is None


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
def test_the_shapes_input_is_a_pipe_and_its_writers_failure_is_raised_not_a_partial_report(engine, monkeypatch,
                                                                                           tmp_path):
    """The shapes read the data from a named pipe a thread fills: a failure of that thread part
    way is the error (no report from part of the data) and nothing is left under TMPDIR."""
    import tempfile

    from alliance_kg.build import store_validation

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen = []

    def half(loaded, out):
        seen.append(os.stat(loaded.written[0].path.with_name("validated.nq")).st_mode)
        with loaded.written[0].path.open("rb") as first:
            out.write(first.read(4096))  # part of a line, too
        raise RuntimeError("the copy stopped")

    monkeypatch.setattr(store_validation, "_write_input", half)
    with pytest.raises(RuntimeError, match="the copy stopped"):
        validated(None, into="oxigraph", engine=engine)
    assert seen and all(__import__("stat").S_ISFIFO(mode) for mode in seen)
    assert not list(tmp_path.rglob("validated.nq"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ is Linux's")
def test_the_shapes_input_pipe_is_widened_to_a_mebibyte():
    """At Linux's 64 KiB a pipe made the 10M graph's validation a third slower than a file."""
    import fcntl

    from alliance_kg.build import store_validation

    read, write = os.pipe()
    try:
        assert fcntl.fcntl(write, fcntl.F_GETPIPE_SZ) < store_validation.PIPE_BYTES
        store_validation._widen(write)
        assert fcntl.fcntl(write, fcntl.F_GETPIPE_SZ) == store_validation.PIPE_BYTES
    finally:
        os.close(read)
        os.close(write)


def test_a_reader_that_never_opens_the_shapes_input_leaves_no_writer_waiting(monkeypatch, tmp_path):
    import tempfile
    import threading

    from alliance_kg.build import store_validation

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken(shapes):
        raise ValueError("the shapes did not compile")

    monkeypatch.setattr(store_validation, "compiled_shapes", broken)
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_raised(lambda: validated(None, into="oxigraph",
                                                                                      engine="compiled"))))
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the validation hung on its own pipe"
    assert isinstance(outcome[0], ValueError)
    assert not [t for t in threading.enumerate() if t.name == "shapes-input"]
    assert not list(tmp_path.rglob("validated.nq"))


def _raised(call):
    try:
        call()
    except Exception as exc:
        return exc
    return None
