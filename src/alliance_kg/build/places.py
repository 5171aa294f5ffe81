"""Where a subject is written in a TriG, RDF/XML or JSON-LD file: the lines a finding about it
points at.

Turtle and N-Triples/N-Quads files start each statement group at column 0 and are indexed by
``sources.Locator`` in one cheap pass. These formats do not: TriG indents the statements of a
graph block (``turtle.subjects`` reads them), RDF/XML names a subject in an ``rdf:about``
attribute (``rdfxml.subjects``), JSON-LD in an ``"@id"`` member, read here with regular
expressions rather than a parser (the file has parsed already). Each gives ``(IRI, line)``
pairs, the likelier places first, each at the line where the IRI itself is written (an
attribute or member may put its value on a line of its own); the caller keeps those of the
file's real subjects and puts the others at line 1.
"""

from __future__ import annotations

import json
import re
from typing import Iterator, Mapping
from urllib.parse import urljoin

from rdflib import URIRef

from . import rdfxml, turtle

Places = list[tuple[URIRef, int]]


def written_subjects(text: str, rdf_format: str, *, base: str, prefixes: Mapping[str, str]) -> Places:
    """The places of subjects in ``text`` of ``rdf_format`` (``trig``, ``xml``, ``json-ld``;
    nothing for another), relative IRIs against ``base``, prefixed names with ``prefixes``."""
    if rdf_format == "trig":
        return turtle.subjects(text, prefixes, base)
    if rdf_format == "xml":
        return rdfxml.subjects(text, base)
    return _json_ld(text, base, prefixes) if rdf_format == "json-ld" else []


def _found(pattern: re.Pattern, text: str, group: int) -> Iterator[tuple[re.Match, int]]:
    """Each match of ``pattern`` in ``text`` with the line where its ``group`` starts."""
    line, last = 1, 0
    for match in pattern.finditer(text):
        line += text.count("\n", last, match.start(group))
        last = match.start(group)
        yield match, line


# -- JSON-LD --------------------------------------------------------------------------------------

#: An ``"@id"`` member with a string value, and whether the object ends right after it (a
#: reference to a node, ``{"@id": "ex:m"}``, rather than the node's own description).
_ID = re.compile(r'"@id"\s*:\s*"((?:[^"\\]|\\.)*)"(\s*\})?')
_JSON_BASE = re.compile(r'"@base"\s*:\s*"((?:[^"\\]|\\.)*)"')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _json_ld(text: str, base: str, prefixes: Mapping[str, str]) -> Places:
    """The line of each ``"@id"``: nodes described first, then nodes only referred to.
    Compact IRIs are expanded with ``prefixes`` (the context's terms that Oxigraph reports),
    relative ones resolved against the context's ``@base`` or ``base``."""
    declared = _JSON_BASE.search(text)
    if declared is not None:
        base = urljoin(base, _json_string(declared.group(1)))
    described: Places = []
    referred: Places = []
    for match, number in _found(_ID, text, 1):
        node = _json_iri(_json_string(match.group(1)), base, prefixes)
        if node is not None:
            (referred if match.group(2) else described).append((node, number))
    return described + referred


def _json_string(escaped: str) -> str:
    try:
        return json.loads(f'"{escaped}"')
    except ValueError:
        return escaped


def _json_iri(value: str, base: str, prefixes: Mapping[str, str]) -> URIRef | None:
    if value.startswith("_:"):
        return None
    prefix, colon, local = value.partition(":")
    if colon and prefix in prefixes and not local.startswith("//"):
        return URIRef(prefixes[prefix] + local)
    if _SCHEME.match(value):
        return URIRef(value)
    return URIRef(urljoin(base, value))

