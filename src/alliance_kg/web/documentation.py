"""The ontology and the shapes as pages a researcher reads, the way pyLODE or Widoco document an
ontology: ``/ontology`` (HTML) lists every class and property of our namespace with its labels
and definitions in German, English and Chinese, super-classes and -properties, domain and range, the
reason it exists (``rdfs:comment``), the shapes that constrain it, the external terms the graph
reuses and why (``ontology/reuse.ttl``), and an overview diagram; ``/shapes`` (HTML) says per
shape, in plain words, what a valid record must have and how severe each rule is.

The plain words are the interface's (``i18n.py``, keys ``shape_*``), in the page's language; the
ontology's labels, definitions and the shapes' messages are data, shown in the languages the
graph has them in.

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
from ..rdf import prefixed_name
from .i18n import t
from .language import foreign, pick_label, pick_label_language

SHAPES_NS = BASE + "shapes#"
CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


#: The prefixes of the pages: the project's, and ``akgsh:`` for the shapes, which queries and
#: data never name but the pages name on every line.
_PAGE_PREFIXES = {**PREFIXES, "akgsh": SHAPES_NS}


def curie(term: Any) -> str:
    """A prefixed name for display (``akg:District``, ``akgsh:DistrictShape``), else the IRI."""
    return prefixed_name(str(term), local="shown", prefixes=_PAGE_PREFIXES)


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


def _say(lang: str, key: str, **values: Any) -> str:
    """The interface text ``key`` in ``lang`` with its placeholders filled (plain text: the
    template escapes it)."""
    return t(key, lang).format(**values)


def _value_words(shapes: Graph, node: Any, lang: str) -> list[str]:
    """What a value must be, in words (datatype, class, kind, pattern, language, ranges)."""
    words = []
    for datatype in shapes.objects(node, SH.datatype):
        words.append(_say(lang, "shape_datatype", datatype=curie(datatype)))
    for cls in shapes.objects(node, SH["class"]):
        words.append(_say(lang, "shape_class", cls=curie(cls)))
    kinds = {SH.IRI: "shape_iri", SH.Literal: "shape_literal", SH.BlankNode: "shape_blank_node"}
    for kind in shapes.objects(node, SH.nodeKind):
        words.append(_say(lang, kinds[kind]) if kind in kinds else curie(kind))
    for pattern in shapes.objects(node, SH.pattern):
        words.append(_say(lang, "shape_pattern", pattern=pattern))
    for langs in shapes.objects(node, SH.languageIn):
        words.append(_say(lang, "shape_language", languages=t("shape_or", lang).join(str(l) for l in _list(shapes, langs))))
    for low in shapes.objects(node, SH.minInclusive):
        words.append(_say(lang, "shape_min_value", value=low))
    for high in shapes.objects(node, SH.maxInclusive):
        words.append(_say(lang, "shape_max_value", value=high))
    for value in shapes.objects(node, SH.hasValue):
        words.append(_say(lang, "shape_has_value", value=value))
    for other in shapes.objects(node, SH.equals):
        words.append(_say(lang, "shape_equals", path=curie(other)))
    if (node, SH.uniqueLang, Literal(True)) in shapes:
        words.append(_say(lang, "shape_unique_lang"))
    for alternatives in shapes.objects(node, SH["or"]):
        words.append(_say(lang, "shape_either", alternatives=t("shape_or", lang).join(
            _shape_words(shapes, a, lang) or curie(a) for a in _list(shapes, alternatives))))
    for alternatives in shapes.objects(node, SH.xone):
        words.append(_say(lang, "shape_exactly_one_of", alternatives=t("clause_separator", lang).join(
            _shape_words(shapes, a, lang) or curie(a) for a in _list(shapes, alternatives))))
    for negated in shapes.objects(node, SH["not"]):
        words.append(_say(lang, "shape_not", shape=_shape_words(shapes, negated, lang) or curie(negated)))
    return words


def _count(low: Any, high: Any, lang: str) -> str | None:
    """How many, in words ("at least 1", "exactly 2"): '' for none at all, None for no bound."""
    low_n = int(low) if low is not None else None
    high_n = int(high) if high is not None else None
    if high_n == 0:
        return ""
    if low_n and high_n and low_n == high_n:
        return _say(lang, "shape_n_exactly", n=low_n)
    if low_n and high_n:
        return _say(lang, "shape_n_range", low=low_n, high=high_n)
    if low_n:
        return _say(lang, "shape_n_at_least", n=low_n)
    if high_n:
        return _say(lang, "shape_n_at_most", n=high_n)
    return None


def _count_words(low: Any, high: Any, what: str, lang: str) -> str:
    """How many values of ``what`` (a property) a record must have: "exactly 1 org:member"."""
    count = _count(low, high, lang)
    if count is None:
        return what
    return _say(lang, "shape_path_none", what=what) if count == "" else f"{count} {what}"


def _qualified_words(low: Any, high: Any, inner: str, lang: str) -> str:
    """How many of the values must be ``inner``: "at least 1 of them a akg:AnnualMeeting"."""
    count = _count(low, high, lang)
    if count is None:
        return inner
    return _say(lang, "shape_qualified", count=count if count else t("shape_n_none", lang), inner=inner)


def _shape_words(shapes: Graph, node: Any, lang: str) -> str:
    """A property shape (or an anonymous node shape) in plain words."""
    path = shapes.value(node, SH.path)
    values = _value_words(shapes, node, lang)
    if path is None:
        return t("list_separator", lang).join(values)
    what = curie(path) if isinstance(path, URIRef) else t("shape_path_values", lang)
    words = [_count_words(shapes.value(node, SH.minCount), shapes.value(node, SH.maxCount), what, lang)]
    if values:
        words.append(_say(lang, "shape_each", values=t("list_separator", lang).join(values)))
    qualified = shapes.value(node, SH.qualifiedValueShape)
    if qualified is not None:
        inner = _shape_words(shapes, qualified, lang) or curie(qualified)
        words.append(_qualified_words(shapes.value(node, SH.qualifiedMinCount),
                                      shapes.value(node, SH.qualifiedMaxCount), inner, lang))
    return t("clause_separator", lang).join(w for w in words if w)


#: The interface's word for each SHACL severity (its local name is the CSS class).
SEVERITIES = {"Violation": "severity_violation", "Warning": "severity_warning", "Info": "severity_info"}


def _severity(shapes: Graph, node: Any, default: str = "Violation") -> str:
    severity = shapes.value(node, SH.severity)
    return str(severity).rsplit("#", 1)[-1] if severity is not None else default


def _message(shapes: Graph, node: Any, lang: str) -> tuple[str, str]:
    """The shape's message in ``lang`` (else a fallback) and the ``lang`` attribute it needs."""
    text, found = pick_label_language(texts(shapes, node, SH.message), lang)
    return text or "", foreign(found, lang)


def _rule(text: str, severity: str, message: tuple[str, str], lang: str, **extra: str) -> dict[str, str]:
    key = SEVERITIES.get(severity)
    return {"text": text, "severity": severity, "severity_label": t(key, lang) if key else severity,
            "message": message[0], "message_lang": message[1], **extra}


def shape_rules(shapes: Graph, lang: str = "en") -> list[dict[str, Any]]:
    """Each node shape: what it applies to and its rules in words (in ``lang``, one of the
    interface's languages), with severity and message."""
    described = []
    for shape in _node_shapes(shapes):
        targets = [_say(lang, "shape_target_class", cls=curie(c)) for c in shapes.objects(shape, SH.targetClass)]
        targets += [_say(lang, "shape_target_subjects", path=curie(p)) for p in shapes.objects(shape, SH.targetSubjectsOf)]
        targets += [_say(lang, "shape_target_objects", path=curie(p)) for p in shapes.objects(shape, SH.targetObjectsOf)]
        targets += [_say(lang, "shape_target_node", node=curie(n)) for n in shapes.objects(shape, SH.targetNode)]
        severity = _severity(shapes, shape)
        rules = []
        node_words = _value_words(shapes, shape, lang)
        if node_words:
            rules.append(_rule(_say(lang, "shape_node", values=t("list_separator", lang).join(node_words)), severity,
                               _message(shapes, shape, lang), lang))
        for prop in sorted(_property_shapes(shapes, shape), key=lambda p: str(shapes.value(p, SH.path))):
            rules.append(_rule(_say(lang, "shape_must_have", rule=_shape_words(shapes, prop, lang)),
                               _severity(shapes, prop, severity), _message(shapes, prop, lang), lang,
                               name=curie(prop) if isinstance(prop, URIRef) else ""))
        for constraint in shapes.objects(shape, SH.sparql):
            rules.append(_rule(_say(lang, "shape_sparql"), _severity(shapes, constraint, severity),
                               _message(shapes, constraint, lang), lang))
        if not targets and not rules:
            continue
        described.append({"name": curie(shape), "anchor": str(shape).rsplit("#", 1)[-1],
                          "targets": targets or [_say(lang, "shape_no_target")], "rules": rules})
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


def overview_svg(terms: list[Term], lang: str, title: str = "Classes of the alliance ontology and how they connect") -> str:
    """Three bands: the external classes ours specialise (top), our classes (middle), the
    external classes our properties point to (bottom); dashed arrows for sub-class-of, labelled
    arrows for object properties from domain to range. Datatypes are left out. Labels are in
    ``lang`` where the ontology has them; ``title`` is the diagram's name (the page's words)."""
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
           f"<title>{escape(title)}</title>",
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
