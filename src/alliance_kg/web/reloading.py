"""Live data without downtime: build the next store beside the one being served, then swap.

``Reloader`` holds the current *generation* — a store and whatever serves it (the query pool) —
and replaces it as one reference assignment, so a request that picked up a generation finishes
on it. A reload parses, infers and validates (or reopens an Oxigraph folder, or re-reads a
remote store) with the old generation still serving; if that fails, nothing changes: the last
good graph stays, the failure is logged and kept for the status route. The old generation is
stopped after a grace period long enough for its in-flight queries (their deadline plus a margin).

Triggers: ``reload()`` (POST /admin/reload, SIGHUP) and ``watch()``, a polling thread that calls
it when the files (or an Oxigraph store's description) change. Polling needs no extra package
and notices a ``git pull`` within its interval.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generic, Iterable, TypeVar

from ..rdf import utc_timestamp

log = logging.getLogger(__name__)

S = TypeVar("S")


@dataclass(frozen=True)
class Generation(Generic[S]):
    """One served state: the store and the thing serving it (e.g. the query pool)."""

    store: Any
    server: S
    loaded_at: str


@dataclass
class Outcome:
    """The last reload: when, whether it worked, and what it says."""

    ok: bool
    at: str
    message: str
    version: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "at": self.at, "message": self.message, "version": self.version,
                "seconds": round(self.seconds, 3)}


@dataclass
class Reloader(Generic[S]):
    """The served generation and how to make the next one.

    ``build()`` returns a new store or raises (bad data); ``start(store)`` returns what serves it;
    ``stop(server)`` releases that, called ``grace`` seconds after it stopped being current.
    ``settle(server)`` is called with the current server once a reload's leftovers are gone (the
    old generation stopped, or a failed build's data dropped): the moment to compact memory.
    Listeners (``listen``) hear ``"reload"`` after each swap and ``"settle"`` after each settle.
    """

    build: Callable[[], Any]
    start: Callable[[Any], S]
    stop: Callable[[S], None]
    grace: float = 35.0
    settle: Callable[[S], None] | None = None
    current: Generation[S] | None = None
    last: Outcome | None = None
    #: Reloads so far by outcome: reloaded, unchanged, failed (for the metrics).
    outcomes: Counter = field(default_factory=Counter, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _watcher: threading.Thread | None = field(default=None, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    _listeners: list[Callable[[str], None]] = field(default_factory=list, repr=False)

    @classmethod
    def started(cls, store: Any, **kwargs: Any) -> "Reloader[S]":
        reloader = cls(**kwargs)
        reloader.current = Generation(store, reloader.start(store), utc_timestamp())
        return reloader

    def reload(self) -> Outcome:
        """Build the next generation beside the current one and swap; keep the old on failure.
        One reload at a time; a second caller waits and then reloads again (its data may be newer)."""
        with self._lock:
            started = time.monotonic()
            old = self.current
            try:
                store = self.build()
            except Exception as exc:  # bad data, unreadable files, store unreachable: keep serving
                message = f"{type(exc).__name__}: {exc}"
                log.error("reload failed, still serving version %s: %s",
                          getattr(old.store, "version", None) if old else None, message)
                self.outcomes["failed"] += 1
                self.last = Outcome(False, utc_timestamp(), message, getattr(old.store, "version", None) if old else None,
                                    time.monotonic() - started)
                store = None
            if store is not None and old is not None and \
                    getattr(store, "version", None) == getattr(old.store, "version", object()):
                self.outcomes["unchanged"] += 1
                self.last = Outcome(True, utc_timestamp(), "unchanged", store.version, time.monotonic() - started)
                store = None  # the build's objects go now: a failed or unchanged reload leaves garbage only
            if store is not None:
                server = self.start(store)
                self.current = Generation(store, server, utc_timestamp())  # the swap: one assignment
                self.outcomes["reloaded"] += 1
                self.last = Outcome(True, utc_timestamp(), "reloaded", getattr(store, "version", None),
                                    time.monotonic() - started)
                log.info("reloaded: now serving version %s (%.2f s)", self.last.version, self.last.seconds)
            outcome = self.last
        if store is None:
            self._settle_soon()
        else:
            self._tell("reload")
            if old is not None:
                self._retire(old)
        return outcome

    def listen(self, listener: Callable[[str], None]) -> None:
        """Have ``listener(event)`` called after each swap (``"reload"``) and settle (``"settle"``)."""
        self._listeners.append(listener)

    def _tell(self, event: str) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # serving goes on; the listener's failure is logged
                log.exception("a reload listener failed on %s", event)

    def _retire(self, old: Generation[S]) -> None:
        timer = threading.Timer(self.grace, self._stop_quietly, args=(old.server,))
        timer.daemon = True
        timer.start()

    def _stop_quietly(self, server: S) -> None:
        try:
            self.stop(server)
        except Exception:  # a failing cleanup of an old generation must not take the server down
            log.exception("stopping an old generation failed")
        del server
        if not self._stopping.is_set():
            self._settle()

    def _settle_soon(self) -> None:
        """``_settle`` in the background: the reload's caller (a request) does not wait for it."""
        threading.Thread(target=self._settle, name="alliance-kg-settle", daemon=True).start()

    def _settle(self) -> None:
        current = self.current
        if self.settle is None or current is None:
            return
        try:
            self.settle(current.server)
        except Exception:  # compacting memory is an optimisation; serving goes on without it
            log.exception("settling after a reload failed")
        self._tell("settle")

    def status(self) -> dict[str, Any]:
        current = self.current
        store = current.store if current else None
        return {
            "version": getattr(store, "version", None),
            "loaded_at": current.loaded_at if current else None,
            "triples": store.triple_count() if store is not None else None,
            "last_reload": self.last.as_dict() if self.last else None,
        }

    def watch(self, paths: Iterable[Path], interval: float = 2.0) -> None:
        """Reload whenever a file below ``paths`` changes (polled every ``interval`` seconds)."""
        roots = [Path(p) for p in paths]
        if self._watcher is not None:
            return

        def loop() -> None:
            seen = fingerprint(roots)
            while not self._stopping.wait(interval):
                now = fingerprint(roots)
                if now != seen:
                    seen = now
                    log.info("data changed on disk: reloading")
                    self.reload()

        self._watcher = threading.Thread(target=loop, name="alliance-kg-watch", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        self._stopping.set()
        if self.current is not None:
            self._stop_quietly(self.current.server)


def fingerprint(roots: Iterable[Path]) -> tuple:
    """(path, size, mtime) of every file below ``roots``: changes when any file does."""
    found = []
    for root in roots:
        if root.is_file():
            candidates: Iterable[Path] = [root]
        elif root.is_dir():
            candidates = (p for p in root.rglob("*") if p.is_file())
        else:
            continue
        for path in candidates:
            try:
                info = path.stat()
            except OSError:
                continue
            found.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


def token_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a bearer token; an empty expected token never matches."""
    return bool(expected) and given is not None and hmac.compare_digest(given.encode(), expected.encode())

