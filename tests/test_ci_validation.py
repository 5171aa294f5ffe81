"""Validation for other repositories and networks: their own shapes and ontology, the shapes
checked against SHACL-for-SHACL, SARIF for code scanning, baselines and ``diff``; and the
one version everything shows."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from rdflib import OWL, Graph, Literal, URIRef

from alliance_kg import __version__
from alliance_kg.build.pipeline import validated
from alliance_kg.build.sources import load_shapes
from alliance_kg.build.validation import InvalidShapes, check_shapes
from alliance_kg.cli import EXIT_INPUT, EXIT_OK, EXIT_VIOLATIONS
from alliance_kg.namespaces import ONTOLOGY, ONTOLOGY_GRAPH
from foreign_network import ONTOLOGY as ONTOLOGY_TEXT
from foreign_network import SHAPES as SHAPES_TEXT

HERE = Path(__file__).parent
SARIF_SCHEMA = json.loads((HERE / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
NONCONFORMING = HERE / "fixtures" / "endpoint-invalid" / "nonconforming.ttl"

FOREIGN_DATA = """\
@prefix ex: <https://example.org/net/> .

ex:springfield
    a ex:Town ;
    ex:name "Springfield" .

ex:shelbyville
    ex:mayor "Quimby" .
"""
BROKEN_SHAPES = """\
@prefix ex: <https://example.org/net/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .

ex:PlaceShape
    a sh:NodeShape ;
    sh:targetClass ex:Place .

ex:NameShape
    a sh:PropertyShape ;
    sh:path ex:name ;
    sh:minCount "one" .
"""


@pytest.fixture
def network(tmp_path: Path) -> Path:
    for name, text in (("ontology.ttl", ONTOLOGY_TEXT), ("shapes.ttl", SHAPES_TEXT), ("data.ttl", FOREIGN_DATA)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


# -- other networks' shapes and ontology -----------------------------------------------------------

def test_foreign_data_with_its_own_shapes_and_ontology_names_the_file_and_line(run_cli, network):
    result = run_cli("validate", str(network / "data.ttl"), "--shapes", str(network / "shapes.ttl"),
                     "--ontology", str(network / "ontology.ttl"))
    assert result.code == EXIT_VIOLATIONS, result.out + result.err
    assert f"{network / 'data.ttl'}:7: Violation: a place has a name" in result.out
    assert "springfield" not in result.out
    # the shipped SPARQL checks belong to the shipped shapes: no "foreign subject" finding here
    assert "check:" not in result.out


@pytest.mark.parametrize("into", ["rdflib", "oxigraph"])
def test_an_ontology_file_of_any_name_is_the_ontology(network, tmp_path, into):
    """``--ontology`` files go to the ontology graph whatever they are called, also from a
    folder: inference then tells the ontology's terms from the data, and infers the same as
    for a file called ontology.ttl (not statements about the vocabulary as if it were data)."""
    from alliance_kg.build.pipeline import unvalidated
    from alliance_kg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH

    vocabulary = tmp_path / "vocab"
    vocabulary.mkdir()
    (vocabulary / "terms.ttl").write_text(ONTOLOGY_TEXT, encoding="utf-8")

    def graphs(ontology: Path) -> tuple[set, set]:
        dataset = unvalidated([network / "data.ttl"], ontology=[ontology], into=into).dataset
        return set(dataset.graph(ONTOLOGY_GRAPH)), set(dataset.graph(INFERRED_GRAPH))

    expected = graphs(network / "ontology.ttl")
    assert expected[0] and expected[1]
    assert graphs(vocabulary / "terms.ttl") == graphs(vocabulary) == expected


def test_without_inference_the_ontology_entails_nothing(run_cli, network):
    result = run_cli("validate", str(network / "data.ttl"), "--shapes", str(network / "shapes.ttl"),
                     "--ontology", str(network / "ontology.ttl"), "--no-inference")
    assert result.code == EXIT_OK, result.out  # no town is known to be a place
    assert "conforms: 0 violation(s)" in result.out


def test_shipped_and_own_shapes_together(run_cli, network):
    own = run_cli("validate", str(NONCONFORMING), "--shapes", str(network / "shapes.ttl"))
    both = run_cli("validate", str(NONCONFORMING), "--shapes", "@shipped", "--shapes", str(network / "shapes.ttl"),
                   "--format", "json")
    assert own.code == EXIT_OK, own.out
    assert both.code == EXIT_VIOLATIONS
    assert json.loads(both.out)["counts"]["Violation"] >= 1


def test_the_shipped_checks_can_be_named(run_cli, network):
    result = run_cli("validate", str(network / "data.ttl"), "--shapes", str(network / "shapes.ttl"),
                     "--ontology", str(network / "ontology.ttl"), "--checks", "@shipped", "--format", "json")
    shapes = {f["shape"] for f in json.loads(result.out)["findings"]}
    assert "check:foreign-subject-violation" in shapes


def test_missing_check_is_exit_2(run_cli, network):
    result = run_cli("validate", str(network / "data.ttl"), "--checks", str(network / "nope.rq"))
    assert result.code == EXIT_INPUT
    assert "nope.rq: no such file" in result.err


def test_a_checks_folder_without_checks_is_exit_2_as_a_shapes_folder_is(run_cli, network, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for flag in ("--checks", "--shapes"):
        result = run_cli("validate", str(network / "data.ttl"), flag, str(empty))
        assert result.code == EXIT_INPUT, (flag, result.out)
        assert result.err.startswith(f"alliance-kg: error: {empty}: folder holds no ")


# -- SHACL for SHACL -------------------------------------------------------------------------------

def test_shipped_shapes_conform_to_shacl_for_shacl():
    shapes, locator = load_shapes()
    check_shapes(shapes, locator)  # raises InvalidShapes otherwise


def test_broken_shape_is_exit_2_with_file_and_line(run_cli, network):
    (network / "broken.ttl").write_text(BROKEN_SHAPES, encoding="utf-8")
    result = run_cli("validate", str(network / "data.ttl"), "--shapes", str(network / "broken.ttl"))
    assert result.code == EXIT_INPUT
    assert f"{network / 'broken.ttl'}:11: " in result.err  # sh:minCount "one", not the shape's line 8
    assert "SHACL-for-SHACL" in result.err and "minCount" in result.err
    assert "Traceback" not in result.err


def test_broken_blank_node_shape_is_reported_at_its_faulty_statement(network):
    (network / "broken.ttl").write_text(SHAPES_TEXT.replace("sh:minCount 1", "sh:minCount 1.5"), encoding="utf-8")
    shapes, locator = load_shapes([network / "broken.ttl"])
    with pytest.raises(InvalidShapes) as caught:
        check_shapes(shapes, locator)
    problem, = caught.value.problems
    assert (problem.file, problem.line) == (str(network / "broken.ttl"), 9)  # sh:minCount 1.5; the shape is at 4
    assert problem.focus == "https://example.org/net/PlaceShape/property[https://example.org/net/name]"


def test_broken_shape_in_a_list_is_reported_at_its_faulty_statement(tmp_path):
    (tmp_path / "broken.ttl").write_text("""\
@prefix ex: <https://example.org/net/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:PlaceShape a sh:NodeShape ; sh:targetClass ex:Place ;
    sh:or (
        [ sh:path ex:name ; sh:minCount "one" ]
        [ sh:path ex:label ; sh:minCount 1 ]
    ) .
""", encoding="utf-8")
    shapes, locator = load_shapes([tmp_path / "broken.ttl"])
    with pytest.raises(InvalidShapes) as caught:
        check_shapes(shapes, locator)
    # the shape (line 5), and the sh:or list it makes one of no shapes (line 4), each once
    assert [(p.line, p.focus) for p in caught.value.problems] == [
        (4, "https://example.org/net/PlaceShape/or"), (5, "https://example.org/net/PlaceShape/or[https://example.org/net/name]")]
    assert {p.file for p in caught.value.problems} == {str(tmp_path / "broken.ttl")}


# -- SARIF -----------------------------------------------------------------------------------------

def sarif_of(run_cli, *args: str) -> dict:
    result = run_cli("validate", *args, "--format", "sarif")
    document = json.loads(result.out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    return document


def test_sarif_is_valid_with_one_rule_per_shape_and_component_and_file_line(run_cli):
    document = sarif_of(run_cli, str(NONCONFORMING))
    run, = document["runs"]
    assert document["version"] == "2.1.0"
    assert run["tool"]["driver"]["version"] == __version__
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) == len({r["ruleId"] for r in run["results"]})
    assert any(re.fullmatch(r"https://w3id\.org/alliance-kg/shapes#\w+(/\w+\[[^]]+\])?/MinCount", i) for i in ids), ids
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith("nonconforming.ttl")
        assert location["region"]["startLine"] == 4
        assert result["message"]["text"]
    assert {r["level"] for r in run["results"]} >= {"error"}


def test_sarif_uris_are_relative_to_the_working_folder(run_cli, tmp_path, monkeypatch):
    shutil.copy(NONCONFORMING, tmp_path / "city.ttl")
    monkeypatch.chdir(tmp_path)
    run, = sarif_of(run_cli, "city.ttl")["runs"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"city.ttl"}


def test_sarif_of_conforming_data_has_no_result(run_cli):
    run, = sarif_of(run_cli)["runs"]
    assert all(r["level"] != "error" for r in run["results"])


def test_blank_node_shapes_get_the_same_rule_id_on_every_run(run_cli):
    first, second = (sarif_of(run_cli, str(NONCONFORMING))["runs"][0]["tool"]["driver"]["rules"] for _ in range(2))
    assert [r["id"] for r in first] == [r["id"] for r in second]
    assert not any("_:" in r["id"] for r in first)


# -- baselines -------------------------------------------------------------------------------------

CITY = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .

<https://w3id.org/alliance-kg/id/city/{slug}>
    a schema:City .
"""


def test_baseline_gates_only_new_findings_and_reports_fixed(run_cli, tmp_path):
    data = tmp_path / "cities.ttl"
    data.write_text(CITY.format(slug="one"), encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    assert run_cli("validate", str(data), "--format", "json", "-o", str(baseline)).code == EXIT_VIOLATIONS

    # the same findings, moved two lines down: nothing new
    data.write_text("\n\n" + CITY.format(slug="one"), encoding="utf-8")
    same = run_cli("validate", str(data), "--baseline", str(baseline))
    assert same.code == EXIT_OK, same.out
    assert re.search(r"baseline .*: 0 new, \d+ unchanged \(not shown\), 0 fixed", same.out)

    # another city: its findings are new (exit 1, file:line); the first city's are fixed
    data.write_text(CITY.format(slug="two"), encoding="utf-8")
    changed = run_cli("validate", str(data), "--baseline", str(baseline), "--format", "json")
    body = json.loads(changed.out)
    assert changed.code == EXIT_VIOLATIONS
    assert {f["baseline"] for f in body["findings"]} == {"new"}
    assert body["baseline"]["fixed"] and all("city/one" in f["focus"] for f in body["baseline"]["fixed"])
    text = run_cli("validate", str(data), "--baseline", str(baseline)).out
    assert f"{data}:4: Violation" in text and "fixed: " in text


def test_baseline_in_sarif_marks_new_unchanged_and_absent(run_cli, tmp_path):
    data = tmp_path / "cities.ttl"
    data.write_text(CITY.format(slug="one") + CITY.format(slug="two").split("\n\n", 1)[1], encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    run_cli("validate", str(data), "--format", "json", "-o", str(baseline))
    data.write_text(CITY.format(slug="two") + CITY.format(slug="three").split("\n\n", 1)[1], encoding="utf-8")
    run, = sarif_of(run_cli, str(data), "--baseline", str(baseline))["runs"]
    states = {(r["baselineState"], r["properties"]["focus"].rsplit("/", 1)[-1]) for r in run["results"]}
    assert {s for s, _ in states} == {"new", "unchanged", "absent"}
    assert {f for s, f in states if s == "absent"} == {"one"}
    assert {f for s, f in states if s == "new"} == {"three"}


@pytest.mark.parametrize("body,where", [("{\n  \"findings\": [\n", ":3:"), ("[1, 2]", "not a validation report")])
def test_unusable_baseline_is_exit_2(run_cli, tmp_path, body, where):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(body, encoding="utf-8")
    result = run_cli("validate", str(NONCONFORMING), "--baseline", str(baseline))
    assert result.code == EXIT_INPUT
    assert f"{baseline}" in result.err and where in result.err


# -- an ill-formed value -----------------------------------------------------------------------------

@pytest.fixture
def ill_formed_date(tmp_path: Path, repo_root: Path) -> Path:
    """The shipped data with the 2017 annual meeting on 31 April (``"2017-04-31"^^xsd:date``)."""
    data = shutil.copytree(repo_root / "data", tmp_path / "data")
    accession = data / "memo" / "accession.ttl"
    text = accession.read_text(encoding="utf-8")
    assert 'schema:startDate "2017-04-24"^^xsd:date' in text
    accession.write_text(text.replace('schema:startDate "2017-04-24"^^xsd:date',
                                      'schema:startDate "2017-04-31"^^xsd:date', 1), encoding="utf-8")
    return data


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
def test_an_ill_formed_date_is_a_finding_not_a_traceback(run_cli, ill_formed_date, engine, caplog):
    result = run_cli("validate", str(ill_formed_date), "--engine", engine)
    assert result.code == EXIT_VIOLATIONS
    assert 'value: "2017-04-31"^^xsd:date' in result.out
    assert "Traceback" not in result.err and "Failed to convert" not in result.err
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("rdflib")]


@pytest.mark.parametrize("first,then", [("pyshacl", "compiled"), ("compiled", "pyshacl")])
def test_a_baseline_of_one_engine_holds_for_the_other(run_cli, ill_formed_date, tmp_path, first, then):
    """``--engine auto`` takes the compiled engine from 150,000 triples on: a growing
    repository's baseline must not break when it does."""
    baseline = tmp_path / "baseline.json"
    assert run_cli("validate", str(ill_formed_date), "--engine", first, "--format", "json",
                   "-o", str(baseline)).code == EXIT_VIOLATIONS
    result = run_cli("validate", str(ill_formed_date), "--engine", then, "--baseline", str(baseline))
    assert result.code == EXIT_OK, result.out
    assert re.search(r"baseline .*: 0 new, \d+ unchanged \(not shown\), 0 fixed", result.out)
    written = json.loads(baseline.read_text(encoding="utf-8"))["findings"]
    again = json.loads(run_cli("validate", str(ill_formed_date), "--engine", then, "--format", "json").out)["findings"]
    assert again == written  # shape names, paths and messages too


def test_the_compiled_engine_gives_each_shape_its_sarif_rule(run_cli, ill_formed_date):
    run, = sarif_of(run_cli, str(ill_formed_date), "--engine", "compiled")["runs"]
    rules = {r["ruleId"] for r in run["results"] if "2017-04-31" in r["message"]["text"] or
             r["properties"].get("value", "").startswith('"2017-04-31"')}
    shapes = "https://w3id.org/alliance-kg/shapes#"
    assert rules == {f"{shapes}AnnualMeetingShape/property[https://schema.org/startDate]/Datatype",
                     f"{shapes}EventShape/property[https://schema.org/startDate]/Or"}


def test_a_baseline_of_an_earlier_release_still_matches(run_cli, ill_formed_date, tmp_path):
    """Written before both engines said the same: the compiled engine's name for a blank shape
    it did not find again (``[<path>]``) and the engines' own messages."""
    baseline = tmp_path / "baseline.json"
    run_cli("validate", str(ill_formed_date), "--engine", "compiled", "--format", "json", "-o", str(baseline))
    body = json.loads(baseline.read_text(encoding="utf-8"))
    for finding in body["findings"]:
        finding["message"] = "Datatype constraint not satisfied"
        if finding["value"] == '"2017-04-31"^^xsd:date':
            finding["shape"] = "[https://schema.org/startDate]"
    baseline.write_text(json.dumps(body), encoding="utf-8")
    result = run_cli("validate", str(ill_formed_date), "--engine", "compiled", "--baseline", str(baseline))
    assert result.code == EXIT_OK and " 0 new," in result.out and " 0 fixed" in result.out, result.out


def test_serving_an_ill_formed_date_is_refused_without_a_traceback(run_cli, ill_formed_date, caplog):
    result = run_cli("serve", "--data", str(ill_formed_date), "--get", "/healthz")
    assert result.code != EXIT_OK and "Traceback" not in result.err
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("rdflib")]


def test_rdflib_still_warns_of_ill_formed_literals_it_builds_for_others(caplog):
    from rdflib.namespace import XSD

    Literal("2017-04-31", datatype=XSD.date)
    assert any(r.name == "rdflib.term" and "Failed to convert" in r.getMessage() for r in caplog.records)


# -- diff ------------------------------------------------------------------------------------------

@pytest.fixture
def two_checkouts(tmp_path: Path, repo_root: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    for side in (old, new):
        for folder in ("ontology", "data", "shapes", "queries"):
            shutil.copytree(repo_root / folder, side / folder)
    members = new / "data" / "memo" / "members.ttl"
    members.write_text(members.read_text(encoding="utf-8").replace('"Köln"@de', '"Koeln"@de'), encoding="utf-8")
    (new / "data" / "memo" / "extra.ttl").write_text(CITY.format(slug="newtown"), encoding="utf-8")
    return old, new


def test_diff_counts_triples_and_subjects_per_graph_and_findings(run_cli, two_checkouts):
    old, new = two_checkouts
    result = run_cli("diff", str(old), str(new))
    assert result.code == EXIT_OK, result.err
    assert "graph graph/memo/members: +3 -3 triples, 1 subject(s) touched" in result.out
    assert "graph graph/memo/extra: +1 -0 triples, 1 subject(s) touched" in result.out
    assert '+ <https://w3id.org/alliance-kg/id/city/koeln> rdfs:label "Koeln"@de .' in result.out
    new_findings = re.search(r"findings: (\d+) new, 0 fixed", result.out)
    assert new_findings and int(new_findings.group(1)) >= 1
    assert f"new: {new / 'data' / 'memo' / 'extra.ttl'}:4: Violation" in result.out

    back = run_cli("diff", str(new), str(old))
    assert "graph graph/memo/extra: +0 -1 triples" in back.out and re.search(r"0 new, [1-9]\d* fixed", back.out)


def test_diff_as_markdown_for_a_pull_request(run_cli, two_checkouts):
    old, new = two_checkouts
    result = run_cli("diff", str(old), str(new), "--format", "markdown")
    assert "| `graph/memo/members` | 3 | 3 | 1 |" in result.out
    assert "<details><summary><code>graph/memo/members</code>" in result.out
    assert "| new | Violation |" in result.out


def test_diff_of_a_built_dump_and_its_checkout_is_empty(run_cli, tmp_path, repo_root, two_checkouts):
    old, _ = two_checkouts
    assert run_cli("build", "--out", str(tmp_path / "dump")).code == EXIT_OK
    result = run_cli("diff", str(tmp_path / "dump" / "alliance-kg.trig"), str(old))
    assert result.code == EXIT_OK, result.err
    assert "no triple added or removed" in result.out
    assert "findings: 0 new, 0 fixed" in result.out


@pytest.fixture(scope="module")
def built_dump(tmp_path_factory) -> Path:
    """``alliance-kg build``'s own TriG dump: Oxigraph writes its names with escaped local parts
    (``id:city\\/koeln``)."""
    from alliance_kg.cli import main

    out = tmp_path_factory.mktemp("dump")
    assert main(["build", "--out", str(out)]) == EXIT_OK
    dump = out / "alliance-kg.trig"
    assert "id:city\\/koeln" in dump.read_text(encoding="utf-8")
    return dump


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
def test_the_built_dump_is_read_with_its_escaped_names_and_each_finding_at_its_line(run_cli, built_dump, engine,
                                                                                    caplog):
    result = run_cli("validate", str(built_dump), "--engine", engine, "--format", "json")
    assert result.code == EXIT_OK, result.err
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("rdflib")]
    findings = json.loads(result.out)["findings"]
    lines = built_dump.read_text(encoding="utf-8").splitlines()
    assert findings and all(f["line"] > 1 for f in findings)
    for finding in findings:  # each at a statement of its focus, as the dump writes it
        written = "id:" + finding["focus"].removeprefix("https://w3id.org/alliance-kg/id/").replace("/", "\\/")
        assert lines[finding["line"] - 1].split()[0] == written, finding


def test_diff_of_the_built_dump_says_nothing_of_its_names(run_cli, built_dump, caplog):
    result = run_cli("diff", str(built_dump), str(built_dump))
    assert result.code == EXIT_OK and "no triple added or removed" in result.out
    assert result.err == "" and not [r.getMessage() for r in caplog.records if r.name.startswith("rdflib")]


def test_diff_of_a_missing_side_is_exit_2(run_cli, tmp_path):
    result = run_cli("diff", str(tmp_path / "nope"), str(NONCONFORMING))
    assert result.code == EXIT_INPUT and "no such file" in result.err


# -- one version -----------------------------------------------------------------------------------

def test_one_version_everywhere(run_cli, knowledge_graph, repo_root):
    result = run_cli("--version")
    assert result.out.strip() == f"alliance-kg {__version__}"
    ontology = knowledge_graph.dataset.graph(ONTOLOGY_GRAPH)
    assert ontology.value(ONTOLOGY, OWL.versionInfo) == Literal(__version__)
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY}/{__version__}")
    # written in one place only: not in the ontology's Turtle, not in pyproject.toml
    assert __version__ not in (repo_root / "ontology" / "alliance.ttl").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in (repo_root / "pyproject.toml").read_text(encoding="utf-8")
    assert f"## {__version__}" in (repo_root / "CHANGELOG.md").read_text(encoding="utf-8")


def test_void_states_the_version(client):
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True),
                         format="turtle")
    assert Literal(__version__) in set(void.objects(None, URIRef("http://purl.org/dc/terms/hasVersion")))


def test_validated_takes_the_same_options_as_the_command(network):
    graph = validated([network / "data.ttl"], shapes=[network / "shapes.ttl"], ontology=[network / "ontology.ttl"])
    assert graph.report is not None and graph.report.count("Violation") == 1
