"""Queries run in a small pool of worker processes so that a deadline can really stop them.

rdflib has no timeout, and a thread cannot be stopped: a cartesian product or a catastrophic
REGEX (Python's ``re`` holds the GIL) would keep burning CPU and starve every other request.
A worker process can be killed. Workers are forked after the graph is loaded, so each shares
the parent's copy of the dataset copy-on-write; the parent sends a ``Job`` over a pipe and waits
with a deadline. On timeout the worker is killed (SIGKILL: CPU freed at once) and replaced; if a
worker dies by itself (stack overflow, segfault, out of memory) the request fails cleanly and
the pool respawns it. The worker serialises results into the negotiated format itself, so only
bytes cross the pipe. An answer larger than ``Job.stream_from`` bytes is streamed: the worker
sends its reply's head, then the bytes in chunks as the engine writes them, then an end marker
and the tail (rows, or the error that stopped it); the server hands the chunks to the client as
they come (``Reply.stream``), so neither process holds the whole answer.

Sharing lasts only while the parent leaves its pages alone: every page the parent frees or
rewrites after a fork becomes a private copy in each worker, and a worker keeps what its own
queries made its allocators reserve. A reload frees a whole generation after the new workers
exist, so once that memory is gone the server calls ``refork`` (every worker replaced by a fork
of the parent as it is now); and a worker whose own memory grew more than ``max_growth`` bytes
answers its query and is then replaced (as gunicorn's and Celery's per-child limits do).

"Own" is the growth of its resident set, not of its private memory: reading Oxigraph's
in-memory store writes to the pages it reads (each quad carries a lock for its versions), so a
worker that scans the store turns the parent's pages into private copies. Those copies replace
shared pages one for one (the resident set stays), are bounded by what the worker shares, and a
fresh fork would copy them again: counting them replaced a worker after every aggregate at 1M
triples, and the successor spent a second of CPU copying the same pages (19 times in one pass of
the benchmark's mix, half the throughput at concurrency 1).
"""

from __future__ import annotations

import copyreg
import gc
import io
import logging
import multiprocessing
import os
import pickle
import queue
import select
import signal
import stat
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Callable, Collection, Iterator, TypeVar

from rdflib import Literal

from .. import errors
from ..errors import QueryAborted, QueryError, QueryTimeout
from ..rdf import pickled_as_written
from ..settings import Settings
from ..stores.base import Answer, Deferred, PreparedQuery, QueryResult, Store
from . import compression, formats
from .prepare import deferred_answer, execute, prepare, unknown_graphs

log = logging.getLogger(__name__)

#: Worker recursion limit and stack: deep enough for ~1000 nested groups, then RecursionError
#: (400) instead of a stack overflow.
WORKER_RECURSION_LIMIT = 20_000
WORKER_STACK_BYTES = 512 * 1024 * 1024
#: Bytes per message of a streamed answer.
STREAM_CHUNK_BYTES = 256 * 1024
#: A worker's ``oom_score_adj`` (the most a process may ask for). When memory runs out, the
#: kernel then kills a query worker (one query fails, the pool forks a successor) and not the
#: server, which holds the store and is otherwise the largest process: at 10M triples each
#: worker copies the store's pages as it reads them (see the module), and the OOM killer took
#: the server, ending the service.
WORKER_OOM_SCORE_ADJ = 1000


@dataclass(frozen=True)
class Job:
    """One query to run. ``accept``/``format`` are negotiated in the worker (it knows the form)
    when the job is ``Executor.run``; ``Executor.result`` ignores them."""

    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None
    max_rows: int | None = None
    max_length: int = 100_000
    #: Answers larger than this many bytes are streamed (0: never; see the module).
    stream_from: int = 0


@dataclass
class Reply:
    """What a worker sends back: bytes in ``media_type`` (``run``) or the ``result`` itself."""

    form: str
    media_type: str | None = None
    body: bytes = b""
    truncated: bool = False
    result: QueryResult | None = None
    #: Graphs the request named that the store does not hold (answered as empty graphs).
    unknown_graphs: tuple[str, ...] = ()
    error: dict[str, Any] | None = field(default=None, repr=False)
    #: Rows (triples for graphs, 1 for ASK) in the answer; -1 where the format gives no cheap count.
    rows: int = -1
    #: Seconds the query held a worker (not the wait for one); set by the executor.
    seconds: float = 0.0
    #: The worker outgrew its memory bound with this query and stops after sending it.
    retire: bool = False
    #: The head of a streamed answer: its bytes follow in chunks (the worker sets this).
    streamed: bool = False
    #: Those bytes, read from the worker as they are taken (the server sets this; never pickled).
    stream: "Stream | None" = field(default=None, repr=False, compare=False)
    _gzipped: bytes | None = field(default=None, repr=False, compare=False)

    def gzipped(self) -> bytes:
        """The body gzip-compressed, once: a reply kept in the result cache keeps these bytes
        too, so a repeated large answer is not compressed again for every client."""
        if self._gzipped is None:
            self._gzipped = compression.gzipped_answer(self.body)
        return self._gzipped


def found_answer(store: Store, job: Job) -> tuple[PreparedQuery, str, Answer | Deferred, tuple[str, ...]]:
    """Prepare and negotiate ``job``: (the prepared query, the media type, its answer as bytes
    or ready to be written by the engine, the graphs named that the store does not hold)."""
    prepared = prepare(job.text, max_length=job.max_length)
    media_type = formats.negotiate_result(prepared.form, job.accept, job.format)
    found = deferred_answer(store, prepared, media_type, default_graphs=job.default_graphs,
                            named_graphs=job.named_graphs, max_rows=job.max_rows)
    unknown = unknown_graphs(prepared, store.graph_names(), default_graphs=job.default_graphs,
                             named_graphs=job.named_graphs)
    return prepared, media_type, found, unknown


def whole_reply(prepared: PreparedQuery, media_type: str, found: Answer | Deferred,
                unknown: tuple[str, ...]) -> Reply:
    """The reply holding the whole answer (written now if the engine has not yet)."""
    whole = found if isinstance(found, Answer) else found.written()
    return Reply(prepared.form, media_type, whole.body, whole.truncated, unknown_graphs=unknown, rows=whole.rows)


def answer(store: Store, job: Job, conn: Connection | None = None) -> Reply:
    """Prepare, negotiate, execute and serialise one job: the bytes a client gets. With ``conn``
    (in a worker) an answer over ``job.stream_from`` bytes is streamed down it, and the reply
    returned is the stream's tail."""
    prepared, media_type, found, unknown = found_answer(store, job)
    if isinstance(found, Answer) or conn is None or job.stream_from <= 0:
        return whole_reply(prepared, media_type, found, unknown)
    head = Reply(prepared.form, media_type, truncated=found.truncated, unknown_graphs=unknown, rows=found.rows,
                 streamed=True)
    spool = _Spool(conn, job.stream_from, head)
    try:
        found.write(spool)
    finally:
        body = spool.close()  # an error after the head then follows the end marker as the tail
    if body is None:  # streamed: what is left to say is the tail
        return Reply(prepared.form, media_type, truncated=found.truncated, rows=found.rows)
    return Reply(prepared.form, media_type, body, found.truncated, unknown_graphs=unknown, rows=found.rows_in(body))


class _Spool:
    """Where a worker writes an answer: in memory up to ``limit`` bytes; past that, the head is
    sent, then what it holds and all that follows, in chunks."""

    def __init__(self, conn: Connection, limit: int, head: Reply):
        self._conn, self._limit, self._head = conn, limit, head
        self._buffer = bytearray()
        self.streaming = False

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= (STREAM_CHUNK_BYTES if self.streaming else self._limit):
            if not self.streaming:
                send(self._conn, self._head)
                self.streaming = True
            # a chunk at a time, also from one large write (an answer the engine wrote whole)
            with memoryview(self._buffer) as view:
                for start in range(0, len(view), STREAM_CHUNK_BYTES):
                    self._conn.send_bytes(view[start:start + STREAM_CHUNK_BYTES])
            self._buffer = bytearray()
        return len(data)

    def flush(self) -> None:
        pass  # chunks go when they are full; the engine may call this

    def close(self) -> bytes | None:
        """The whole answer if it stayed small; None after the rest and the end marker are sent."""
        if not self.streaming:
            return bytes(self._buffer)
        if self._buffer:
            self._conn.send_bytes(self._buffer)
        self._conn.send_bytes(b"")
        return None


def evaluate(store: Store, job: Job, conn: Connection | None = None) -> Reply:
    """Prepare and execute one job, keeping the ``QueryResult`` (for the server's own pages)."""
    prepared = prepare(job.text, max_length=job.max_length)
    result = _execute(store, prepared, job)
    return Reply(prepared.form, result=result, truncated=result.truncated)


def _execute(store: Store, prepared, job: Job) -> QueryResult:
    return execute(store, prepared, default_graphs=job.default_graphs, named_graphs=job.named_graphs,
                   max_rows=job.max_rows)


#: What a worker can be asked to do with a job (given the pipe to the server, if any).
HANDLERS: dict[str, Callable[[Store, Job, Connection | None], Reply]] = {"answer": answer, "evaluate": evaluate}


def run_job(store: Store, job: Job, handler: str = "answer", conn: Connection | None = None) -> Reply:
    """One job through ``HANDLERS[handler]``; errors become a picklable dict."""
    return guarded(job, lambda: HANDLERS[handler](store, job, conn))


def guarded(job: Job, work: Callable[[], Reply]) -> Reply:
    """``work()``'s reply, or a reply carrying the error it raised (as a picklable dict): the
    engine's own failures, deep recursion and lack of memory included, never a traceback."""
    try:
        return work()
    except QueryError as exc:
        return Reply("", error=_error_dict(exc))
    except RecursionError:
        return Reply("", error=_error_dict(errors.QueryTooComplex(
            "the query nests too deeply for the engine (too many nested groups or UNIONs)")))
    except MemoryError:
        return Reply("", error=_error_dict(QueryAborted("the query needed more memory than is available")))
    except Exception as exc:  # the engine's own failures (e.g. "Invalid path in NegatedPath")
        log.error("query engine failed on %r:\n%s", job.text[:2000], traceback.format_exc())
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Reply("", error=_error_dict(errors.EngineError(
            f"the query engine could not evaluate this query ({type(exc).__name__}: {message})")))


class _WorkerLost(Exception):
    """A worker died under a job; ``error`` is what the client gets if the retry fails too."""

    def __init__(self, error: QueryError):
        super().__init__(str(error))
        self.error = error


_Error = TypeVar("_Error", bound=QueryError)


def _timed(exc: _Error, started: float) -> _Error:
    """``exc`` with the seconds the query held a worker (what fair use charges; not the wait)."""
    exc.seconds = time.monotonic() - started
    return exc


def overran(timeout: float, started: float, *, sending: bool = False) -> QueryTimeout:
    """The error of a query stopped at its deadline (``sending``: while its answer was being
    sent), with the seconds it ran: one wording wherever a query is stopped."""
    error = QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped"
                         + (" while its answer was being sent" if sending else ""))
    return _timed(error, started)


def _error_dict(exc: QueryError) -> dict[str, Any]:
    return {"type": type(exc).__name__, "message": exc.message, "line": exc.line, "column": exc.column,
            "offered": getattr(exc, "offered", None)}


def error_from(data: dict[str, Any]) -> QueryError:
    kind = getattr(errors, data["type"], None)
    if not (isinstance(kind, type) and issubclass(kind, QueryError)):
        kind = errors.EngineError
    if kind is errors.NotAcceptable:
        return kind(data["message"], offered=data.get("offered") or ())
    return kind(data["message"], line=data.get("line"), column=data.get("column"))


#: How ``send`` pickles: rdflib literals as written (``rdf.pickled_as_written``), the rest as usual.
_PICKLED = {**copyreg.dispatch_table, Literal: pickled_as_written}


def send(conn: Connection, message: Any) -> None:
    """``message`` down the pipe, its literals as written. ``Connection.send`` pickles through
    ``ForkingPickler`` (able to pass descriptors, which no message here holds) at a few
    microseconds more a message."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _PICKLED
    pickler.dump(message)
    conn.send_bytes(buffer.getbuffer())


def receive(conn: Connection) -> Any:
    """The next message ``send`` put down the pipe (``EOFError`` once the other end is gone)."""
    return pickle.loads(conn.recv_bytes())


def resident_bytes() -> int:
    """This process's resident set, read once (``resident_reader`` keeps the file open)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return _resident(statm.read())
    except OSError:
        return 0


def resident_reader() -> Callable[[], int]:
    """This process's resident set, from /proc/self/statm, kept open: the kernel keeps it as
    counters, so a read costs microseconds at any size (smaps_rollup walks every page), and
    opening the file per query cost a worker some 20 µs. Where it is missing (not Linux) it
    reads 0, so no worker is ever replaced there."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return lambda: 0

    def read() -> int:
        try:
            return _resident(os.pread(fd, 128, 0))
        except OSError:
            return 0

    return read


def _resident(statm: bytes) -> int:
    """The resident set in bytes from the text of /proc/self/statm (0 if it cannot be read)."""
    try:
        return int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, IndexError):
        return 0


def compact_memory() -> None:
    """Collect the cyclic garbage (frozen objects included), then freeze what is left: what a
    worker forked next shares with this process. (glibc's ``malloc_trim`` would hand free pages
    back too, but it took over a minute on a busy server's heap in the soak.)"""
    gc.unfreeze()
    gc.collect()
    # Objects that exist now (the loaded graph) leave the collector's reach, so a worker's
    # garbage collection never writes to their pages and the copy-on-write stays shared.
    gc.freeze()


def _worker_main(store: Any, conn: Connection, max_growth: int = 0) -> None:
    """Body of a worker process: answer jobs until the parent goes away."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    offer_to_oom_killer()
    close_inherited(keep={conn.fileno()})
    sys.setrecursionlimit(WORKER_RECURSION_LIMIT)
    threading.stack_size(WORKER_STACK_BYTES)
    loop = threading.Thread(target=_serve_jobs, args=(store, conn, max_growth), name="query-worker")
    loop.start()
    loop.join()
    os._exit(0)


def _serve_jobs(store: Any, conn: Connection, max_growth: int) -> None:
    resident = resident_reader()
    start = resident()  # the parent's pages, shared at the fork (see the module)
    while True:
        try:
            handler, job = receive(conn)
        except (EOFError, OSError):
            return
        try:
            reply = run_job(store, job, handler, conn)
        except (BrokenPipeError, OSError):
            return  # the server left in the middle of a streamed answer
        if max_growth:
            reply.retire = resident() - start > max_growth
        try:
            send(conn, reply)
        except (BrokenPipeError, OSError):
            return
        if reply.retire:
            return


def offer_to_oom_killer() -> None:
    """This process first, when the kernel must kill one for memory (``WORKER_OOM_SCORE_ADJ``);
    where /proc is missing (not Linux) nothing changes."""
    try:
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as adj:
            adj.write(str(WORKER_OOM_SCORE_ADJ))
    except OSError:
        pass


def close_inherited(keep: Collection[int]) -> None:
    """A process forked while the server runs inherits every open socket and file: client
    connections, the listening socket, other workers' pipes, and a reload's named pipe to the
    shapes engine. Holding them would keep connections and ports open, hide a sibling's death
    from the parent, and keep a reload's validation waiting for the end of its input until this
    process exits (the pipe's writing end stays open here). So close the sockets and named
    pipes, all but ``keep``; unnamed pipes are multiprocessing's own."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # not Linux: nothing to do safely
        return
    for fd in fds:
        if fd in keep or fd <= 2:
            continue
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISSOCK(mode) or (stat.S_ISFIFO(mode) and os.readlink(f"/proc/self/fd/{fd}").startswith("/")):
                os.close(fd)
        except OSError:
            pass


class _Worker:
    def __init__(self, context: Any, store: Any, max_growth: int, epoch: int):
        #: The ``refork`` round it was forked in: an older worker is replaced when it is free.
        self.epoch = epoch
        self.conn, child = context.Pipe(duplex=True)
        # registered once: ``Connection.poll`` builds a selector for every call
        self._poller = select.poll()
        self._poller.register(self.conn.fileno(), select.POLLIN)
        self.process = context.Process(target=_worker_main, args=(store, child, max_growth), daemon=True,
                                       name="alliance-kg-query-worker")
        self.process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def answered(self, timeout: float) -> bool:
        """True once the worker has written (or closed its end) within ``timeout`` seconds."""
        return bool(self._poller.poll(max(0.0, timeout) * 1000))

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class Stream:
    """The bytes of a streamed answer, read from its worker as the client takes them.

    The worker is the stream's until the end marker. The deadline still holds: a timer kills the
    worker when it passes, even while the client reads slowly. A stream closed before its end
    (the client left, a HEAD request) kills the worker too, which cannot be told to stop writing.
    Either way the client's response stops short, and the pool forks a successor.
    """

    def __init__(self, executor: "Executor", worker: _Worker, job: Job, timeout: float, deadline: float,
                 started: float):
        self._executor, self._worker, self._job, self._timeout = executor, worker, job, timeout
        self._started = started
        self._lock = threading.Lock()
        self._over = False
        self._expired = False
        #: Rows of the answer (-1 until the end, and where only the bytes would tell).
        self.rows = -1
        #: Seconds the answer held its worker, set at its end.
        self.seconds = 0.0
        #: True once every byte arrived and no error followed them.
        self.complete = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def __iter__(self) -> Iterator[bytes]:
        conn = self._worker.conn
        try:
            while chunk := conn.recv_bytes():
                yield chunk
            tail: Reply = receive(conn)
        except (EOFError, OSError):
            self._end(None)
            if self._expired:
                raise overran(self._timeout, self._started, sending=True) from None
            raise QueryAborted("the query worker stopped while its answer was being sent") from None
        self._end(tail)
        if tail.error is not None:
            raise _timed(error_from(tail.error), self._started)
        self.rows, self.complete = tail.rows, True

    def close(self) -> None:
        """The response is done with: a stream not read to its end costs its worker."""
        self._end(None)

    def _end(self, tail: Reply | None) -> None:
        with self._lock:
            if self._over:
                return
            self._over = True
        self._timer.cancel()
        self.seconds = time.monotonic() - self._started
        if tail is None:
            self._executor._retire(self._worker)
        else:
            self._executor._release(self._worker, tail)

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self._expired = True
        log.warning("query stopped after %.1f s while its answer was being sent (worker %s killed): %r",
                    time.monotonic() - self._started, self._worker.pid, self._job.text[:500])
        self._end(None)  # its successor at once; a reader sees the pipe close


class Executor:
    """A fixed number of worker processes with a deadline per job."""

    def __init__(self, store: Any, *, workers: int, timeout: float, max_growth: int = 0):
        self.store = store
        self.timeout = timeout
        self.max_growth = max(0, max_growth)
        self._context = multiprocessing.get_context("fork")
        compact_memory()
        self._lock = threading.Lock()
        self._epoch = 0
        self._closed = False
        #: Workers replaced after a timeout or a crash, and after outgrowing ``max_growth`` (metrics).
        self.restarts = 0
        self.recycled = 0
        self._all: set[_Worker] = set()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(max(1, workers)):
            self._idle.put(self._spawn())

    @classmethod
    def from_settings(cls, store: Any, settings: Settings) -> "Executor":
        return cls(store, workers=settings.query_workers, timeout=settings.query_timeout,
                   max_growth=settings.worker_max_growth_mb * 2**20)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self.store, self.max_growth, self._epoch)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker, reason: str = "lost") -> None:
        """Replace ``worker``: ``lost`` (a timeout, a crash, a stream left unread), ``grown`` (over ``max_growth``)
        or ``refork`` (a fresher fork of the parent). A worker that is merely replaced (not lost)
        is killed only after its successor is idle, so the pool never runs short meanwhile."""
        lost = reason == "lost"
        if lost:
            worker.kill()  # a lost worker's successor is forked without it
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
            if not closed:
                self.restarts += lost
                self.recycled += reason == "grown"
        if not closed:
            self._idle.put(self._spawn())
        if not lost:
            worker.kill()

    def refork(self) -> None:
        """Compact this process's memory, then replace every worker by a fork of it as it is now:
        the idle ones at once, the busy ones as soon as their query is answered (see the module)."""
        started = time.monotonic()
        compact_memory()
        compacted = time.monotonic() - started
        with self._lock:
            self._epoch += 1
            count = len(self._all)
        replaced = 0
        for _ in range(count):  # one at a time, the successor first: the pool stays at full size
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker.epoch == self._epoch:  # a successor already: the idle ones are done
                self._idle.put(worker)
                break
            self._retire(worker, "refork")
            replaced += 1
        took = time.monotonic() - started
        log.log(logging.WARNING if took > 1 else logging.INFO,
                "query workers forked afresh: %d idle at once, %d when free (%.2f s, compacting %.2f s)",
                replaced, count - replaced, took, compacted)

    @property
    def pids(self) -> list[int]:
        """Process ids of the current workers (for tests and /readyz)."""
        with self._lock:
            return [w.pid for w in self._all if w.pid is not None]

    def ready(self) -> bool:
        """True while the pool is open and has at least one live worker."""
        with self._lock:
            return not self._closed and any(w.alive() for w in self._all)

    def run(self, job: Job, timeout: float | None = None) -> Reply:
        """The serialised answer to ``job`` within ``timeout`` seconds; raises its ``QueryError``."""
        return self._submit("answer", job, timeout)

    def result(self, job: Job, timeout: float | None = None) -> QueryResult:
        """The ``QueryResult`` of ``job`` within ``timeout`` seconds; raises its ``QueryError``."""
        reply = self._submit("evaluate", job, timeout)
        assert reply.result is not None
        return reply.result

    def _submit(self, handler: str, job: Job, timeout: float | None) -> Reply:
        """Run ``job`` once more on a fresh worker if its worker was lost (killed from outside,
        out of memory), within the same deadline; a query that kills its worker twice fails."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        try:
            return self._attempt(handler, job, timeout, deadline)
        except _WorkerLost as lost:
            if time.monotonic() >= deadline:
                raise lost.error from None
            log.warning("query worker lost; running the query once more on a fresh worker")
        try:
            return self._attempt(handler, job, timeout, deadline)
        except _WorkerLost as lost:
            raise lost.error from None

    def _attempt(self, handler: str, job: Job, timeout: float, deadline: float) -> Reply:
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout(f"all query workers stayed busy for {timeout:g} s; try again later") from None
        if not worker.alive():
            self._retire(worker)
            raise _WorkerLost(QueryAborted("the query worker had stopped; it was restarted, please retry"))
        started = time.monotonic()
        try:
            send(worker.conn, (handler, job))
            if not worker.answered(deadline - time.monotonic()):
                log.warning("query stopped after %.1f s (worker %s killed): %r", time.monotonic() - started,
                            worker.pid, job.text[:500])
                self._retire(worker)
                raise overran(timeout, started)
            reply: Reply = receive(worker.conn)
            if reply.streamed:  # the worker is the stream's until its end
                reply.stream = Stream(self, worker, job, timeout, deadline, started)
                reply.seconds = time.monotonic() - started
                return reply
        except (EOFError, OSError) as exc:
            worker.process.join(timeout=1)
            code = worker.process.exitcode
            log.error("query worker %s died (exit code %s, %s) on %r", worker.pid, code, type(exc).__name__,
                      job.text[:2000])
            self._retire(worker)
            what = ("the query worker was killed while running this query (by the system, most often for lack "
                    "of memory); it was restarted") if code == -signal.SIGKILL else \
                "the query engine crashed on this query (logged); the worker was restarted"
            raise _WorkerLost(_timed(QueryAborted(what), started)) from None
        self._release(worker, reply)
        reply.seconds = time.monotonic() - started
        if reply.error is not None:
            raise _timed(error_from(reply.error), started)
        return reply

    def _release(self, worker: _Worker, reply: Reply) -> None:
        """``worker`` has sent all of ``reply``: back to the pool, or replaced."""
        if reply.retire:
            self._retire(worker, "grown")
        elif worker.epoch != self._epoch:
            self._retire(worker, "refork")
        else:
            self._idle.put(worker)

    def close(self) -> None:
        """Kill every worker; the executor answers no more jobs."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
