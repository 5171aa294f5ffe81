"""SHACL validation (pyshacl) plus the SPARQL violation checks, as one report of findings
that each know the file and line where their focus node is written.

Shapes run against the asserted graphs together with the inferred graph, so a shape may rely
on what the ontology entails (a city is an org:Organization because it holds a membership).

Two SHACL engines give the same findings (tested on every shape case and on generated data):
pyshacl, the reference, validates the union graph in place; from ``COMPILED_FROM`` triples on,
the compiled engine of the ``shacl`` package (Rust) takes over, about 50× faster at 100k
triples, where pyshacl's per-node Python cost would dominate a load. Where the W3C SHACL suite
or a comparison showed one engine wrong for a feature, ``choose_engine`` reads the feature from
the shapes and takes the other engine at any size, so findings never depend on the data's size.
The SPARQL checks run on an in-memory Oxigraph store holding the dataset's named graphs (rdflib
is slow on aggregates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node
from rdflib.util import from_n3

from ..errors import AllianceKGError, InputError, oxigraph_syntax
from ..namespaces import SH
from ..rdf import bind_prefixes, from_ox, from_ox_scoped, ntriples, oxigraph_copy, shown, term_from_ntriples
from ..settings import project_root
from .messages import message
from .sources import Locator
from .statements import Asked, Blank

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
    #: The value as a term (``value`` is how reports show it): where the statement at fault is
    #: written is looked up by it. Not part of what a finding says (reports, baselines).
    value_term: Node | None = field(default=None, repr=False, compare=False)
    #: The focus as a term, where the engine names the data's own: a blank node (its label is
    #: the data's, not the file's) is looked for by what the data says of it. Not part of what
    #: a finding says.
    focus_term: Node | None = field(default=None, repr=False, compare=False)
    #: The named shape holding ``shape``, where the engine relabels blank nodes (the compiled
    #: one): its blank property shape is found again by it (``ShapeNames.node``). Not part of
    #: what a finding says.
    shape_root: str | None = field(default=None, repr=False, compare=False)

    @property
    def location(self) -> str:
        if self.file is None:
            return "(no file)"
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def summary(self) -> str:
        """One line for lists of findings (baseline, diff): where, severity, message, focus."""
        return f"{self.location}: {self.severity}: {self.message} (focus {self.focus})"

    def as_dict(self) -> dict:
        """What the finding says and where (not ``value_term``: ``value`` shows it)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.compare}


@dataclass
class Report:
    """The outcome of validation; ``graph`` is the sh:ValidationReport as RDF (parsed on first
    use when the engine gave it as Turtle: only ``--format turtle`` needs it)."""

    findings: list[Finding] = field(default_factory=list)
    _graph: Graph | None = None
    turtle: str | None = None
    #: Set by ``validate --baseline``: a ``baseline.Comparison`` of the findings with a baseline's
    #: (not imported here: that module builds on this one).
    baseline: "Comparison | None" = None  # noqa: F821

    @property
    def graph(self) -> Graph:
        if self._graph is None:  # Oxigraph's parser: rdflib's would rewrite an ill-typed value
            term = from_ox_scoped()
            parser = ox.parse((self.turtle or "").encode("utf-8"), format=ox.RdfFormat.TURTLE)
            graph = Graph()
            for quad in parser:
                graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
            for prefix, namespace in parser.prefixes.items():
                graph.bind(prefix, namespace, replace=True)
            self._graph = graph
        return self._graph

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)

    @property
    def passes(self) -> bool:
        """The gate CI applies: conforms, or, against a baseline, no violation is new."""
        return self.conforms if self.baseline is None else self.baseline.new_violations == 0

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


class ValidationFailed(AllianceKGError):
    """The data does not conform to the shapes; carries the report."""

    def __init__(self, report: Report):
        super().__init__(f"data does not conform: {report.count('Violation')} violation(s)")
        self.report = report


def union_graph(dataset: Dataset) -> Graph:
    """All triples of all named graphs in one graph, for pyshacl (which checks graphs one by one)."""
    union = bind_prefixes(Graph())
    for triple in dataset.triples((None, None, None)):
        union.add(triple)
    return union


#: Data size (triples) from which ``engine="auto"`` uses the compiled engine.
COMPILED_FROM = 150_000
ENGINES = ("auto", "pyshacl", "compiled")


def _sparql_texts(shapes: Graph) -> Iterable[str]:
    for predicate in (SH.select, SH.ask):
        yield from (str(o) for o in shapes.objects(None, predicate))


#: What the compiled engine gets wrong (the W3C SHACL suite and comparing the engines found
#: them), each a test on the shapes graph: with any of them ``auto`` keeps pyshacl.
COMPILED_GAPS: dict[str, Callable[[Graph], bool]] = {
    "sh:deactivated on an sh:sparql constraint (the compiled engine runs it)":
        lambda g: any(g.value(c, SH.deactivated) == Literal(True) for c in g.objects(None, SH.sparql)),
    "sh:closed on a property shape (the compiled engine checks the focus node, not the values)":
        lambda g: any((s, SH.path, None) in g for s in g.subjects(SH.closed, Literal(True))),
    "regex flags s, x or q (the compiled engine's regex dialect differs)":
        lambda g: any(set(str(f)) & set("sxq") for f in g.objects(None, SH.flags)),
    "a sub-SELECT in a SPARQL constraint (the spec says refuse it; the compiled engine runs it)":
        lambda g: any(re.search(r"\{[^{}]*\bSELECT\b", q, re.I) for q in _sparql_texts(g)),
}
#: What pyshacl gets wrong: with any of them ``auto`` takes the compiled engine (unless it has a
#: gap of its own in the same shapes, when pyshacl, the reference, stays).
PYSHACL_GAPS: dict[str, Callable[[Graph], bool]] = {
    "$shapesGraph in a SPARQL constraint (pyshacl 0.40 raises)":
        lambda g: any("$shapesGraph" in q for q in _sparql_texts(g)),
    'sh:uniqueLang with a term other than true, such as "1"^^xsd:boolean (pyshacl 0.40 takes its value)':
        lambda g: any(v != Literal(True) for v in g.objects(None, SH.uniqueLang)),
}


def choose_engine(shapes: Graph, triples: int) -> tuple[str, str]:
    """The engine ``auto`` takes and why: the compiled one from ``COMPILED_FROM`` triples on,
    pyshacl below, except where the shapes use a feature the chosen engine gets wrong, so the
    findings never depend on the data's size."""
    compiled_gaps = [why for why, uses in COMPILED_GAPS.items() if uses(shapes)]
    pyshacl_gaps = [why for why, uses in PYSHACL_GAPS.items() if uses(shapes)]
    if compiled_gaps:
        return "pyshacl", f"the shapes use {compiled_gaps[0]}"
    if pyshacl_gaps:
        return "compiled", f"the shapes use {pyshacl_gaps[0]}"
    if triples >= COMPILED_FROM:
        return "compiled", f"{triples} triples (the compiled engine from {COMPILED_FROM})"
    return "pyshacl", f"{triples} triples (pyshacl below {COMPILED_FROM})"


def validate(
    dataset: Dataset,
    shapes: Graph,
    *,
    locator: Locator | None = None,
    checks: Iterable[Path] | None = None,
    engine: str = "auto",
) -> Report:
    """Run the shapes, then every ``*-violation.rq`` check, over the dataset."""
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "auto":
        engine, _ = choose_engine(shapes, len(dataset))
    checks = sorted(checks if checks is not None else default_checks())
    if engine == "compiled":
        report = compiled_report(compiled_shapes(shapes).validate_text(ntriples(dataset.triples((None, None, None))), "nt"))
    else:
        report = pyshacl_report(union_graph(dataset), shapes)
    if checks:
        report.findings.extend(run_checks(oxigraph_copy(dataset), checks))
    return finish(report, shapes, locator,
                  lambda node: Blank.of(dataset.predicate_objects(node), dataset.subject_predicates(node)))


def finish(report: Report, shapes: Graph, locator: Locator | None,
           blank: Callable[[BNode], Blank] | None = None) -> Report:
    """Every finding given its file and line, a stable shape name and its message, in a total
    order, so that the same data gives the same report (and SARIF rule order) every run,
    whichever path and engine built it. The line is the statement at fault's (focus, path,
    value) where it is written, else where the focus is described (``Locator.locate_statements``);
    a blank focus is looked for by what the data says of it (``blank``: the statements holding it
    and its own). The shape is named, and a core constraint's message written, from the shapes
    graph (``ShapeNames``, ``messages``), not as the engine would."""
    locator = locator or Locator()
    names = ShapeNames(shapes)
    shaped: dict[tuple, tuple[Node | None, str | None, tuple[URIRef, ...]]] = {}  # node, name, classes
    said: dict[tuple, str | None] = {}  # by shape and the value's datatype (a datatype's message tells)
    asked = []
    for finding in report.findings:
        key = (finding.shape, finding.path, finding.shape_root, finding.component)
        if key not in shaped:
            node = names.node(*key)
            shaped[key] = (node, names.unknown(finding.shape, finding.path) if node is None else names.describe(node),
                           names.target_classes(node))
        node, finding.shape, classes = shaped[key]
        term = finding.focus_term
        # a literal focus (sh:targetNode "x") is written nowhere: asked for, it is not found
        focus = term if isinstance(term, Literal) or isinstance(term, BNode) and blank else URIRef(finding.focus)
        asked.append(Asked(focus, _predicate(finding.path), finding.value_term, classes,
                           blank(focus) if isinstance(focus, BNode) and blank else None))
        if node is not None:
            kind = (*key, getattr(finding.value_term, "datatype", None))
            if kind not in said:
                said[kind] = message(shapes, node, finding.component, finding.value_term)
            finding.message = said[kind] or finding.message
    for finding, place in zip(report.findings, locator.locate_statements(asked)):
        if place is not None:
            finding.file, finding.line = place
    report.findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.file or "~", f.line or 0, f.focus,
                                        f.shape or "", f.component or "", f.path or "", f.value or "", f.message))
    return report


_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")


def _predicate(path: str | None) -> URIRef | None:
    """A finding's path when it is a predicate (not an inverse, a sequence, a blank node)."""
    return URIRef(path) if path and not path.startswith("_:") and _IRI.fullmatch(path) else None


# -- naming the shapes ----------------------------------------------------------------------------

class ShapeNames:
    """Stable names for the shapes findings come from. A property shape written as a blank node
    (``sh:property [ sh:path schema:name ; ... ]``) has a different label on every parse, so
    reports, SARIF rule ids and baselines name it by where it sits instead:
    ``<NodeShape IRI>/property[<path>]`` (``/or[...]``, ``/not`` ... for nested shapes).
    The compiled engine relabels blank nodes; its shapes are found again by their path, the
    named shape holding them and the constraint (``node``), so both engines name them alike."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self._by_path: dict[str, list[Node]] = {}
        for node, path in shapes.subject_objects(SH.path):
            if isinstance(node, BNode):
                self._by_path.setdefault(path_text(shapes, path) or "", []).append(node)

    def node(self, shape: str | None, path: str | None, root: str | None = None,
             component: str | None = None) -> Node | None:
        """The node of the shapes graph a finding's ``shape`` is: an IRI as named, a blank node
        by its label where it is the shapes graph's (pyshacl's), else (the compiled engine's
        labels are its own) the one blank shape with the finding's ``path`` that the named shape
        ``root`` holds and that has the parameter of ``component`` (``sh:datatype`` for
        ``sh:DatatypeConstraintComponent``); ``None`` when that is not one shape."""
        if not shape:
            return None
        if not shape.startswith("_:"):
            return URIRef(shape)
        node = BNode(shape[2:])
        if (node, None, None) in self.shapes:
            return node
        candidates = self._by_path.get(path or "", [])
        if len(candidates) > 1 and root and not root.startswith("_:"):  # a blank root is the engine's too
            candidates = [c for c in candidates if self.named(c) == URIRef(root)]
        parameter = _parameter(component)
        if len(candidates) > 1 and parameter is not None:
            candidates = [c for c in candidates if (c, parameter, None) in self.shapes]
        return candidates[0] if len(candidates) == 1 else None

    def unknown(self, shape: str | None, path: str | None) -> str | None:
        """The name of a shape not found again (``node``): blank, only its path is known."""
        if not shape or not shape.startswith("_:"):
            return shape
        return f"[{path}]" if path else "[]"

    def named(self, node: Node) -> Node:
        """The named shape holding ``node`` (itself when it is named; the outermost blank one
        when none is)."""
        seen = set()
        while isinstance(node, BNode) and node not in seen and (holder := self.holder(node)) is not None:
            seen.add(node)
            node = holder[0]
        return node

    def target_classes(self, node: Node | None) -> tuple[URIRef, ...]:
        """The classes the named shape holding ``node`` targets (``sh:targetClass``, or itself
        as an implicit class target), sorted; none for no node."""
        if node is None:
            return ()
        node = self.named(node)
        found = {c for c in self.shapes.objects(node, SH.targetClass) if isinstance(c, URIRef)}
        if isinstance(node, URIRef) and any((node, RDF.type, c) in self.shapes for c in (RDFS.Class, OWL.Class)):
            found.add(node)
        return tuple(sorted(found))

    def describe(self, node: Node, seen: frozenset = frozenset()) -> str:
        if not isinstance(node, BNode):
            return str(node)
        holder = self.holder(node)
        path = self.shapes.value(node, SH.path)
        own = f"[{path_text(self.shapes, path)}]" if path is not None else ""
        if holder is None or holder[0] in seen:
            return f"[]{own}"
        parent, predicate = holder
        return f"{self.describe(parent, seen | {node})}/{predicate.rsplit('#', 1)[-1]}{own}"

    def holder(self, node: Node) -> tuple[Node, str] | None:
        """The shape that holds ``node`` and the predicate it holds it by (through an RDF list
        for ``sh:or``, ``sh:and``, ``sh:xone``)."""
        for parent, predicate in self.shapes.subject_predicates(node):
            if predicate == RDF.first:
                head = parent
                while (above := self.shapes.value(predicate=RDF.rest, object=head)) is not None:
                    head = above
                for owner, by in self.shapes.subject_predicates(head):
                    return owner, str(by)
            elif predicate != RDF.rest:
                return parent, str(predicate)
        return None


# -- the shapes themselves: SHACL for SHACL ---------------------------------------------------------

class InvalidShapes(InputError):
    """The shapes graph does not conform to SHACL-for-SHACL: a shape that cannot mean what its
    author wanted (``sh:minCount "one"``). Unusable input, so exit 2, with every file and line."""

    def __init__(self, problems: list[Finding]):
        lines = [f"{p.location}: {p.message} (shape {p.focus}{', ' + p.path if p.path else ''})" for p in problems]
        super().__init__("shapes do not conform to SHACL-for-SHACL:\n  " + "\n  ".join(lines),
                         path=None, kind="invalid-shapes")
        self.problems = problems


_CHECKED_SHAPES: set[tuple] = set()


def check_shapes(shapes: Graph, locator: Locator | None = None) -> None:
    """Validate the shapes with pyshacl's SHACL-for-SHACL (``meta_shacl``); raise
    ``InvalidShapes`` naming the file and line of each broken shape's faulty statement (the
    ``sh:minCount "one"``, a blank-node shape's too; where that is not found, its shape's, else
    the named shape holding it). A shapes graph that passed is remembered for the
    process (meta-validation takes a second; serving reloads and tests would repeat it)."""
    key = _shapes_key(shapes)
    if key in _CHECKED_SHAPES:
        return
    from pyshacl.entrypoints import meta_validate

    conforms, results, _ = meta_validate(shapes, inference="none", allow_warnings=True)
    if conforms:
        _CHECKED_SHAPES.add(key)
        return
    locator = locator or Locator()
    names = ShapeNames(shapes)
    problems = [_finding(results, result) for result in results.subjects(RDF.type, SH.ValidationResult)]
    asked = [Asked(f.focus_term, _predicate(f.path), f.value_term,
                   blank=Blank.of(shapes.predicate_objects(f.focus_term), shapes.subject_predicates(f.focus_term))
                   if isinstance(f.focus_term, BNode) else None) for f in problems]
    for finding, place in zip(problems, locator.locate_statements(asked)):
        node = finding.focus_term
        while place is None and isinstance(node, BNode) and (holder := names.holder(node)) is not None:
            node = holder[0]  # a blank shape not found (held only through a list): its named shape
            place = locator.locate(node)
        if place is not None:
            finding.file, finding.line = place
        finding.focus = names.describe(finding.focus_term)
    # pyshacl reports a shape in a list again for the list (sh:or's value): the same result twice
    problems = list({(f.file, f.line, f.focus, f.path, f.message): f for f in problems}.values())
    problems.sort(key=lambda f: (f.file or "~", f.line or 0, f.focus))
    raise InvalidShapes(problems)


def _shapes_key(shapes: Graph) -> tuple:
    """The shapes' triples with blank nodes blanked out: blank node labels change with every
    parse, and two shapes graphs that differ only in how blank nodes are wired are not a case
    that needs a second meta-validation."""
    def plain(term: Node) -> Node | None:
        return None if isinstance(term, BNode) else term

    return len(shapes), frozenset((plain(s), p, plain(o)) for s, p, o in shapes)


# -- SHACL ----------------------------------------------------------------------------------------

def with_imported_prefixes(shapes: Graph) -> Graph:
    """The shapes with each ``sh:prefixes`` value also declaring what the nodes it reaches
    through ``owl:imports`` declare (SHACL 5.2.1 counts those). pyshacl 0.40 reads only the
    value's own ``sh:declare`` and the shapes graph's name's, so it would miss a prefix declared
    on an imported ontology; a copy is made only when there is something to add, and the
    caller's graph is left as it is."""
    imported = [(holder, SH.declare, declaration)
                for holder in set(shapes.objects(None, SH.prefixes))
                for reached in shapes.transitive_objects(holder, OWL.imports) if reached != holder
                for declaration in shapes.objects(reached, SH.declare)]
    if all(triple in shapes for triple in imported):
        return shapes
    extended = Graph(namespace_manager=shapes.namespace_manager)
    for triple in (*shapes, *imported):
        extended.add(triple)
    return extended


def pyshacl_report(data: Graph, shapes: Graph) -> Report:
    """pyshacl's findings on ``data`` (changed in place: pass a throwaway graph)."""
    # in place: the union graph is ours and throwaway, and without inference or SHACL rules
    # pyshacl does not change it; a copy of a million triples would cost more than a shape.
    _, results, _ = shacl_validate(
        data, shacl_graph=with_imported_prefixes(shapes), inference="none", advanced=True, allow_warnings=True,
        abort_on_first=False, inplace=True,
    )
    # the report's own results only: the ones nested under sh:detail (sh:node, sh:qualified...)
    # explain a result, they are not findings of their own
    top = [r for report in results.subjects(RDF.type, SH.ValidationReport) for r in results.objects(report, SH.result)]
    return Report([_finding(results, r) for r in top], results)


def compiled_shapes(shapes: Graph):
    """The ``shacl`` package's compiled engine for ``shapes``. Data and shapes both reach it as
    text written from the terms as parsed (``rdf.ntriples`` here, the as-written copy of the
    Oxigraph path), so it judges each literal as written: not through an Oxigraph store, which
    canonicalises well-formed literals (``"1"^^xsd:boolean`` as ``"true"``), nor through rdflib's
    Turtle writer, which prints typed literals in forms of its own (``"1"^^xsd:boolean`` as a
    bare ``1``, an integer) and fails on NaN next to a decimal."""
    import shacl

    return shacl.Shapes.from_text(ntriples(shapes), format="nt")


def compiled_report(result) -> Report:
    """The compiled engine's result as a ``Report``, its findings shaped like pyshacl's. A blank
    focus is given no ``focus_term``: the engine labels blank nodes afresh (``_:0_b1``, ...), so
    its label names no node of the data to look for (a literal focus is given its term)."""
    findings = []
    for r in result.results:
        value = _value_term(r.value, r.value_plain)
        findings.append(Finding(
            severity=r.severity or "Violation",
            message="; ".join(sorted(r.messages)) or unsaid(r.component_iri),
            focus=_focus(r.focus_node),
            focus_term=term_from_ntriples(r.focus_node) if r.focus_node.startswith('"') else None,
            path=_plain(r.path),
            value=shown(value),
            shape=_plain(r.source_shape),
            component=r.component_iri,
            value_term=value,
            shape_root=_plain(r.root_shape),
        ))
    return Report(findings, turtle=result.turtle)


def _value_term(written: str | None, plain: str | None) -> Node | None:
    """The compiled engine's value (N-Triples) as a term; only a literal needs parsing."""
    if written is None:
        return None
    if written.startswith("<") and plain is not None:
        return URIRef(plain)
    if written.startswith("_:"):
        return BNode(written[2:])
    return term_from_ntriples(written)


def _focus(term: str | None) -> str | None:
    """A focus node as pyshacl's findings give it: a literal focus (``sh:targetNode "x"``,
    ``sh:targetObjectsOf``) as its lexical form, not in N-Triples quotes."""
    if term and term.startswith('"'):
        return str(from_n3(term))
    return _plain(term)


def _plain(term: str | None) -> str | None:
    """``<iri>`` (N-Triples form) as the bare IRI, like pyshacl's findings; paths stay as written."""
    if term and term.startswith("<") and term.endswith(">") and ">" not in term[1:-1]:
        return term[1:-1]
    return term


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    return str(node) if isinstance(node, (URIRef, Literal)) else node.n3()


#: The SHACL paths other than a predicate or a sequence, as SPARQL writes them.
_PATHS = ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
          (SH.zeroOrOnePath, "({})?"))


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL path of ``graph`` as findings and shape names give it, whichever engine found
    them: a predicate as its IRI, any other path in SPARQL's property path syntax as the
    compiled engine writes it (``^<p>``, ``(<p>/<q>)``, ``(<p>|<q>)``, ``(<p>)*``), not as the
    blank node of pyshacl's report, whose label changes with every run."""
    if path is None:
        return None
    return str(path) if isinstance(path, URIRef) else _path(graph, path, frozenset())


def _path(graph: Graph, node: Node, seen: frozenset) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if node in seen or not isinstance(node, BNode):  # a cycle, a literal: not a SHACL path
        return node.n3()
    seen = seen | {node}
    if (node, RDF.first, None) in graph:
        return "(" + "/".join(_path(graph, step, seen) for step in graph.items(node)) + ")"
    for predicate, written in _PATHS:
        inner = graph.value(node, predicate)
        if inner is not None:
            return written.format(_path(graph, inner, seen))
    choices = graph.value(node, SH.alternativePath)
    if choices is not None:
        return "(" + "|".join(_path(graph, choice, seen) for choice in graph.items(choices)) + ")"
    return node.n3()


def _parameter(component: str | None) -> URIRef | None:
    """The parameter a core constraint component is named for (``sh:minCount`` for
    ``sh:MinCountConstraintComponent``), by which a shape is seen to have that constraint."""
    if not component or not component.startswith(str(SH)) or not component.endswith("ConstraintComponent"):
        return None
    name = component[len(str(SH)):-len("ConstraintComponent")]
    return SH["sparql" if name == "SPARQL" else name[:1].lower() + name[1:]]


#: What pyshacl says of a SPARQL-based constraint component's result that has no message.
_PYSHACL_OWN = "Parameterised SHACL Query generated constraint validation reports."


def unsaid(component: str | None) -> str:
    """The message of a result its engine gives none, nor ``messages`` (a SPARQL-based or a
    custom constraint without ``sh:message``): the same from both engines."""
    name = (component or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1].removesuffix("ConstraintComponent")
    return f"{name or 'a'} constraint not satisfied"


def _finding(results: Graph, result: Node) -> Finding:
    value = results.value
    severity = value(result, SH.resultSeverity)
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage) if str(m) != _PYSHACL_OWN)
    term = value(result, SH.value)
    component = _text(value(result, SH.sourceConstraintComponent))
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        message="; ".join(messages) or unsaid(component),
        focus=str(value(result, SH.focusNode)),
        path=path_text(results, value(result, SH.resultPath)),
        value=shown(term),
        shape=_text(value(result, SH.sourceShape)),
        component=component,
        value_term=term,
        focus_term=value(result, SH.focusNode),
    )


def default_checks(root: Path | None = None) -> list[Path]:
    """The project's ``queries/checks/*-violation.rq`` (of ``root``, default the project root)."""
    folder = (root or project_root()) / "queries" / "checks"
    return sorted(folder.glob("*-violation.rq")) if folder.is_dir() else []


def run_checks(store: ox.Store, checks: list[Path]) -> list[Finding]:
    """The violation queries, evaluated by Oxigraph over the store's named graphs (the default
    graph is their union, as in the dataset; ``GRAPH ?g`` ranges over the named graphs)."""
    findings = []
    for check in checks:
        text = check.read_text(encoding="utf-8")
        purpose = " ".join(
            line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")
        ).strip() or check.stem
        solutions = _checked(store, check, text)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            bound = {name: from_ox(solution[name]) for name in names if solution[name] is not None}
            findings.append(_check_finding(check, purpose, bound))
    return findings


def _checked(store: ox.Store, check: Path, text: str) -> ox.QuerySolutions:
    """``check``'s solutions; a check that does not parse is bad input, named by file, line and
    column as a data file's syntax error is (Oxigraph counts them as an editor does)."""
    try:
        return store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        message, line, column = oxigraph_syntax(exc)
        raise InputError(f"syntax error: {message}", path=str(check), line=line, column=column,
                         kind="syntax-error") from None


def _check_finding(check: Path, purpose: str, bound: dict) -> Finding:
    focus = bound.get("focus") or next(iter(bound.values()), None)
    message = str(bound["message"]) if "message" in bound else purpose
    return Finding(
        severity=str(bound.get("severity", "Violation")),
        message=message,
        focus=str(focus) if focus is not None else "",
        path=str(bound["path"]) if "path" in bound else None,
        value=shown(bound.get("value")),
        shape=f"check:{check.stem}",
        component="sparql-check",
        value_term=bound.get("value"),
        focus_term=focus,
    )
