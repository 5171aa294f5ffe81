"""What each request was and did, for the access log, the slow-query log and the metrics.

Every request gets an id: the client's (or the proxy's) ``X-Request-Id`` when it is a sane
token, else a new one; it is sent back in the same header and written in every log line of the
request, so one line in a client's report finds the server's. A query adds its hash (the text
itself only in the slow-query log), form, rows, duration and outcome to the request's record.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import time
from typing import Any

from flask import Flask, Response, request

from ..errors import QueryError

log = logging.getLogger("alliance_kg.slow")

REQUEST_ID = "alliance_kg.request_id"
QUERY = "alliance_kg.query"
HEADER = "X-Request-Id"
#: Set in the environ of a request that another thread answered (``web.serving``): it is
#: counted and logged there, not again when its own thread lets go of it.
ANSWERED = "alliance_kg.answered"
_SANE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
#: Characters of a slow query's text written to its log line.
SLOW_TEXT = 2000


def request_id(header: str | None) -> str:
    """The client's id if it is a plain token of at most 128 characters, else a fresh one: 128
    random bits from ``random``'s generator (seeded from the system's randomness, and again in
    every forked process), which costs no system call as ``secrets`` does. An id tells requests
    apart in the logs; it guards nothing."""
    return header if header and _SANE.match(header) else f"{random.getrandbits(128):032x}"


def query_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def begin_in(environ: dict[str, Any], text: str) -> dict[str, Any]:
    """Start the record of the query of the request of ``environ``."""
    entry = {"started": time.monotonic(), "text": text}  # its hash when a line is written
    environ[QUERY] = entry
    return entry


def finish(entry: dict[str, Any], *, form: str, rows: int, outcome: str, truncated: bool,
           slow: float, environ: dict[str, Any]) -> float:
    """Close the record; logs the query if it took ``slow`` seconds or more (0: never). Needs
    no request context: a streamed answer ends after its request's view has returned. Returns
    the query's duration in seconds."""
    seconds = time.monotonic() - entry["started"]
    entry.update(form=form, rows=rows, outcome=outcome, seconds=round(seconds, 6), truncated=truncated)
    if slow and seconds >= slow:
        log.warning("slow query (%.2f s, %s rows) %s: %s", seconds, rows, query_hash(entry["text"]),
                    " ".join(entry["text"].split())[:SLOW_TEXT],
                    extra={"fields": fields_of(environ) | {"slow": True}})
    return seconds


def failed_in(environ: dict[str, Any], exc: QueryError) -> None:
    """The query of the request of ``environ`` ended in ``exc`` (refused, timed out, failed)."""
    entry = environ.get(QUERY)
    if entry is not None:
        entry.update(outcome=type(exc).__name__, seconds=round(time.monotonic() - entry["started"], 6))


def fields_of(environ: dict[str, Any]) -> dict[str, Any]:
    """The request id and the query's record, as log fields (no query text)."""
    fields: dict[str, Any] = {"request_id": environ.get(REQUEST_ID)}
    entry = environ.get(QUERY)
    if entry is not None:
        fields["query_hash"] = query_hash(entry["text"])
        fields.update({k: v for k, v in entry.items() if k not in ("started", "text")})
    return fields


def attach(app: Flask) -> None:
    @app.before_request
    def _identify() -> None:
        request.environ.setdefault(REQUEST_ID, request_id(request.headers.get(HEADER)))

    @app.after_request
    def _answer_with_id(response: Response) -> Response:
        response.headers[HEADER] = request.environ.get(REQUEST_ID) or request_id(None)
        return response
