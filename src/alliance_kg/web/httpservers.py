"""The HTTP servers ``alliance-kg serve`` can put in front of the app (``--http-server``):
granian (the default) and waitress. Both look the same to ``web.server``: bound at construction
(``InputError`` if the address is taken), ``host`` and ``port`` as bound (port 0 gives the real
one), ``run`` until ``stop`` (which a signal handler may call) with the requests in flight
answered, then ``close``.

granian runs without its supervisor. Its command line and ``granian.server.Server`` start a
parent that spawns worker processes, each loading the app, and answer SIGHUP by respawning them;
here the app, its store and its query workers must live in the one process that handles SIGHUP
with our ``Reloader`` (an invalid reload refused, the old data served on), and the supervisor's
other offers (several processes, recycling on memory) are ours already, one level down, in
``query.executor``. So this process binds the socket itself, checking first without
``SO_REUSEPORT`` that the port is free (a taken port is an error, not a second server), and runs
the piece each granian worker process runs: a ``WSGIWorker`` on that socket, whose Rust threads
accept and parse and whose Python threads call the app. That piece is granian's internal
interface, which is why pyproject pins granian's minor version; every server test runs through
it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import threading
from typing import Any, Callable, Protocol

from ..errors import InputError

log = logging.getLogger(__name__)

#: Connections waiting to be accepted, and connections granian serves at once (its defaults).
BACKLOG = 1024
#: A body its Content-Length says is at most this long is read whole and sent as bytes.
WHOLE_UP_TO = 1 << 20


class HTTPServer(Protocol):
    host: str
    port: int

    def run(self) -> None:
        """Serve until ``stop``; return once the requests in flight are answered."""

    def stop(self) -> None:
        """Stop accepting (called from a signal handler, in the main thread)."""

    def close(self) -> None:
        """Release what is left once ``run`` has returned."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``InputError`` if it cannot be had)."""
    try:
        family, *_, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return _listen(host, address, family)


def _listen(host: str, address: tuple, family: socket.AddressFamily, *, reuse_port: bool = False) -> socket.socket:
    try:
        return socket.create_server(address, family=family, backlog=BACKLOG, reuse_port=reuse_port)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{address[1]}: {exc.strerror}") from None


def bind_spread(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on ``host:port``, among which the kernel spreads new
    connections (``SO_REUSEPORT``: by a hash of the client's address and port), one for each
    serving process.

    On one shared socket, the process that wakes first accepts every connection waiting, so a
    client opening its keep-alive connections at once (a portal's pool, a benchmark) could have
    all of them served by one process, on one core, for as long as they lived (measured: 2 runs
    in 6, at half the throughput). The port is first taken without ``SO_REUSEPORT``, as ``bind``
    does, so that a port in use is an error here too and not a share in another server's."""
    probe = bind(host, port)
    address, family = probe.getsockname(), probe.family
    probe.close()
    spread: list[socket.socket] = []
    try:
        for _ in range(count):
            spread.append(_listen(host, address, family, reuse_port=True))
    except InputError:
        for sock in spread:
            sock.close()
        raise
    return spread


class GranianServer:
    """granian's WSGI worker in this process, ``threads`` Python threads calling ``app``.

    ``stop`` tells its Rust side to stop accepting; it then closes idle keep-alive connections,
    lets every request in flight finish and calls back, which ends ``run``. A request in flight
    is bounded by the query timeout, so ``run`` waits ``drain_seconds`` at most (then says so).
    """

    def __init__(self, app: Callable[..., Any], host: str, port: int, *, threads: int, drain_seconds: float,
                 sock: socket.socket | None = None, requests: "Requests | None" = None):
        """Bound to ``host:port``, or serving ``sock`` (a listening socket of its own: a serving
        process's copy of its slot's, ``bind_spread``). ``requests``, if given, learns which
        thread answers which request, so that another thread can answer for it
        (``web.serving``)."""
        from granian._futures import _new_cbscheduler
        from granian._granian import SocketHolder, WorkerSignal, WSGIWorker
        from granian.constants import HTTPModes

        sock = bind(host, port) if sock is None else sock
        # accepted connections inherit it: without, a response written in two parts waits for the
        # client's delayed ACK (40 ms a request); granian's own listener sets it too
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host, self.port = sock.getsockname()[:2]
        self.drain_seconds = drain_seconds
        # granian's listener takes the descriptor over (and closes it when it stops)
        self._listening = sock.fileno()
        holder = SocketHolder(sock.detach(), False, BACKLOG)
        # granian logs its worker's start and stop; ours are the lines that count
        logging.getLogger("_granian").setLevel(logging.WARNING)
        self._signal = WorkerSignal()
        self._stopping, self._drained = threading.Event(), threading.Event()
        self._signal.add_cb(self._drained.set)
        self._loop = asyncio.new_event_loop()  # required by granian's scheduler; WSGI never runs on it
        self._worker = WSGIWorker(
            1, (None, holder), None,  # worker id, socket, no metrics pipe
            1, 512, threads, 30,  # Rust threads, Rust blocking threads, Python threads, their idle timeout
            BACKLOG, str(HTTPModes.http1), None, None, None,  # connections at once, HTTP/1.1 as waitress, no static files
            False, None, None, None, "tls1.3", None, [], False,  # no TLS (a proxy in front does it)
            (None, None),  # no metrics (ours are /metrics)
        )
        self._scheduler = _new_cbscheduler(self._loop, _wsgi_callback(app, requests), impl_asyncio=True)

    def run(self) -> None:
        self._worker.serve_mtr(self._scheduler, self._loop, self._signal)  # returns at once: Rust threads serve
        self._stopping.wait()
        if not self._drained.wait(self.drain_seconds):
            log.warning("requests still running %.0f s after the stop; stopping without them", self.drain_seconds)

    def stop(self) -> None:
        self._signal.set()
        self._stopping.set()

    def unplug(self) -> None:
        """Take no more connections, and keep serving those it has (until ``stop``).

        A stop closes the connections that are idle, a connection just accepted included, whose
        client is about to send its first request; a process that stops while others accept on
        its listening socket (its successor) would drop such a connection now and then (seen:
        10 in 15 replacements under load). So a process that is about to stop first puts a
        listening socket no one connects to in place of the shared one, under the descriptor
        granian's accept loop reads: the connections waiting there are left to the others, while
        the connections it has are served as before."""
        nowhere = socket.create_server(("127.0.0.1", 0), backlog=1)
        nowhere.setblocking(False)
        os.dup2(nowhere.fileno(), self._listening)
        nowhere.close()  # the descriptor granian reads keeps it open

    def close(self) -> None:
        self._loop.close()


class Requests(Protocol):
    """Who answers what: told by each Python thread of the request it takes and lets go."""

    def begin(self, proto: Any, environ: dict[str, Any]) -> None: ...

    def end(self) -> None: ...


def _wsgi_callback(app: Callable[..., Any], requests: Requests | None = None) -> Callable[[Any, dict[str, Any]], int]:
    """What granian's Python threads call per request: ``app`` with the request's environ.

    granian's own wrapper starts every environ from a copy of ``os.environ``, which would hand
    the reload token and the push password to every request and let a variable such as
    ``HTTP_X_FORWARDED_HOST`` pose as a header the client sent; this one gives the request alone
    (no access log either: web.accesslog writes ours).

    An answer goes out as one piece of bytes (granian's ``response_bytes``) when the app holds
    it whole (a list), or says it is short (a Content-Length up to ``WHOLE_UP_TO``: a Flask
    response, a page), else as the app's iterator (``response_iter``, for streamed answers and
    large files). The iterator path costs more hand-offs between granian's Rust thread and the
    Python one: at concurrency 8, some 7 % of the answers a second to POSTed queries
    (``web.accesslog``), 1-3 % to GET queries through Flask."""
    from granian.wsgi import Response, ResponseIterWrap

    base = {"GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "", "SERVER_SOFTWARE": "granian", "wsgi.errors": sys.stderr,
            "wsgi.input_terminated": True, "wsgi.multiprocess": False, "wsgi.multithread": True,
            "wsgi.run_once": False, "wsgi.version": (1, 0)}

    def respond(proto: Any, environ: dict[str, Any]) -> int:
        response = Response()
        body = app(environ, response)
        if not isinstance(body, list) and environ.get("REQUEST_METHOD") != "HEAD" \
                and _short(response.headers):  # a list (web.direct's answers) is not looked into
            body = _read_whole(body)
        if isinstance(body, list):
            proto.response_bytes(response.status, response.headers, b"".join(body))
        else:
            proto.response_iter(response.status, response.headers, ResponseIterWrap(body))
        return response.status

    if requests is None:
        return lambda proto, scope: respond(proto, base | scope)

    def tracked(proto: Any, scope: dict[str, Any]) -> int:
        environ = base | scope
        requests.begin(proto, environ)
        try:
            return respond(proto, environ)
        finally:
            requests.end()

    return tracked


def _short(headers: list[tuple[str, str]]) -> bool:
    """Whether the headers give the body a length up to ``WHOLE_UP_TO``."""
    for name, value in headers:
        if name.lower() == "content-length":
            return value.isdigit() and int(value) <= WHOLE_UP_TO
    return False


def _read_whole(body: Any) -> list[bytes]:
    """A WSGI body read to its end, and closed as the server would have closed it."""
    try:
        return [b"".join(body)]
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


class WaitressServer:
    """waitress with ``threads`` threads; it stops (letting running requests finish for up to 5 s)
    when its loop in the main thread sees KeyboardInterrupt."""

    def __init__(self, app: Callable[..., Any], host: str, port: int, *, threads: int, drain_seconds: float):
        import waitress

        try:
            # waitress would drop every X-Forwarded-* header; web.proxy decides which to believe
            self._server = waitress.create_server(app, host=host, port=port, threads=threads, ident="alliance-kg",
                                                  clear_untrusted_proxy_headers=False)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.host, self.port = self._server.effective_host, self._server.effective_port

    def run(self) -> None:
        try:
            self._server.run()  # returns after KeyboardInterrupt, having shut its threads down
        except KeyboardInterrupt:  # raised before waitress's loop caught it
            pass

    def stop(self) -> None:
        raise KeyboardInterrupt

    def close(self) -> None:
        self._server.close()


HTTP_SERVERS: dict[str, Callable[..., HTTPServer]] = {"granian": GranianServer, "waitress": WaitressServer}
