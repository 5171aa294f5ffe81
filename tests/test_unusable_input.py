"""Unusable input in CI: a file that does not parse or a broken shape stops ``validate`` with
exit 2 and its message on stderr, and the report asked for still says so at the file, line
and column (SARIF, JUnit, GitHub annotations, JSON, text; Turtle without a verdict), in place
of any earlier run's. And the messages for input that is not wrong but not read: a remote
JSON-LD context; a leading byte-order mark is read past."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from rdflib import RDF, SH, Graph

from alliance_kg.build.pipeline import validated
from alliance_kg.build.reports import ERROR_FORMATTERS, FORMATTERS
from alliance_kg.cli import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK
from alliance_kg.errors import InputError
from foreign_network import ONTOLOGY, SHAPES

HERE = Path(__file__).parent
SARIF_SCHEMA = json.loads((HERE / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

GOOD = """\
@prefix ex: <https://example.org/net/> .

ex:springfield
    ex:mayor ex:quimby ;
    ex:name "Springfield" .
"""
# line 5, column 28: a second comma where an object should be
BROKEN = """\
@prefix ex: <https://example.org/net/> .

ex:shelbyville
    ex:mayor ex:quimby ;
    ex:name "Shelbyville" ,, ;
    ex:rank 2 .
"""
BROKEN_AT = ("data/town.ttl", 5, 28)
BROKEN_SHAPES = SHAPES.replace("sh:minCount 1", 'sh:minCount "one"')


@pytest.fixture
def network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Another network's checkout, the working folder (as in CI: reports name files relative to it)."""
    (tmp_path / "ontology.ttl").write_text(ONTOLOGY, encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "good.ttl").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate(run_cli, *args: str):
    return run_cli("validate", "data", "--ontology", "ontology.ttl", "--shapes", "shapes.ttl", *args)


@pytest.fixture
def broken(network: Path) -> Path:
    (network / "data" / "town.ttl").write_text(BROKEN, encoding="utf-8")
    return network


def test_the_broken_fixture_fails_where_the_tests_say(broken: Path):
    with pytest.raises(InputError) as caught:
        validated(["data"], ontology=["ontology.ttl"], shapes=["shapes.ttl"])
    error = caught.value
    assert (error.path, error.line, error.column, error.kind) == (*BROKEN_AT, "syntax-error")


# -- a file that does not parse, in each report ----------------------------------------------------

def test_sarif_of_a_syntax_error_is_one_error_result_at_the_file_line_and_column(run_cli, broken: Path):
    result = validate(run_cli, "--format", "sarif", "-o", "report.sarif")
    assert result.code == EXIT_INPUT
    assert "data/town.ttl:5:28: syntax error" in result.err  # stderr keeps the message
    document = json.loads((broken / "report.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    run, = document["runs"]
    invocation, = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "syntax error" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    found, = run["results"]
    assert found["level"] == "error"
    assert found["ruleId"] == "input:syntax-error"
    assert run["tool"]["driver"]["rules"][found["ruleIndex"]]["id"] == found["ruleId"]
    location = found["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "data/town.ttl", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 5, "startColumn": 28}


def test_github_annotation_of_a_syntax_error_is_on_stdout(run_cli, broken: Path):
    result = validate(run_cli, "--format", "github")
    assert result.code == EXIT_INPUT
    annotation, = result.out.splitlines()
    assert annotation.startswith("::error file=data/town.ttl,line=5,col=28,title=alliance-kg%3A syntax error::")
    assert "syntax error" in annotation.split("::", 2)[2]
    assert "data/town.ttl:5:28" in result.err


def test_junit_of_a_syntax_error_is_one_test_case_in_error(run_cli, broken: Path):
    result = validate(run_cli, "--format", "junit", "-o", "report.xml")
    assert result.code == EXIT_INPUT
    suite = ET.parse(broken / "report.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    case, = suite.findall("testcase")
    assert (case.get("file"), case.get("line")) == ("data/town.ttl", "5")
    error = case.find("error")
    assert error is not None and error.get("type") == "syntax-error"
    assert "data/town.ttl:5:28" in (error.text or "")


def test_json_of_a_syntax_error_has_an_error_entry(run_cli, broken: Path):
    result = validate(run_cli, "--format", "json")
    assert result.code == EXIT_INPUT
    body = json.loads(result.out)
    assert body["conforms"] is None
    assert "findings" not in body
    error = body["error"]
    assert (error["file"], error["line"], error["column"], error["kind"]) == (*BROKEN_AT, "syntax-error")
    assert error["message"].startswith("syntax error: ")
    assert [p["file"] for p in error["problems"]] == ["data/town.ttl"]


def test_text_of_a_syntax_error_is_a_line_at_the_file_line_and_column(run_cli, broken: Path):
    result = validate(run_cli, "--format", "text", "-o", "report.txt")
    assert result.code == EXIT_INPUT
    assert "data/town.ttl:5:28: syntax error" in result.err  # stderr keeps the message
    problem, verdict = (broken / "report.txt").read_text(encoding="utf-8").splitlines()
    assert problem.startswith("data/town.ttl:5:28: error: syntax error: ")
    assert verdict.startswith("not validated: 1 problem(s)")
    assert validate(run_cli, "--format", "text").out == (broken / "report.txt").read_text(encoding="utf-8")


def test_turtle_of_a_syntax_error_parses_and_holds_no_verdict(run_cli, broken: Path):
    """No ``sh:ValidationReport``, so no ``sh:conforms`` true or false: the shapes did not run
    (JSON's ``conforms`` is null); the problem in a comment, for whoever opens the file."""
    result = validate(run_cli, "--format", "turtle", "-o", "report.ttl")
    assert result.code == EXIT_INPUT
    text = (broken / "report.ttl").read_text(encoding="utf-8")
    graph = Graph().parse(data=text, format="turtle")
    assert (None, RDF.type, SH.ValidationReport) not in graph and (None, SH.conforms, None) not in graph
    assert "# data/town.ttl:5:28: error: syntax error: " in text
    assert all(line.startswith("# ") for line in text.splitlines())


def test_every_format_has_a_report_of_unusable_input():
    assert set(ERROR_FORMATTERS) == set(FORMATTERS)


#: What a report of an earlier run that conformed says, in each format.
EARLIER = {"text": "conforms: 0 violation(s), 0 warning(s), 0 info\n",
           "turtle": "[] a <http://www.w3.org/ns/shacl#ValidationReport> ; "
                     "<http://www.w3.org/ns/shacl#conforms> true .\n",
           "json": '{"conforms": true, "findings": []}\n', "junit": "<testsuites/>\n", "github": "", "sarif": "{}\n"}


@pytest.mark.parametrize("report_format", sorted(FORMATTERS))
def test_unusable_input_replaces_an_earlier_report(run_cli, broken: Path, report_format: str):
    (broken / "report.out").write_text(EARLIER[report_format], encoding="utf-8")
    assert validate(run_cli, "--format", report_format, "-o", "report.out").code == EXIT_INPUT
    assert "data/town.ttl" in (broken / "report.out").read_text(encoding="utf-8")


@pytest.mark.parametrize("report_format", sorted(FORMATTERS))
def test_a_run_that_ends_without_a_report_leaves_no_earlier_one(run_cli, network: Path, monkeypatch,
                                                                 report_format: str):
    """A bug (exit 70) writes no report; the one an earlier run left would be read as this one's."""
    def fails(*args, **kwargs):
        raise RuntimeError("a bug")

    (network / "report.out").write_text(EARLIER[report_format], encoding="utf-8")
    monkeypatch.setattr("alliance_kg.build.pipeline.validated", fails)
    result = validate(run_cli, "--format", report_format, "-o", "report.out")
    assert result.code == EXIT_INTERNAL and "a bug" in result.err
    assert not (network / "report.out").exists()


def test_an_error_spanning_lines_is_said_once(run_cli, network: Path):
    """Oxigraph's own "Parser error between line 5 column 13 and line 7 column 1" is the
    location already given: only its message is kept."""
    (network / "data" / "town.ttl").write_text(BROKEN.replace('"Shelbyville" ,,', '"Shelbyville'), encoding="utf-8")
    result = validate(run_cli)
    assert result.code == EXIT_INPUT
    assert "data/town.ttl:5:13: syntax error: Unexpected end of file" in result.err, result.err


def test_a_run_that_stopped_on_unusable_input_is_not_a_baseline(run_cli, broken: Path):
    assert validate(run_cli, "--format", "json", "-o", "failed.json").code == EXIT_INPUT
    (broken / "data" / "town.ttl").unlink()
    result = validate(run_cli, "--baseline", "failed.json")
    assert result.code == EXIT_INPUT
    assert "failed.json" in result.err and "not a baseline" in result.err


def test_a_missing_path_is_reported_too(run_cli, network: Path):
    result = run_cli("validate", "nowhere", "--ontology", "ontology.ttl", "--shapes", "shapes.ttl", "--format", "github")
    assert result.code == EXIT_INPUT
    assert result.out.startswith("::error file=nowhere,title=alliance-kg%3A unusable input::no such file")


def test_a_conforming_run_writes_the_usual_report(run_cli, network: Path):
    result = validate(run_cli, "--format", "sarif")
    assert result.code == EXIT_OK, result.err
    run, = json.loads(result.out)["runs"]
    assert run["results"] == [] and "invocations" not in run


# -- broken shapes -----------------------------------------------------------------------------------

def test_broken_shapes_are_one_result_per_shape_at_the_faulty_statement(run_cli, network: Path):
    (network / "shapes.ttl").write_text(BROKEN_SHAPES, encoding="utf-8")
    result = validate(run_cli, "--format", "sarif")
    assert result.code == EXIT_INPUT
    assert "SHACL-for-SHACL" in result.err
    document = json.loads(result.out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    run, = document["runs"]
    assert run["invocations"][0]["executionSuccessful"] is False
    found, = run["results"]
    assert found["ruleId"] == "input:invalid-shapes"
    assert "minCount" in found["message"]["text"]
    location = found["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "shapes.ttl"
    assert location["region"] == {"startLine": 9}  # sh:minCount "one"; its shape starts at line 4

    github = validate(run_cli, "--format", "github")
    assert github.out.startswith("::error file=shapes.ttl,line=9,title=alliance-kg%3A invalid shapes::")


# -- a remote JSON-LD context ------------------------------------------------------------------------

REMOTE = """\
{
  "@context": "https://schema.org/",
  "@id": "https://example.org/net/town/t",
  "name": "T"
}
"""


def test_a_remote_json_ld_context_is_said_to_be_one(run_cli, network: Path):
    (network / "data" / "town.jsonld").write_text(REMOTE, encoding="utf-8")
    result = validate(run_cli)
    assert result.code == EXIT_INPUT
    assert "data/town.jsonld:2:16: " in result.err
    assert "'https://schema.org/'" in result.err and "not fetched" in result.err and "no outbound" in result.err
    assert "syntax error" not in result.err and "LoadDocumentCallback" not in result.err

    sarif = validate(run_cli, "--format", "sarif")
    found, = json.loads(sarif.out)["runs"][0]["results"]
    assert found["ruleId"] == "input:remote-context"


# -- a byte-order mark -------------------------------------------------------------------------------

BOM = "\ufeff"


@pytest.mark.parametrize("into", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("name, text", [
    ("town.ttl", "@prefix ex: <https://example.org/net/> .\nex:t ex:mayor ex:m .\n"),
    ("town.nt", "<https://example.org/net/t> <https://example.org/net/mayor> <https://example.org/net/m> .\n"),
    ("town.jsonld", '{"@id": "https://example.org/net/t", "https://example.org/net/mayor": {"@id": "https://example.org/net/m"}}\n'),
])
def test_a_leading_byte_order_mark_is_read_past(network: Path, name: str, text: str, into: str):
    (network / "data" / name).write_text(BOM + text, encoding="utf-8")
    graph = validated(["data"], ontology=["ontology.ttl"], shapes=["shapes.ttl"], into=into)
    assert graph.report is not None
    finding, = graph.report.findings
    assert (finding.focus, finding.file, finding.line) == ("https://example.org/net/t", f"data/{name}", 1 + name.endswith(".ttl"))


@pytest.mark.parametrize("into", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("name, text, where", [
    ("bad.ttl", "ex:t ex:mayor ex:m .\n", (1, 1)),  # no prefix: at the first character after the mark
    ("bad.ttl", '@prefix ex: <https://example.org/net/> .\nex:t ex:name "x" ,, .\n', (2, 19)),
    ("bad.nt", "<https://example.org/net/t> <https://example.org/net/mayor> <https://example.org/net/m> .\n<x> .\n",
     (2, None)),
])
def test_errors_after_a_byte_order_mark_keep_their_line_and_column(network: Path, name: str, text: str, where, into):
    (network / "data" / name).write_text(BOM + text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        validated(["data"], ontology=["ontology.ttl"], shapes=["shapes.ttl"], into=into)
    error = caught.value
    assert error.path == f"data/{name}" and error.kind == "syntax-error"
    assert "\ufeff" not in str(error)
    line, column = where
    assert error.line == line
    if column is not None:
        assert error.column == column


def test_a_byte_order_mark_is_no_finding(run_cli, network: Path):
    (network / "data" / "good.ttl").write_text(BOM + GOOD, encoding="utf-8")
    result = validate(run_cli)
    assert result.code == EXIT_OK, result.out + result.err
