"""One error shape for every route, built here and nowhere else.

Every error is ``text/plain; charset=utf-8`` with the status line's reason and the message
(for a syntax error: line and column), e.g. ``400 Bad Request\n\nline 1, column 6: ...``.
Typed library errors carry their status; werkzeug's HTTP exceptions keep theirs; anything else
is a bug: logged with its traceback and answered 500 without one.

A browser (its Accept prefers HTML to plain text) that meets an error on the pages it navigates
(``on_a_page``: ``PAGE_BLUEPRINTS``, or an address no route serves) gets the same status and message as a
small page in the site's layout and its language (``error.html``). The SPARQL protocol's
errors, and those of the routes programs call (``/suggest``, ``/code``, health, metrics), stay
plain text whatever is asked.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ..errors import AllianceKGError, QueryError
from ..query import formats
from . import requestlog
from .metrics import METRICS

log = logging.getLogger(__name__)

#: Blueprints of the pages browsers navigate, whose errors a browser gets as a page.
PAGE_BLUEPRINTS = frozenset({"pages", "linkeddata", "catalog"})
#: Endpoints of other blueprints that are pages too.
PAGE_ENDPOINTS = frozenset({"search.results"})
PLAIN = "text/plain"
#: Paths whose errors are a protocol's: plain text even for a route they do not have (a PUT).
PROTOCOL_PATHS = frozenset({"/sparql"})


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The one error shape: status, plain text, never cached, never a traceback."""
    reason = HTTP_STATUS_CODES.get(status, "Error")
    response = Response(f"{status} {reason}\n\n{message.rstrip()}\n", status=status,
                        content_type=f"{PLAIN}; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def response_for(exc: BaseException, environ: dict[str, Any], metrics: Any) -> Response:
    """The response to ``exc`` raised while answering the request of ``environ`` (no request
    context needed: the Flask handlers and ``web.direct`` both answer with it)."""
    return error_response(*classified(exc, environ, metrics))


def classified(exc: BaseException, environ: dict[str, Any],
               metrics: Any) -> tuple[int, str, dict[str, str] | None]:
    """What the error says: its status, message and own headers (logged and counted here)."""
    if isinstance(exc, QueryError):
        if exc.status >= 500 and exc.status != 503:
            log.error("%s: %s", type(exc).__name__, exc)
        requestlog.failed_in(environ, exc)
        if metrics is not None:
            metrics.refusal(exc)
        retry = getattr(exc, "retry_after", None)
        return exc.status, str(exc), {"Retry-After": str(retry)} if retry else None
    if isinstance(exc, HTTPException):
        # the exception's own headers (Allow of a 405, Content-Range of a 416, WWW-Authenticate), not its HTML's type
        own = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
        return exc.code or 500, exc.description or "", own
    if isinstance(exc, AllianceKGError):
        log.error("library error reached the web boundary", exc_info=exc)
        return 500, f"internal error ({type(exc).__name__}); it was logged", None
    log.error("unhandled error", exc_info=exc)
    return 500, "internal error; it was logged", None


def error_page(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error as a browser sees it: the same status, message and headers, as a page in the
    site's layout and the reader's language; plain text if the page itself cannot be made."""
    try:
        body = render_template("error.html", status=status, reason=HTTP_STATUS_CODES.get(status, "Error"),
                               message=message.rstrip())
    except Exception:  # a page failing on top of an error: the plain answer, and the cause logged
        log.error("the error page for %s could not be made", status, exc_info=True)
        return error_response(status, message, headers)
    response = error_response(status, message, headers)
    response.set_data(body)
    response.content_type = "text/html; charset=utf-8"
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    return response


def on_a_page() -> bool:
    """Whether the request is for a page browsers navigate (or an address no route serves)."""
    if request.path in PROTOCOL_PATHS:
        return False
    return (request.url_rule is None or request.blueprint in PAGE_BLUEPRINTS
            or request.endpoint in PAGE_ENDPOINTS)


def prefers_page(accept: str | None) -> bool:
    """A browser's Accept: HTML preferred to plain text (``*/*`` alone is not)."""
    if not accept or len(accept) > formats.MAX_ACCEPT_LENGTH:
        return False
    return formats.parse_accept(accept).best_match([PLAIN, formats.HTML]) == formats.HTML


def _handled(exc: Exception) -> Response:
    said = classified(exc, request.environ, current_app.extensions.get(METRICS))
    if not on_a_page():
        return error_response(*said)
    if prefers_page(request.headers.get("Accept")):
        return error_page(*said)
    response = error_response(*said)
    response.vary.add("Accept")  # a browser gets a page
    return response


def register(app: Flask) -> None:
    """Attach the handler (Flask picks it by the most specific class registered)."""
    for kind in (QueryError, AllianceKGError, HTTPException, Exception):
        app.register_error_handler(kind, _handled)
