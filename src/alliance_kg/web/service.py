"""The read-only state one app serves: settings, the store, the query pool, example queries.

Built once by ``create_app`` and kept in ``app.extensions``; views reach it through
``current()``. Nothing here changes after start except caches of derived bytes (dumps, VoID).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flask import current_app

from ..cache import LRUCache, result_key
from ..executor import Executor, Job, Reply
from ..settings import Settings
from ..stores.base import Store

EXTENSION = "alliance_kg"


@dataclass
class Service:
    """Everything a request needs, shared by all threads (read-only)."""

    settings: Settings
    store: Store
    executor: Executor
    examples: list[dict[str, str]] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Query results by (data version, query, dataset, Accept, format); see ``cache``. Sized
    #: from the settings unless given (a reload passes the running one on: keys carry the version).
    results: LRUCache[Reply] | None = None

    def __post_init__(self) -> None:
        if self.results is None:
            self.results = LRUCache(self.settings.cache_entries)

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()`` once per key (dumps, VoID); the data never changes while we serve it."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def run(self, text: str, **job: Any) -> Reply:
        """Run a query through the pool with the configured caps."""
        job.setdefault("max_rows", self.settings.max_rows)
        return self.executor.run(Job(text, max_length=self.settings.max_query_length, **job))

    def run_cached(self, text: str, **job: Any) -> tuple[Reply, bool]:
        """``run`` through the result cache; returns the reply and whether it was a hit."""
        key = result_key(self.store.version, text, job.get("default_graphs", ()), job.get("named_graphs", ()),
                         job.get("accept"), job.get("format"))
        reply = self.results.get(key)
        if reply is not None:
            return reply, True
        reply = self.run(text, **job)
        self.results.put(key, reply, len(reply.body) + len(text) + 200)
        return reply, False


def current() -> Service:
    return current_app.extensions[EXTENSION]


_HEADER = re.compile(r"^#\s*(title|description)\s*:\s*(.*?)\s*$", re.IGNORECASE)


def load_examples(folder: Path) -> list[dict[str, str]]:
    """Example queries from ``*.rq`` files whose first comment lines give ``# title:`` and
    ``# description:``; sorted by file name, so a numeric prefix orders them."""
    examples = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        meta = {"title": path.stem.replace("-", " "), "description": ""}
        for line in text.splitlines():
            match = _HEADER.match(line)
            if match:
                meta[match.group(1).lower()] = match.group(2)
            elif line.strip() and not line.startswith("#"):
                break
        examples.append({"name": path.stem, "title": meta["title"], "description": meta["description"],
                         "query": text})
    return examples
