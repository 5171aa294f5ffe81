"""A bounded cache of query results: repeated identical queries on unchanged data are answered
from memory, without a worker.

The key holds everything a response depends on — the data version, the query text, the dataset
parameters, the Accept header and the format parameter value that counts (of ``format=``,
``output=`` and ``results=``: ``formats.format_asked``) — so a reload (new version) makes
every old entry unreachable at once; they age out of the LRU. Bounded twice: by entries
(``Settings.cache_entries``; 0 turns the cache off) and by bytes; a single result larger than an
eighth of the byte budget is never kept (it would evict everything else for one query).
Errors are never cached, nor the answer to a query whose value changes from one evaluation to
the next (``volatile``). Thread-safe (one lock; the work under it is a dict operation).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, Hashable, TypeVar

#: The built-in functions whose value changes from one evaluation to the next (SPARQL 1.1,
#: 17.4.5: NOW is the time of this query's execution; RAND, UUID, STRUUID new each call), lower
#: case (STRUUID ends in "uuid").
VOLATILE_FUNCTIONS = ("now", "rand", "uuid")
#: What makes a name a call: an opening parenthesis after white space and comments, if any.
_CALL = re.compile(r"(?:\s|#[^\r\n]*)*\(")


def volatile(text: str) -> bool:
    """Whether the answer to ``text`` may differ on unchanged data: it calls one of
    ``VOLATILE_FUNCTIONS``. Neither the result cache nor an HTTP cache may keep such an answer.
    A name inside another ("knownNow(" of a prefixed function) or in a string, an IRI or a
    comment counts too: that answer then goes unkept, which costs a recomputation, never a stale
    answer. Found by ``str.find`` (C) and a match at each hit: one regular expression searched
    over the text cost a unique text of the benchmark's mix 13 µs, more than the guard."""
    lowered = text.lower()
    for name in VOLATILE_FUNCTIONS:
        at = lowered.find(name)
        while at >= 0:
            if _CALL.match(lowered, at + len(name)):
                return True
            at = lowered.find(name, at + 1)
    return False


#: Default byte budget of the result cache.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

V = TypeVar("V")


@dataclass(frozen=True)
class Stats:
    entries: int
    bytes: int
    hits: int
    misses: int


class LRUCache(Generic[V]):
    """Least-recently-used entries go first, when either bound is reached."""

    def __init__(self, max_entries: int, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_entries = max(0, max_entries)
        self.max_bytes = max(0, max_bytes)
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def get(self, key: Hashable) -> V | None:
        if not self.enabled:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self._misses += 1
                return None
            self._items.move_to_end(key)
            self._hits += 1
            return item[0]

    def put(self, key: Hashable, value: V, size: int) -> bool:
        """Keep ``value`` (``size`` bytes); False if it is too large to be worth keeping."""
        if not self.enabled or size > self.max_bytes // 8:
            return False
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._items and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
        return True

    def stats(self) -> Stats:
        with self._lock:
            return Stats(len(self._items), self._bytes, self._hits, self._misses)


def result_key(version: str, text: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...],
               accept: str | None, format_param: str | None) -> tuple:
    """Everything a query response depends on (the version first: a reload changes every key)."""
    return (version, text, default_graphs, named_graphs, accept or "", format_param or "")
