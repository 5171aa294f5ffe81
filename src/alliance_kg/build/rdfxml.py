"""How RDF/XML writes statements, read from its text: the subjects (``rdf:about``, ``rdf:ID``)
and each predicate and value, with their lines, so that a finding about an RDF/XML file points
at the element or attribute that writes the triple at fault.

The file has parsed already (Oxigraph said it is well-formed RDF/XML), so this reads the tags
with regular expressions rather than an XML parser, which would give no attribute's line: the
element names and attributes with their namespaces in scope, ``xml:base`` and ``xml:lang``
where they are declared, the entities of the document's DTD (``&owl;Thing``), and the
grammar's alternation of node elements (a subject, typed by its name unless it is
``rdf:Description``) and property elements (a predicate, whose value is an ``rdf:resource``, a
node element inside it, ``rdf:parseType="Resource"``, or its text). The events are those of
``turtle.Reader``, so ``statements`` reads both alike.
"""

from __future__ import annotations

import re
from typing import Iterator, NamedTuple
from urllib.parse import urljoin

from rdflib import RDF, URIRef

from .turtle import OBJECT, SUBJECT, VERB, Anonymous, Event, Form, literal_form

_RDF = str(RDF)
_XML = "http://www.w3.org/XML/1998/namespace"
#: A tag, or the text between tags; comments, processing instructions, CDATA and the DTD apart.
_PART = re.compile(r"""
    <!--.*?-->
  | <\?.*?\?>
  | <!\[CDATA\[(?P<cdata>.*?)\]\]>
  | <!DOCTYPE(?P<doctype>(?:[^\[>]|\[.*?\])*)>
  | </(?P<end>[^\s>]+)\s*>
  | <(?P<start>[^\s/>]+)(?P<attributes>(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(?P<empty>/)?>
  | (?P<text>[^<]+)
""", re.DOTALL | re.VERBOSE)
_ATTRIBUTE = re.compile(r"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENTITY = re.compile(r"""<!ENTITY\s+([\w.-]+)\s+(["'])(.*?)\2""", re.DOTALL)
_REFERENCE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|[\w.-]+);")
_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
#: The RDF names that are syntax, not predicates, when written as attributes.
_SYNTAX = {f"{_RDF}{name}" for name in ("about", "ID", "nodeID", "resource", "parseType", "datatype")}
_BARE = {"about", "ID", "nodeID", "resource", "parseType", "datatype"}  # without rdf:, as some files write them


class Value(NamedTuple):
    """A literal as an RDF/XML document writes it: its text, language and datatype."""

    text: str
    language: str | None = None
    datatype: str | None = None


class _Element:
    """An open element: the namespaces, base and language in force in it, and what it is in
    the grammar (``kind``: ``node``, ``property``, ``resource`` for ``parseType="Resource"``,
    ``skip`` for a literal, a collection's items and anything in them)."""

    __slots__ = ("base", "datatype", "held", "kind", "language", "line", "name", "namespaces", "node",
                 "predicate", "text", "items")

    def __init__(self, kind: str, namespaces: dict[str, str], base: str | None, language: str | None):
        self.kind, self.namespaces, self.base, self.language = kind, namespaces, base, language
        self.node: URIRef | Anonymous | None = None
        self.predicate: URIRef | None = None
        self.name, self.line, self.held, self.text, self.items = "", 0, False, "", 0
        self.datatype: str | None = None


class Reader:
    """An RDF/XML text's statements, in order, as ``turtle.Event`` tuples (a literal's value is
    a ``Value``); relative IRIs against ``base`` (the IRI the parse resolved them against)."""

    def __init__(self, text: str, base: str | None = None):
        self.text, self.base = text, base
        self._entities: dict[str, str] = {}
        self._blanks = 0

    @staticmethod
    def form(value: URIRef | Value) -> Form:
        """What an object read writes, as ``turtle.form`` gives a term's."""
        return value if isinstance(value, URIRef) else literal_form(value.text, value.language, value.datatype)

    def __iter__(self) -> Iterator[Event]:
        text, line, last = self.text, 1, 0
        stack = [_Element("root", {"xml": _XML}, self.base, None)]
        for part in _PART.finditer(text):
            line += text.count("\n", last, part.start())
            last = part.start()
            top = stack[-1]
            if part.group("doctype") is not None:
                self._entities = {name: value for name, _, value in _ENTITY.findall(part.group("doctype"))}
            elif part.group("text") is not None or part.group("cdata") is not None:
                if top.kind == "property":
                    top.text += self._expand(part.group("text")) if part.group("text") is not None else part.group("cdata")
            elif part.group("end") is not None:
                stack.pop()
                yield from self._ended(top)
            elif part.group("start") is not None:
                written = self._attributes(part, line)
                element = self._opened(part, top, line, written)
                stack.append(element)
                attributes = {self._name(name, element.namespaces, attribute=True): found
                              for name, found in written.items() if not name.startswith(("xmlns", "xml:"))}
                if element.kind == "node":
                    yield from self._node(element, top, attributes, line)
                elif element.kind == "property":
                    yield from self._property(element, top, attributes, line)
                if part.group("empty"):
                    stack.pop()
                    yield from self._ended(element)

    def _opened(self, part: re.Match, parent: _Element, line: int, attributes: dict[str, tuple[str, int]]) -> _Element:
        """The element a start tag opens, with what it declares (namespaces, base, language)."""
        namespaces, base, language = parent.namespaces, parent.base, parent.language
        declared = {name[6:] if name.startswith("xmlns:") else "": value for name, (value, _) in attributes.items()
                    if name == "xmlns" or name.startswith("xmlns:")}
        if declared:
            namespaces = {**namespaces, **declared}
        if "xml:base" in attributes:
            base = urljoin(base or "", attributes["xml:base"][0])
        if "xml:lang" in attributes:
            language = attributes["xml:lang"][0] or None
        kinds = {"root": "node", "node": "property", "property": "node", "resource": "property"}
        element = _Element(kinds.get(parent.kind, "skip"), namespaces, base, language)
        element.name, element.line = self._name(part.group("start"), namespaces), line
        if parent.kind == "root" and element.name == f"{_RDF}RDF":
            element.kind = "root"
        return element

    def _node(self, element: _Element, parent: _Element, attributes: dict, line: int) -> Iterator[Event]:
        """A node element's subject (at its ``rdf:about``), its type (its name) and what its
        attributes say; the value of the property element around it, if any."""
        if f"{_RDF}about" in attributes:
            value, at = attributes[f"{_RDF}about"]
            element.node = URIRef(urljoin(element.base or "", value))
        elif f"{_RDF}ID" in attributes:
            value, at = attributes[f"{_RDF}ID"]
            element.node = URIRef(urljoin(element.base or "", "#" + value))
        elif f"{_RDF}nodeID" in attributes:
            value, at = attributes[f"{_RDF}nodeID"]
            element.node = Anonymous(value)
        else:
            element.node, at = self._blank(), line
        yield SUBJECT, at, element.node, None, None
        if parent.kind == "property":  # the value of the property element around it
            parent.held = True
            yield OBJECT, line, parent.node, parent.predicate, element.node
        if element.name != f"{_RDF}Description":
            yield VERB, line, element.node, RDF.type, None
            yield OBJECT, line, element.node, RDF.type, URIRef(element.name)
        yield from self._attribute_statements(element.node, element, attributes)

    def _property(self, element: _Element, parent: _Element, attributes: dict, line: int) -> Iterator[Event]:
        """A property element's predicate, and its value where the tag gives it (a resource, a
        blank node of ``parseType="Resource"`` or of property attributes); its text is read
        to its end tag."""
        element.node = parent.node
        if element.name == f"{_RDF}li":
            parent.items += 1
            element.predicate = URIRef(f"{_RDF}_{parent.items}")
        else:
            element.predicate = URIRef(element.name)
        yield VERB, line, element.node, element.predicate, None
        parse_type = attributes.get(f"{_RDF}parseType", ("", line))[0]
        element.datatype = attributes.get(f"{_RDF}datatype", (None, line))[0]
        if f"{_RDF}resource" in attributes or f"{_RDF}nodeID" in attributes:
            element.held = True
            resource = attributes.get(f"{_RDF}resource")
            value, at = resource or attributes[f"{_RDF}nodeID"]
            node = URIRef(urljoin(element.base or "", value)) if resource else Anonymous(value)
            yield OBJECT, at, element.node, element.predicate, node
            yield from self._attribute_statements(node, element, attributes)
        elif parse_type == "Resource":
            element.held, element.kind = True, "resource"
            node = self._blank()
            yield OBJECT, line, element.node, element.predicate, node
            yield SUBJECT, line, node, None, None
            element.node = node
        elif parse_type:  # a literal of XML, or a collection: no value looked for
            element.held, element.kind = True, "skip"
        elif any(_is_property(name) for name in attributes):
            element.held = True
            node = self._blank()
            yield OBJECT, line, element.node, element.predicate, node
            yield from self._attribute_statements(node, element, attributes)

    def _ended(self, element: _Element) -> Iterator[Event]:
        """A property element that held no node: its text is its value."""
        if element.kind == "property" and not element.held:
            yield OBJECT, element.line, element.node, element.predicate, Value(
                element.text, None if element.datatype else element.language, element.datatype)

    def _attribute_statements(self, node: URIRef | Anonymous, element: _Element, attributes: dict) -> Iterator[Event]:
        """The statements written as attributes (``ex:name="S"``, ``rdf:type="..."``)."""
        for name, (value, at) in attributes.items():
            if not _is_property(name):
                continue
            predicate = URIRef(name)
            yield VERB, at, node, predicate, None
            yield OBJECT, at, node, predicate, URIRef(urljoin(element.base or "", value)) if predicate == RDF.type \
                else Value(value, element.language)

    def _attributes(self, part: re.Match, line: int) -> dict[str, tuple[str, int]]:
        """A start tag's attributes as written: name -> (value, line of the value)."""
        found = {}
        start, tag = part.start("attributes"), part.group(0)
        offset = start - part.start()
        for attribute in _ATTRIBUTE.finditer(part.group("attributes")):
            value = attribute.group(2) if attribute.group(2) is not None else attribute.group(3)
            at = line + tag.count("\n", 0, offset + attribute.start())
            found[attribute.group(1)] = (self._expand(value), at)
        return found

    def _name(self, name: str, namespaces: dict[str, str], *, attribute: bool = False) -> str:
        """An element's or attribute's name as an IRI (namespace and local name); an attribute
        without a prefix has no namespace, and the RDF names some files write so are taken
        as the RDF ones."""
        prefix, colon, local = name.rpartition(":")
        if not colon:
            return f"{_RDF}{name}" if attribute and name in _BARE else (name if attribute else namespaces.get("", "") + name)
        return namespaces.get(prefix, prefix + ":") + local

    def _expand(self, text: str) -> str:
        """``text`` with its character and entity references replaced."""
        if "&" not in text:
            return text

        def one(reference: re.Match) -> str:
            name = reference.group(1)
            if name.startswith("#x"):
                return chr(int(name[2:], 16))
            if name.startswith("#"):
                return chr(int(name[1:]))
            return _PREDEFINED.get(name, self._entities.get(name, reference.group(0)))

        return _REFERENCE.sub(one, text)

    def _blank(self) -> Anonymous:
        self._blanks += 1
        return Anonymous(f"[{self._blanks}")


def _is_property(name: str) -> bool:
    """Whether an attribute (its name as an IRI) writes a statement: it has a namespace and is
    not one of RDF's syntax names."""
    return ":" in name and name not in _SYNTAX


def subjects(text: str, base: str | None = None) -> list[tuple[URIRef, int]]:
    """Each node element's subject that is an IRI, with the line of its ``rdf:about`` or ``rdf:ID``."""
    return [(node, line) for kind, line, node, _, _ in Reader(text, base) if kind == SUBJECT and type(node) is URIRef]
