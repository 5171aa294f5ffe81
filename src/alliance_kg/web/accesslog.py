"""The server's log lines: one access-log line per request (the HTTP server's own is off), and the JSON
form of every line for log collectors.

The access line is the Common Log Format plus the duration, on the ``alliance_kg.access``
logger; its fields (request id, status, bytes, milliseconds, and for a query its hash, form,
rows and outcome) travel with the record, so ``JsonLines`` writes them as one object per line.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Iterable

from .. import errors
from ..errors import QueryError
from .requestlog import ANSWERED, fields_of

log = logging.getLogger("alliance_kg.access")


class StoppedStreams(logging.Filter):
    """A streamed answer that its deadline stops can only be cut off by raising from the body
    (``query.executor.Stream``), which the HTTP server logs with a traceback: waitress as the
    record's exception, granian as text in its message. The executor has logged that stop in one
    line already, so such a record is shortened to one line too."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        message = record.getMessage()
        if error is None and "Traceback (most recent call last)" in message:
            message, _, error = _split_traceback(message)
        if isinstance(error, QueryError) or isinstance(error, str):
            record.msg, record.args = "%s: the answer was cut off (%s)", (message.strip(), error)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _split_traceback(message: str) -> tuple[str, str, str | None]:
    """(text before the traceback, the traceback, the error's message if it is one of ours)."""
    head, _, trace = message.partition("Traceback (most recent call last)")
    last = trace.rstrip().splitlines()[-1] if trace.strip() else ""
    name, _, said = last.partition(": ")
    kind = getattr(errors, name.rsplit(".", 1)[-1], None)
    ours = isinstance(kind, type) and issubclass(kind, QueryError)
    return head, trace, said if ours else None


class JsonLines(logging.Formatter):
    """One JSON object per log record: time, level, logger, message and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class AccessLog:
    """Wrap a WSGI app; log method, path, status, bytes and milliseconds when the body is done.

    A body the app holds whole (a list: ``web.direct``'s answers) is done at once: it is logged
    then and handed on as it is, so the HTTP server sends it as one piece of bytes. Wrapped in
    an iterator, granian took its streaming path for every query instead (more hand-offs
    between its Rust thread and the Python one): some 7 % fewer answers a second at concurrency
    8 (``wrk``, seven fresh starts each way in turn: 2,791 against 2,999 q/s, medians).
    """

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        status = ["-"]

        def recording_start_response(status_line: str, headers: list, exc_info: Any = None) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        body = self.app(environ, recording_start_response)
        if type(body) is list:
            if ANSWERED not in environ:  # else logged by what answered it
                log_access(environ, status[0], sum(map(len, body)), started)
            return body
        return _Logged(body, environ, status, started)


class _Logged:
    def __init__(self, body: Iterable[bytes], environ: dict[str, Any], status: list[str], started: float):
        self.body, self.environ, self.status, self.started = body, environ, status, started
        self.size = 0

    def __iter__(self):
        for chunk in self.body:
            self.size += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            if ANSWERED not in self.environ:  # else logged by what answered it
                log_access(self.environ, self.status[0], self.size, self.started)


def log_access(e: dict[str, Any], status: str, size: int, started: float) -> None:
    """The access line of the request of ``e``: ``status``, ``size`` bytes, begun at ``started``
    (nothing is put together when the line would not be written)."""
    if not log.isEnabledFor(logging.INFO):
        return
    path = e.get("PATH_INFO", "") + (f"?{e['QUERY_STRING']}" if e.get("QUERY_STRING") else "")
    if len(path) > 300:
        path = path[:300] + "..."
    ms = (time.monotonic() - started) * 1000
    fields = fields_of(e) | {"remote": e.get("REMOTE_ADDR"), "method": e.get("REQUEST_METHOD"),
                             "path": path, "status": int(status) if status.isdigit() else None,
                             "bytes": size, "ms": round(ms, 1)}
    log.info('%s - - [%s] "%s %s %s" %s %d %.0fms', e.get("REMOTE_ADDR", "-"),
             time.strftime("%d/%b/%Y:%H:%M:%S %z"), e.get("REQUEST_METHOD"), path,
             e.get("SERVER_PROTOCOL"), status, size, ms, extra={"fields": fields})
