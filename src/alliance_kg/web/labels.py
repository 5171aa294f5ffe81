"""The label index: every name of every resource the graph labels, for the search box on every
page (``GET /suggest?q=``) and the editor's entity completion.

Built from the store with three SELECT queries through the guarded pool (the web layer never
builds a graph), answered as CSV: plain strings, which the engine writes and the ``csv`` module
reads, where terms (rdflib's, pickled from the worker) cost the 1M-triple graph 600 MB in each
worker and a second copy in the server. Once per data generation: ``AppState.labels()`` caches
it, and a reload gets a fresh ``AppState`` and so a fresh index. A suggestion is then a binary search in memory, no
query at all — the 1M-triple generated graph answers in well under a millisecond per request
(``benchmarks/suggest.py``).

Matching ignores case, accents and punctuation ("nurn" and "nuern" find Nürnberg, "maan" and
"Ma'an" find Ma'anshan), starts at the beginning of any word of a label ("Cologne" finds
"Membership of Cologne in ..." after Cologne itself) and at any character of Chinese text
("州" finds 台州).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

from ..namespaces import ID, INFERRED_GRAPH, PREFIXES, SKOS, prefix_declarations

T = TypeVar("T")

#: The label properties, best first: the one a suggestion shows is the best available.
NAMES = ("skos:prefLabel", "rdfs:label", "schema:name", "skos:altLabel")
_NAME_IRIS = tuple(PREFIXES[curie.split(":")[0]] + curie.split(":")[1] for curie in NAMES)
_ALT_LABEL = str(SKOS.altLabel)

#: Rows of strings (a CSV answer: IRIs and literals' text, the language a column of its own).
Rows = Iterable[Sequence[str]]

_LABELS = prefix_declarations(["rdfs", "schema", "skos"]) + f"""
SELECT ?s ?p (STR(?l) AS ?text) (LANG(?l) AS ?lang) WHERE {{
  VALUES ?p {{ {' '.join(NAMES)} }}
  ?s ?p ?l .
  FILTER (isIRI(?s) && isLiteral(?l))
}}"""

#: Most specific types only: a city is shown as schema:City, not as schema:Place or owl:Thing;
#: and whether a type is asserted (stated in a graph other than the inferred one): a group stated
#: a foaf:Group is shown as that, not as the foaf:Agent a property's range makes it.
_TYPES = prefix_declarations(["rdfs", "skos"]) + f"""
SELECT DISTINCT ?s ?t ?asserted WHERE {{
  ?s a ?t ; rdfs:label|skos:prefLabel ?any .
  FILTER (isIRI(?t))
  FILTER NOT EXISTS {{ ?s a ?u . ?u rdfs:subClassOf ?t FILTER (?u != ?t) }}
  BIND (EXISTS {{ GRAPH ?g {{ ?s a ?t }} FILTER (?g != <{INFERRED_GRAPH}>) }} AS ?asserted)
}}"""

#: The country a place lies in, directly or through the place that contains it.
_COUNTRIES = prefix_declarations(["schema"]) + """
SELECT ?s ?c WHERE {
  { ?s schema:containedInPlace ?c } UNION { ?s schema:containedInPlace ?within . ?within schema:containedInPlace ?c }
  ?c a schema:Country .
  FILTER (isIRI(?c))
}"""

#: The order kinds of things are offered in when two match equally well (members first).
KIND_ORDER = ("organization", "city", "district", "country", "region", "person", "event", "document")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ß": "ss"})
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_NOT_KEY = re.compile(r"[\W_]+")
_WORD_START = re.compile(r"(?:^|(?<=[\s\-/(\"„“'’]))\w|[\u3400-\u9fff]")


def folded(text: str) -> str:
    """``text`` without case, accents, apostrophes, spaces and punctuation: what keys compare.
    The accents go with the punctuation: decomposed, they are combining marks, and no combining
    character is a word character (``tests/test_search.py`` checks every code point). ASCII
    text has no accents and no apostrophe but ones that go with the punctuation."""
    if text.isascii():
        return _NOT_KEY.sub("", text.lower())
    return _NOT_KEY.sub("", unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold()))


#: Keys are cut to this many characters: a person types fewer before picking a suggestion, and
#: short keys keep the index of a 1M-triple graph small and quick to sort.
KEY_LENGTH = 32


def _keys(label: str) -> Iterator[tuple[str, bool]]:
    """(key, whole label?) for each word start of ``label``, in plain and German-transliterated
    spelling ("Nürnberg" gives "nurnberg" and "nuernberg"): the first ``KEY_LENGTH`` characters
    of the folded text from there on. Folding goes character by character and a word starts with
    a character nothing combines with, so each word is folded once and a key is the folded words
    from its start on (a label's text is folded once, not once per word)."""
    for spelling in (label,) if label.isascii() else {label, label.translate(_GERMAN)}:
        starts = [match.start() for match in _WORD_START.finditer(spelling)]
        ends = starts[1:] + [len(spelling)]
        key = ""
        for start, end in zip(reversed(starts), reversed(ends)):
            key = (folded(spelling[start:end]) + key)[:KEY_LENGTH]
            if key:
                yield key, start == 0


#: Items sorted at a time by ``_sorted_runs``: milliseconds of a held interpreter lock.
RUN = 50_000


def _sorted_runs(items: Iterable[T]) -> list[list[T]]:
    """``items`` as sorted runs of ``RUN``. One sort of millions of tuples is one call that
    holds the interpreter lock throughout, so while the index of a large graph was built every
    request thread stood still (2.8 s at 1M triples, 23 s at 10M); a run holds it for
    milliseconds, and merging the runs in Python lets go of it between items."""
    remaining = iter(items)
    runs = []
    while run := list(islice(remaining, RUN)):
        run.sort()
        runs.append(run)
    return runs


def _merged(runs: list[list[T]]) -> Iterator[T]:
    """The items of sorted ``runs`` in order, each run let go of item by item as the merge
    takes them (a merge of the lists would hold every item to the end)."""
    return heapq.merge(*map(_drained, runs))


def _drained(run: list[T]) -> Iterator[T]:
    run.reverse()
    while run:
        yield run.pop()


def _rows(select: Callable[[str], Rows], text: str) -> Iterator[Sequence[str]]:
    """The rows of ``text``'s CSV answer after its header, the query sent when the first is taken."""
    rows = iter(select(text))
    next(rows, None)
    yield from rows


class _Keys:
    """Sorted (key, entry number, name number) triples, packed: the keys' UTF-8 in one bytes
    object with their offsets, the numbers in arrays: about 30 bytes a key, where a tuple, a
    string and an int object took some 150 (the index of the 1M-triple graph, 1.6M keys, held
    600 MB of the server's memory as tuples, 239 MB packed and read row by row; see
    ``benchmarks/suggest.py``). Reads as the sorted sequence of keys, which ``bisect`` takes."""

    def __init__(self, triples: Iterable[tuple[str, int, int]]) -> None:
        blob, offsets, self._entries, self._names = bytearray(), array("Q", [0]), array("I"), array("I")
        for key, number, name in triples:
            blob += key.encode()
            offsets.append(len(blob))
            self._entries.append(number)
            self._names.append(name)
        self._blob = bytes(blob)
        self._offsets = array("I", offsets) if len(blob) < 2**32 else offsets

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, at: int) -> str:
        return self._blob[self._offsets[at]:self._offsets[at + 1]].decode()

    def scan(self, wanted: str, budget: int) -> Iterator[tuple[str, int, int]]:
        """Up to ``budget`` (key, entry number, name number) whose key starts with ``wanted``."""
        at = bisect_left(self, wanted)
        for at in range(at, min(at + budget, len(self))):
            key = self[at]
            if not key.startswith(wanted):
                return
            yield key, self._entries[at], self._names[at]


@dataclass(slots=True)
class Entry:
    """One resource: its labels by language ('' = none), most specific type, country."""

    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    type: str | None = None
    country: str | None = None

    @property
    def kind_rank(self) -> int:
        """Members and places before memberships, passages and other things they name."""
        if self.iri.startswith(str(ID)):
            kind = self.iri[len(str(ID)):].split("/", 1)[0]
            if kind in KIND_ORDER:
                return KIND_ORDER.index(kind)
            return len(KIND_ORDER)
        return len(KIND_ORDER) + 1


@dataclass(frozen=True)
class Match:
    entry: Entry
    #: The label that matched what was typed (in whichever language or script).
    matched: str


class LabelIndex:
    """Sorted keys of every label (and every word start of it), for prefix search by bisection."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        # (key, entry number, name number): a name by its place among its entry's names
        whole: set[tuple[str, int, int]] = set()
        words: set[tuple[str, int, int]] = set()
        order = list(entries)
        self._order = order
        for number, iri in enumerate(order):
            for at, name in enumerate(entries[iri].names):
                for key, is_whole in _keys(name):
                    (whole if is_whole else words).add((key, number, at))
        self._whole = self._packed(whole)
        del whole
        self._words = self._packed(words)

    @staticmethod
    def _packed(triples: set[tuple[str, int, int]]) -> _Keys:
        runs = _sorted_runs(triples)
        triples.clear()
        return _Keys(_merged(runs))

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_results(cls, labels: Rows, types: Rows, countries: Rows) -> "LabelIndex":
        """The index of the three queries' rows: (subject, property, text, language), (subject,
        type, asserted: "true" unless the type is only inferred) and (subject, country), every
        term an IRI or a literal's text. An asserted type is shown before an inferred one."""
        entries: dict[str, Entry] = {}
        ranks: dict[tuple[str, str], int] = {}  # (subject, language): the rank of the label kept
        for subject, prop, label, language in labels:  # one row at a time: a large graph has millions
            entry = entries.get(subject)
            if entry is None:
                entry = entries[subject] = Entry(subject)
            if prop != _ALT_LABEL:
                rank = _NAME_IRIS.index(prop)
                if ranks.get((subject, language), rank) >= rank:
                    entry.labels[language] = label
                    ranks[subject, language] = rank
            if label not in entry.names:
                entry.names.append(label)
        del ranks
        chosen: dict[str, tuple[bool, str]] = {}  # subject: (inferred only, type), the least kept
        for subject, kind, *asserted in types:
            entry = entries.get(subject)
            if entry is None:
                continue
            rank = (bool(asserted) and asserted[0] not in ("true", "1"), kind)
            if subject not in chosen or rank < chosen[subject]:
                chosen[subject] = rank
                entry.type = kind
        del chosen
        for subject, country in countries:
            entry = entries.get(subject)
            if entry is not None:
                entry.country = country
        return cls(entries)

    @classmethod
    def from_store(cls, select: Callable[[str], Rows]) -> "LabelIndex":
        """Ask the store (through ``select``: the guarded pool, rows of a CSV answer, header
        first) for labels, types and countries."""
        return cls.from_results(*(_rows(select, text) for text in (_LABELS, _TYPES, _COUNTRIES)))

    def suggest(self, text: str, limit: int = 10) -> list[Match]:
        """The best ``limit`` resources whose label (or a word of it) starts like ``text``:
        whole-label matches first, exact ones before longer ones, members before memberships."""
        wanted = folded(text)[:KEY_LENGTH]
        if not wanted:
            return []
        best: dict[int, tuple[tuple, str]] = {}
        # Enough candidates to rank, not every label starting with one letter of a 1M graph.
        budget = max(limit * 50, 200)
        for tier, keys in enumerate((self._whole, self._words)):
            for key, number, at in keys.scan(wanted, budget):
                entry = self.entries[self._order[number]]
                name = entry.names[at]
                shown = name in entry.labels.values()
                score = (tier, key != wanted, entry.kind_rank, not shown, len(name), name)
                if number not in best or score < best[number][0]:
                    best[number] = (score, name)
            if len(best) >= limit:
                break
        ranked = sorted(best.items(), key=lambda item: item[1][0])[:limit]
        return [Match(self.entries[self._order[number]], name) for number, (_, name) in ranked]

