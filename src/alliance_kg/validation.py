"""SHACL validation (pyshacl) plus the SPARQL violation checks, as one report of findings
that each know the file and line where their focus node is written.

Shapes run against the asserted graphs together with the inferred graph, so a shape may rely
on what the ontology entails (a city is an org:Organization because it holds a membership).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .errors import AllianceKGError
from .namespaces import PREFIXES, SH
from .settings import project_root
from .sources import Locator

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass
class Finding:
    """One result: what is wrong, with which node, and where to fix it."""

    severity: str  # Violation | Warning | Info
    message: str
    focus: str
    path: str | None = None
    value: str | None = None
    shape: str | None = None
    component: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def location(self) -> str:
        if self.file is None:
            return "(no file)"
        return f"{self.file}:{self.line}" if self.line else self.file

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    """The outcome of validation; ``graph`` is the sh:ValidationReport as RDF."""

    findings: list[Finding] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


class ValidationFailed(AllianceKGError):
    """The data does not conform to the shapes; carries the report."""

    def __init__(self, report: Report):
        super().__init__(f"data does not conform: {report.count('Violation')} violation(s)")
        self.report = report


def union_graph(dataset: Dataset) -> Graph:
    """All triples of all named graphs in one graph, for pyshacl (which checks graphs one by one)."""
    union = Graph()
    for prefix, namespace in PREFIXES.items():
        union.bind(prefix, namespace)
    for triple in dataset.triples((None, None, None)):
        union.add(triple)
    return union


def validate(
    dataset: Dataset,
    shapes: Graph,
    *,
    locator: Locator | None = None,
    checks: Iterable[Path] | None = None,
) -> Report:
    """Run the shapes, then every ``*-violation.rq`` check, over the dataset."""
    data = union_graph(dataset)
    _, results, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False
    )
    report = Report(graph=results)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        report.findings.append(_finding(results, result))
    for check in sorted(checks if checks is not None else default_checks()):
        report.findings.extend(run_check(dataset, check))
    locator = locator or Locator()
    for finding in report.findings:
        place = locator.locate(URIRef(finding.focus))
        if place is not None:
            finding.file, finding.line = place
    report.findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.file or "~", f.line or 0, f.focus))
    return report


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    return str(node) if isinstance(node, (URIRef, Literal)) else node.n3()


def _finding(results: Graph, result: Node) -> Finding:
    value = results.value
    severity = value(result, SH.resultSeverity)
    messages = [str(m) for m in results.objects(result, SH.resultMessage)]
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        message="; ".join(messages) or "constraint not satisfied",
        focus=str(value(result, SH.focusNode)),
        path=_text(value(result, SH.resultPath)),
        value=_text(value(result, SH.value)),
        shape=_text(value(result, SH.sourceShape)),
        component=_text(value(result, SH.sourceConstraintComponent)),
    )


def default_checks() -> list[Path]:
    folder = project_root() / "queries" / "checks"
    return sorted(folder.glob("*-violation.rq")) if folder.is_dir() else []


def run_check(dataset: Dataset, check: Path) -> list[Finding]:
    """A violation query: every row is a finding; its opening comment is the message."""
    text = check.read_text(encoding="utf-8")
    purpose = " ".join(
        line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")
    ).strip() or check.stem
    findings = []
    for row in dataset.query(text):
        bound = {str(k): v for k, v in row.asdict().items()}
        focus = bound.get("focus") or next(iter(bound.values()), None)
        message = str(bound["message"]) if "message" in bound else purpose
        findings.append(
            Finding(
                severity=str(bound.get("severity", "Violation")),
                message=message,
                focus=str(focus) if focus is not None else "",
                path=str(bound["path"]) if "path" in bound else None,
                value=str(bound["value"]) if "value" in bound else None,
                shape=f"check:{check.stem}",
                component="sparql-check",
            )
        )
    return findings
