"""How Turtle and TriG write statements, read from their text: the one reader of an IRI as
written (``token_iri``) and of the statement structure (``Reader``), so that a finding can be
put at the line of the triple at fault.

The files have parsed already (Oxigraph said they are well-formed), so this reads text, not RDF:
it needs only the tokens that shape statements (strings, IRIs, names, punctuation, comments)
and the grammar's nesting (a subject's predicate-object list, ``[ ]`` blank nodes, ``( )``
lists, TriG's graph blocks ``GRAPH <g> { ... }``, ``<g> { ... }`` and ``{ ... }``, directives
that change the prefixes and the base as the text goes on). Where a statement starts is found
by that structure, not by where its line starts, so indented statements are found as well.
"""

from __future__ import annotations

import re
from typing import Container, Iterator, Mapping, NamedTuple
from urllib.parse import urljoin

from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

#: A scheme: an IRI that has one is absolute and is not resolved against the base.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
#: ``\uXXXX`` and ``\UXXXXXXXX`` in an IRI (the grammar's UCHAR); no other escape is allowed there.
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: A local name's characters (PN_CHARS, ``:`` and ``%hh``), its escapes (PN_LOCAL_ESC), and a
#: ``.`` that is not its last character: ``ex:a.`` is ``ex:a`` and the end of a statement.
_CHAR = r"[\w\-:%\u00b7\u0300-\u036f\u203f\u2040]"
_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PNAME = re.compile(rf"([^\s:<>\"'#]*):((?:{_CHAR}|{_LOCAL_ESC})(?:{_CHAR}|{_LOCAL_ESC}|\.+(?={_CHAR}|{_LOCAL_ESC}))*)?")
_UNESCAPE_LOCAL = re.compile(r"\\(.)")  # in a name _PNAME matched, every escape is one of those
#: What may follow a name in the same whitespace-separated word: the end of a statement, the
#: separators of predicates and objects, a closing bracket.
_AFTER = ";,.)]}"


def token_iri(token: str, prefixes: Mapping[str, str], base: str | None = None, *,
              verb: bool = False) -> URIRef | None:
    """The IRI a Turtle token writes, if it writes one: ``<iri>`` (``\\u`` escapes decoded, a
    relative one resolved against ``base``; without a base it is kept as written, and ``<>``,
    the base itself, is unknown), ``prefix:local`` (a declared prefix; the local name's
    backslash escapes removed, a trailing ``.`` left to the statement's end), and the keyword
    ``a`` where a predicate stands (``verb``): elsewhere the grammar has no ``a``. A word read
    up to white space may carry the punctuation that follows it (``ex:a;``, ``<x>.``)."""
    if token.startswith("<"):
        end = token.find(">")
        if end < 0 or token[end + 1:].strip(_AFTER):
            return None
        iri = token[1:end]
        if "\\" in iri:
            iri = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)
        if base is not None and not _SCHEME.match(iri):
            return URIRef(urljoin(base, iri))
        return URIRef(iri) if iri else None
    if verb and token == "a":
        return RDF.type
    name = _PNAME.match(token)
    if name is None or token[name.end():].strip(_AFTER) or name.group(1) not in prefixes:
        return None
    local = name.group(2) or ""
    return URIRef(prefixes[name.group(1)] + (_UNESCAPE_LOCAL.sub(r"\1", local) if "\\" in local else local))


# -- tokens -----------------------------------------------------------------------------------------

_WORD_CHAR = r"""[^\s;,()\[\]{}"'<>#\\.^]"""
#: Turtle's tokens, as far as statements need them: a string (long ones run over lines) with its
#: language tag or datatype, an IRI, a name, number or keyword (a ``.`` inside, not at its end),
#: punctuation, the ``.`` that ends a statement, a comment.
_TOKEN = re.compile(rf'''
    (?P<string>(?P<quoted>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""|\'\'\'(?:(?:'|'')?(?:[^'\\]|\\.))*\'\'\'
                 |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
     (?:@(?P<lang>[A-Za-z0-9-]+)|\^\^(?P<type><[^>]*>|(?:{_WORD_CHAR}|\\.)(?:{_WORD_CHAR}|\\.|\.+(?={_WORD_CHAR}))*))?)
  | (?P<iri><[^<>"{{}}|^`\s]*>)
  | (?P<word>(?:{_WORD_CHAR}|\\.|\.(?=[0-9]))(?:{_WORD_CHAR}|\\.|\.+(?={_WORD_CHAR}|\\))*)
  | (?P<punct>[;,()\[\]{{}}])
  | (?P<end>\.)
  | (?P<comment>\#[^\n]*)
''', re.VERBOSE)
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}
#: The short forms of literals (a number or a boolean written bare), by datatype.
_SHORT_FORMS = {
    "http://www.w3.org/2001/XMLSchema#boolean": re.compile(r"true|false"),
    "http://www.w3.org/2001/XMLSchema#integer": re.compile(r"[+-]?[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: A term as a text writes it, to compare with a term of the data (``form``): an IRI, or a
#: literal's (lexical form, language in lower case, datatype).
Form = URIRef | tuple[str, str | None, str | None]


def literal_form(text: str, language: str | None, datatype: str | None) -> tuple[str, str | None, str | None]:
    """A literal as ``form`` gives it: a language's string has no datatype, a plain one is
    an ``xsd:string``."""
    return text, language.lower() if language else None, datatype or (None if language else _XSD_STRING)


def form(term: Node) -> Form | None:
    """``term`` as a reader's ``form`` gives what a text writes: equal where the text writes
    it, with the lexical form as written (Oxigraph keeps it)."""
    if isinstance(term, URIRef):
        return term
    if isinstance(term, Literal):
        return literal_form(str(term), term.language, str(term.datatype) if term.datatype else None)
    return None


def _body(string: str) -> str:
    """A string token's text between its quotes (three of them, or one)."""
    quotes = 3 if len(string) >= 6 and string[:3] in ('"""', "'''") else 1
    return string[quotes:-quotes]


def _unescape(text: str) -> str:
    """A string's text with its escapes (``\\n``, ``\\"``, ``\\u00fc``) read."""
    def one(match: re.Match) -> str:
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return _ESCAPES.get(escape, escape)

    return _ESCAPE.sub(one, text) if "\\" in text else text


# -- statements -------------------------------------------------------------------------------------

class Anonymous(NamedTuple):
    """A blank node as the text writes it: ``_:label`` (one node wherever the label stands in
    the file) or a ``[`` (its own node; ``key`` counts them), or the head of a ``( )`` list."""

    key: str


#: What the reader reports, each with its line: a statement's subject (where its group starts;
#: also a ``[`` that opens a blank node), a predicate written for a node, an object written for
#: a node and predicate (the token's match, or the ``Anonymous`` node it writes).
SUBJECT, VERB, OBJECT = "subject", "verb", "object"
Event = tuple[str, int, "URIRef | Anonymous | None", "URIRef | None", "re.Match | Anonymous | None"]


class _Frame:
    """What the reader is inside: a statement (``closer`` ``.``), a ``[ ]`` node, a ``( )`` list,
    a graph block (``}``) or the document (``""``); for a node, whether its predicates and
    objects are reported (``told``)."""

    __slots__ = ("closer", "node", "predicate", "subject", "told", "verb")

    def __init__(self, node: URIRef | Anonymous | None, closer: str, told: bool = False, subject: bool = False):
        self.node, self.closer, self.told, self.subject = node, closer, told, subject
        self.predicate: URIRef | None = None
        self.verb = True  # the next term is a predicate


class Reader:
    """A Turtle or TriG text's statements, in order, as ``Event`` tuples: every subject, and the
    predicates and objects of the nodes in ``nodes`` (all of them when it is ``None``; resolving
    the others' names would be most of the work). The prefixes and base start as the parse
    declared them (``prefixes``; ``base``, the IRI relative IRIs were resolved against) and
    change with each directive read, so ``iri`` and ``form`` read a token as the text means it
    where it stands."""

    def __init__(self, text: str, prefixes: Mapping[str, str], base: str | None = None,
                 nodes: Container[URIRef] | None = None):
        self.text, self.nodes = text, nodes
        self.prefixes = dict(prefixes)
        self.base = base
        self._iris: dict[tuple[str, bool], URIRef | None] = {}  # until a directive changes them

    def iri(self, token: str, *, verb: bool = False) -> URIRef | None:
        """``token_iri`` with the prefixes and base in force where the reader stands."""
        iri = self._iris.get((token, verb), self)
        if iri is self:
            iri = self._iris[token, verb] = token_iri(token, self.prefixes, self.base, verb=verb)
        return iri

    def form(self, match: re.Match) -> Form | None:
        """What the object token ``match`` writes, as ``form`` gives a term's: an IRI, or a
        literal's lexical form with its language or datatype (a number or a boolean written
        bare has the datatype of its form)."""
        kind, token = match.lastgroup, match.group(0)
        if kind == "string":
            language, datatype = match.group("lang"), match.group("type")
            return literal_form(_unescape(_body(match.group("quoted"))), language,
                            str(self.iri(datatype)) if datatype else None)
        if kind not in ("word", "iri"):
            return None
        iri = self.iri(token)
        if iri is None and kind == "word":
            return next((literal_form(token, None, datatype) for datatype, short in _SHORT_FORMS.items()
                         if short.fullmatch(token)), None)
        return iri

    def _told(self, node: URIRef | Anonymous | None) -> bool:
        """Whether ``node``'s predicates and objects are wanted (never a subject not understood:
        its statements are passed over up to their end, and the reading goes on after it)."""
        return node is not None and (self.nodes is None or node in self.nodes)

    def __iter__(self) -> Iterator[Event]:
        text, line, last = self.text, 1, 0
        stack = [_Frame(None, "")]
        directive: str | None = None  # "prefix" or "base", until its IRI is read
        name: str | None = None  # the prefix a PREFIX directive declares
        pending: tuple[URIRef | Anonymous | None, int] | None = None  # a subject, or a graph's name
        count = 0  # the [ and ( read so far: each is a node of its own
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind == "comment":
                continue
            start = match.start()
            line += text.count("\n", last, start)
            last = start
            token = match.group(0)
            top = stack[-1]
            if directive is not None:  # @prefix ex: <iri> .  PREFIX ex: <iri>  @base <iri> .  BASE <iri>
                if kind == "iri":
                    self._iris.clear()
                    iri = token_iri(token, {}, self.base)
                    if directive == "base":
                        self.base = str(iri) if iri is not None else self.base
                    elif name is not None and iri is not None:
                        self.prefixes[name] = str(iri)
                    directive = name = None
                elif kind == "word":
                    name = token[:-1]
                continue
            if top.closer in ("", "}"):  # a statement, a directive or a graph block starts here
                if pending is None:
                    if kind == "word" and token.lower() in ("@prefix", "prefix", "@base", "base"):
                        directive = token.lower().lstrip("@")
                    elif token == "{":
                        stack.append(_Frame(None, "}"))
                    elif token == "}":
                        if len(stack) > 1:
                            stack.pop()
                    elif token in "[(":  # a blank node, or a list, as the subject
                        count += 1
                        node = Anonymous(f"{token}{count}")
                        stack.append(_Frame(node, "]" if token == "[" else ")", self._told(node), subject=True))
                        if token == "[":
                            yield SUBJECT, line, node, None, None
                    elif kind in ("word", "iri") and token.lower() != "graph":
                        pending = (self._node(kind, token), line)
                    continue
                node, at = pending
                pending = None
                if token == "{":  # it named a graph
                    stack.append(_Frame(None, "}"))
                    continue
                top = _Frame(node, ".", self._told(node))
                stack.append(top)
                yield SUBJECT, at, node, None, None
            if top.closer == ")":  # a list's items are not statements of the node holding the list;
                if token == "[":  # an item [ ... ] is a node of its own (sh:or ( [ sh:path ... ] ))
                    count += 1
                    node = Anonymous(f"[{count}")
                    stack.append(_Frame(node, "]", self._told(node)))
                    yield SUBJECT, line, node, None, None
                elif token == "(":
                    stack.append(_Frame(None, ")"))
                elif token == ")":
                    stack.pop()
                    if top.subject:  # ( ... ) ex:p ex:o .
                        stack.append(_Frame(top.node, ".", top.told))
                continue
            if token == ";":
                top.verb = True
            elif token == ",":
                continue
            elif token == "." or token == "}":
                while stack[-1].closer not in ("", "}"):
                    stack.pop()
                if token == "}" and len(stack) > 1:
                    stack.pop()
            elif token == "]":
                stack.pop()
                if top.subject:  # [ ... ] ex:p ex:o .  (or just [ ... ] .)
                    stack.append(_Frame(top.node, ".", top.told))
            elif token == "{" and top.predicate is None:  # [] { ... }: a blank graph name
                stack.pop()
                stack.append(_Frame(None, "}"))
            elif top.verb:
                top.verb = False
                if top.told:
                    top.predicate = self.iri(token, verb=True) if kind in ("word", "iri") else None
                    yield VERB, line, top.node, top.predicate, None
            elif token in "[(":
                count += 1
                node = Anonymous(f"{token}{count}")
                if top.told:
                    yield OBJECT, line, top.node, top.predicate, node
                if token == "[":
                    stack.append(_Frame(node, "]", self._told(node)))
                    yield SUBJECT, line, node, None, None
                else:
                    stack.append(_Frame(None, ")"))
            elif top.told:
                yield OBJECT, line, top.node, top.predicate, (
                    Anonymous(token[2:]) if kind == "word" and token.startswith("_:") else match)

    def _node(self, kind: str, token: str) -> URIRef | Anonymous | None:
        """The node a subject (or a graph's name) writes."""
        if kind == "word" and token.startswith("_:"):
            return Anonymous(token[2:])
        return self.iri(token)


def subjects(text: str, prefixes: Mapping[str, str], base: str | None = None) -> list[tuple[URIRef, int]]:
    """Each statement's subject that is an IRI, with its line, in the order written: at the
    start of a line or indented, in a graph block or not."""
    return [(node, line) for kind, line, node, _, _ in Reader(text, prefixes, base, nodes=())
            if kind == SUBJECT and type(node) is URIRef]
