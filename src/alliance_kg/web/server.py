"""Running an app for real: waitress on a socket, the access log, signals and the file watcher.

The caller (``alliance-kg serve``) opens the store and builds the app first, so a server that
answers is a server with good data. SIGTERM (and Ctrl-C) stop accepting, let running requests
finish (up to waitress's 5 s), kill the query workers and return; SIGHUP reloads.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from typing import Any, Iterator

from flask import Flask

from ..errors import InputError
from ..settings import Settings
from .accesslog import AccessLog, JsonLines, StoppedStreams
from .admin import reloader_of, watched_paths
from .reloading import Reloader
from .state import EXTENSION

log = logging.getLogger(__name__)


def configure_logging(settings: Settings) -> None:
    """Log lines on stderr at the configured level (the access log included), as text for a
    terminal or as one JSON object per line (``--log-format json``)."""
    if settings.log_format not in ("text", "json"):
        raise ValueError(f"--log-format {settings.log_format!r}: use text or json")
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


def listen(app: Flask, settings: Settings) -> Any:
    """A waitress server bound to the configured address (``InputError`` if it cannot bind)."""
    import waitress

    try:
        # waitress would drop every X-Forwarded-* header; web.proxy decides which to believe
        return waitress.create_server(AccessLog(app), host=settings.host, port=settings.port,
                                      threads=settings.threads, ident="alliance-kg",
                                      clear_untrusted_proxy_headers=False)
    except OSError as exc:
        raise InputError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}") from None


@contextlib.contextmanager
def signals(reloader: Reloader) -> Iterator[None]:
    """SIGTERM stops the server (as Ctrl-C does); SIGHUP reloads in the background."""
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    def reload(signum: int, frame: Any) -> None:
        threading.Thread(target=reloader.reload, daemon=True).start()

    previous = signal.signal(signal.SIGTERM, stop), signal.signal(signal.SIGHUP, reload)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGHUP, previous[1])


def _build_labels(state: Any) -> None:
    """Build the label index in the background. A thread has no caller to raise to: if the pool
    closes under it (a stop during start) or a query fails, say so in one line; the index is then
    built on the first suggestion instead."""
    try:
        state.labels()
    except Exception as exc:  # the thread's boundary: anything here would only print a traceback
        log.warning("label index not built in the background (%s: %s); built on first use", type(exc).__name__, exc)


def serve(app: Flask, settings: Settings) -> None:
    """Serve ``app`` until SIGTERM/SIGINT, watching the data for changes; then shut down."""
    state = app.extensions[EXTENSION]
    try:
        server = listen(app, settings)
    except InputError:
        state.executor.close()
        raise
    reloader = reloader_of(app)
    reloader.watch(watched_paths(settings))
    # The label index (search suggestions) is built beside serving, not before it: on the 1M
    # generated graph that takes most of a minute, and every other route is ready at once.
    threading.Thread(target=_build_labels, args=(state,), daemon=True, name="label-index").start()
    log.info("serving %d triples (version %s) on http://%s:%s/sparql with %d threads and %d query workers",
             state.store.triple_count(), state.store.version, server.effective_host, server.effective_port,
             settings.threads, settings.query_workers)
    try:
        with signals(reloader):
            server.run()  # returns after KeyboardInterrupt, having shut its threads down
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        reloader.close()  # the current generation's workers (older ones stop after their grace)
        state.executor.close()
        log.info("stopped")
