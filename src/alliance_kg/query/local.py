"""Queries evaluated in the thread that asks, each watched against its deadline.

Oxigraph evaluates with the interpreter lock released, so a request's own thread can run its
query while the other threads serve, with no hop to a worker process (``query.executor``'s
pool costs some 0.6 ms of CPU a query in pipes, pickles and wake-ups, more than Oxigraph takes
to answer most queries). A thread cannot be stopped, though: a query still running at its
deadline is handed to ``on_overrun``, whose job is to answer the client and to end the process
the query runs in (``web.serving`` does both: its serving processes are forks of a server that
replaces them), which is when the work really stops.

One thread per process (the ``Watch``) looks at the deadlines every ``WATCH_INTERVAL``
seconds; a query costs it an entry in a dictionary, no wake-up. The same thread looks at the
process's resident set: read after every query, it cost the serving processes some 5 % of their
throughput on unique texts (a system call that hands the interpreter lock to another thread and
waits to get it back).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from ..errors import QueryError, QueryTimeout
from ..stores.base import Answer, Deferred, QueryResult, Store
from .executor import (STREAM_CHUNK_BYTES, Job, Reply, error_from, found_answer, guarded, overran, resident_reader,
                       run_job, whole_reply)

log = logging.getLogger(__name__)

#: Seconds between two looks at the deadlines: how late a stop may come.
WATCH_INTERVAL = 0.05


@dataclass(frozen=True)
class Running:
    """A query being evaluated: by which thread, since when, until when."""

    thread: int
    text: str
    started: float
    deadline: float
    timeout: float

    def timed_out(self) -> QueryTimeout:
        return overran(self.timeout, self.started)


class Watch:
    """The deadlines of the queries running in this process, looked at by one thread that
    hands each query past its deadline, once, to ``on_overrun``, and calls ``on_look`` (if
    given) at every look."""

    def __init__(self, on_overrun: Callable[[Running, QueryError], None], interval: float = WATCH_INTERVAL,
                 on_look: Callable[[], None] | None = None):
        self._on_overrun, self._interval, self._on_look = on_overrun, interval, on_look
        self._running: dict[int, Running] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="alliance-kg-deadlines", daemon=True)
        self._thread.start()

    def enter(self, text: str, timeout: float) -> Running:
        now = time.monotonic()
        running = Running(threading.get_ident(), text, now, now + timeout, timeout)
        with self._lock:
            self._running[running.thread] = running
        return running

    def leave(self, running: Running) -> bool:
        """Forget ``running``; False if its deadline passed first (``on_overrun`` has it)."""
        with self._lock:
            return self._running.pop(running.thread, None) is running

    def running(self) -> list[Running]:
        with self._lock:
            return list(self._running.values())

    def expire_all(self, error: Callable[[Running], QueryError]) -> None:
        """Hand every query still running to ``on_overrun`` now, with ``error(running)`` (the
        process is going)."""
        with self._lock:
            expired, self._running = list(self._running.values()), {}
        for running in expired:
            self._overrun(running, error(running))

    def stop(self) -> None:
        self._stopped.set()

    def _loop(self) -> None:
        while not self._stopped.wait(self._interval):
            now = time.monotonic()
            with self._lock:
                expired = [r for r in self._running.values() if r.deadline <= now]
                for running in expired:
                    del self._running[running.thread]
            for running in expired:
                self._overrun(running, running.timed_out())
            if self._on_look is not None:
                try:
                    self._on_look()
                except Exception:  # as for an overrun: the deadlines come first
                    log.exception("a look at the process failed")

    def _overrun(self, running: Running, error: QueryError) -> None:
        try:
            self._on_overrun(running, error)
        except Exception:  # the watch must go on watching the others
            log.exception("answering a query past its deadline failed")


class LocalExecutor:
    """``query.executor.Executor``'s interface, evaluating in the calling thread.

    ``on_overrun(running, error)`` is called (from the watch's thread) for a query past its deadline;
    the caller of ``run`` then gets ``QueryTimeout`` if its query ever returns. ``on_grown()``
    is called once (from the watch's thread, within ``WATCH_INTERVAL``) when the process's
    resident set has grown more than ``max_growth`` bytes since it started (0: never): time to
    be replaced.
    """

    def __init__(self, store: Store, *, timeout: float, on_overrun: Callable[[Running, QueryError], None],
                 max_growth: int = 0, on_grown: Callable[[], None] | None = None):
        self.store, self.timeout = store, timeout
        self.max_growth, self._on_grown = max(0, max_growth), on_grown
        self._resident = resident_reader()
        self._start = self._resident()
        self._grown = False
        self.watch = Watch(on_overrun, on_look=self._check_growth if self.max_growth else None)
        self._closed = False
        #: As the pool counts them (metrics): none are replaced here; the process is.
        self.restarts = self.recycled = 0

    @property
    def pids(self) -> list[int]:
        return [os.getpid()]

    def ready(self) -> bool:
        return not self._closed

    def refork(self) -> None:
        """Nothing to fork: the process itself is replaced (``web.serving``)."""

    def close(self) -> None:
        self._closed = True
        self.watch.stop()

    def run(self, job: Job, timeout: float | None = None) -> Reply:
        """The serialised answer to ``job``. One that grows past ``job.stream_from`` bytes is
        evaluated again by a thread of its own, which writes it to the client as it goes
        (``Reply.stream``, a ``Streamed``): the first evaluation's bytes are dropped, so memory
        holds a few chunks of a large answer, never all of it. An answer the engine holds whole
        anyway (``Deferred.held``: cut at the row cap in memory) is sent as it is; one converted
        from what it holds (``Deferred.replayable``: CSV or XML from the capped TSV, Turtle from
        the capped N-Triples) is converted again by that thread, not evaluated again."""
        return self._watched(job, timeout, lambda deadline: self._answer(job, deadline))

    def result(self, job: Job, timeout: float | None = None) -> QueryResult:
        reply = self._watched(job, timeout, lambda deadline: run_job(self.store, job, "evaluate"))
        assert reply.result is not None
        return reply.result

    def _watched(self, job: Job, timeout: float | None, work: Callable[[float], Reply]) -> Reply:
        running = self.watch.enter(job.text, self.timeout if timeout is None else timeout)
        try:
            reply = work(running.deadline)
        finally:
            in_time = self.watch.leave(running)
        reply.seconds = time.monotonic() - running.started
        if not in_time:
            if reply.stream is not None:
                reply.stream.close()
            raise running.timed_out()
        if reply.error is not None:
            error = error_from(reply.error)
            error.seconds = reply.seconds
            raise error
        return reply

    def _check_growth(self) -> None:
        if not self._grown and self._resident() - self._start > self.max_growth:
            self._grown = True
            self.recycled += 1
            if self._on_grown is not None:
                self._on_grown()

    def _answer(self, job: Job, deadline: float) -> Reply:
        return guarded(job, lambda: self._answer_or_stream(job, deadline))

    def _answer_or_stream(self, job: Job, deadline: float) -> Reply:
        prepared, media_type, found, unknown = found_answer(self.store, job)
        if isinstance(found, Answer) or job.stream_from <= 0 or found.held is not None:
            return whole_reply(prepared, media_type, found, unknown)  # held already: evaluated once
        held = _Held(job.stream_from)
        try:
            found.write(held)  # type: ignore[arg-type]  # a binary file as far as writers go
        except Exception:
            if not held.over:
                raise
            return Reply(prepared.form, media_type, truncated=found.truncated, unknown_graphs=unknown,
                         rows=found.rows, streamed=True,
                         stream=self._stream(job, deadline, found if found.replayable else None))
        body = bytes(held.memory)
        return Reply(prepared.form, media_type, body, found.truncated, unknown_graphs=unknown, rows=found.rows_in(body))

    def _stream(self, job: Job, deadline: float, replayable: Deferred | None = None) -> "Streamed":
        """The answer to ``job`` written by a thread of its own into a ``Streamed``, by the same
        deadline: evaluated again, or written again from what the engine holds (``replayable``).
        The watch gives that thread ``STREAM_MARGIN`` seconds more: one waiting for a slow client
        stops by itself at the deadline, so only one that the engine holds past it is an overrun."""
        stream = Streamed(job.text, deadline, self.timeout)

        def produce() -> None:
            running = self.watch.enter(job.text, max(0.0, deadline - time.monotonic()) + STREAM_MARGIN)
            try:
                found = replayable or found_answer(self.store, job)[2]
                assert not isinstance(found, Answer)
                found.write(stream)  # type: ignore[arg-type]
                stream.finish(found.rows)
            except BaseException as exc:
                stream.fail(exc)
            finally:
                self.watch.leave(running)

        threading.Thread(target=produce, name="alliance-kg-stream", daemon=True).start()
        return stream


#: Seconds past its deadline that the thread writing a streamed answer is given before it counts
#: as an overrun (see ``LocalExecutor._stream``).
STREAM_MARGIN = 1.0
#: Chunks a streamed answer holds in memory between its writer and its reader.
STREAM_QUEUE = 4


class _Held:
    """Where the engine first writes an answer: in memory, until it grows past ``limit`` bytes
    (then writing fails, and the answer is streamed instead)."""

    def __init__(self, limit: int):
        self._limit = limit
        self.memory = bytearray()
        self.over = False

    def write(self, data: bytes) -> int:
        self.memory += data
        if len(self.memory) > self._limit:
            self.over = True
            raise _Outgrown()
        return len(data)

    def flush(self) -> None:
        pass


class _Outgrown(Exception):
    """An answer held in memory grew past its limit."""


class _Stopped(Exception):
    """The reader of a streamed answer is gone, or its deadline passed."""


_END = object()


class Streamed:
    """A streamed answer: written in chunks by its writer thread, read by the response. The
    ``query.executor.Stream`` interface: iterate for the bytes, ``close`` when done with;
    ``rows``, ``seconds`` and ``complete`` once it has ended.

    The deadline holds while the bytes flow: past it, the reader stops with ``QueryTimeout``
    (the client's transfer breaks off, visibly) and the writer stops at its next chunk."""

    def __init__(self, text: str, deadline: float, timeout: float):
        self._text, self._deadline, self._timeout = text, deadline, timeout
        self._started = time.monotonic()
        self._chunks: queue.Queue = queue.Queue(STREAM_QUEUE)
        self._buffer = bytearray()
        self._gone = threading.Event()
        self.rows = -1
        self.seconds = 0.0
        self.complete = False

    # -- the writer's side
    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) >= STREAM_CHUNK_BYTES:
            self._put(bytes(self._buffer[:STREAM_CHUNK_BYTES]))
            del self._buffer[:STREAM_CHUNK_BYTES]
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self, rows: int) -> None:
        if self._buffer:
            self._put(bytes(self._buffer))
        self.rows = rows
        self._put(_END)

    def fail(self, error: BaseException) -> None:
        if not isinstance(error, _Stopped):
            try:
                self._put(error)
            except _Stopped:
                pass

    def _put(self, item: object) -> None:
        while True:
            if self._gone.is_set() or time.monotonic() >= self._deadline:
                raise _Stopped()
            try:
                self._chunks.put(item, timeout=min(0.1, max(0.0, self._deadline - time.monotonic())))
                return
            except queue.Full:
                continue

    # -- the reader's side
    def __iter__(self) -> Iterator[bytes]:
        try:
            while True:
                try:
                    item = self._chunks.get(timeout=max(0.0, self._deadline - time.monotonic()))
                except queue.Empty:
                    log.warning("query stopped after %.1f s while its answer was being sent: %r",
                                time.monotonic() - self._started, self._text[:500])
                    raise overran(self._timeout, self._started, sending=True) from None
                if item is _END:
                    self.complete = True
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Done with (read to its end, or not): the writer stops at its next chunk."""
        if not self._gone.is_set():
            self.seconds = time.monotonic() - self._started
            self._gone.set()
