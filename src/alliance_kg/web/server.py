"""Running an app for real: an HTTP server on a socket (``web.httpservers``: granian or
waitress), the access log, signals and the file watcher.

The caller (``alliance-kg serve``) opens the store and builds the app first, so a server that
answers is a server with good data. Everything runs in this one process: SIGTERM (and Ctrl-C)
stop accepting, let running requests finish, kill the query workers and return; SIGHUP reloads
in the background, through the same ``Reloader`` as ``POST /admin/reload``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import signal
import sys
import threading
from typing import Any, Callable, Iterator

from flask import Flask

from ..errors import InputError
from ..settings import Settings
from .accesslog import AccessLog, JsonLines, StoppedStreams
from .admin import reloader_of, watched_paths
from .httpservers import HTTP_SERVERS, HTTPServer
from .reloading import Reloader
from .serving import serve_in_processes
from .state import EXTENSION

log = logging.getLogger(__name__)


def refuse_unusable(settings: Settings) -> None:
    """Refuse the settings that only serving reads (the HTTP server, the log's format and level),
    before the data is loaded. ``serve --get`` runs no server and configures no logging, but
    refuses them too: its smoke test passes only on settings a server would start with."""
    http_server(settings)
    _check_logging(settings)


def _check_logging(settings: Settings) -> None:
    if settings.log_format not in ("text", "json"):
        raise InputError(f"--log-format {settings.log_format!r}: use text or json")
    if settings.log_level.upper() not in logging.getLevelNamesMapping():
        raise InputError(f"--log-level {settings.log_level!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL")


def configure_logging(settings: Settings) -> None:
    """Log lines on stderr at the configured level (the access log included), as text for a
    terminal or as one JSON object per line (``--log-format json``)."""
    _check_logging(settings)
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(StoppedStreams())
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)


def smoke(app: Flask, path: str, *, accept: str | None = None) -> tuple[int, bytes]:
    """One GET through the whole app without a socket, answered like the server would
    (``serve --get /sparql?query=...``), so a deployment can be checked in CI."""
    try:
        response = app.test_client().get(path, headers={"Accept": accept} if accept else {})
        return response.status_code, response.get_data()
    finally:
        app.extensions[EXTENSION].executor.close()


def http_server(settings: Settings) -> Callable[..., HTTPServer]:
    """The configured HTTP server's class (``InputError`` for a name we do not know)."""
    if settings.http_server not in HTTP_SERVERS:
        raise InputError(f"--http-server {settings.http_server!r}: use {' or '.join(HTTP_SERVERS)}")
    return HTTP_SERVERS[settings.http_server]


def listen(app: Flask, settings: Settings) -> HTTPServer:
    """The configured HTTP server bound to the configured address (``InputError`` if it cannot
    bind), serving ``app`` behind the access log."""
    # a request in flight ends within the query timeout (its query is stopped then): wait that long
    return http_server(settings)(AccessLog(app), settings.host, settings.port, threads=settings.threads,
                                 drain_seconds=settings.query_timeout + 5)


#: The signals that stop the server.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def signals(server: HTTPServer, reloader: Reloader, stopping: threading.Event | None = None) -> Iterator[None]:
    """SIGTERM and Ctrl-C set ``stopping``, then stop the server; SIGHUP reloads in the background.
    ``stopping`` comes first so that work under way (the label index) can tell a stop from a
    fault: a stop sent to the whole process group ends the query workers at the same moment."""
    def stop(signum: int, frame: Any) -> None:
        if stopping is not None:
            stopping.set()
        server.stop()

    def reload(signum: int, frame: Any) -> None:
        threading.Thread(target=reloader.reload, daemon=True, name="sighup-reload").start()

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, reload)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _build_labels(state: Any, stopping: threading.Event) -> None:
    """Build the label index in the background. A thread has no caller to raise to: if a query
    fails, say so in one line; the index is then built on the first suggestion instead, or, if
    its queries failed, suggestions answer 503 and say why until the data is reloaded. A stop
    while it is built (minutes at 10M) closes the store under it: that is no fault to warn of."""
    try:
        state.labels()
    except Exception as exc:  # the thread's boundary: anything here would only print a traceback
        if stopping.is_set():
            log.info("stopped before the label index was built")
        else:
            log.warning("label index not built in the background (%s: %s)", type(exc).__name__, exc)


def _announce(store: Any, host: str, port: int, settings: Settings) -> None:
    how = (f"{settings.serving_processes} serving processes of {settings.threads} threads"
           if settings.serving_processes else f"{settings.threads} threads and {settings.query_workers} query workers")
    log.info("serving %d triples (version %s) on http://%s:%s/sparql with %s, %s", store.triple_count(),
             store.version, host, port, settings.http_server, how)


def serve(app: Flask, settings: Settings) -> None:
    """Serve ``app`` until SIGTERM/SIGINT, watching the data for changes; then shut down: in
    serving processes forked from this one (``web.serving``) or, with a store whose queries
    need killable workers, in this process."""
    # The current state is looked up each time, not kept: after a reload, the first generation
    # (its store above all) must be free to go.
    if settings.serving_processes:
        _serve_in_processes(app, settings)
        return
    try:
        server = listen(app, settings)
    except InputError:
        app.extensions[EXTENSION].executor.close()
        raise
    reloader = reloader_of(app)
    reloader.watch(watched_paths(settings))
    stopping = threading.Event()
    # The label index (search suggestions) is built beside serving, not before it: on the 1M
    # generated graph that takes most of a minute, and every other route is ready at once.
    threading.Thread(target=_build_labels, args=(app.extensions[EXTENSION], stopping), daemon=True,
                     name="label-index").start()
    _announce(app.extensions[EXTENSION].store, server.host, server.port, settings)
    try:
        with signals(server, reloader, stopping):
            server.run()
    except KeyboardInterrupt:  # Ctrl-C before the handlers were in place
        pass
    finally:
        server.close()
        _stopped(app, reloader, stopping)


def _serve_in_processes(app: Flask, settings: Settings) -> None:
    reloader = reloader_of(app)
    reloader.watch(watched_paths(settings))
    stopping = threading.Event()
    try:
        serve_in_processes(app, settings, signals=functools.partial(signals, stopping=stopping),
                           build_labels=lambda: _build_labels(app.extensions[EXTENSION], stopping),
                           announce=lambda host, port: _announce(app.extensions[EXTENSION].store, host, port, settings))
    finally:
        _stopped(app, reloader, stopping)


def _stopped(app: Flask, reloader: Reloader, stopping: threading.Event) -> None:
    stopping.set()  # before the store closes under a label index being built
    reloader.close()  # the current generation's workers (older ones stop after their grace)
    app.extensions[EXTENSION].executor.close()
    log.info("stopped")
