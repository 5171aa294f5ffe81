"""``POST /sparql`` answered without Flask: what portals and most clients send, by far the most
frequent request, by the same protocol rules (``web.sparql``), error shape (``web.errors``) and
headers (``web.headers``) as every other request, in a third of Flask's time.

Flask's request context, URL routing, hook calls and response finalisation cost about
0.3 ms of CPU a request on this machine, as much as Oxigraph needs for most of the example
queries; a query POSTed to ``/sparql`` needs none of them. Everything else (GET, the query
page, the service description, the other routes) goes on to Flask. ``tests/test_posted.py``
sends the same requests both ways and compares status, headers and body.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Iterable

from flask import Flask
from werkzeug.http import parse_options_header
from werkzeug.wsgi import get_content_length, get_input_stream

from .errors import response_for
from .headers import gzip_large, shared_headers
from .metrics import metrics_of
from .params import refuse_longer
from .requestlog import ANSWERED, HEADER, REQUEST_ID, request_id
from .sparql import Answered, answer, asked, checked_accept, client_of, posted_params, within_length
from .state import EXTENSION, AppState

PATH = "/sparql"


class PostedQueries:
    """WSGI middleware: ``POST /sparql`` answered here, every other request by ``rest``."""

    def __init__(self, app: Flask, rest: Callable[..., Iterable[bytes]]):
        self.app, self.rest = app, rest

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.rest(environ, start_response)
        current, metrics = self.app.extensions[EXTENSION], metrics_of(self.app)
        environ.setdefault(REQUEST_ID, request_id(environ.get("HTTP_X_REQUEST_ID")))
        accept_encoding = environ.get("HTTP_ACCEPT_ENCODING", "")
        try:
            answered = self._answer(current, metrics, environ)
        except Exception as exc:  # the boundary: as Flask's error handler would answer
            response = response_for(exc, environ, metrics)
        else:
            if answered.reply.stream is None:  # the answer held whole: sent as it is
                body, headers = answered.whole(current, accept_encoding)
                _count(metrics, environ, 200)
                start_response("200 OK", [*headers, (HEADER, environ[REQUEST_ID])])
                return [body]
            response = answered.response(current, accept_encoding)
        shared_headers(response, "POST")
        gzip_large(response, accept_encoding)
        response.headers[HEADER] = environ[REQUEST_ID]
        _count(metrics, environ, response.status_code)
        return response(environ, start_response)

    def _answer(self, current: AppState, metrics: Any, environ: dict[str, Any]) -> Answered:
        settings = current.settings
        mimetype, options = _content_type(environ.get("CONTENT_TYPE", ""))
        params = posted_params(environ.get("QUERY_STRING", "").encode("latin-1"), mimetype,
                               options.get("charset", "utf-8").lower(),
                               lambda: _body(environ, settings.max_body_bytes))
        query = asked(params, "POST")
        assert query is not None  # a POST without a query is refused
        within_length(query, settings)
        return answer(current, metrics, query, checked_accept(environ.get("HTTP_ACCEPT")),
                      client_of(current, environ), environ)


def _count(metrics: Any, environ: dict[str, Any], status: int) -> None:
    if ANSWERED not in environ:  # else counted by what answered it (web.serving)
        metrics.count(environ, status, route=PATH)


@lru_cache(maxsize=64)
def _content_type(header: str) -> tuple[str, dict[str, str]]:
    """The media type (lower case) and parameters of a Content-Type, as werkzeug reads them."""
    mimetype, options = parse_options_header(header)
    return mimetype.lower(), options


def _body(environ: dict[str, Any], max_bytes: int) -> bytes:
    """The body, refused (413) past ``max_bytes``: before it is read when its length is said,
    else as soon as it is longer (a chunked body)."""
    length = get_content_length(environ)
    if length is None:
        return get_input_stream(environ, max_content_length=max_bytes).read()
    refuse_longer(length, max_bytes)
    return environ["wsgi.input"].read(length)
