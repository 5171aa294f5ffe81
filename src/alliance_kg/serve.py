"""``alliance-kg serve``: load and validate the graph, then serve it with waitress.

The socket is opened only after the graph has loaded and validated, so a server that answers is
a server with good data; bad data is a one-line message and a non-zero exit, never a traceback.
SIGTERM (and Ctrl-C) stop accepting, let running requests finish (up to waitress's 5 s), kill
the query workers and return 0.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any

from .accesslog import AccessLog
from .errors import AllianceKGError, InputError
from .settings import Settings

log = logging.getLogger(__name__)

EXIT_OK, EXIT_INVALID, EXIT_INPUT = 0, 1, 2


def smoke(settings: Settings, path: str, *, accept: str | None = None) -> tuple[int, bytes]:
    """One GET through the whole app without a socket: loads, validates and answers like the
    server would (``serve --get /sparql?query=...``), so a deployment can be checked in CI."""
    from .web import create_app

    app = create_app({"SETTINGS": settings})
    try:
        response = app.test_client().get(path, headers={"Accept": accept} if accept else {})
        return response.status_code, response.get_data()
    finally:
        app.extensions["alliance_kg"].executor.close()


def run(settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT; returns the process exit code."""
    import waitress

    from .web import create_app, load_store

    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        store = load_store(settings)
    except InputError as exc:
        print(f"alliance-kg: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except ValueError as exc:
        print(f"alliance-kg: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except AllianceKGError as exc:  # ValidationFailed: the data does not conform
        report = getattr(exc, "report", None)
        if report is not None:
            from .reports import as_text

            sys.stderr.write(as_text(report))
        print(f"alliance-kg: error: refusing to serve: {exc}", file=sys.stderr)
        return EXIT_INVALID

    app = create_app({"SETTINGS": settings, "STORE": store})
    executor = app.extensions["alliance_kg"].executor
    try:
        server: Any = waitress.create_server(AccessLog(app), host=settings.host, port=settings.port,
                                             threads=settings.threads, ident="alliance-kg")
    except OSError as exc:
        executor.close()
        print(f"alliance-kg: error: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
              file=sys.stderr)
        return EXIT_INPUT

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    from .web.live import LIVE, watched_paths

    live = app.extensions[LIVE]
    signal.signal(signal.SIGHUP, lambda signum, frame: threading.Thread(target=live.reload, daemon=True).start())
    live.watch(watched_paths(settings))
    previous = signal.signal(signal.SIGTERM, stop)
    log.info("serving %d triples (version %s) on http://%s:%s/sparql with %d threads and %d query workers",
             store.triple_count(), store.version, server.effective_host, server.effective_port,
             settings.threads, settings.query_workers)
    try:
        server.run()  # returns after KeyboardInterrupt, having shut its threads down
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        live.close()  # the current generation's workers (older ones stop after their grace)
        executor.close()
        log.info("stopped")
    return EXIT_OK
