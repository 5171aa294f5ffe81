"""Queries to ``/sparql`` answered without Flask: every POST, and every GET that carries a
query and is neither conditional nor a browser's. They are what portals and SPARQL clients send
(SPARQLWrapper GETs by default), by far the most frequent requests. They follow the same
protocol rules (``web.sparql``), error shape (``web.errors``) and headers (``web.headers``:
for a GET its weak ETag, Cache-Control and Date) as every other request, in a third of Flask's
time.

Flask's request context, URL routing, hook calls and response finalisation cost about
0.3 ms of CPU a request on this machine, as much as Oxigraph needs for most of the example
queries; a query needs none of them. A GET whose If-None-Match holds its tag gets its 304 here
too, without the query being run (an HTTP cache revalidating). Everything else goes on to
Flask: a GET without a query (the service description), a browser's (its Accept prefers
HTML: the query page), one with another conditional header or a Range (``make_conditional``:
412, 206, dates), HEAD, and the other routes.
``tests/test_direct.py`` sends the same requests both ways and compares status, headers and
body.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Iterable

from flask import Flask, Response
from werkzeug.http import parse_options_header
from werkzeug.wsgi import get_content_length, get_input_stream

from ..settings import Settings
from .errors import response_for
from .headers import (CONDITIONAL_HEADERS, UNCACHEABLE, cacheable, etag_in, gzip_large, not_modified,
                      shared_headers)
from .metrics import metrics_of
from .params import decode_form, refuse_longer
from .requestlog import ANSWERED, HEADER, REQUEST_ID, request_id
from .sparql import (VARY, Asked, answer, asked, checked_accept, client_of, posted_params, prefers_html,
                     within_length)
from .state import EXTENSION

PATH = "/sparql"


class DirectQueries:
    """WSGI middleware: queries to ``/sparql`` answered here, every other request by ``rest``."""

    def __init__(self, app: Flask, rest: Callable[..., Iterable[bytes]]):
        self.app, self.rest = app, rest

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != PATH or not (method == "POST" or method == "GET" and _plain(environ)):
            return self.rest(environ, start_response)
        current, metrics = self.app.extensions[EXTENSION], metrics_of(self.app)
        environ.setdefault(REQUEST_ID, request_id(environ.get("HTTP_X_REQUEST_ID")))
        accept_encoding = environ.get("HTTP_ACCEPT_ENCODING", "")
        extra: list[tuple[str, str]] = []
        response: Response | None = None
        try:
            query = _posted(current.settings, environ) if method == "POST" else _got(environ)
            if query is None:  # the description, or the query page: Flask's
                return self.rest(environ, start_response)
            within_length(query, current.settings)
            accept = checked_accept(environ.get("HTTP_ACCEPT"))
            if method == "GET" and query.volatile:  # NOW(), RAND(): kept by no cache
                extra = list(UNCACHEABLE)
            elif method == "GET":  # tagged before it runs, as Flask's view does
                etag = etag_in(environ, current.store.version)
                response = not_modified(environ, etag, VARY)  # the client holds it: 304, nothing run
                extra = cacheable(etag)
            if response is None:
                answered = answer(current, metrics, query, accept, client_of(current, environ), environ)
        except Exception as exc:  # the boundary: as Flask's error handler would answer
            response = response_for(exc, environ, metrics)
        if response is None:
            if answered.reply.stream is None:  # the answer held whole: sent as it is
                body, headers = answered.whole(current, accept_encoding)
                _count(metrics, environ, 200)
                start_response("200 OK", [*headers, *extra, (HEADER, environ[REQUEST_ID])])
                return [body]
            response = answered.response(current, accept_encoding)
            response.headers.extend(extra)
        shared_headers(response, method)
        gzip_large(response, accept_encoding)
        response.headers[HEADER] = environ[REQUEST_ID]
        _count(metrics, environ, response.status_code)
        return response(environ, start_response)


def _plain(environ: dict[str, Any]) -> bool:
    """A GET that is neither a browser's (the query page, ``web.sparql.prefers_html``, which
    the Flask view decides by too) nor conditional but for If-None-Match: what ``_got``
    answers, once it has a query."""
    return not prefers_html(environ.get("HTTP_ACCEPT")) and not any(
        name in environ for name in CONDITIONAL_HEADERS)


def _posted(settings: Settings, environ: dict[str, Any]) -> Asked:
    mimetype, options = _content_type(environ.get("CONTENT_TYPE", ""))
    params = posted_params(environ.get("QUERY_STRING", "").encode("latin-1"), mimetype,
                           options.get("charset", "utf-8").lower(),
                           lambda: _body(environ, settings.max_body_bytes), environ.get("HTTP_CONTENT_ENCODING", ""))
    query = asked(params, "POST")
    assert query is not None  # a POST without a query is refused
    return query


def _got(environ: dict[str, Any]) -> Asked | None:
    return asked(decode_form(environ.get("QUERY_STRING", "").encode("latin-1"), "query string"), "GET")


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
