"""A WSGI middleware that writes one access-log line per request (waitress logs none).

Common Log Format plus the duration, on the ``alliance_kg.access`` logger.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Iterable

log = logging.getLogger("alliance_kg.access")


class AccessLog:
    """Wrap a WSGI app; log method, path, status, bytes and milliseconds when the body is done."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        status = ["-"]

        def recording_start_response(status_line: str, headers: list, exc_info: Any = None) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        body = self.app(environ, recording_start_response)
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
            e = self.environ
            path = e.get("PATH_INFO", "") + (f"?{e['QUERY_STRING']}" if e.get("QUERY_STRING") else "")
            if len(path) > 300:
                path = path[:300] + "..."
            log.info('%s - - [%s] "%s %s %s" %s %d %.0fms', e.get("REMOTE_ADDR", "-"),
                     time.strftime("%d/%b/%Y:%H:%M:%S %z"), e.get("REQUEST_METHOD"), path,
                     e.get("SERVER_PROTOCOL"), self.status[0], self.size,
                     (time.monotonic() - self.started) * 1000)
