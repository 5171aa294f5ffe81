"""The ontology and the shapes as pages a researcher reads, the way pyLODE or Widoco document an
ontology: ``/ontology`` (HTML) lists every class and property of our namespace with its labels
and definitions in German and English, super-classes and -properties, domain and range, the
reason it exists (``rdfs:comment``), the shapes that constrain it, the external terms the graph
reuses and why (``ontology/reuse.ttl``), and an overview diagram; ``/shapes`` (HTML) says per
shape, in plain words, what a valid record must have and how severe each rule is.

The ontology comes from the store (its ontology graph, one CONSTRUCT through the pool); the
shapes from ``read_shapes``, as validation reads them. Both are rendered once per generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable
from xml.sax.saxutils import escape

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..namespaces import AKG, BASE, ONTOLOGY, ONTOLOGY_GRAPH, PREFIXES, SH
from .language import pick_label

SHAPES_NS = BASE + "shapes#"
CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


def curie(term: Any) -> str:
    """A prefixed name for display (``akg:District``), else the IRI."""
    text = str(term)
    best = max(((p, ns) for p, ns in PREFIXES.items() if text.startswith(ns)), key=lambda pn: len(pn[1]), default=None)
    if best is not None and len(text) > len(best[1]):
        return f"{best[0]}:{text[len(best[1]):]}"
    if text.startswith(SHAPES_NS):
        return "akgsh:" + text[len(SHAPES_NS):]
    return text


def texts(graph: Graph, subject: Any, prop: URIRef) -> dict[str, str]:
    """The literals of ``prop`` by language ('' = none)."""
    return {o.language or "": str(o) for o in graph.objects(subject, prop) if isinstance(o, Literal)}


@dataclass
class Term:
    """One term of our namespace, as the page shows it."""

    iri: str
    kind: str  # "class" | "property"
    labels: dict[str, str]
    definitions: dict[str, str]
    comment: str
    parents: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)
    #: owl:Class, owl:ObjectProperty, owl:DatatypeProperty ...
    declared_as: str = ""

    @property
    def anchor(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def ontology_terms(ontology: Graph, shapes: Graph | None) -> list[Term]:
    """Every class and property of our namespace, classes first, each sorted by name."""
    constrained = _constrained_terms(shapes) if shapes is not None else {}
    found: dict[str, Term] = {}
    for kind, types in (("class", CLASS_TYPES), ("property", PROPERTY_TYPES)):
        for rdf_type in types:
            for subject in ontology.subjects(RDF.type, rdf_type):
                if not str(subject).startswith(str(AKG)) or str(subject) in found:
                    continue
                parent_prop = RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf
                characteristics = sorted(curie(t) for t in ontology.objects(subject, RDF.type)
                                         if t not in CLASS_TYPES and t != rdf_type)
                found[str(subject)] = Term(
                    iri=str(subject), kind=kind, labels=texts(ontology, subject, RDFS.label),
                    definitions=texts(ontology, subject, SKOS.definition),
                    comment=texts(ontology, subject, RDFS.comment).get("en", ""),
                    parents=sorted(str(o) for o in ontology.objects(subject, parent_prop) if isinstance(o, URIRef)),
                    domains=sorted(str(o) for o in ontology.objects(subject, RDFS.domain) if isinstance(o, URIRef)),
                    ranges=sorted(str(o) for o in ontology.objects(subject, RDFS.range) if isinstance(o, URIRef)),
                    characteristics=characteristics, declared_as=curie(rdf_type),
                    shapes=sorted(constrained.get(str(subject), ())),
                )
    return sorted(found.values(), key=lambda t: (t.kind != "class", t.anchor.casefold()))


def reused_terms(ontology: Graph) -> list[dict[str, Any]]:
    """External terms with the reason the graph uses them (``ontology/reuse.ttl``)."""
    reused = []
    for subject in set(ontology.subjects(SKOS.scopeNote, None)):
        if isinstance(subject, URIRef) and not str(subject).startswith(str(AKG)):
            reused.append({"iri": str(subject), "curie": curie(subject),
                           "why": texts(ontology, subject, SKOS.scopeNote),
                           "vocabulary": str(ontology.value(subject, RDFS.isDefinedBy) or "")})
    return sorted(reused, key=lambda r: r["curie"])


def ontology_header(ontology: Graph) -> dict[str, Any]:
    """Title, definition, version and modules of the ontology document."""
    modules = [{"iri": str(m), "labels": texts(ontology, m, RDFS.label)}
               for m in sorted(ontology.objects(ONTOLOGY, OWL.imports))]
    return {"iri": str(ONTOLOGY), "titles": texts(ontology, ONTOLOGY, URIRef(PREFIXES["dcterms"] + "title")),
            "definitions": texts(ontology, ONTOLOGY, SKOS.definition),
            "version": str(ontology.value(ONTOLOGY, OWL.versionInfo) or ""),
            "version_iri": str(ontology.value(ONTOLOGY, OWL.versionIRI) or ""),
            "license": str(ontology.value(ONTOLOGY, URIRef(PREFIXES["dcterms"] + "license")) or ""),
            "modules": modules, "graph": str(ONTOLOGY_GRAPH)}


# -- shapes ------------------------------------------------------------------------------------

def _property_shapes(shapes: Graph, shape: Any) -> Iterable[Any]:
    return shapes.objects(shape, SH.property)


def _constrained_terms(shapes: Graph) -> dict[str, set[str]]:
    """Term IRI -> names of the node shapes that target it (class) or constrain it (path)."""
    found: dict[str, set[str]] = {}
    for shape in _node_shapes(shapes):
        name = curie(shape)
        for target in shapes.objects(shape, SH.targetClass):
            found.setdefault(str(target), set()).add(name)
        for target in shapes.objects(shape, SH.targetSubjectsOf):
            found.setdefault(str(target), set()).add(name)
        for target in shapes.objects(shape, SH.targetObjectsOf):
            found.setdefault(str(target), set()).add(name)
        for prop in _property_shapes(shapes, shape):
            path = shapes.value(prop, SH.path)
            if isinstance(path, URIRef):
                found.setdefault(str(path), set()).add(name)
    return found


def _node_shapes(shapes: Graph) -> list[Any]:
    return sorted((s for s in set(shapes.subjects(RDF.type, SH.NodeShape)) if isinstance(s, URIRef)), key=str)


def _list(shapes: Graph, node: Any) -> list[Any]:
    return list(Collection(shapes, node)) if node is not None else []


def _value_words(shapes: Graph, node: Any) -> list[str]:
    """What a value must be, in words (datatype, class, kind, pattern, language, ranges)."""
    words = []
    for datatype in shapes.objects(node, SH.datatype):
        words.append(f"of type {curie(datatype)}")
    for cls in shapes.objects(node, SH["class"]):
        words.append(f"a {curie(cls)}")
    for kind in shapes.objects(node, SH.nodeKind):
        words.append({SH.IRI: "an IRI", SH.Literal: "a literal", SH.BlankNode: "a blank node"}.get(kind, curie(kind)))
    for pattern in shapes.objects(node, SH.pattern):
        words.append(f"matching {pattern}")
    for langs in shapes.objects(node, SH.languageIn):
        words.append("in language " + " or ".join(str(l) for l in _list(shapes, langs)))
    for low in shapes.objects(node, SH.minInclusive):
        words.append(f"at least {low}")
    for high in shapes.objects(node, SH.maxInclusive):
        words.append(f"at most {high}")
    for value in shapes.objects(node, SH.hasValue):
        words.append(f"the value {value}")
    for other in shapes.objects(node, SH.equals):
        words.append(f"the same as its {curie(other)}")
    if (node, SH.uniqueLang, Literal(True)) in shapes:
        words.append("one per language")
    for alternatives in shapes.objects(node, SH["or"]):
        words.append("either " + " or ".join(_shape_words(shapes, a) or curie(a) for a in _list(shapes, alternatives)))
    for alternatives in shapes.objects(node, SH.xone):
        words.append("exactly one of " + "; ".join(_shape_words(shapes, a) or curie(a) for a in _list(shapes, alternatives)))
    for negated in shapes.objects(node, SH["not"]):
        words.append("not " + (_shape_words(shapes, negated) or curie(negated)))
    return words


def _count_words(shapes: Graph, node: Any, low: Any, high: Any, what: str) -> str:
    low_n = int(low) if low is not None else None
    high_n = int(high) if high is not None else None
    if high_n == 0:
        return f"no {what}"
    if low_n and high_n and low_n == high_n:
        return f"exactly {low_n} {what}"
    if low_n and high_n:
        return f"{low_n} to {high_n} {what}"
    if low_n:
        return f"at least {low_n} {what}"
    if high_n:
        return f"at most {high_n} {what}"
    return what


def _shape_words(shapes: Graph, node: Any) -> str:
    """A property shape (or an anonymous node shape) in plain words."""
    path = shapes.value(node, SH.path)
    values = _value_words(shapes, node)
    if path is None:
        return ", ".join(values)
    what = curie(path) if isinstance(path, URIRef) else "values on a path"
    words = [_count_words(shapes, node, shapes.value(node, SH.minCount), shapes.value(node, SH.maxCount), what)]
    if values:
        words.append("each " + ", ".join(values))
    qualified = shapes.value(node, SH.qualifiedValueShape)
    if qualified is not None:
        inner = _shape_words(shapes, qualified) or curie(qualified)
        words.append(_count_words(shapes, node, shapes.value(node, SH.qualifiedMinCount),
                                  shapes.value(node, SH.qualifiedMaxCount), f"of them {inner}"))
    return "; ".join(w for w in words if w)


def _severity(shapes: Graph, node: Any, default: str = "Violation") -> str:
    severity = shapes.value(node, SH.severity)
    return str(severity).rsplit("#", 1)[-1] if severity is not None else default


def _message(shapes: Graph, node: Any) -> str:
    return pick_label(texts(shapes, node, SH.message), "en") or ""


def shape_rules(shapes: Graph) -> list[dict[str, Any]]:
    """Each node shape: what it applies to and its rules in words, with severity and message."""
    described = []
    for shape in _node_shapes(shapes):
        targets = [f"every {curie(c)}" for c in shapes.objects(shape, SH.targetClass)]
        targets += [f"everything that has a {curie(p)}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
        targets += [f"every value of a {curie(p)}" for p in shapes.objects(shape, SH.targetObjectsOf)]
        targets += [f"the node {curie(n)}" for n in shapes.objects(shape, SH.targetNode)]
        severity = _severity(shapes, shape)
        rules = []
        node_words = _value_words(shapes, shape)
        if node_words:
            rules.append({"text": "its IRI or node: " + ", ".join(node_words), "severity": severity,
                          "message": _message(shapes, shape)})
        for prop in sorted(_property_shapes(shapes, shape), key=lambda p: str(shapes.value(p, SH.path))):
            rules.append({"text": "must have " + _shape_words(shapes, prop), "severity": _severity(shapes, prop, severity),
                          "message": _message(shapes, prop),
                          "name": curie(prop) if isinstance(prop, URIRef) else ""})
        for constraint in shapes.objects(shape, SH.sparql):
            rules.append({"text": "passes a SPARQL check", "severity": _severity(shapes, constraint, severity),
                          "message": _message(shapes, constraint)})
        if not targets and not rules:
            continue
        described.append({"name": curie(shape), "anchor": str(shape).rsplit("#", 1)[-1],
                          "targets": targets or ["only where another shape refers to it"], "rules": rules})
    return described


# -- the overview diagram ------------------------------------------------------------------------

def _rows(labels: list[tuple[str, str, bool]], width: int, top: float, gap: float = 70) -> tuple[dict, float]:
    """Box centres for ``labels`` in rows that fit ``width``; returns them and the next row's y."""
    place, row, y = {}, [], top

    def flush(items, y):
        used = sum(w for _, w in items) + 24 * (len(items) - 1)
        x = (width - used) / 2
        for iri, w in items:
            place[iri] = (x + w / 2, y, w)
            x += w + 24

    for iri, label, _ in labels:
        w = max(80, 7.2 * len(label) + 18)
        if row and sum(v for _, v in row) + 24 * len(row) + w > width - 40:
            flush(row, y)
            row, y = [], y + gap
        row.append((iri, w))
    if row:
        flush(row, y)
        y += gap
    return place, y


def overview_svg(terms: list[Term], lang: str) -> str:
    """Three bands: the external classes ours specialise (top), our classes (middle), the
    external classes our properties point to (bottom); dashed arrows for sub-class-of, labelled
    arrows for object properties from domain to range. Datatypes are left out."""
    classes = [t for t in terms if t.kind == "class"]
    own = {t.iri for t in classes}
    properties = [t for t in terms if t.declared_as == "owl:ObjectProperty"]
    parents = sorted({p for t in classes for p in t.parents if p not in own}, key=curie)
    pointed = sorted({i for t in properties for i in t.domains + t.ranges
                      if i not in own and i not in parents and not i.startswith((str(RDF), PREFIXES["xsd"]))}, key=curie)
    width = 1100
    top, y = _rows([(i, curie(i), False) for i in parents], width, 30)
    middle, y = _rows([(t.iri, pick_label(t.labels, lang) or t.anchor, True) for t in classes], width, y + 40)
    bottom, y = _rows([(i, curie(i), False) for i in pointed], width, y + 40)
    place = {**top, **middle, **bottom}
    labels = {t.iri: pick_label(t.labels, lang) or t.anchor for t in classes}
    edges = [(t.iri, parent, "", True) for t in classes for parent in t.parents if parent in place]
    edges += [(d, r, pick_label(t.labels, lang) or t.anchor, False)
              for t in properties for d in t.domains for r in t.ranges if d in place and r in place]
    height = y
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" role="img" class="ontology-diagram" '
           f'font-family="sans-serif" font-size="12">',
           "<title>Classes of the alliance ontology and how they connect</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    for source, target, label, is_sub in edges:
        (x1, y1, _), (x2, y2, _) = place[source], place[target]
        y1 += -14 if y2 < y1 else 14 if y2 > y1 else 0
        y2 += 14 if y2 < y1 else -14 if y2 > y1 else 0
        style = 'stroke="#999" stroke-dasharray="5 4"' if is_sub else 'stroke="#15324f"'
        out.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" {style} marker-end="url(#arrow)">'
                   f'<title>{escape(curie(source))} → {escape(curie(target))}</title></line>')
        if label:
            out.append(f'<text x="{(x1 + x2) / 2:.0f}" y="{(y1 + y2) / 2 - 4:.0f}" text-anchor="middle" fill="#15324f" '
                       f'font-style="italic">{escape(label)}</text>')
    for iri, (x, y, w) in place.items():
        is_own = iri in own
        label = labels.get(iri) or curie(iri)
        fill, stroke = ("#e8eefc", "#15324f") if is_own else ("#f4f4f4", "#999")
        link = f"#{iri.rsplit('#', 1)[-1]}" if is_own else iri
        out.append(f'<a href="{escape(link)}"><rect x="{x - w / 2:.0f}" y="{y - 14:.0f}" width="{w:.0f}" height="28" rx="5" '
                   f'fill="{fill}" stroke="{stroke}"/><text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle">'
                   f'{escape(label)}</text></a>')
    out.append("</svg>")
    return "\n".join(out)
