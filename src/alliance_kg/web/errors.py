"""One error shape for every route, built here and nowhere else.

Every error is ``text/plain; charset=utf-8`` with the status line's reason and the message
(for a syntax error: line and column), e.g. ``400 Bad Request\n\nline 1, column 6: ...``.
Typed library errors carry their status; werkzeug's HTTP exceptions keep theirs; anything else
is a bug: logged with its traceback and answered 500 without one.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, request
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


def response_for(exc: BaseException, environ: dict[str, Any], metrics: Any) -> Response:
    """The response to ``exc`` raised while answering the request of ``environ`` (no request
    context needed: the Flask handlers and ``web.direct`` both answer with it)."""
    if isinstance(exc, QueryError):
        if exc.status >= 500 and exc.status != 503:
            log.error("%s: %s", type(exc).__name__, exc)
        requestlog.failed_in(environ, exc)
        if metrics is not None:
            metrics.refusal(exc)
        retry = getattr(exc, "retry_after", None)
        return error_response(exc.status, str(exc), {"Retry-After": str(retry)} if retry else None)
    if isinstance(exc, HTTPException):
        # the exception's own headers (Allow of a 405, Content-Range of a 416, WWW-Authenticate), not its HTML's type
        own = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
        return error_response(exc.code or 500, exc.description or "", own)
    if isinstance(exc, AllianceKGError):
        log.error("library error reached the web boundary", exc_info=exc)
        return error_response(500, f"internal error ({type(exc).__name__}); it was logged")
    log.error("unhandled error", exc_info=exc)
    return error_response(500, "internal error; it was logged")


def _handled(exc: Exception) -> Response:
    return response_for(exc, request.environ, current_app.extensions.get(METRICS))


def register(app: Flask) -> None:
    """Attach the handler (Flask picks it by the most specific class registered)."""
    for kind in (QueryError, AllianceKGError, HTTPException, Exception):
        app.register_error_handler(kind, _handled)
