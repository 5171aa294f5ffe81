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
