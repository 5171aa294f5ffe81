"""SHACL validation (pyshacl) plus the SPARQL violation checks, as one report of findings
that each know the file and line where their focus node is written.

Shapes run against the asserted graphs together with the inferred graph, so a shape may rely
on what the ontology entails (a city is an org:Organization because it holds a membership).

Speed: pyshacl validates the union graph in place (no copy); on large data the node shapes are
split into two halves of about equal work, validated by two forked processes that share the
data, and their reports merged. The SPARQL checks run on an in-memory Oxigraph store holding the
dataset's named graphs (a compiled engine; rdflib's evaluator is slow on aggregates).
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
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


#: Data size (triples) from which the shapes are split between processes (forking costs ~1 s).
PARALLEL_FROM = 150_000
#: Target predicates: a node shape with none of them is only validated through other shapes.
TARGETS = (SH.target, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def validate(
    dataset: Dataset,
    shapes: Graph,
    *,
    locator: Locator | None = None,
    checks: Iterable[Path] | None = None,
) -> Report:
    """Run the shapes, then every ``*-violation.rq`` check, over the dataset."""
    data = union_graph(dataset)
    workers = min(2, os.cpu_count() or 1) if len(data) >= PARALLEL_FROM else 1
    results, findings = run_shapes(data, shapes, workers=workers)
    del data
    report = Report(findings=findings, graph=results)
    report.findings.extend(run_checks(dataset, sorted(checks if checks is not None else default_checks())))
    locator = locator or Locator()
    for finding in report.findings:
        place = locator.locate(URIRef(finding.focus))
        if place is not None:
            finding.file, finding.line = place
    report.findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.file or "~", f.line or 0, f.focus))
    return report


# -- SHACL ----------------------------------------------------------------------------------------

def _pyshacl(data: Graph, shapes: Graph) -> tuple[Graph, list[Finding]]:
    # in place: the union graph is ours and throwaway, and without inference or SHACL rules
    # pyshacl does not change it; a copy of a million triples would cost more than a shape.
    _, results, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
        abort_on_first=False, inplace=True,
    )
    return results, [_finding(results, r) for r in results.subjects(RDF.type, SH.ValidationResult)]


def run_shapes(data: Graph, shapes: Graph, *, workers: int = 1) -> tuple[Graph, list[Finding]]:
    """The SHACL report and its findings; with ``workers`` > 1 the targeted shapes are split
    into that many groups of about equal work, each validated in a forked process."""
    groups = split_shapes(data, shapes, workers) if workers > 1 else []
    if len(groups) < 2 or multiprocessing.get_start_method(allow_none=True) not in (None, "fork"):
        return _pyshacl(data, shapes)
    global _FORKED
    _FORKED = (data, [only_targets(shapes, group) for group in groups])
    try:
        with multiprocessing.get_context("fork").Pool(len(groups)) as pool:
            parts = pool.map(_validate_part, range(len(groups)))
    finally:
        _FORKED = None
    return merge_reports(parts)


#: What forked workers read (set just before forking; nothing is pickled to them).
_FORKED: tuple[Graph, list[Graph]] | None = None


def _validate_part(index: int) -> tuple[bytes, list[Finding]]:
    assert _FORKED is not None
    data, shape_graphs = _FORKED
    results, findings = _pyshacl(data, shape_graphs[index])
    return results.serialize(format="nt", encoding="utf-8"), findings


def merge_reports(parts: list[tuple[bytes, list[Finding]]]) -> tuple[Graph, list[Finding]]:
    """One sh:ValidationReport from the workers' reports (their results side by side)."""
    merged = Graph()
    merged.bind("sh", SH)
    report = BNode()
    conforms = True
    findings: list[Finding] = []
    for text, found in parts:
        part = Graph()
        part.parse(data=text, format="nt")
        for node in part.subjects(RDF.type, SH.ValidationReport):
            conforms = conforms and part.value(node, SH.conforms) == Literal(True)
        for s, p, o in part:
            if p == SH.conforms or (p == RDF.type and o == SH.ValidationReport):
                continue
            merged.add((report, p, o) if (s, RDF.type, SH.ValidationReport) in part else (s, p, o))
        findings.extend(found)
    merged.add((report, RDF.type, SH.ValidationReport))
    merged.add((report, SH.conforms, Literal(conforms)))
    return merged, findings


def split_shapes(data: Graph, shapes: Graph, parts: int) -> list[list[Node]]:
    """The targeted shapes in ``parts`` groups of about equal work: focus nodes (counted in the
    data) times the shape's size (its triples and those of its property shapes)."""
    costs = {}
    for shape in {s for t in TARGETS for s in shapes.subjects(t, None)}:
        nodes: set[Node] = set()
        for cls in shapes.objects(shape, SH.targetClass):
            nodes.update(data.subjects(RDF.type, cls))
        for prop in shapes.objects(shape, SH.targetSubjectsOf):
            nodes.update(data.subjects(prop, None))
        for prop in shapes.objects(shape, SH.targetObjectsOf):
            nodes.update(data.objects(None, prop))
        nodes.update(shapes.objects(shape, SH.targetNode))
        focus = len(nodes) + 10 * sum(1 for _ in shapes.objects(shape, SH.target))
        size = sum(1 for _ in shapes.predicate_objects(shape)) + sum(
            sum(1 for _ in shapes.predicate_objects(p)) for p in shapes.objects(shape, SH.property))
        costs[shape] = (focus + 1) * size
    groups: list[list[Node]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for shape in sorted(costs, key=lambda s: (-costs[s], str(s))):  # largest first, into the lightest group
        lightest = loads.index(min(loads))
        groups[lightest].append(shape)
        loads[lightest] += costs[shape]
    return [g for g in groups if g]


def only_targets(shapes: Graph, keep: list[Node]) -> Graph:
    """A copy of ``shapes`` where only the shapes in ``keep`` have targets (the others remain,
    for the shapes that refer to them, but select no focus nodes of their own)."""
    kept = set(keep)
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    for s, p, o in shapes:
        if p in TARGETS and s not in kept:
            continue
        copy.add((s, p, o))
    return copy


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
    return run_checks(dataset, [check])


def run_checks(dataset: Dataset, checks: list[Path]) -> list[Finding]:
    """The violation queries, evaluated by Oxigraph over the dataset's named graphs (the default
    graph is their union, as in the dataset; ``GRAPH ?g`` ranges over the named graphs)."""
    if not checks:
        return []
    from .terms import from_ox

    store = _oxigraph(dataset)
    findings = []
    for check in checks:
        text = check.read_text(encoding="utf-8")
        purpose = " ".join(
            line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")
        ).strip() or check.stem
        solutions = store.query(text, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            bound = {name: from_ox(solution[name]) for name in names if solution[name] is not None}
            findings.append(_check_finding(check, purpose, bound))
    return findings


def _oxigraph(dataset: Dataset):
    """An in-memory Oxigraph store with the dataset's named graphs (terms converted once each)."""
    import pyoxigraph as ox

    from .terms import to_ox

    cache: dict = {}

    def term(node):
        converted = cache.get(node)
        if converted is None:
            converted = cache[node] = to_ox(node)
        return converted

    def quads():
        for s, p, o, g in dataset.quads((None, None, None, None)):
            name = g.identifier if isinstance(g, Graph) else g
            if name is not None and name != DATASET_DEFAULT_GRAPH_ID:
                yield ox.Quad(term(s), term(p), term(o), term(name))

    store = ox.Store()
    store.bulk_extend(quads())
    return store


def _check_finding(check: Path, purpose: str, bound: dict) -> Finding:
    focus = bound.get("focus") or next(iter(bound.values()), None)
    message = str(bound["message"]) if "message" in bound else purpose
    return Finding(
        severity=str(bound.get("severity", "Violation")),
        message=message,
        focus=str(focus) if focus is not None else "",
        path=str(bound["path"]) if "path" in bound else None,
        value=str(bound["value"]) if "value" in bound else None,
        shape=f"check:{check.stem}",
        component="sparql-check",
    )
