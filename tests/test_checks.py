"""The SPARQL checks (queries/checks/*-violation.rq) against data each must reject.

Each case is one TriG file under tests/checks/cases: named graphs hold minimal bad data (and
beside it good data the check must leave alone), the graph <urn:expected> names the check
(``<urn:case> akgsh:check "<stem>"``) and the findings it must report, each by whichever of
``sh:focusNode``, ``sh:resultPath`` and ``sh:value`` the check gives. The check runs as the
validator runs it (``validation.run_checks``: Oxigraph, the default graph the union), and it
must report those findings and no others.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Namespace, URIRef

from factsupport import ROOT

from alliance_kg.build.validation import default_checks, run_checks
from alliance_kg.rdf import new_dataset, oxigraph_copy, shown

SH = Namespace("http://www.w3.org/ns/shacl#")
AKGSH = Namespace("https://w3id.org/alliance-kg/shapes#")
CASES = sorted((ROOT / "tests" / "checks" / "cases").glob("*.trig"))
EXPECTED = URIRef("urn:expected")
FIELDS = {SH.focusNode: "focus", SH.resultPath: "path", SH.value: "value"}


def read_case(path: Path) -> tuple[Dataset, str, list[dict[str, str]]]:
    case = Dataset()
    case.parse(path, format="trig")
    expected = case.graph(EXPECTED)
    data = new_dataset()
    for s, p, o, g in case.quads((None, None, None, None)):
        if g != EXPECTED:
            data.graph(g).add((s, p, o))
    check = str(expected.value(URIRef("urn:case"), AKGSH.check))
    return data, check, findings_in(expected)


def findings_in(expected: Graph) -> list[dict[str, str]]:
    results = {s for field in FIELDS for s in expected.subjects(field, None)}
    return [{FIELDS[p]: shown(o) for p, o in expected.predicate_objects(r) if p in FIELDS} for r in results]


def test_every_check_has_a_case():
    checks = {path.stem for path in default_checks()}
    assert checks, "no shipped checks found"
    covered = {read_case(path)[1] for path in CASES}
    assert checks <= covered, f"checks without a case: {sorted(checks - covered)}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_check_reports_exactly_the_expected_findings(path: Path):
    data, name, expected = read_case(path)
    check = ROOT / "queries" / "checks" / f"{name}.rq"
    assert check.is_file(), f"{path.name}: no check {name}"
    assert expected, f"{path.name}: no expected findings"
    findings = run_checks(oxigraph_copy(data), [check])
    got = [{"focus": f.focus, "path": f.path, "value": f.value} for f in findings]
    for wanted in expected:
        assert any(all(g[k] == v for k, v in wanted.items()) for g in got), f"{path.name}: missing {wanted} in {got}"
    assert len(got) == len(expected), f"{path.name}: findings beyond the expected ones: {got}"
    assert all(f.shape == f"check:{name}" and f.severity == "Violation" for f in findings)


def test_a_check_message_names_the_value():
    data, name, _ = read_case(ROOT / "tests" / "checks" / "cases" / "membership-before-founding.trig")
    [finding] = run_checks(oxigraph_copy(data), [ROOT / "queries" / "checks" / f"{name}.rq"])
    assert finding.message == "membership begins (2015) before the alliance was founded"
