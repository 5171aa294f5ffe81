"""EARL reports of the W3C suites (``docs/conformance/*.ttl``) and the README's summary table.

Each suite's tests compute one outcome per test and hand them here: ``report`` writes the EARL
text (deterministic: sorted, no dates, so an unchanged run gives an unchanged file), and
``check_report`` compares it with the committed file, or rewrites the file when the run was
started with ``ALLIANCE_KG_UPDATE_CONFORMANCE=1`` (``make conformance``). ``summary`` counts the
committed files into the README table, which ``check_readme`` keeps current the same way.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rdflib import Graph, Namespace

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "conformance"
README = ROOT / "README.md"
UPDATE = os.environ.get("ALLIANCE_KG_UPDATE_CONFORMANCE") == "1"
EARL = Namespace("http://www.w3.org/ns/earl#")
PROJECT = "https://w3id.org/alliance-kg/"
START, END = "<!-- conformance:start -->", "<!-- conformance:end -->"

#: outcome -> EARL outcome class
OUTCOMES = {"passed": "earl:passed", "failed": "earl:failed", "skipped": "earl:untested"}


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def report(suite: str, subject: str, description: str, outcomes: dict[str, tuple[str, str]]) -> str:
    """The EARL report of one suite run on one backend or engine: ``outcomes`` maps each test's
    IRI to (``passed``/``failed``/``skipped``, why it failed: the known gap)."""
    me = f"<{PROJECT}conformance#{subject}>"
    lines = [
        "@prefix dc: <http://purl.org/dc/terms/> .",
        "@prefix doap: <http://usefulinc.com/ns/doap#> .",
        "@prefix earl: <http://www.w3.org/ns/earl#> .",
        "",
        f"{me}",
        "    a doap:Project, earl:TestSubject ;",
        f"    doap:name {_literal('alliance-kg: ' + subject)} ;",
        f"    dc:description {_literal(description)} ;",
        f"    dc:isPartOf <{PROJECT}> .",
        "",
    ]
    for iri in sorted(outcomes):
        outcome, why = outcomes[iri]
        info = f" ;\n        earl:info {_literal(why)}" if why else ""
        lines += [
            "[] a earl:Assertion ;",
            f"    earl:assertedBy <{PROJECT}> ;",
            f"    earl:subject {me} ;",
            f"    earl:test <{iri}> ;",
            "    earl:mode earl:automatic ;",
            f"    earl:result [ a earl:TestResult ; earl:outcome {OUTCOMES[outcome]}{info} ] .",
            "",
        ]
    return "\n".join(lines)


def path_of(suite: str, subject: str) -> Path:
    return FOLDER / f"{suite}--{subject}.ttl"


def check_report(suite: str, subject: str, text: str, *, gating: bool = True) -> None:
    """Fail if the committed report differs from this run's (rewrite it in update mode); a
    report that is not gating (Virtuoso's) is an xfail then, so CI's Virtuoso can differ."""
    path = path_of(suite, subject)
    if UPDATE:
        FOLDER.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"{path.name} is missing: run `make conformance`"
    if not gating and path.read_text(encoding="utf-8") != text:
        pytest.xfail(f"{path.name} differs from this run (reported, not gating): run `make conformance`")
    assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run `make conformance`"


def counts(path: Path) -> dict[str, int]:
    """passed/failed/skipped in one committed EARL file."""
    graph = Graph().parse(path, format="turtle")
    found = {"passed": 0, "failed": 0, "skipped": 0}
    names = {EARL.passed: "passed", EARL.failed: "failed", EARL.untested: "skipped"}
    for outcome in graph.objects(None, EARL.outcome):
        found[names[outcome]] += 1
    return found


def summary() -> str:
    """The README table: one row per committed EARL file."""
    rows = ["| suite | backend or engine | passed | failed (xfail, with reason) | skipped |",
            "|---|---|---:|---:|---:|"]
    for path in sorted(FOLDER.glob("*.ttl")):
        suite, _, subject = path.stem.partition("--")
        n = counts(path)
        rows.append(f"| {suite} | {subject} | {n['passed']} | {n['failed']} | {n['skipped']} |")
    return "\n".join(rows)


def check_readme() -> None:
    """Fail if the README's table is not the one the committed reports give (rewrite in update mode)."""
    text = README.read_text(encoding="utf-8")
    match = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    assert match, f"README.md has no {START} ... {END} section"
    table = summary()
    if UPDATE:
        README.write_text(text[:match.start(1)] + table + text[match.end(1):], encoding="utf-8")
        return
    assert match.group(1) == table, "the README's conformance table is stale: run `make conformance`"
