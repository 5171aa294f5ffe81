"""The CLI as CI pipelines use it: exit codes, report formats, file:line in every message."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

import alliance_kg
from alliance_kg.cli import EXIT_INPUT, EXIT_OK, EXIT_VIOLATIONS

BAD_CITY = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .

<https://w3id.org/alliance-kg/id/city/Bad_Slug>
    a schema:City ;
    rdfs:label "Kdln"@de .
"""
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture
def bad_data(tmp_path: Path) -> Path:
    path = tmp_path / "bad-city.ttl"
    path.write_text(BAD_CITY, encoding="utf-8")
    return path


def test_validate_shipped_graph_conforms(run_cli):
    result = run_cli("validate")
    assert result.code == EXIT_OK, result.out + result.err
    assert "conforms" in result.out


def test_graph_names_do_not_depend_on_where_the_package_is(run_cli, repo_root, tmp_path, monkeypatch):
    """The README's and the GitHub Action's ``validate data/`` from a checkout whose package is
    installed elsewhere: ``data/memo/members.ttl`` is still ``graph/memo/members``, the graph
    ``graph/provenance`` describes (else every membership is a violation)."""
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(repo_root / folder, tmp_path / folder)
    monkeypatch.setenv("ALLIANCE_KG_ROOT", str(tmp_path))
    monkeypatch.chdir(repo_root)
    result = run_cli("validate", "data/", "--format", "json")
    assert result.code == EXIT_OK, [f["message"] for f in json.loads(result.out)["findings"]
                                     if f["severity"] == "Violation"][:3]


def test_validate_violations_exit_1_and_name_file_and_line(run_cli, bad_data):
    result = run_cli("validate", str(bad_data))
    assert result.code == EXIT_VIOLATIONS
    assert f"{bad_data}:4: Violation" in result.out
    assert "does not conform" in result.out


def test_broken_turtle_names_file_line_and_column(run_cli, tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n', encoding="utf-8")
    result = run_cli("validate", str(path))
    assert result.code == EXIT_INPUT
    assert f"{path}:2:" in result.err
    assert "Traceback" not in result.err


def test_broken_check_file_names_file_line_and_column(run_cli, tmp_path):
    """A SPARQL check that does not parse is bad input (exit 2), reported as a data file's
    syntax error is, not as an internal error."""
    check = tmp_path / "bad-violation.rq"
    check.write_text("# guards nothing\nSELECT * WHERE { ?s ?p ?o } LIMIT x\n", encoding="utf-8")
    result = run_cli("validate", "--checks", str(check))
    assert result.code == EXIT_INPUT, result.err
    assert f"{check}:2:35: syntax error: " in result.err  # the x
    assert "internal error" not in result.err and "Traceback" not in result.err


def test_missing_path_is_exit_2(run_cli, tmp_path):
    result = run_cli("validate", str(tmp_path / "nope.ttl"))
    assert result.code == EXIT_INPUT
    assert "no such file" in result.err


#: A statement about nothing of ours: conforms to the shipped shapes and checks.
PLAIN = '<http://ex.org/x> <http://ex.org/p> "a" .\n'


@pytest.fixture
def one_graph(tmp_path: Path) -> dict[str, Path]:
    """``a/data/x.ttl`` and ``b/data/x.ttl`` (given as two paths, each is ``graph/x``, named
    below its data folder), and ``side/`` with ``x.ttl`` beside an ``x.trig`` whose statements
    are all in a graph it names itself."""
    for name in ("a/data/x.ttl", "b/data/x.ttl", "side/x.ttl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(PLAIN, encoding="utf-8")
    (tmp_path / "side" / "x.trig").write_text("<http://ex.org/g> { " + PLAIN.strip() + " }\n", encoding="utf-8")
    return {"a": tmp_path / "a" / "data" / "x.ttl", "b": tmp_path / "b" / "data" / "x.ttl", "side": tmp_path / "side",
            "out": tmp_path / "out"}


@pytest.mark.parametrize("args", [
    ("validate", "{a}", "{b}"),
    ("build", "{a}", "{b}", "--out", "{out}"),
    ("load", "--store", "oxigraph:{out}", "{a}", "{b}"),
    ("query", "ASK {{}}", "--data", "{a}", "--data", "{b}"),
    ("serve", "--data", "{a},{b}", "--get", "/sparql?query=ASK%7B%7D"),
    ("serve", "--data", "{a},{b}", "--store", "rdflib", "--get", "/sparql?query=ASK%7B%7D"),
    ("diff", "{a}", "{side}"),
])
def test_two_files_for_one_graph_are_exit_2_naming_both(run_cli, one_graph, args):
    """Their statements would merge into one graph and no longer say which file made them; the
    error comes before any file is read, so nothing is written or served."""
    result = run_cli(*(a.format(**one_graph) for a in args))
    graph = "<https://w3id.org/alliance-kg/graph/x>"
    if "diff" in args:
        first, second, hint = one_graph["side"] / "x.trig", one_graph["side"] / "x.ttl", "rename one"
    else:
        first, second, hint = one_graph["a"], one_graph["b"], "rename one, or give a folder holding both"
    assert (result.code, result.err) == (EXIT_INPUT, f"alliance-kg: error: {second}: would share the graph {graph} "
                                                     f"with {first} (a data file's graph is its own, so that each "
                                                     f"statement's file is known); {hint}\n")
    assert not one_graph["out"].exists()


def test_a_folder_of_x_ttl_and_x_trig_is_exit_2(run_cli, one_graph):
    """``side/x.trig`` is named ``graph/side/x`` like ``side/x.ttl``, whatever graphs it names inside."""
    result = run_cli("validate", str(one_graph["side"].parent))
    assert result.code == EXIT_INPUT
    assert f"{one_graph['side'] / 'x.ttl'}: would share the graph <https://w3id.org/alliance-kg/graph/side/x> " \
           f"with {one_graph['side'] / 'x.trig'} " in result.err


def test_the_files_of_one_graph_apart_are_accepted(run_cli, one_graph):
    """The folder above both names them ``graph/a/data/x`` and ``graph/b/data/x``; a file given
    twice is read once."""
    result = run_cli("validate", str(one_graph["a"]), str(one_graph["a"]))
    assert result.code == EXIT_OK, result.err
    (one_graph["side"] / "x.ttl").unlink()
    result = run_cli("validate", str(one_graph["a"].parents[2]))
    assert result.code == EXIT_OK, result.err


def test_files_of_one_name_in_two_folders_given_apart_are_two_graphs(run_cli, tmp_path, monkeypatch):
    """As the pre-commit hook passes them (``d/berlin/index.ttl d/hamburg/index.ttl``, relative
    to the checkout): named below the folder they share, as a folder's files are."""
    for city in ("berlin", "hamburg"):
        (tmp_path / "d" / city).mkdir(parents=True)
        (tmp_path / "d" / city / "index.ttl").write_text(PLAIN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "d/berlin/index.ttl", "d/hamburg/index.ttl")
    assert result.code == EXIT_OK, result.err


def test_wrong_flag_is_exit_2(run_cli):
    result = run_cli("validate", "--no-such-flag")
    assert result.code == EXIT_INPUT
    assert "unrecognized arguments" in result.err


@pytest.mark.parametrize("args,message", [
    (("validate", "--frmat", "junit"), "unrecognized arguments: --frmat (did you mean --format?)"),
    (("validate", "--frmat=junit"), "unrecognized arguments: --frmat=junit (did you mean --format?)"),
    (("serve", "--get", "/healthz", "extra"), "unrecognized arguments: extra"),
])
def test_a_wrong_flag_of_a_command_shows_that_commands_usage(run_cli, args, message):
    result = run_cli(*args)
    assert result.code == EXIT_INPUT and result.out == ""
    assert result.err.startswith(f"usage: alliance-kg {args[0]} [-h]")
    assert result.err.endswith(f"alliance-kg {args[0]}: error: {message}\n")


@pytest.mark.parametrize("args,message", [
    (("--bogus",), "unrecognized arguments: --bogus"),
    (("--bogus", "validate"), "unrecognized arguments: --bogus"),
    ((), "the following arguments are required: COMMAND"),
])
def test_a_wrong_flag_before_the_command_is_named(run_cli, args, message):
    result = run_cli(*args)
    assert result.code == EXIT_INPUT and message in result.err


@pytest.mark.parametrize("args,message", [
    (("serve", "--por", "7201", "--get", "/healthz"), "alliance-kg serve: error: unrecognized arguments: --por 7201 "
                                                       "(did you mean --port?)"),
    (("serve", "--query-time=5", "--get", "/healthz"), "alliance-kg serve: error: unrecognized arguments: "
                                                        "--query-time=5 (did you mean --query-timeout?)"),
    (("validate", "--out", "report.txt"), "alliance-kg validate: error: unrecognized arguments: --out "
                                          "(did you mean --output?)"),
    (("query", "ASK { ?s ?p ?o }", "--form", "csv"), "alliance-kg query: error: unrecognized arguments: --form csv "
                                                     "(did you mean --format?)"),
    (("--vers",), "alliance-kg: error: unrecognized arguments: --vers"),
])
def test_an_abbreviated_flag_is_refused_naming_it_not_taken_for_the_flag(run_cli, args, message):
    """argparse takes ``--por`` for ``--port`` unless told not to: a CI script's typo would run
    with a guess, and a flag added later could change what an abbreviation means."""
    result = run_cli(*args)
    assert (result.code, result.out) == (EXIT_INPUT, "")
    assert result.err.endswith(message + "\n"), result.err


def test_every_parser_takes_flags_only_spelt_in_full():
    import argparse

    from alliance_kg.cli import build_parser

    parser = build_parser()
    [commands] = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    assert len(commands.choices) >= 8
    assert [name for name, p in {"": parser, **commands.choices}.items() if p.allow_abbrev] == []


@pytest.mark.parametrize("suffix,body,line", [
    (".nt", "<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> .\n", 2),
    (".jsonld", '{\n  "@id": \n', 3),
    (".rdf", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
             '<rdf:Description rdf:about="http://e/a">\n<broken>\n</rdf:RDF>\n', 5),
])
def test_other_syntaxes_report_the_line(run_cli, tmp_path, suffix, body, line):
    path = tmp_path / f"broken{suffix}"
    path.write_text(body, encoding="utf-8")
    result = run_cli("validate", str(path))
    assert result.code == EXIT_INPUT
    assert f"{path}:{line}" in result.err


#: The CLI in a process of its own, without root's power to read any file: CI runs the tests as
#: root, and root reads folders whatever their mode.
UNPRIVILEGED = (["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
                if os.geteuid() == 0 else [])


def package_env() -> dict[str, str]:
    """The environment for a CLI process in another working folder, importing the package under test."""
    code = str(Path(alliance_kg.__file__).parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")]))}


@pytest.fixture
def unreadable(tmp_path: Path):
    """``nest/`` with a readable file and an unreadable ``sub/`` holding a violation, and an
    unreadable folder ``noperm/``: mode 000 while the test runs."""
    (tmp_path / "nest" / "sub").mkdir(parents=True)
    (tmp_path / "nest" / "sub" / "bad-city.ttl").write_text(BAD_CITY, encoding="utf-8")
    (tmp_path / "nest" / "ok.ttl").write_text('<http://ex.org/x> <http://ex.org/p> "a" .\n', encoding="utf-8")
    (tmp_path / "noperm").mkdir()
    (tmp_path / "noperm" / "ok.ttl").write_text('<http://ex.org/x> <http://ex.org/p> "a" .\n', encoding="utf-8")
    locked = [tmp_path / "nest" / "sub", tmp_path / "noperm"]
    for folder in locked:
        folder.chmod(0)
    yield tmp_path
    for folder in locked:
        folder.chmod(0o755)


@pytest.mark.parametrize("args,folder", [
    (("validate", "nest"), "nest/sub"),
    (("validate", "noperm"), "noperm"),
    (("diff", "noperm", "nest/ok.ttl"), "noperm"),
    (("build", "nest", "--out", "out"), "nest/sub"),
    (("query", "ASK { ?s ?p ?o }", "--data", "nest"), "nest/sub"),
])
def test_an_unreadable_folder_is_exit_2_not_skipped(unreadable, args, folder):
    done = subprocess.run([*UNPRIVILEGED, sys.executable, "-m", "alliance_kg.cli", *args], cwd=unreadable,
                          env=package_env(), capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (EXIT_INPUT, f"alliance-kg: error: {folder}: permission denied\n")


def test_json_report(run_cli, bad_data):
    result = run_cli("validate", "--format", "json", str(bad_data))
    body = json.loads(result.out)
    assert body["conforms"] is False
    assert body["counts"]["Violation"] >= 1
    focus = [f for f in body["findings"] if f["focus"].endswith("Bad_Slug")]
    # where the label is written for a finding on it, else where the city is
    assert focus and all(f["file"] == str(bad_data) and f["line"] == (6 if f["path"] == LABEL else 4) for f in focus)
    assert any(f["line"] == 6 for f in focus)


def test_turtle_report_is_a_shacl_validation_report(run_cli, bad_data):
    result = run_cli("validate", "--format", "turtle", str(bad_data))
    graph = Graph().parse(data=result.out, format="turtle")
    assert "ValidationReport" in result.out
    assert len(graph) > 0


def test_junit_report_has_a_failure_per_violation(run_cli, bad_data):
    result = run_cli("validate", "--format", "junit", str(bad_data))
    suite = ET.fromstring(result.out.split("\n", 1)[1]).find("testsuite")
    failures = suite.findall("testcase/failure")
    assert int(suite.get("failures")) == len(failures) >= 1
    assert all(case.get("file") == str(bad_data) for case in suite.findall("testcase") if case.find("failure") is not None)


ILL_TYPED_SHAPES = """\
@prefix ex: <https://example.org/net/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:RankShape
    a sh:NodeShape ;
    sh:targetSubjectsOf ex:name ;
    sh:property [ sh:path ex:rank ; sh:minCount 1 ; sh:datatype xsd:integer ; sh:severity sh:Warning ] .
"""
ILL_TYPED = """\
@prefix ex: <https://example.org/net/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:a ex:name "A" ; ex:rank "vierzehn"^^xsd:integer .
ex:b ex:name "B" .
"""


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
def test_junit_shows_what_a_finding_has_as_the_other_reports_show_it(run_cli, tmp_path, engine):
    """A warning's ``<system-out>`` without ``value: None`` for a value missing, and with an
    ill-typed value as written, as text and JSON show it."""
    (tmp_path / "shapes.ttl").write_text(ILL_TYPED_SHAPES, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(ILL_TYPED, encoding="utf-8")
    (tmp_path / "ontology.ttl").write_text("", encoding="utf-8")
    args = ("validate", str(tmp_path / "data.ttl"), "--ontology", str(tmp_path / "ontology.ttl"),
            "--shapes", str(tmp_path / "shapes.ttl"), "--engine", engine)
    junit = run_cli(*args, "--format", "junit")
    cases = {case.get("name").split()[0]: case.findtext("system-out")
             for case in ET.fromstring(junit.out.split("\n", 1)[1]).iter("testcase")}
    assert set(cases) == {"https://example.org/net/a", "https://example.org/net/b"}, junit.out
    assert "None" not in junit.out
    assert 'value: "vierzehn"^^xsd:integer' in cases["https://example.org/net/a"].splitlines()
    assert not any(line.startswith("value:") for line in cases["https://example.org/net/b"].splitlines())
    assert '    value: "vierzehn"^^xsd:integer' in run_cli(*args).out.splitlines()
    values = {f["focus"]: f.get("value") for f in json.loads(run_cli(*args, "--format", "json").out)["findings"]}
    assert values == {"https://example.org/net/a": '"vierzehn"^^xsd:integer', "https://example.org/net/b": None}


def test_junit_report_of_clean_data_has_one_passing_case(run_cli):
    result = run_cli("validate", "--format", "junit")
    suite = ET.fromstring(result.out.split("\n", 1)[1]).find("testsuite")
    assert suite.get("failures") == "0"
    assert suite.findall("testcase")


def test_github_annotations(run_cli, bad_data):
    result = run_cli("validate", "--format", "github", str(bad_data))
    lines = [l for l in result.out.splitlines() if l.startswith("::error ")]
    assert lines
    label = "title=SHACL Violation" + f": {LABEL}".replace(":", "%3A") + "::"
    assert all(f"file={bad_data}," in l and ("line=6" if label in l else "line=4") in l for l in lines if "Bad_Slug" in l)


def test_output_file(run_cli, bad_data, tmp_path):
    report = tmp_path / "report.json"
    result = run_cli("validate", "--format", "json", "--output", str(report), str(bad_data))
    assert result.code == EXIT_VIOLATIONS and result.out == ""
    assert json.loads(report.read_text())["conforms"] is False


@pytest.mark.parametrize("args,where,reason", [
    (("validate", "{bad}", "-o", "{missing}/x"), "{missing}/x", "no such file or directory"),
    (("query", "ASK {{ ?s ?p ?o }}", "-o", "{missing}/x"), "{missing}/x", "no such file or directory"),
    (("diff", "{bad}", "{bad}", "-o", "{missing}/x"), "{missing}/x", "no such file or directory"),
    (("build", "--out", "{file}/x"), "{file}/x", "not a directory"),
    (("generate", "--cities", "5", "--out", "{file}/x"), "{file}/x", "not a directory"),
])
def test_an_output_that_cannot_be_written_is_exit_2_naming_it(run_cli, bad_data, tmp_path, args, where, reason):
    names = {"bad": bad_data, "missing": tmp_path / "missing", "file": bad_data}
    result = run_cli(*(a.format(**names) for a in args))
    assert (result.code, result.err) == (EXIT_INPUT, f"alliance-kg: error: {where.format(**names)}: cannot write ({reason})\n")


def test_an_output_file_is_checked_before_the_work(run_cli, bad_data, tmp_path, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("validated before the output was checked")

    monkeypatch.setattr("alliance_kg.build.pipeline.validated", no_work)
    result = run_cli("validate", str(bad_data), "-o", str(tmp_path / "missing" / "x"))
    assert result.code == EXIT_INPUT and "cannot write" in result.err
    probed = tmp_path / "probed.json"  # writable: the work runs (and fails here); the probe left nothing
    assert run_cli("validate", str(bad_data), "-o", str(probed)).code != EXIT_INPUT and not probed.exists()


def test_generate_refuses_a_file_as_its_folder(run_cli, bad_data):
    result = run_cli("generate", "--cities", "30", "--out", str(bad_data))
    assert (result.code, result.err) == (EXIT_INPUT, f"alliance-kg: error: {bad_data}: not a folder (--out names the "
                                                     "folder alliance-generated.nq is written into)\n")


def test_build_into_a_read_only_folder_is_exit_2(tmp_path):
    (tmp_path / "ro").mkdir(mode=0o555)
    done = subprocess.run([*UNPRIVILEGED, sys.executable, "-m", "alliance_kg.cli", "build", "--out", "ro"],
                          cwd=tmp_path, env=package_env(), capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (EXIT_INPUT, "alliance-kg: error: ro/alliance-kg.nq: cannot write "
                                                          "(permission denied)\n")


def test_build_writes_dumps_and_void(run_cli, tmp_path):
    result = run_cli("build", "--out", str(tmp_path))
    assert result.code == EXIT_OK, result.err
    names = {p.name for p in tmp_path.iterdir()}
    assert {"alliance-kg.trig", "alliance-kg.nq", "alliance-kg.ttl", "alliance-kg.jsonld", "void.ttl"} <= names
    trig = Dataset().parse(tmp_path / "alliance-kg.trig", format="trig")
    nquads = Dataset().parse(tmp_path / "alliance-kg.nq", format="nquads")
    assert len(list(trig.quads())) == len(list(nquads.quads())) > 0
    void = (tmp_path / "void.ttl").read_text()
    assert "void:triples" in void and "creativecommons.org/licenses/by/4.0" in void


def test_validate_build_query_each_under_two_seconds(run_cli, tmp_path):
    # CPU seconds of this process, not wall time: a busy CI machine must not fail the test.
    for args in (("validate",), ("build", "--out", str(tmp_path)), ("query", "ASK { ?s ?p ?o }")):
        started = time.process_time()
        result = run_cli(*args)
        elapsed = time.process_time() - started
        assert result.code == EXIT_OK, result.err
        assert elapsed < 2.0, f"{args[0]} took {elapsed:.2f}s"


def test_query_table_and_formats(run_cli):
    result = run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.code == EXIT_OK
    assert result.out.splitlines()[0].strip() == "n" and "(1 row)" in result.out
    result = run_cli("query", "ASK { ?s ?p ?o }", "--format", "json")
    assert json.loads(result.out)["boolean"] is True
    result = run_cli("query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", "--format", "nt")
    assert len([l for l in result.out.splitlines() if l.strip()]) == 3


def test_query_table_names_iris_as_they_read_back(run_cli):
    """A cell holds a prefixed name only where it reads back as the IRI (``rdf.prefixed_name``):
    ``akg:District``, but ``<.../id/city/koeln>``, whose local part holds a slash."""
    result = run_cli("query", "SELECT ?class ?city WHERE { VALUES (?class ?city) { "
                              "(<https://w3id.org/alliance-kg/ontology#District> <https://w3id.org/alliance-kg/id/city/koeln>) } }")
    assert result.code == EXIT_OK, result.err
    assert result.out.splitlines()[2] == "akg:District | <https://w3id.org/alliance-kg/id/city/koeln>"


def test_query_store_asks_an_oxigraph_folder_not_the_files(run_cli, tmp_path):
    """``--store oxigraph:PATH`` answers from the folder (as written by load), not the shipped graph."""
    from alliance_kg.rdf import new_dataset
    from alliance_kg.stores import oxigraph

    dataset = new_dataset()
    dataset.graph(URIRef("https://w3id.org/alliance-kg/graph/x")).add((URIRef("urn:s"), URIRef("urn:p"), Literal("o")))
    oxigraph.write(tmp_path / "store", dataset, "v1")
    result = run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--store", f"oxigraph:{tmp_path / 'store'}",
                     "--format", "csv")
    assert (result.code, result.out.split()) == (EXIT_OK, ["n", "1"]), result.err


def test_a_mistyped_query_format_is_exit_2_naming_flag_and_formats(run_cli):
    """The endpoint passes over a ``format=`` it does not know for the Accept header; the
    command line has no Accept header to fall back on, so a typo is a usage error."""
    result = run_cli("query", "ASK { ?s ?p ?o }", "--format", "cvs")
    assert result.code == EXIT_INPUT and result.out == ""
    assert "usage: alliance-kg query" in result.err
    assert "argument --format: 'cvs' is no format we know (did you mean csv?): use table (default), json" in result.err
    for known in ("TSV", "text/csv", "application/sparql-results+json; charset=utf-8"):
        assert run_cli("query", "ASK { ?s ?p ?o }", "--format", known).code == EXIT_OK, known


def test_query_file(run_cli, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?s a ?type }", encoding="utf-8")
    assert run_cli("query", str(path)).out.strip() == "yes"
    missing = run_cli("query", str(tmp_path / "missing.rq"))
    assert missing.code == EXIT_INPUT and "no such query file" in missing.err


def test_a_shipped_example_query_is_named_from_any_folder(tmp_path):
    """``@shipped/`` and the path in a checkout: the examples lie inside an installed package, not
    in the folder the command runs from."""
    done = subprocess.run([sys.executable, "-m", "alliance_kg.cli", "query",
                           "@shipped/queries/examples/01-members-by-country.rq", "--format", "csv"],
                          cwd=tmp_path, env=package_env(), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.splitlines()[0].split(",")[:2] == ["country", "name"] and len(done.stdout.splitlines()) == 3


@pytest.mark.parametrize("given, hint", [
    ("queries/examples/01-members-by-country.rq", "(did you mean @shipped/queries/examples/01-members-by-country.rq?)"),
    ("02-founding.rq", "(did you mean @shipped/queries/examples/02-founding.rq?)"),
    ("mine.rq", ("(the shipped example queries are @shipped/queries/examples/NAME.rq, NAME one of: "
                 "01-members-by-country, 02-founding, ")),
    ("@shipped/queries/examples/99.rq", "(the shipped example queries are @shipped/queries/examples/NAME.rq"),
])
def test_a_missing_query_file_says_how_to_name_the_shipped_examples(run_cli, tmp_path, monkeypatch, given, hint):
    monkeypatch.chdir(tmp_path)  # outside the checkout, as after pip install
    result = run_cli("query", given)
    assert result.code == EXIT_INPUT and result.out == ""
    assert result.err.startswith(f"alliance-kg: error: {given}: no such query file {hint}"), result.err


def test_a_query_with_a_byte_order_mark_is_read_past(run_cli, tmp_path):
    """As a Windows editor saves a file, and as "$(cat file)" hands it on; one mark only."""
    path = tmp_path / "bom.rq"
    path.write_bytes(b"\xef\xbb\xbfASK { ?s a ?type }")
    assert (run_cli("query", str(path)).out, run_cli("query", "\ufeffASK { ?s a ?type }").out) == ("yes\n", "yes\n")
    twice = run_cli("query", "\ufeff\ufeffASK {}")
    assert twice.code == EXIT_INPUT and "line 1, column 1" in twice.err


@pytest.mark.parametrize("args", [("ASK {",), ("@shipped/queries/examples/99.rq",)])
def test_a_query_not_answered_leaves_no_earlier_answer(run_cli, tmp_path, args):
    """An answer an earlier run wrote would be read as this one's."""
    earlier = tmp_path / "answer.csv"
    earlier.write_text("n\n1\n", encoding="utf-8")
    assert run_cli("query", *args, "-o", str(earlier)).code == EXIT_INPUT
    assert not earlier.exists()


def test_query_errors_are_one_line_with_position(run_cli):
    result = run_cli("query", "SELECT * WHERE {")
    assert result.code == EXIT_INPUT
    assert "line 1, column" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("text", ["INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                                  "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"])
def test_a_refused_query_is_exit_2_like_any_unusable_input(run_cli, text):
    """An update and SERVICE are refusals of the query given, as a syntax error is: exit 2
    (exit 1 is for findings)."""
    result = run_cli("query", text)
    assert result.code == EXIT_INPUT and result.err.startswith("alliance-kg: query refused: ")


@pytest.mark.parametrize("text,message", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "alliance-kg is read-only: SPARQL updates are not accepted"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
     "SERVICE is not allowed: alliance-kg answers from its own dataset only (line 1, column 18)"),
])
def test_a_refusal_on_the_command_line_names_alliance_kg_not_an_endpoint(run_cli, text, message):
    """The guard's refusals are the endpoint's; the command line words them for itself."""
    assert run_cli("query", text).err == f"alliance-kg: query refused: {message}\n"


def test_a_refusal_sent_back_by_a_query_worker_is_worded_alike():
    """An error crosses the query workers' pipe as its message (``executor.error_from``) and is
    still worded by who says it."""
    from alliance_kg.errors import ForbiddenQuery, UpdateRefused
    from alliance_kg.query.executor import _error_dict, error_from

    for error in (UpdateRefused(), ForbiddenQuery.service("http://example.org/sparql")):
        again = error_from(_error_dict(error))
        assert type(again) is type(error) and str(again) == str(error) and "this endpoint" in str(error)
        assert again.worded("alliance-kg") == str(error).replace("this endpoint", "alliance-kg")


def test_query_syntax_error_shows_the_line_with_a_caret(run_cli):
    """Oxigraph's line and column (in characters, not bytes) and the client's line with a caret
    under the column, a Chinese character taking two cells."""
    result = run_cli("query", 'SELECT ?s WHERE {\n  ?s ?p "中文" ] }')
    assert result.code == EXIT_INPUT
    assert "line 2, column 17: " in result.err
    assert result.err.endswith('\n      ?s ?p "中文" ] }\n    ' + " " * 16 + "  ^\n")


def readme_commands(heading: str) -> list[list[str]]:
    """The ``alliance-kg`` commands of the first ``sh`` block after ``heading`` in the README, as
    argument lists (comments dropped, continued lines joined)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split(heading, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [shlex.split(line, comments=True) for line in block.replace("\\\n", " ").splitlines()]
    return [words[1:] for words in lines if words and words[0].endswith("alliance-kg")]


#: README commands known to fail, by their words, until the README is corrected.
README_GAPS: dict[str, str] = {}


def readme_cases(heading: str) -> list:
    """The README's commands under ``heading`` that can run here: not those that serve or name a
    folder of the reader's (``diff old-checkout/``); known gaps as strict xfails."""
    cases = []
    for args in readme_commands(heading):
        if args[0] == "diff" or args[0] == "serve" and "--get" not in args:
            continue
        words = shlex.join(args)
        marks = [pytest.mark.xfail(strict=True, reason=README_GAPS[words])] if words in README_GAPS else []
        cases.append(pytest.param(args, id=words, marks=marks))
    assert len(cases) >= 5, cases
    return cases


@pytest.mark.parametrize("args", readme_cases("## The command line"))
def test_the_readme_command_line_examples_run(run_cli, repo_root, tmp_path, monkeypatch, args):
    """Each command of the README's "The command line" block, run as written from the checkout
    (outputs into a scratch folder)."""
    monkeypatch.chdir(repo_root)
    args = [str(tmp_path / Path(a).name) if i and args[i - 1] in ("-o", "--output", "--out") else a
            for i, a in enumerate(args)]
    result = run_cli(*args)
    assert result.code == EXIT_OK, result.err


def readme_queries(heading: str) -> list[list[str]]:
    """The README's ``query`` commands under ``heading``."""
    cases = [args for args in readme_commands(heading) if args[0] == "query"]
    assert cases
    return cases


@pytest.mark.parametrize("args", readme_queries("## The command line"), ids=shlex.join)
def test_the_readme_queries_run_from_any_folder(run_cli, tmp_path, monkeypatch, args):
    """As someone who installed the package runs them: not from a checkout."""
    monkeypatch.chdir(tmp_path)
    result = run_cli(*args)
    assert result.code == EXIT_OK, result.err


def test_readme_documents_every_setting(repo_root):
    from alliance_kg.settings import describe

    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    for name, _, _ in describe():
        assert f"`ALLIANCE_KG_{name.upper()}`" in readme and f"`--{name.replace('_', '-')}`" in readme


@pytest.mark.parametrize("flag,value,allowed", [
    ("--port", "99999", "an integer from 0 to 65535"),
    ("--max-rows", "0", "an integer of at least 1"),
    ("--max-rows", "-1", "an integer of at least 1"),
    ("--max-query-length", "-1", "an integer of at least 1"),
    ("--processes", "-3", "an integer of at least 0"),
    ("--threads", "-1", "an integer of at least 1"),
    ("--cache-entries", "-5", "an integer of at least 0"),
    ("--query-timeout", "-1", "a finite number more than 0"),
    ("--query-timeout", "nan", "a finite number more than 0"),
])
def test_a_setting_out_of_range_is_exit_2_naming_flag_and_range(run_cli, monkeypatch, flag, value, allowed):
    result = run_cli("serve", flag, value, "--get", "/healthz")
    parsed = value if allowed.startswith("an integer") else float(value)
    assert (result.code, result.err) == (EXIT_INPUT, f"alliance-kg: error: {flag} {parsed}: must be {allowed}\n")
    variable = "ALLIANCE_KG_" + flag[2:].replace("-", "_").upper()
    monkeypatch.setenv(variable, value)
    result = run_cli("serve", "--get", "/healthz")
    assert (result.code, result.err) == (EXIT_INPUT, f"alliance-kg: error: {variable}={value!r}: must be {allowed}\n")


@pytest.mark.parametrize("flag,value,message", [
    ("--http-server", "foo", "--http-server 'foo': use granian or waitress"),
    ("--log-format", "xml", "--log-format 'xml': use text or json"),
    ("--log-level", "loud", "--log-level 'loud': use DEBUG, INFO, WARNING, ERROR or CRITICAL"),
])
def test_serve_get_refuses_what_serve_refuses(run_cli, flag, value, message):
    """The smoke request runs no server and configures no logging, but passes only on settings a
    server would start with (both refuse them before the data is loaded)."""
    for args in ((flag, value), (flag, value, "--get", "/healthz")):
        result = run_cli("serve", *args)
        assert (result.code, result.err) == (EXIT_INPUT, f"alliance-kg: error: {message}\n"), args


def test_every_numeric_setting_has_bounds_that_hold_its_default():
    from dataclasses import fields

    from alliance_kg.settings import Settings

    numeric = [f for f in fields(Settings) if type(f.default) in (int, float)]
    assert numeric and all(f.metadata["bounds"] is not None and f.metadata["bounds"].allow(f.default) for f in numeric)


def test_serve_get_answers_one_request_in_process(run_cli):
    ok = run_cli("serve", "--get", "/sparql?query=ASK%7B%3Fs%20a%20%3Chttps://schema.org/City%3E%7D")
    assert ok.code == EXIT_OK and json.loads(ok.out)["boolean"] is True
    missing = run_cli("serve", "--get", "/id/city/atlantis")
    assert missing.code == EXIT_VIOLATIONS and "not in this dataset" in missing.out
    assert "GET /id/city/atlantis: 404" in missing.err
