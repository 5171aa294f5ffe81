"""Serving processes: HTTP and query evaluation in one process each, forked from the server.

With an Oxigraph store (``memory``, ``oxigraph:PATH``) and granian, ``alliance-kg serve`` runs
as one server process and ``--processes`` serving processes forked from it. The server loads
and validates the data, keeps the store (its pages shared copy-on-write with every fork), the
reloader, the search index and the fair-use ledger, and serves nothing itself. Each serving
process runs granian on a copy of the server's listening socket (the kernel hands each new
connection to one of them) and answers its requests in its own threads, queries included
(``query.local``): Oxigraph evaluates with the interpreter lock released, so there is no hop
to a worker process, and two processes use both cores for the Python around the queries.

A thread cannot be stopped, so a query still running at its deadline is answered from another
thread of its process (503, through granian's handle of the request), and the process asks the
server for its successor, stops accepting, lets its other requests finish for at most
``OVERRUN_GRACE`` seconds (answering the queries still running then 503, to be retried, and
the other requests, a reload waiting for the server say, after one more grace), and exits:
that is when the query's work stops. A process whose memory grew past
``--worker-max-growth-mb`` is replaced the same way after its query, without the hurry. A
serving process that dies (the OOM killer takes them first) is replaced, its requests lost.

What a serving process asks of the server goes over a ``multiprocessing`` manager on a Unix
socket (``Control``): the status and reloads (``/status``, ``POST /admin/reload``; a reload or
a settle forks fresh serving processes and retires the old ones, which finish their requests
on the data they began on), the fair-use ledger and the replacement counts. Counters
(``/metrics``) are kept by each process in files of a shared folder and summed when scraped
(``prometheus-client``'s multiprocess mode). A retired process closes its idle keep-alive
connections: a client's next request there is refused and is to be sent again, as HTTP/1.1
clients do for a connection the server closed.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import select
import signal
import socket
import sys
import threading
import time
from collections import Counter
from multiprocessing.managers import BaseManager
from typing import Any, Callable

from flask import Flask

from ..errors import Interrupted, QueryError
from ..query.executor import WORKER_STACK_BYTES, close_inherited, offer_to_oom_killer
from ..query.local import LocalExecutor, Running
from ..scratch import remove_with, scratch_folder
from ..settings import Settings
from . import metrics as metrics_module
from . import requestlog
from .accesslog import AccessLog, log_access
from .admin import RELOADER, reloader_of
from .errors import response_for
from .fairuse import CLIENT, MAX_CLIENTS, Budgets, Client
from .headers import shared_headers
from .httpservers import GranianServer, bind
from .reloading import Outcome
from .state import EXTENSION, AppState

log = logging.getLogger(__name__)

#: Seconds a process whose query overran lets its other requests run before it exits.
OVERRUN_GRACE = 2.0
#: Seconds a retiring process serves the connections it has before it stops (``GranianServer.unplug``).
UNPLUG_SETTLE = 0.5
#: Seconds the search index may take to be built before the first serving processes are forked.
LABELS_BEFORE_SERVING = 3.0
#: Seconds between two starts of serving processes that die at once (a crash loop).
RESPAWN_PAUSE = 1.0
#: Seconds between a serving process's batches of fair-use charges to the server, and how old a
#: client's standing may be before the server is asked again (``RemoteBudgets``).
BUDGET_FLUSH, BUDGET_STALE = 0.1, 0.25
#: Seconds between a serving process's looks at whether its server is still there.
PARENT_CHECK = 1.0
#: What a serving process writes to the server to ask for its successor, by reason.
REASONS = {b"t": "timeout", b"g": "grown"}


# -- the server's side ----------------------------------------------------------------------------

class Control:
    """What serving processes ask of the server, served to them by a manager."""

    def __init__(self, app: Flask, supervisor: "Supervisor"):
        self._app, self._supervisor = app, supervisor

    def status(self) -> dict[str, Any]:
        return reloader_of(self._app).status() | {"serving_processes": self._supervisor.pids}

    def reload(self) -> dict[str, Any]:
        return reloader_of(self._app).reload().as_dict()

    def outcomes(self) -> dict[str, int]:
        return dict(reloader_of(self._app).outcomes)

    def replacements(self) -> dict[str, int]:
        return dict(self._supervisor.replaced)

    def budget_standing(self, key: str, budget: float, charges: list[tuple[str, float, float, float]]) -> \
            tuple[float, float | None]:
        """``charges`` (a serving process's since it last asked) booked, then ``key``'s standing."""
        self.budget_charges(charges)
        return self._budgets().standing(Client(key, budget))

    def budget_charges(self, charges: list[tuple[str, float, float, float]]) -> None:
        """(key, budget, seconds, when) charges, booked at the time they were made."""
        budgets = self._budgets()
        for key, budget, seconds, at in charges:
            budgets.charge(Client(key, budget), seconds, now=at)

    def _budgets(self) -> Budgets:
        budgets = self._app.extensions[EXTENSION].budgets
        assert budgets is not None
        return budgets


def _manager_class() -> type[BaseManager]:
    """A manager class of its own (``register`` writes to the class)."""
    return type("ControlManager", (BaseManager,), {})


class ControlServer:
    """``Control`` on a Unix socket of Linux's abstract namespace (no file to leave behind),
    with a random key every connection must prove it holds."""

    def __init__(self, control: Control):
        self.address = f"\0alliance-kg-control-{os.getpid()}-{secrets.token_hex(8)}"
        self.authkey = secrets.token_bytes(32)
        manager = _manager_class()
        manager.register("control", callable=lambda: control)
        self._server = manager(address=self.address, authkey=self.authkey).get_server()
        threading.Thread(target=self._server.serve_forever, name="alliance-kg-control", daemon=True).start()

    def connect(self) -> Any:
        """A proxy of the ``Control`` (in a serving process, after the fork)."""
        manager = _manager_class()
        manager.register("control")
        client = manager(address=self.address, authkey=self.authkey)
        client.connect()
        return client.control()  # type: ignore[attr-defined]


@dataclasses.dataclass
class _Child:
    pid: int
    #: The end the server reads the child's requests for a successor from.
    messages: int
    started: float
    retiring: bool = False


class Supervisor:
    """Forks ``settings.processes`` serving processes and keeps them at that number."""

    def __init__(self, app: Flask, settings: Settings, sock: socket.socket):
        self._app, self._settings, self._sock = app, settings, sock
        self.control = ControlServer(Control(app, self))
        self._metrics = scratch_folder("metrics")
        remove_with(self, self._metrics)
        self._children: dict[int, _Child] = {}
        self._lock = threading.RLock()
        self._wake_read, self._wake = os.pipe()
        self._stopping = threading.Event()
        self._last_start = 0.0
        #: Serving processes replaced, by reason: timeout, grown, died, reload (metrics).
        self.replaced: Counter = Counter()

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [c.pid for c in self._children.values() if not c.retiring]

    def start(self) -> None:
        for _ in range(self._settings.serving_processes):
            self._spawn()

    def replace_all(self, reason: str) -> None:
        """Fresh serving processes, forked now (they serve the current state), in place of the
        current ones, which stop accepting and finish their requests."""
        if self._stopping.is_set():
            return
        with self._lock:
            old = [c for c in self._children.values() if not c.retiring]
            for _ in range(self._settings.serving_processes):
                self._spawn()
            for child in old:
                child.retiring = True
                self.replaced[reason] += 1
                _signal(child.pid, signal.SIGTERM)
        log.info("serving processes forked afresh (%s): %s", reason, " ".join(map(str, self.pids)))

    def run(self) -> None:
        """Keep the processes at their number until ``stop``; then stop them, waiting for their
        requests for at most the query timeout plus a margin."""
        while not self._stopping.is_set():
            with self._lock:
                readable = [c.messages for c in self._children.values() if not c.retiring]
            try:
                ready, _, _ = select.select([self._wake_read, *readable], [], [], 0.5)
            except (InterruptedError, ValueError, OSError):
                ready = []
            for fd in ready:
                if fd == self._wake_read:
                    os.read(self._wake_read, 512)
                else:
                    self._read_request(fd)
            self._reap()
        self._stop_children()

    def stop(self) -> None:
        """Stop (from a signal handler): ``run`` returns once the processes are gone."""
        self._stopping.set()
        try:
            os.write(self._wake, b"x")
        except OSError:
            pass

    def close(self) -> None:
        for fd in (self._wake_read, self._wake):
            try:
                os.close(fd)
            except OSError:
                pass

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():  # a reload's or settle's thread late: stopping wins
                return
            read, write = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            # the child would inherit this process's SIGTERM handler, and a SIGTERM before it has
            # its own would stop nothing: held back over the fork, it then finds the default
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            pid = os.fork()
            if pid == 0:  # the serving process: never returns
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                os.close(read)
                _child_main(self._app, self._settings, self._sock, write, self.control,
                            keep_closed=[c.messages for c in self._children.values()] + [self._wake_read, self._wake],
                            metrics_folder=str(self._metrics))
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(write)
            self._children[pid] = _Child(pid, read, time.monotonic())
            self._last_start = time.monotonic()

    def _read_request(self, fd: int) -> None:
        try:
            said = os.read(fd, 16)
        except OSError:
            said = b""
        with self._lock:
            child = next((c for c in self._children.values() if c.messages == fd), None)
            if child is None or child.retiring or not said:
                return
            child.retiring = True
            reason = REASONS.get(said[:1], "asked")
            self.replaced[reason] += 1
            log.info("serving process %d replaced (%s)", child.pid, reason)
            self._spawn()

    def _reap(self) -> None:
        """Collect the serving processes that have exited (only ours: the pool's workers are
        multiprocessing's to collect); one that was not retiring is replaced."""
        for pid, status in self._exited():
            if self._stopping.is_set():
                continue
            self.replaced["died"] += 1
            log.error("serving process %d died (%s); starting another", pid, _exit_text(status))
            pause = self._last_start + RESPAWN_PAUSE - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self._spawn()

    def _exited(self) -> list[tuple[int, int]]:
        """(pid, wait status) of the active processes that have exited; retiring ones that have
        are forgotten."""
        died = []
        with self._lock:
            for pid, child in list(self._children.items()):
                try:
                    done, status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done, status = pid, 0
                if not done:
                    continue
                del self._children[pid]
                os.close(child.messages)
                if not child.retiring:
                    died.append((pid, status))
        return died

    def _stop_children(self) -> None:
        with self._lock:
            for child in self._children.values():
                child.retiring = True
                _signal(child.pid, signal.SIGTERM)
        wait = self._settings.query_timeout + 5
        deadline = time.monotonic() + wait
        while self._children and time.monotonic() < deadline:
            time.sleep(0.05)
            self._exited()
        if self._children:
            log.warning("serving processes still running %.0f s after the stop; killing them", wait)
            for pid in list(self._children):
                _signal(pid, signal.SIGKILL)
            while self._children:
                time.sleep(0.01)
                self._exited()


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _exit_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


# -- a serving process's side ---------------------------------------------------------------------

class Requests:
    """Which thread answers which request (granian's handle and the environ), so that another
    thread can answer for it."""

    def __init__(self) -> None:
        self._by_thread: dict[int, tuple[Any, dict[str, Any]]] = {}

    def begin(self, proto: Any, environ: dict[str, Any]) -> None:
        self._by_thread[threading.get_ident()] = (proto, environ)

    def end(self) -> None:
        self._by_thread.pop(threading.get_ident(), None)

    def take(self, thread: int) -> tuple[Any, dict[str, Any]] | None:
        return self._by_thread.pop(thread, None)

    def pending(self) -> bool:
        return bool(self._by_thread)

    def take_all(self) -> list[tuple[Any, dict[str, Any]]]:
        taken = []
        while True:
            try:
                taken.append(self._by_thread.popitem()[1])
            except KeyError:
                return taken


class RemoteReloader:
    """The server's reloader as a serving process sees it: through ``Control``."""

    def __init__(self, control: Any, forked: Any):
        self._control = control
        #: The generation this process was forked with (its load time, for the metrics).
        self.current = forked.current

    def status(self) -> dict[str, Any]:
        return self._control.status()

    def reload(self) -> Outcome:
        return Outcome(**self._control.reload())

    @property
    def outcomes(self) -> Counter:
        return Counter(self._control.outcomes())


@dataclasses.dataclass
class RemoteBudgets(Budgets):
    """The fair-use ledger kept by the server, so that every serving process charges the same
    client alike (and a replaced process's charges are not forgotten). A round trip to the
    server for every check and charge cost the server a core at 400 queries a second, so charges
    are sent in batches, every ``BUDGET_FLUSH`` seconds, and a client's standing is asked again
    once it is ``BUDGET_STALE`` seconds old (meanwhile this process adds its own charges to it): a
    client may overspend by what it spends in that time."""

    control: Any = None
    _known: dict[str, tuple[float, float, float | None]] = dataclasses.field(default_factory=dict, repr=False)
    _pending: list[tuple[str, float, float, float]] = dataclasses.field(default_factory=list, repr=False)
    _flusher: threading.Thread | None = dataclasses.field(default=None, repr=False)

    def check(self, client: Client, now: float | None = None) -> None:
        if not client.budget > 0:
            return
        now = time.monotonic() if now is None else now
        known = self._known.get(client.key)
        if known is None or now - known[0] > BUDGET_STALE or (known[2] is None and known[1] >= client.budget):
            known = self._ask(client, now)
        asked, total, retry = known
        if retry is not None:
            raise self.over(client, total, retry - (now - asked))

    def charge(self, client: Client, seconds: float, now: float | None = None) -> None:
        if not client.budget > 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            self._pending.append((client.key, client.budget, seconds, now))
            known = self._known.get(client.key)
            if known is not None:  # this process's own spending, until the server is asked again
                self._known[client.key] = (known[0], known[1] + seconds, known[2])
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._flush_every, name="alliance-kg-budgets", daemon=True)
                self._flusher.start()

    def flush(self) -> None:
        """Send the charges not sent yet (a process about to stop)."""
        with self._lock:
            charges, self._pending = self._pending, []
        if charges:
            self.control.budget_charges(charges)

    def _ask(self, client: Client, now: float) -> tuple[float, float, float | None]:
        with self._lock:
            charges, self._pending = self._pending, []
        total, retry = self.control.budget_standing(client.key, client.budget, charges)
        with self._lock:
            if len(self._known) > MAX_CLIENTS:
                self._known.clear()
            self._known[client.key] = known = (now, total, retry)
        return known

    def _flush_every(self) -> None:
        while True:
            time.sleep(BUDGET_FLUSH)
            try:
                self.flush()
            except Exception:  # the server gone or going: its ledger goes with it
                log.debug("budget charges not sent", exc_info=True)


def _child_main(app: Flask, settings: Settings, sock: socket.socket, messages: int, control: ControlServer, *,
                keep_closed: list[int], metrics_folder: str) -> None:
    """The body of a serving process (see the module); exits, never returns."""
    code = 0
    try:
        for signum in (signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # the server handles them; SIGTERM stops (below)
        offer_to_oom_killer()
        threading.stack_size(WORKER_STACK_BYTES)  # threads writing streamed answers evaluate deep queries too
        close_inherited(keep={sock.fileno()})
        for fd in keep_closed:
            try:
                os.close(fd)
            except OSError:
                pass
        ServingProcess(app, settings, sock, messages, control.connect(), metrics_folder).run()
    except BaseException:
        log.exception("serving process %d failed", os.getpid())
        code = 70
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class ServingProcess:
    """One serving process: granian on the shared socket, queries evaluated here."""

    def __init__(self, app: Flask, settings: Settings, sock: socket.socket, messages: int, control: Any,
                 metrics_folder: str):
        self._app, self._settings, self._messages = app, settings, messages
        self._lock = threading.Lock()
        self._retiring = False
        self._hurried = False
        self._budgets: RemoteBudgets | None = None
        self.requests = Requests()
        forked: AppState = app.extensions[EXTENSION]
        # the result cache lives here (in one process with query workers it is the server's):
        # what it may hold is this process's to keep, beyond the bound
        cache = forked.results.max_bytes if forked.results is not None and forked.results.enabled else 0
        growth = settings.worker_max_growth_mb * 2**20 + cache if settings.worker_max_growth_mb > 0 else 0
        self.executor = LocalExecutor(forked.store, timeout=settings.query_timeout, on_overrun=self._overrun,
                                      max_growth=growth, on_grown=lambda: self.retire(b"g"))
        budgets = forked.budgets
        if budgets is not None and budgets.enabled:
            budgets = self._budgets = RemoteBudgets(budgets.budget, budgets.window, budgets.tokens, control=control)
        # the server's pool stays the server's: this process never touches its workers
        app.extensions[EXTENSION] = dataclasses.replace(forked, executor=self.executor, budgets=budgets,
                                                        builds_labels=False)
        app.extensions[RELOADER] = RemoteReloader(control, reloader_of(app))
        app.extensions[metrics_module.CONTROL] = control
        metrics_module.share_between_processes(app, metrics_folder)
        self.server = GranianServer(AccessLog(app), "", 0, threads=settings.threads,
                                    drain_seconds=settings.query_timeout + 5, sock=sock, requests=self.requests)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda signum, frame: self.retire(b""))
        threading.Thread(target=self._orphaned, args=(os.getppid(),), name="alliance-kg-parent", daemon=True).start()
        try:
            self.server.run()
        finally:
            self.executor.close()
            self.server.close()
            self._flush_budgets()

    def retire(self, reason: bytes, *, hurry: bool = False) -> None:
        """Ask the server for a successor and stop accepting; with ``hurry``, exit at most
        ``OVERRUN_GRACE`` seconds from now whatever still runs."""
        with self._lock:
            asked, self._retiring = self._retiring, True
            hurried, self._hurried = self._hurried, self._hurried or hurry
        if not asked:
            self.server.unplug()
            try:
                os.write(self._messages, reason)
            except OSError:
                pass
            # the connections accepted a moment ago get to send their first request
            timer = threading.Timer(UNPLUG_SETTLE, self.server.stop)
            timer.daemon = True
            timer.start()
        if hurry and not hurried:
            timer = threading.Timer(OVERRUN_GRACE, self._exit_now)
            timer.daemon = True
            timer.start()

    def _orphaned(self, server: int) -> None:
        """Stop once the server is gone (killed: nothing else would stop this process, which
        would go on holding the port)."""
        while os.getppid() == server:
            time.sleep(PARENT_CHECK)
        log.warning("the server (process %d) is gone; serving process %d stops", server, os.getpid())
        self.retire(b"", hurry=True)

    def _exit_now(self) -> None:
        """The grace is over: the queries still running are answered 503 (to be retried), then
        the process exits, and with it their work. Requests that are not running a query (an
        answer on its way out, a reload waiting for the server) get one more grace, then 503
        too, rather than being dropped."""
        self.executor.watch.expire_all(lambda running: Interrupted(
            "the query was stopped because the process serving it was replaced (another query in it ran "
            "past its deadline); please retry"))
        deadline = time.monotonic() + OVERRUN_GRACE
        while self.requests.pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        for proto, environ in self.requests.take_all():
            try:
                answer_for(self._app, proto, environ, Interrupted(
                    "the process serving this request was replaced (a query in it ran past its deadline) "
                    "before the answer was ready; please retry"))
            except Exception:  # its own thread answered meanwhile
                log.debug("a request in flight was answered already", exc_info=True)
        self._flush_budgets()
        time.sleep(0.2)  # the answers on their way out
        os._exit(0)

    def _flush_budgets(self) -> None:
        """The charges not sent yet, sent before the process goes (the ledger is the server's)."""
        if self._budgets is not None:
            try:
                self._budgets.flush()
            except Exception:  # the server gone: its ledger with it
                log.debug("budget charges not sent", exc_info=True)

    def _overrun(self, running: Running, error: QueryError) -> None:
        """A query past its deadline (or still running when the process goes): the process stops
        accepting (before the client hears back, so that its next connection goes to another
        process) and is replaced; the query's request is answered from this thread."""
        self.retire(b"t", hurry=True)
        taken = self.requests.take(running.thread)
        if taken is not None:
            proto, environ = taken
            answer_for(self._app, proto, environ, error)
        log.warning("query stopped after %.1f s (%s): %r", time.monotonic() - running.started,
                    type(error).__name__, running.text[:500])


def answer_for(app: Flask, proto: Any, environ: dict[str, Any], error: QueryError) -> None:
    """Answer a request whose thread is held by its query: the error's response as the error
    handler would have made it, with the headers every response gets, counted and logged."""
    state: AppState = app.extensions[EXTENSION]
    environ[requestlog.ANSWERED] = True
    client = environ.get(CLIENT)
    if client is not None and state.budgets is not None:
        try:
            state.budgets.charge(client, getattr(error, "seconds", 0.0))
            state.budgets.flush()  # before the client hears back: its next request is refused
        except Exception:  # the ledger is the server's; a lost charge must not lose the answer
            log.exception("charging the client of a stopped query failed")
    response = response_for(error, environ, metrics_module.metrics_of(app))
    shared_headers(response, environ.get("REQUEST_METHOD", "GET"))
    response.headers[requestlog.HEADER] = environ.get(requestlog.REQUEST_ID) or requestlog.request_id(None)
    response.headers["Connection"] = "close"
    body = response.get_data()
    proto.response_bytes(error.status, response.headers.to_wsgi_list(), body)
    metrics_module.metrics_of(app).count(environ, error.status)
    log_access(environ, str(error.status), len(body), environ.get(requestlog.QUERY, {}).get("started", time.monotonic()))


def serve_in_processes(app: Flask, settings: Settings, *, announce: Callable[[str, int], None],
                       signals: Callable[..., Any], build_labels: Callable[[], None]) -> None:
    """``web.server.serve`` in serving processes: bind, fork, supervise until SIGTERM/SIGINT."""
    sock = bind(settings.host, settings.port)
    supervisor = Supervisor(app, settings, sock)
    reloader = reloader_of(app)
    reloader.listen(supervisor.replace_all)
    try:
        # A small graph's search index is built before the first fork, so every serving process
        # has it; a large one's (a minute at 1M triples) is built beside serving, and the
        # processes are forked afresh once it is there.
        labels = threading.Thread(target=build_labels, daemon=True, name="label-index")
        labels.start()
        labels.join(LABELS_BEFORE_SERVING)
        if labels.is_alive():
            threading.Thread(target=_then, args=(labels, lambda: supervisor.replace_all("search index")),
                             daemon=True, name="label-index-refork").start()
        supervisor.start()
        announce(*sock.getsockname()[:2])
        with signals(supervisor, reloader):
            supervisor.run()
    finally:
        supervisor.stop()
        supervisor.close()
        sock.close()


def _then(thread: threading.Thread, after: Callable[[], None]) -> None:
    thread.join()
    after()
