"""Serving processes: HTTP and query evaluation in one process each, forked from the server.

With an Oxigraph store (``memory``, ``oxigraph:PATH``) and granian, ``alliance-kg serve`` runs
as one server process and ``--processes`` serving processes forked from it. The server loads
and validates the data, keeps the store (its pages shared copy-on-write with every fork), the
reloader, the search index and the fair-use ledger, and serves nothing itself. Each serving
process runs granian on a listening socket of its own (``SO_REUSEPORT``: the kernel spreads
new connections over them) and answers its requests in its own threads, queries included
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
(``prometheus-client``'s multiprocess mode). A retiring process's answers say ``Connection:
close`` and it closes its idle keep-alive connections once it stops: a client's next request
goes out on a new connection (or, sent on one just closed, is refused and is to be sent again,
as HTTP/1.1 clients do for a connection the server closed), which a live process takes.

The modules: ``supervisor``, the server's side (forking the processes, keeping them at their
number, stopping them); ``process``, a serving process's side; ``control``, what they share
through the server, both ends of it.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from flask import Flask

from ...settings import Settings
from ..admin import reloader_of
from ..httpservers import bind_spread
from .supervisor import Supervisor

#: Seconds the search index may take to be built before the first serving processes are forked.
LABELS_BEFORE_SERVING = 3.0


def serve_in_processes(app: Flask, settings: Settings, *, announce: Callable[[str, int], None],
                       signals: Callable[..., Any], build_labels: Callable[[], None]) -> None:
    """``web.server.serve`` in serving processes: bind, fork, supervise until SIGTERM/SIGINT."""
    socks = bind_spread(settings.host, settings.port, settings.serving_processes)
    supervisor = Supervisor(app, settings, socks)
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
        announce(*socks[0].getsockname()[:2])
        with signals(supervisor, reloader):
            supervisor.run()
    finally:
        supervisor.stop()
        supervisor.close()
        for sock in socks:
            sock.close()


def _then(thread: threading.Thread, after: Callable[[], None]) -> None:
    thread.join()
    after()
