"""A serving process's side: granian on its slot's socket, queries evaluated in the request's
thread, a query past its deadline answered from another thread, and the way out."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import Any, Callable

from flask import Flask

from ...errors import Interrupted, QueryError
from ...query.executor import WORKER_STACK_BYTES, close_inherited, offer_to_oom_killer
from ...query.local import LocalExecutor, Running
from ...settings import Settings
from .. import metrics as metrics_module
from .. import requestlog
from ..accesslog import AccessLog, log_access
from ..admin import RELOAD_PATH, RELOADER, reloader_of
from ..errors import response_for
from ..fairuse import CLIENT
from ..headers import shared_headers
from ..httpservers import GranianServer
from ..state import EXTENSION, AppState
from .control import ControlServer, RemoteBudgets, RemoteReloader

log = logging.getLogger(__name__)

#: Seconds a process whose query overran lets its other requests run before it exits.
OVERRUN_GRACE = 2.0
#: Seconds a retiring process serves the connections it has before it stops (``GranianServer.unplug``).
UNPLUG_SETTLE = 0.5
#: Seconds between a serving process's looks at whether its server is still there.
PARENT_CHECK = 1.0
#: What a serving process writes to the server to ask for its successor, by reason.
TIMEOUT, GROWN = b"t", b"g"
REASONS = {TIMEOUT: "timeout", GROWN: "grown"}


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


def child_main(app: Flask, settings: Settings, sock: socket.socket, messages: int, control: ControlServer, *,
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
    """One serving process: granian on its slot's socket, queries evaluated here."""

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
                                      max_growth=growth, on_grown=lambda: self.retire(GROWN))
        budgets = forked.budgets
        if budgets is not None and budgets.enabled:
            budgets = self._budgets = RemoteBudgets(budgets.budget, budgets.window, budgets.tokens, control=control)
        # the server's pool stays the server's: this process never touches its workers
        app.extensions[EXTENSION] = dataclasses.replace(forked, executor=self.executor, budgets=budgets,
                                                        builds_labels=False)
        app.extensions[RELOADER] = RemoteReloader(control, reloader_of(app))
        app.extensions[metrics_module.CONTROL] = control
        metrics_module.share_between_processes(app, metrics_folder)
        self.server = GranianServer(closing_when(AccessLog(app), lambda: self._retiring), "", 0,
                                    threads=settings.threads, drain_seconds=settings.query_timeout + 5, sock=sock,
                                    requests=self.requests)

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
                answer_for(self._app, proto, environ, Interrupted(unfinished(environ)))
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
        self.retire(TIMEOUT, hurry=True)
        taken = self.requests.take(running.thread)
        if taken is not None:
            proto, environ = taken
            answer_for(self._app, proto, environ, error)
        log.warning("query stopped after %.1f s (%s): %r", time.monotonic() - running.started,
                    type(error).__name__, running.text[:500])


def closing_when(app: Callable[..., Any], retiring: Callable[[], bool]) -> Callable[..., Any]:
    """``app``, its answers closing their connections (``Connection: close``) once ``retiring``.

    A retiring process takes no new connection (``GranianServer.unplug``) but serves those it
    has, and a client that keeps its connection alive would go on sending its requests there
    until the process exits: the one in flight then is answered 503 (seen in a soak: a normal
    query, once in 165,000). Closed after its answer, the connection is opened again by the
    client for its next request, and a live process takes it."""
    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not retiring():
            return app(environ, start_response)

        def closing(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() != "connection"]
            return start_response(status, [*kept, ("Connection", "close")], exc_info)
        return app(environ, closing)
    return serve


def unfinished(environ: dict[str, Any]) -> str:
    """Why a request that is not a query was answered 503 by a process going away: a reload is
    the server's and goes on, so asking again is not what its client needs."""
    why = "the process serving this request was replaced (a query in it ran past its deadline) before "
    if environ.get("PATH_INFO") == RELOAD_PATH:
        return why + "the reload ended; the reload goes on in the server: GET /status shows its outcome (last_reload)"
    return why + "the answer was ready; please retry"


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
