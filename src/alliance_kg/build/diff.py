"""What a change does to the graph: two versions (files, folders, project checkouts or built
dumps) compared per named graph — triples added and removed, subjects touched — and their
validation findings compared (new, fixed), as text or as Markdown for a pull-request comment.

Both sides go through the same pipeline as ``validate`` (parse, infer, validate), so the
inferred graph is compared too and a dump (which carries its own ontology and inferred graph)
compares with a checkout. Blank nodes are matched by the structure around them
(``rdflib.compare``), not by their labels, which change with every parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import graph_diff, to_isomorphic

from ..errors import InputError, unreadable
from ..namespaces import BASE
from ..rdf import bind_prefixes
from .baseline import Comparison, compare
from .pipeline import SHIPPED, KnowledgeGraph, Paths, validated
from .sources import FORMATS

Triple = tuple


@dataclass
class GraphChange:
    """One named graph's change."""

    graph: URIRef
    added: list[Triple] = field(default_factory=list)
    removed: list[Triple] = field(default_factory=list)

    @property
    def subjects(self) -> set:
        """Subjects with a triple added or removed (blank nodes count as the change they are in)."""
        return {s for s, _, _ in self.added + self.removed if not isinstance(s, BNode)}


@dataclass
class DataDiff:
    old: str
    new: str
    graphs: list[GraphChange]
    findings: Comparison
    namespaces: Graph

    @property
    def changed(self) -> bool:
        return bool(self.graphs or self.findings.new or self.findings.fixed)


def side(path: str | Path, *, shapes: Paths = None, engine: str = "auto") -> KnowledgeGraph:
    """One side of a diff, built and validated: a project folder (with ``data/`` or
    ``ontology/``: its own ontology, data, shapes and checks, graphs named as in that project),
    a built dump (TriG/N-Quads: read as it is, with its own ontology), or data files and
    folders (read with the shipped ontology, like ``validate``)."""
    path = Path(path)
    try:  # a folder that cannot be read is an error, not a folder of data files
        missing = not path.exists()
        project = path.is_dir() and ((path / "data").is_dir() or (path / "ontology").is_dir())
    except OSError as exc:
        raise unreadable(exc, path) from None
    if missing:
        raise InputError("no such file or directory", path=str(path))
    if project:
        parts = [path / name for name in ("ontology", "data") if (path / name).is_dir()]
        if not shapes and not (path / "shapes").is_dir():
            shapes = [SHIPPED]
        return validated(parts, ontology=[], shapes=shapes, engine=engine, root=path)
    if path.is_file() and FORMATS.get(path.suffix.lower()) in ("trig", "nquads"):
        return validated([path], ontology=[], shapes=shapes, engine=engine)
    return validated([path], shapes=shapes, engine=engine)


def diff(old: str | Path, new: str | Path, *, shapes: Paths = None, engine: str = "auto") -> DataDiff:
    before, after = side(old, shapes=shapes, engine=engine), side(new, shapes=shapes, engine=engine)
    assert before.report is not None and after.report is not None
    names = sorted(_graph_names(before.dataset) | _graph_names(after.dataset))
    changes = [c for c in (_graph_change(name, before.dataset, after.dataset) for name in names)
               if c.added or c.removed]
    namespaces = bind_prefixes(Graph())
    return DataDiff(str(old), str(new), changes, compare(before.report.findings, after.report.findings), namespaces)


def _graph_names(dataset: Dataset) -> set[URIRef]:
    return {g.identifier for g in dataset.graphs() if isinstance(g.identifier, URIRef) and len(g)}


def _graph_change(name: URIRef, before: Dataset, after: Dataset) -> GraphChange:
    old, new = before.graph(name), after.graph(name)
    if _has_blank_nodes(old) or _has_blank_nodes(new):
        _, removed, added = graph_diff(to_isomorphic(old), to_isomorphic(new))
        return GraphChange(name, sorted(added), sorted(removed))
    old_triples, new_triples = set(old), set(new)
    return GraphChange(name, sorted(new_triples - old_triples), sorted(old_triples - new_triples))


def _has_blank_nodes(graph: Graph) -> bool:
    return any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in graph)


# -- as text and Markdown -------------------------------------------------------------------------

def _short(graph: URIRef) -> str:
    return str(graph)[len(BASE):] if str(graph).startswith(BASE) else str(graph)


def _triple(triple: Triple, namespaces: Graph) -> str:
    return " ".join(term.n3(namespaces.namespace_manager) for term in triple) + " ."


def _triple_lines(change: GraphChange, namespaces: Graph, limit: int, more: str) -> list[str]:
    """``+ s p o .`` and ``- s p o .`` lines, at most ``limit``, then ``more`` with the rest's count."""
    shown = [f"+ {_triple(t, namespaces)}" for t in change.added] + [f"- {_triple(t, namespaces)}" for t in change.removed]
    return shown[:limit] + ([more.format(n=len(shown) - limit)] if len(shown) > limit else [])


def as_text(result: DataDiff, *, limit: int = 20) -> str:
    lines = [f"diff {result.old} -> {result.new}"]
    if not result.graphs:
        lines.append("no triple added or removed")
    for change in result.graphs:
        lines.append(f"graph {_short(change.graph)}: +{len(change.added)} -{len(change.removed)} triples, "
                     f"{len(change.subjects)} subject(s) touched")
        lines.extend(f"  {line}" for line in _triple_lines(change, result.namespaces, limit, "... {n} more"))
    findings = result.findings
    lines.append(f"findings: {len(findings.new)} new, {len(findings.fixed)} fixed, {len(findings.unchanged)} unchanged")
    lines.extend(f"  new: {f.summary}" for f in findings.new)
    lines.extend(f"  fixed: {f.summary}" for f in findings.fixed)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(result: DataDiff, *, limit: int = 20) -> str:
    """A pull-request comment: a table per graph, the findings, the triples folded away."""
    out = [f"### alliance-kg diff: `{result.old}` → `{result.new}`", ""]
    if result.graphs:
        out += ["| graph | added | removed | subjects touched |", "|---|---:|---:|---:|"]
        out += [f"| `{_short(c.graph)}` | {len(c.added)} | {len(c.removed)} | {len(c.subjects)} |" for c in result.graphs]
    else:
        out.append("No triple added or removed.")
    findings = result.findings
    out += ["", f"**Findings:** {len(findings.new)} new, {len(findings.fixed)} fixed, "
                f"{len(findings.unchanged)} unchanged."]
    if findings.new or findings.fixed:
        out += ["", "| | severity | where | message | focus |", "|---|---|---|---|---|"]
        out += [f"| {state} | {f.severity} | `{f.location}` | {_cell(f.message)} | `{f.focus}` |"
                for state, group in (("new", findings.new), ("fixed", findings.fixed)) for f in group]
    for change in result.graphs:
        out += ["", f"<details><summary><code>{_short(change.graph)}</code>: +{len(change.added)} "
                    f"−{len(change.removed)}</summary>", "", "```diff"]
        out += [*_triple_lines(change, result.namespaces, limit, "# … {n} more"), "```", "", "</details>"]
    return "\n".join(out) + "\n"


DIFF_FORMATS = {"text": as_text, "markdown": as_markdown}

