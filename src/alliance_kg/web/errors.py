"""One error shape for every route, built here and nowhere else.

Every error is ``text/plain; charset=utf-8`` with the status line's reason and the message
(for a syntax error: line and column), e.g. ``400 Bad Request\n\nline 1, column 6: ...``.
Typed library errors carry their status; werkzeug's HTTP exceptions keep theirs; anything else
is a bug: logged with its traceback and answered 500 without one.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ..errors import AllianceKGError, QueryError
from . import requestlog
from .metrics import METRICS

log = logging.getLogger(__name__)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The one error shape: status, plain text, never cached, never a traceback."""
    reason = HTTP_STATUS_CODES.get(status, "Error")
    response = Response(f"{status} {reason}\n\n{message.rstrip()}\n", status=status,
                        content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _query_error(exc: QueryError) -> Response:
    if exc.status >= 500 and exc.status != 503:
        log.error("%s: %s", type(exc).__name__, exc)
    requestlog.failed(exc)
    metrics = current_app.extensions.get(METRICS)
    if metrics is not None:
        metrics.refusal(exc)
    retry = getattr(exc, "retry_after", None)
    return error_response(exc.status, str(exc), {"Retry-After": str(retry)} if retry else None)


def _library_error(exc: AllianceKGError) -> Response:
    log.exception("library error reached the web boundary")
    return error_response(500, f"internal error ({type(exc).__name__}); it was logged")


def _http_error(exc: HTTPException) -> Response:
    # the exception's own headers (Allow of a 405, Content-Range of a 416, WWW-Authenticate), not its HTML's type
    own = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
    return error_response(exc.code or 500, exc.description or "", own)


def _bug(exc: Exception) -> Response:
    log.exception("unhandled error")
    return error_response(500, "internal error; it was logged")


def register(app: Flask) -> None:
    """Attach the handlers (the most specific class wins)."""
    app.register_error_handler(QueryError, _query_error)
    app.register_error_handler(AllianceKGError, _library_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _bug)
