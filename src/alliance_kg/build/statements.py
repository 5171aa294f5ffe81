"""Where a statement is written: the file and line of a subject's predicate and value, so that
a finding points at the triple at fault and not at the first file that mentions its focus node.

A finding names that triple: its focus node, its path (a predicate, when the path is one) and,
for most constraints, the value. The ``Locator`` knows where each subject first starts a
statement group; for a node described in several files (a city's names in one, its
coordinates in another) that is often not the file to fix. ``where`` reads the files again,
once for all of a report's findings and only for the subjects they name: Turtle (and TriG
written like it) by its statement groups, a subject at column 0 and its predicates and objects
on the lines below; N-Triples and N-Quads line by line, as bytes (the large files come that
way). It reads text, not RDF: it tells a predicate from an object by where ``;`` and ``,`` put
them, finds a value by the ways it can be written, and where that is not enough says nothing,
and the subject's own place is taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pyoxigraph as ox
from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

#: The formats read again (``sources.FORMATS``'s names), and those of them read line by line.
READ = frozenset({"turtle", "trig", "nt", "nquads"})
LINES = frozenset({"nt", "nquads"})
_TYPE = RDF.type
#: A file to read again: its path, its format (``sources.FORMATS``) and the prefixes its parse declared.
File = tuple[Path, str, dict[str, str]]
Place = tuple[str, int]
#: A statement asked about: (subject, predicate, value), ``None`` for any value.
Key = tuple[URIRef, "URIRef | None", "Node | None"]


@dataclass(frozen=True)
class Asked:
    """What a finding knows of the triple at fault: its focus node, the predicate when its path
    is one, the value when it has one, and the classes its shape targets (a missing value is
    best added where the node is described as one of those)."""

    focus: URIRef
    predicate: URIRef | None = None
    value: Node | None = None
    classes: tuple[URIRef, ...] = ()


def where(files: Sequence[File], asked: Sequence[Asked],
          first_place: Callable[[URIRef], Place | None]) -> list[Place | None]:
    """The place of each ``asked``: the line writing its value for its predicate, else the line
    writing the predicate for the subject in the file that gives it one of the classes (else any
    class: the file that describes it), else the first line writing the predicate for it
    anywhere; for a statement written nowhere (a missing property), the subject's first group in
    the first file that gives it one of the classes (else any), else its first group in any file, as this reading found them (what ``first_place`` would
    find: asked only for a subject not found so, it reads the line-based files once more)."""
    wanted: set[Key] = set()
    for a in asked:
        wanted.add((a.focus, a.predicate, a.value))
        wanted.update((a.focus, _TYPE, c) for c in a.classes)
        wanted.add((a.focus, _TYPE, None))  # where it is typed at all: where it is described
    found = find(files, wanted)
    first: dict[URIRef, Place] = {}
    for (subject, file), line in found.groups.items():  # files in order, so the first is the first file's
        first.setdefault(subject, (file, line))
    places: list[Place | None] = []
    for a in asked:
        typed = next((t for t in (found.statements.get((a.focus, _TYPE, kind)) for kind in a.classes) if t),
                     None) or found.statements.get((a.focus, _TYPE, None))
        place = None
        if a.predicate is not None:
            place = found.statements.get((a.focus, a.predicate, a.value)) if a.value is not None else None
            # no value to match (a label not unique per language, say): the predicate's line in
            # the file that gives the focus its class, where it is described, before the first
            in_typed = typed and found.written_in.get((a.focus, a.predicate, typed[0]))
            place = place or (in_typed and (typed[0], in_typed)) or found.statements.get((a.focus, a.predicate, None))
        if place is None and typed is not None:
            place = (typed[0], found.groups.get((a.focus, typed[0]), typed[1]))
        places.append(place or first.get(a.focus) or first_place(a.focus))
    return places


@dataclass
class Found:
    """What one reading of the files found: for each statement asked about, the first line
    writing it (``(s, p, None)``: the first writing the predicate for the subject, with any
    value), and the first line where each subject asked about starts a group in each file
    (``(s, None, None)`` asks for those alone)."""

    statements: dict[Key, Place] = field(default_factory=dict)
    groups: dict[tuple[URIRef, str], int] = field(default_factory=dict)
    #: The first line writing the predicate for the subject in each file: (s, p, file) -> line.
    written_in: dict[tuple[URIRef, URIRef, str], int] = field(default_factory=dict)


def find(files: Iterable[File], wanted: Iterable[Key]) -> Found:
    """One pass over each file that can be read so (Turtle, TriG, N-Triples, N-Quads) for the
    statements ``wanted``; the others (JSON-LD, RDF/XML) are left to the subject's place."""
    asked: dict[URIRef, dict[URIRef, set[Node]]] = {}
    for subject, predicate, value in wanted:
        predicates = asked.setdefault(subject, {})
        if predicate is None:  # only the subject's groups
            continue
        values = predicates.setdefault(predicate, set())
        if value is not None:
            values.add(value)
    found = Found()
    if not asked:
        return found
    for path, syntax, prefixes in files:
        if syntax in LINES:
            _lines(path, asked, found)
        elif syntax in READ:
            _groups(path, prefixes, asked, found)
    return found


# -- N-Triples and N-Quads --------------------------------------------------------------------------

def _lines(path: Path, asked: dict[URIRef, dict[URIRef, set[Node]]], found: Found) -> None:
    """A line-based file as bytes: a Python object only for the lines of a subject asked about
    (at 1M triples, with a finding for every membership, as long as one pass of the locator's)."""
    name = str(path)
    subjects = {str(s).encode("utf-8"): s for s in asked}
    written = {s: {str(p).encode("utf-8"): (p, [(v, _ntriples(v)) for v in values])
                   for p, values in predicates.items()} for s, predicates in asked.items()}
    subject_of, groups, statements = subjects.get, found.groups, found.statements
    try:
        lines = path.open("rb")
    except OSError:
        return
    last, subject, predicates = b"", None, {}
    with lines:
        for number, line in enumerate(lines, start=1):
            if line[:1] != b"<":
                continue
            end = line.find(b">")
            key = line[1:end]
            if key != last:  # a file's statements mostly come grouped by subject
                last, subject = key, subject_of(key)
                if subject is not None:
                    predicates = written[subject]
                    if (subject, name) not in groups:
                        groups[subject, name] = number
            if subject is None:
                continue
            start = line.find(b"<", end)  # a predicate is always an IRI
            stop = line.find(b">", start)
            entry = predicates.get(line[start + 1:stop])
            if entry is None:
                continue
            predicate, values = entry
            statements.setdefault((subject, predicate, None), (name, number))
            found.written_in.setdefault((subject, predicate, name), number)
            value_text = line[stop + 1:].lstrip()
            for value, form in values:
                if form is not None and value_text.startswith(form) and (
                        form[-1:] == b">" or value_text[len(form):len(form) + 1] in (b"^", b"@", b" ", b"\t", b".")):
                    statements.setdefault((subject, predicate, value), (name, number))


def _ntriples(value: Node) -> bytes | None:
    """How N-Triples writes ``value`` (a literal up to its closing quote), as Oxigraph writes it."""
    if isinstance(value, URIRef):
        return f"<{value}>".encode("utf-8")
    if isinstance(value, Literal):
        return str(ox.Literal(str(value))).encode("utf-8")
    return None


# -- Turtle and TriG --------------------------------------------------------------------------------

#: Turtle's tokens, as far as finding statements needs them: a string with its language tag or
#: datatype, an IRI, punctuation, a comment, anything else up to a space or punctuation.
_TOKEN = re.compile(r'''
    (?P<string>("""|\'\'\'|"|')(?:\\.|(?!\2).)*?(?:\2|$))(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^(?P<type><[^>]*>|[^\s;,.()\[\]]*))?
  | (?P<iri><[^>\s]*>)
  | (?P<punct>[;,()\[\]{}])
  | (?P<comment>\#.*)
  | (?P<word>[^\s;,()\[\]{}"'<#]+)
''', re.VERBOSE)
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}
_SHORT_FORMS = {
    "http://www.w3.org/2001/XMLSchema#boolean": re.compile(r"true|false"),
    "http://www.w3.org/2001/XMLSchema#integer": re.compile(r"[+-]?[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
}


def _groups(path: Path, prefixes: dict[str, str], asked: dict[URIRef, dict[URIRef, set[Node]]],
            found: Found) -> None:
    """A Turtle file's statement groups of the subjects asked about, statement by statement."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    name = str(path)
    reader: _Group | None = None
    open_quote: str | None = None  # a long string runs on: its lines are neither subjects nor statements
    for number, line in enumerate(text.splitlines(), start=1):
        if open_quote is not None:  # the rest of the string's last line is read on
            closing = line.find(open_quote)
            if closing < 0:
                continue
            line, open_quote = line[closing + 3:], None
        elif line and line[0] not in " \t#":  # column 0: a directive, a subject, a graph, a closing brace
            reader = None
            token, _, rest = line.replace("\t", " ").partition(" ")
            subject = _name(token, prefixes) if not rest.lstrip().startswith("{") else None  # not a graph's name
            if subject in asked:
                found.groups.setdefault((subject, name), number)
                reader = _Group(subject, asked[subject], prefixes, name, found)
                line = rest
        if reader is not None:
            open_quote = reader.read(line, number)
            if reader.done:
                reader = None
        else:
            open_quote = _opened(line)


class _Group:
    """One subject's statement group, read line by line."""

    def __init__(self, subject: URIRef, predicates: dict[URIRef, set[Node]], prefixes: dict[str, str],
                 name: str, found: Found):
        self.subject, self.predicates, self.prefixes, self.name, self.found = subject, predicates, prefixes, name, found
        self.predicate: URIRef | None = None  # the one whose objects are being read
        self.expect = True  # the next word is a predicate
        self.depth = 0  # inside [ ] or ( ): another node's statements, or a list
        self.done = False

    def read(self, line: str, number: int) -> str | None:
        """Read one line; a long string it opens and does not close is returned (its quote)."""
        for match in _TOKEN.finditer(line):
            if self.done:
                break
            kind = match.lastgroup if match.group("string") is None else "string"
            text = match.group(0)
            if kind == "comment":
                break
            if kind == "punct":
                if text in "[(":
                    self.depth += 1
                elif text in "])":
                    self.depth = max(0, self.depth - 1)
                elif text == ";" and self.depth == 0:
                    self.expect = True
                continue
            if kind == "word" and text.endswith(".") and self.depth == 0:  # the group's end
                text = text[:-1]
                self.done = True
                if not text:
                    return None
            if self.depth:
                continue
            if self.expect:
                self.expect = False
                self.predicate = _name(text, self.prefixes) if kind in ("word", "iri") else None
                if self.predicate in self.predicates:
                    self.found.statements.setdefault((self.subject, self.predicate, None), (self.name, number))
                    self.found.written_in.setdefault((self.subject, self.predicate, self.name), number)
                continue
            values = self.predicates.get(self.predicate) if self.predicate is not None else None
            if values:
                for value in values:
                    if self._writes(match, kind, text, value):
                        self.found.statements.setdefault((self.subject, self.predicate, value), (self.name, number))
            if kind == "string":
                quote = match.group(2)
                if len(quote) == 3 and (len(match.group("string")) < 6 or not match.group("string").endswith(quote)):
                    return quote
        return None

    def _writes(self, match: re.Match, kind: str, text: str, value: Node) -> bool:
        """Whether the token writes ``value``."""
        if isinstance(value, URIRef):
            return kind in ("word", "iri") and _name(text, self.prefixes) == value
        if not isinstance(value, Literal):
            return False
        if kind == "word":
            short = _SHORT_FORMS.get(str(value.datatype))
            return short is not None and text == str(value) and bool(short.fullmatch(text))
        if kind != "string":
            return False
        quote = match.group(2)
        if _unescape(match.group("string")[len(quote):-len(quote)]) != str(value):
            return False
        if match.group("lang"):
            return (value.language or "").lower() == match.group("lang").lower()
        if match.group("type"):
            return _name(match.group("type"), self.prefixes) == value.datatype
        return not value.language and value.datatype in (None, URIRef("http://www.w3.org/2001/XMLSchema#string"))


def _opened(line: str) -> str | None:
    """The quote of a long string that ``line`` (outside the groups read) leaves open."""
    if line.lstrip().startswith("#"):
        return None
    for quote in ('"""', "'''"):
        if line.count(quote) % 2:
            return quote
    return None


def _unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return _ESCAPES.get(escape, escape)

    return _ESCAPE.sub(one, text) if "\\" in text else text


def _name(token: str, prefixes: dict[str, str]) -> URIRef | None:
    """The IRI a word writes (``<iri>``, ``prefix:local``, ``a``), if it writes one."""
    if token.startswith("<"):
        return URIRef(token[1:-1]) if token.endswith(">") and len(token) > 2 else None
    if token == "a":
        return RDF.type
    prefix, colon, local = token.partition(":")
    if colon and prefix in prefixes and not local.startswith("/"):
        return URIRef(prefixes[prefix] + (local.replace("\\", "") if "\\" in local else local))
    return None

