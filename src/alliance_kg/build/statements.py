"""Where a statement is written: the file and line of a subject's predicate and value, so that
a finding points at the triple at fault and not at the first file that mentions its focus node.

A finding names that triple: its focus node, its path (a predicate, when the path is one) and,
for most constraints, the value. The ``Locator`` knows where each subject first starts a
statement group; for a node described in several files (a city's names in one, its
coordinates in another) that is often not the file to fix. ``where`` reads the files again,
once for all of a report's findings and only for the subjects they name: Turtle and TriG by
their statements (``turtle.Reader``: a subject anywhere a statement starts, in a graph block or
not, its predicates and objects after it), RDF/XML by its elements and attributes
(``rdfxml.Reader``, which reports the same events); N-Triples and N-Quads line by line, as
bytes (the large files come that way). JSON-LD is not read so: a term's IRI is its context's
to say, and only its subjects' places are known (``places``). It reads text, not RDF: it finds
a value by the ways it can be written, and where that is not enough says nothing, and the
subject's own place is taken.

A blank node has no name to look for: its label in the data is not the one in the file (each
parse gives its own). It is found by what the data says of it (``Blank``): the statements
holding it (``ex:s ex:address [ ... ]``, ``ex:s ex:address _:b1``) and its own predicates and
values; the ``[ ]`` or ``_:label`` of a file that writes nothing it does not have, held as the
data holds it, is taken. Where none is, the statement holding it is the place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple, Sequence

import pyoxigraph as ox
from rdflib import RDF, BNode, Literal, URIRef
from rdflib.term import Node

from . import rdfxml
from .turtle import OBJECT, SUBJECT, VERB, Anonymous, Form, Reader, form

#: The formats read again (``sources.FORMATS``'s names), and those of them read line by line.
READ = frozenset({"turtle", "trig", "xml", "nt", "nquads"})
LINES = frozenset({"nt", "nquads"})
_TYPE = RDF.type
Place = tuple[str, int]
#: A statement asked about: (subject, predicate, value), ``None`` for any value.
Key = tuple["URIRef | BNode", "URIRef | None", "Node | None"]


class File(NamedTuple):
    """A file to read again: its path, its format (``sources.FORMATS``), the prefixes its parse
    declared and the IRI its relative IRIs were resolved against (``None``: kept as written)."""

    path: Path
    syntax: str
    prefixes: dict[str, str]
    base: str | None = None


@dataclass(frozen=True)
class Blank:
    """What the data says of a blank node, to find it in a file by: the statements holding it
    whose subject is an IRI (subject, predicate), and its own statements (predicate, value),
    their values that are not blank nodes in ``content``."""

    held_by: frozenset[tuple[URIRef, URIRef]] = frozenset()
    predicates: frozenset[URIRef] = frozenset()
    content: frozenset[tuple[URIRef, Node]] = frozenset()

    @classmethod
    def of(cls, own: Iterable[tuple[Node, Node]], holding: Iterable[tuple[Node, Node]]) -> Blank:
        """From its statements' (predicate, value) and the (subject, predicate) of those holding it."""
        own = list(own)
        return cls(frozenset((s, p) for s, p in holding if isinstance(s, URIRef) and isinstance(p, URIRef)),
                   frozenset(p for p, _ in own if isinstance(p, URIRef)),
                   frozenset((p, o) for p, o in own if isinstance(p, URIRef) and not isinstance(o, BNode)))


@dataclass(frozen=True)
class Asked:
    """What a finding knows of the triple at fault: its focus node, the predicate when its path
    is one, the value when it has one, and the classes its shape targets (a missing value is
    best added where the node is described as one of those); for a blank focus, what the data
    says of it (``blank``), else it cannot be looked for."""

    focus: URIRef | BNode
    predicate: URIRef | None = None
    value: Node | None = None
    classes: tuple[URIRef, ...] = ()
    blank: Blank | None = None


def where(files: Sequence[File | tuple], asked: Sequence[Asked],
          first_place: Callable[[URIRef], Place | None]) -> list[Place | None]:
    """The place of each ``asked``: the line writing its value for its predicate, else the line
    writing the predicate for the subject in the file that gives it one of the classes (else any
    class: the file that describes it), else the first line writing the predicate for it
    anywhere; for a statement written nowhere (a missing property), the subject's first group in
    the first file that gives it one of the classes (else any), else its first group in any file, as this reading found them (what ``first_place`` would
    find: asked only for a subject not found so, it reads the line-based files once more). A
    blank focus not found is placed at the first statement holding it, else at its subject."""
    wanted: set[Key] = set()
    blanks: dict[BNode, Blank] = {}
    for a in asked:
        wanted.add((a.focus, a.predicate, a.value))
        wanted.update((a.focus, _TYPE, c) for c in a.classes)
        wanted.add((a.focus, _TYPE, None))  # where it is typed at all: where it is described
        if isinstance(a.focus, BNode) and a.blank is not None:
            blanks[a.focus] = a.blank
            wanted.update((s, p, None) for s, p in a.blank.held_by)
    found = find(files, wanted, blanks)
    first: dict[Node, Place] = {}
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
        place = place or first.get(a.focus)
        if place is None and isinstance(a.focus, URIRef):
            place = first_place(a.focus)
        elif place is None and a.blank is not None:
            holders = sorted(a.blank.held_by)
            place = next((p for p in (found.statements.get((s, by, None)) for s, by in holders) if p), None) \
                or next((p for p in (first.get(s) or first_place(s) for s, _ in holders) if p), None)
        places.append(place)
    return places


@dataclass
class Found:
    """What one reading of the files found: for each statement asked about, the first line
    writing it (``(s, p, None)``: the first writing the predicate for the subject, with any
    value), and the first line where each subject asked about starts a group in each file
    (``(s, None, None)`` asks for those alone)."""

    statements: dict[Key, Place] = field(default_factory=dict)
    groups: dict[tuple[Node, str], int] = field(default_factory=dict)
    #: The first line writing the predicate for the subject in each file: (s, p, file) -> line.
    written_in: dict[tuple[Node, URIRef, str], int] = field(default_factory=dict)

    def write(self, subject: Node, predicate: URIRef, name: str, line: int) -> None:
        """``subject``'s ``predicate`` is written at ``line`` of file ``name``."""
        self.statements.setdefault((subject, predicate, None), (name, line))
        self.written_in.setdefault((subject, predicate, name), line)


def find(files: Iterable[File | tuple], wanted: Iterable[Key], blanks: Mapping[BNode, Blank] | None = None) -> Found:
    """One pass over each file that can be read so (Turtle, TriG, RDF/XML, N-Triples, N-Quads)
    for the statements ``wanted``; JSON-LD is left to the subject's place. The
    statements of a blank node in ``blanks`` are those of the node a file writes that fits
    what is known of it (``Blank``), where one does."""
    asked: dict[URIRef, dict[URIRef, set[Node]]] = {}
    blank_values: _Values = {}
    for subject, predicate, value in wanted:
        if isinstance(subject, BNode):
            if predicate is not None and value is not None:
                _seek(blank_values, predicate, value)
            continue
        predicates = asked.setdefault(subject, {})
        if predicate is None:  # only the subject's groups
            continue
        values = predicates.setdefault(predicate, set())
        if value is not None:
            values.add(value)
    for blank in (blanks or {}).values():
        for predicate, value in blank.content:
            _seek(blank_values, predicate, value)
    found = Found()
    if not asked and not blanks:
        return found
    written: list[_Written] | None = [] if blanks else None
    for path, syntax, prefixes, base in (File(*file) for file in files):
        if syntax in LINES:
            _lines(path, asked, found)
            if written is not None:
                written.extend(_blank_lines(path, blank_values))
        elif syntax == "xml":
            _statements(path, rdfxml.Reader(_text(path), base), asked, found, written, blank_values)
        elif syntax in READ:
            reader = Reader(_text(path), prefixes, base, None if written is not None else asked)
            _statements(path, reader, asked, found, written, blank_values)
    if written:
        candidates = _Candidates(written)
        for node, blank in (blanks or {}).items():
            match = candidates.fitting(blank)
            if match is not None:
                match.give(node, found)
    return found


#: The values looked for in blank nodes: by predicate, by the form a text writes them in
#: (``turtle.form``).
_Values = dict[URIRef, dict[Form, set[Node]]]


def _seek(values: _Values, predicate: URIRef, value: Node) -> None:
    """Look for ``value`` of ``predicate`` in the blank nodes written."""
    written = form(value)
    if written is not None:
        values.setdefault(predicate, {}).setdefault(written, set()).add(value)


def _text(path: Path) -> str:
    """A file's text as it was parsed (a byte-order mark skipped); a file gone since, none."""
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""


# -- Turtle, TriG and RDF/XML ----------------------------------------------------------------------

def _statements(path: Path, reader: Reader | rdfxml.Reader, asked: dict[URIRef, dict[URIRef, set[Node]]], found: Found,
                written: list[_Written] | None, blank_values: _Values) -> None:
    """A Turtle, TriG or RDF/XML file's statements of the subjects asked about; with
    ``written``, also each blank node it writes, for ``find`` to fit to those asked about."""
    name = str(path)
    anonymous = _WrittenIn(name)
    for kind, line, node, predicate, value in reader:
        if type(node) is Anonymous:
            if written is not None:
                blank = anonymous[node]
                if kind == SUBJECT:
                    blank.describe(line)
                elif kind == VERB:
                    blank.verb(predicate, line)
                else:
                    blank.object(predicate, line, None if type(value) is Anonymous else frozenset(
                        blank_values.get(predicate, {}).get(reader.form(value), ())))
            continue
        if kind == OBJECT and type(value) is Anonymous:
            if written is not None and predicate is not None and type(node) is URIRef:
                anonymous[value].hold(node, predicate, line)
            continue
        predicates = asked.get(node)
        if predicates is None:
            continue
        if kind == SUBJECT:
            found.groups.setdefault((node, name), line)
        elif kind == VERB:
            if predicate in predicates:
                found.write(node, predicate, name, line)
        elif predicate in predicates and predicates[predicate]:
            read = reader.form(value)
            for v in predicates[predicate]:
                if read is not None and read == form(v):
                    found.statements.setdefault((node, predicate, v), (name, line))
    if written is not None:
        written.extend(anonymous.values())


# -- blank nodes ------------------------------------------------------------------------------------

@dataclass(eq=False)
class _Written:
    """A blank node as one file writes it: where it is described (its ``[`` or a statement
    group of its label), else first mentioned; the statements holding it; the line of each of
    its predicates and of each value looked for; and, for each object written, the values
    looked for that it writes (``None``: a blank node or a list, which says nothing)."""

    file: str
    line: int | None = None
    mentioned: int | None = None
    held_by: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    verbs: dict[URIRef, int] = field(default_factory=dict)
    values: dict[tuple[URIRef, Node], int] = field(default_factory=dict)
    objects: list[tuple[URIRef, frozenset[Node] | None]] = field(default_factory=list)

    def describe(self, line: int) -> None:
        """A statement about this node starts at ``line``."""
        self.line = self.line or line

    def hold(self, subject: URIRef, predicate: URIRef, line: int) -> None:
        """``subject``'s ``predicate`` has this node for its value, at ``line``."""
        self.held_by.add((subject, predicate))
        self.mentioned = self.mentioned or line

    def verb(self, predicate: URIRef | None, line: int) -> None:
        """``predicate`` is written for this node at ``line``."""
        if predicate is not None:
            self.verbs.setdefault(predicate, line)

    def object(self, predicate: URIRef | None, line: int, writes: frozenset[Node] | None) -> None:
        """An object of ``predicate`` is written for this node at ``line``: one of ``writes``."""
        if predicate is None:
            return
        self.objects.append((predicate, writes))
        for value in writes or ():
            self.values.setdefault((predicate, value), line)

    def fit(self, blank: Blank) -> tuple[bool, int] | None:
        """How well this node fits ``blank``: whether a statement holding it is one holding
        ``blank``, and how many of its values are ``blank``'s; ``None`` when it cannot be
        ``blank`` (a predicate or a value ``blank`` does not have, held by another statement)
        or nothing says it is."""
        held = bool(self.held_by & blank.held_by)
        if (self.held_by and not held) or not self.verbs.keys() <= blank.predicates:
            return None
        matched = 0
        for predicate, writes in self.objects:
            if writes is None:
                continue
            if not any((predicate, value) in blank.content for value in writes):
                return None
            matched += 1
        return (held, matched) if held or matched else None

    def give(self, node: BNode, found: Found) -> None:
        """Record what this node's text says as ``node``'s statements."""
        place = self.line or self.mentioned
        if place is not None:
            found.groups.setdefault((node, self.file), place)
        for predicate, line in self.verbs.items():
            found.write(node, predicate, self.file, line)
        for (predicate, value), line in self.values.items():
            found.statements.setdefault((node, predicate, value), (self.file, line))


class _WrittenIn(dict):
    """The blank nodes one file writes, by label (or ``[``), each made when first met."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def __missing__(self, key: object) -> _Written:
        node = self[key] = _Written(self.file)
        return node


class _Candidates:
    """The blank nodes written, found by a statement holding them or a value they are given."""

    def __init__(self, written: Sequence[_Written]):
        self.held: dict[tuple[URIRef, URIRef], list[int]] = {}
        self.having: dict[tuple[URIRef, Node], list[int]] = {}
        self.written = written
        for number, node in enumerate(written):
            for holder in node.held_by:
                self.held.setdefault(holder, []).append(number)
            for value in node.values:
                self.having.setdefault(value, []).append(number)

    def fitting(self, blank: Blank) -> _Written | None:
        """The node written that fits ``blank`` best, the first of those that fit alike: of the
        nodes held as it is, else (its holder inferred, not written) of those with its values."""
        for index, keys in ((self.held, blank.held_by), (self.having, blank.content)):
            best, score = None, None
            for number in sorted({number for key in keys for number in index.get(key, ())}):
                fit = self.written[number].fit(blank)
                if fit is not None and (score is None or fit > score):
                    best, score = self.written[number], fit
            if best is not None:
                return best
        return None


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
                if _writes(value_text, form):
                    statements.setdefault((subject, predicate, value), (name, number))


def _writes(value_text: bytes, form: bytes | None) -> bool:
    """Whether an N-Triples object (the rest of its line) writes the value written ``form``."""
    return form is not None and value_text.startswith(form) and (
        form[-1:] == b">" or value_text[len(form):len(form) + 1] in (b"^", b"@", b" ", b"\t", b"."))


#: A line of N-Triples or N-Quads: its subject, its predicate's IRI and its object.
#: An object's form as ``_ntriples`` writes it: an IRI, a literal up to its closing quote.
_NT_FORM = re.compile(rb'<[^>]*>|"(?:[^"\\]|\\.)*"')
_NT_STATEMENT = re.compile(rb"\s*(<[^>]*>|_:[^\s<]+)\s*<([^>]*)>\s*(<[^>]*>|_:[^\s<]*[^\s<.]|\".*)")


def _blank_lines(path: Path, values: _Values) -> list[_Written]:
    """The blank nodes a line-based file writes, by their labels: their lines, the statements
    holding them and the ``values`` they are given (only the lines naming a blank node are read
    as text)."""
    forms: dict[bytes, dict[bytes, list[Node]]] = {}  # by predicate, by the value's form up to its last quote
    for predicate, by_form in values.items():
        for value in (v for vs in by_form.values() for v in vs):
            forms.setdefault(str(predicate).encode("utf-8"), {}).setdefault(_ntriples(value) or b"", []).append(value)
    nodes = _WrittenIn(str(path))
    try:
        lines = path.open("rb")
    except OSError:
        return []
    with lines:
        for number, line in enumerate(lines, start=1):
            statement = _NT_STATEMENT.match(line) if b"_:" in line else None
            if statement is None:
                continue
            subject, predicate, value = statement.groups()
            by = URIRef(predicate.decode("utf-8"))
            if subject[:2] == b"_:":
                node = nodes[subject]
                node.describe(number)
                node.verb(by, number)
                read = _NT_FORM.match(value)
                node.object(by, number, None if value[:2] == b"_:" else frozenset(
                    v for v in forms.get(predicate, {}).get(read.group(0) if read else b"", ())
                    if _writes(value, _ntriples(v))))
            if value[:2] == b"_:" and subject[:1] == b"<":
                nodes[value].hold(URIRef(subject[1:-1].decode("utf-8")), by, number)
    return list(nodes.values())


def _ntriples(value: Node) -> bytes | None:
    """How N-Triples writes ``value`` (a literal up to its closing quote), as Oxigraph writes it."""
    if isinstance(value, URIRef):
        return f"<{value}>".encode("utf-8")
    if isinstance(value, Literal):
        return str(ox.Literal(str(value))).encode("utf-8")
    return None


