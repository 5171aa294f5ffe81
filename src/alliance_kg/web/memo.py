"""The source's own page: a document with passages (the memo of 9 March 2017) is shown paragraph
by paragraph, with the corrected text, the OCR corrections made to it (as printed -> as
corrected) and, beside each passage, the statements derived from it (every triple of the named
graphs whose provenance is that passage).

Everything is asked of the store; ``linkeddata.describe`` hands in how to ask and how to label
and link terms, so this module needs nothing of the rest of the web layer.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from ..namespaces import AKG, GRAPH, PROV, SCHEMA, prefix_declarations
from ..stores.base import QueryResult

Select = Callable[[str], QueryResult]


def is_source_document(iri: URIRef, select: Select) -> bool:
    """True for a document whose passages are in the graph (the memo)."""
    return bool(select(f"ASK {{ <{iri}> <{SCHEMA.hasPart}> ?p . ?p a <{AKG.Passage}> }}").boolean)


def _corrections(select: Select, iri: URIRef) -> dict[str, list[tuple[str, str]]]:
    """(printed, corrected) pairs per passage (and for the document itself)."""
    rows = select(prefix_declarations(["akg", "schema"]) + f"""
SELECT ?source ?printed ?corrected WHERE {{
  {{ BIND (<{iri}> AS ?source) }} UNION {{ <{iri}> schema:hasPart ?source }}
  ?source akg:correction ?c . ?c akg:printedText ?printed ; akg:correctedText ?corrected .
}}""").rows
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for source, printed, corrected in rows:
        found[str(source)].append((str(printed), str(corrected)))
    return found


def memo_context(iri: URIRef, select: Select, labels: Callable[[set], dict], label: Callable[[dict], str | None],
                 href: Callable[[Identifier], str | None]) -> dict[str, Any]:
    """Template context of the paragraphs: text, corrections and derived statements per passage."""
    passages = select(prefix_declarations(["schema", "rdfs"]) + f"""
SELECT ?passage ?position ?text ?label WHERE {{
  <{iri}> schema:hasPart ?passage .
  ?passage schema:position ?position ; schema:text ?text .
  OPTIONAL {{ ?passage rdfs:label ?label }}
}}""").rows
    derived = select(f"""
SELECT ?passage ?g ?s ?p ?o WHERE {{
  <{iri}> <{SCHEMA.hasPart}> ?passage .
  GRAPH <{GRAPH['provenance']}> {{ ?g <{PROV.wasDerivedFrom}> ?passage }}
  GRAPH ?g {{ ?s ?p ?o }}
}}""").rows
    named = labels({t for row in derived for t in row[1:]} | {row[0] for row in passages})
    corrections = _corrections(select, iri)

    def term(node: Identifier) -> dict[str, Any]:
        if isinstance(node, URIRef):
            return {"kind": "iri", "iri": str(node), "href": href(node),
                    "label": label(named.get(node, {})) or str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]}
        if isinstance(node, Literal):
            return {"kind": "literal", "text": str(node), "lang": node.language or ""}
        return {"kind": "bnode", "text": "…"}

    by_passage: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for passage, graph, s, p, o in sorted(derived, key=lambda r: (str(r[1]), str(r[2]), str(r[3]), str(r[4]))):
        if isinstance(s, URIRef):
            by_passage[str(passage)][str(graph)].append({"subject": term(s), "predicate": term(p), "object": term(o)})
    seen: dict[str, dict[str, Any]] = {}
    for passage, position, text, _ in passages:
        seen.setdefault(str(passage), {"iri": str(passage), "href": href(passage), "position": int(position),
                                       "label": label(named.get(passage, {})) or str(passage), "text": str(text)})
    paragraphs = []
    for entry in sorted(seen.values(), key=lambda e: e["position"]):
        pairs = sorted(set(corrections.get(entry["iri"], [])), key=lambda pc: (entry["text"].find(pc[1]), pc))
        graphs = [{"iri": g, "href": href(URIRef(g)), "label": label(named.get(URIRef(g), {})) or g,
                   "statements": statements} for g, statements in sorted(by_passage[entry["iri"]].items())]
        paragraphs.append({**entry, "corrections": [{"printed": p, "corrected": c} for p, c in pairs],
                           "graphs": graphs, "statement_count": sum(len(g["statements"]) for g in graphs)})
    return {"paragraphs": paragraphs,
            "title_corrections": [{"printed": p, "corrected": c} for p, c in sorted(set(corrections.get(str(iri), [])))]}
