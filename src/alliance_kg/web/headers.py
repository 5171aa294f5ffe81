"""Response headers every route shares: CORS, nosniff, ETag/Cache-Control (304), gzip.

CORS is open (any origin, no credentials) because every route is read-only and portals query
from browsers. ETags are derived from the data version and the request (path, query string and
the headers we negotiate on), so a client's If-None-Match gets a 304 until the data changes,
without the query being run again.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any, Iterable

from flask import Flask, Request, Response, request
from werkzeug.http import http_date, parse_accept_header, parse_cookie, parse_etags, quote_etag

from ..query.compression import gzipped_answer, gzipped_stream
from .language import COOKIE
from .state import state

#: Request headers a page on another origin may send (a preflight's answer): what we negotiate on,
#: the fair-use token and a request id of its own, and the conditional and Range headers the
#: routes answer (304, 412, 206: a dump resumed). Not Authorization: only the admin route reads
#: it, and that one changes state, so it is no business of a page elsewhere.
ALLOWED_HEADERS = ("Accept, Accept-Language, Content-Type, X-API-Key, X-Request-Id, If-None-Match, "
                   "If-Modified-Since, If-Match, If-Unmodified-Since, If-Range, Range")
#: Response headers such a page may read beyond the CORS-safelisted ones: the tag, links and file
#: name, a description's own URL, a range's extent, when to come back (429, 503), the request id
#: to quote in a report, and what an answer says of itself (cache, row cap, unknown graphs, the
#: dump's citation).
EXPOSED_HEADERS = ("ETag, Link, Content-Disposition, Content-Location, Content-Range, Accept-Ranges, Retry-After, "
                   "X-Request-Id, X-Cache, X-Result-Truncated, X-Result-Limit, X-Unknown-Graphs, X-Citation")
CACHE_CONTROL = "public, max-age=300"
#: The methods whose responses carry an ETag and may be answered 304 (a POST is never cached).
CONDITIONAL_METHODS = ("GET", "HEAD")
GZIP_MIN_BYTES = 1024


def etag_in(environ: dict[str, Any], version: str) -> str:
    """Data version + everything the response depends on (the remembered language too), read
    from the WSGI environ: ``web.direct`` answers without a Flask request, by the same tag."""
    cookie = environ.get("HTTP_COOKIE")
    digest = hashlib.sha256()
    for part in (version, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                 environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_ACCEPT_LANGUAGE", ""),
                 parse_cookie(cookie).get(COOKIE, "") if cookie else ""):
        digest.update(part.encode("utf-8", "replace") + b"\x00")
    return digest.hexdigest()[:32]


def accepts_gzip(req: Request) -> bool:
    """Whether the client takes gzip (see ``takes_gzip``)."""
    return takes_gzip(req.headers.get("Accept-Encoding", ""))


def takes_gzip(accept_encoding: str) -> bool:
    """Whether ``Accept-Encoding`` takes gzip, read once per distinct value (a client sends the
    same one every time; werkzeug would parse it again for each response)."""
    return _gzip_quality(accept_encoding) > 0


@lru_cache(maxsize=256)
def _gzip_quality(header: str) -> float:
    return parse_accept_header(header)["gzip"]


def not_modified(environ: dict[str, Any], etag: str, vary: str) -> Response | None:
    """A 304 if the client already holds this representation (GET/HEAD only): no request
    context needed, ``web.direct`` answers with it too. It carries what the 200 would of the
    headers RFC 9110 §15.4.5 names (ETag, Cache-Control, Date, and ``vary``, the 200's Vary):
    a cache updates its stored answer's headers from it."""
    if environ.get("REQUEST_METHOD") in CONDITIONAL_METHODS and \
            parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(etag):
        return Response(status=304, headers=[*cacheable(etag), ("Vary", vary)])
    return None


#: What every response carries: CORS (open: every route is read-only) and nosniff (every body,
#: errors included, is what its Content-Type says: browsers must not guess).
SHARED = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
          ("X-Content-Type-Options", "nosniff"))


def shared_headers(response: Response, method: str) -> None:
    """``SHARED`` on ``response``, and for a CORS preflight what it may ask: the methods are the
    route's own, those its ``Allow`` lists (Flask's answer to OPTIONS names them), so a page is
    not told it may POST to a route that answers only GET (none for a route that is not there)."""
    for name, value in SHARED:
        response.headers[name] = value
    if method == "OPTIONS":
        allowed = response.headers.get("Allow")
        if allowed:
            response.headers["Access-Control-Allow-Methods"] = allowed
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"


#: Request headers that make a GET conditional or partial beyond If-None-Match (``not_modified``):
#: answered by ``make_conditional`` (412, 206, or a date compared).
CONDITIONAL_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE",
                       "HTTP_RANGE")


#: What the answer to a volatile query (``query.cache.volatile``) says to HTTP caches: keep nothing
#: (no ETag either: revalidating it would hand back an answer of another time).
UNCACHEABLE = (("Cache-Control", "no-store"),)


def cacheable(etag: str) -> list[tuple[str, str]]:
    """What ``_conditional`` gives a 200 answer to a GET that has none of
    ``CONDITIONAL_HEADERS`` (and no If-None-Match that matches): its weak ETag, how long it may
    be kept, and the Date (``make_conditional``'s), as ``web.direct`` sends them."""
    return [("ETag", quote_etag(etag, weak=True)), ("Cache-Control", CACHE_CONTROL), ("Date", http_date())]


def _conditional(response: Response) -> Response:
    if request.method not in CONDITIONAL_METHODS or response.status_code != 200:
        return response
    if "no-store" in response.headers.get("Cache-Control", ""):
        return response
    if response.mimetype == "text/html":
        # the language: the switch's choice, remembered, else Accept-Language (web/language.py)
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
    if "ETag" not in response.headers:
        response.set_etag(etag_in(request.environ, state().store.version), weak=True)
    response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    return response.make_conditional(request)


def gzip_large(response: Response, accept_encoding: str) -> None:
    """Compress large bodies for clients that accept gzip (a query's answer comes compressed
    already, once per reply: ``web.sparql.Answered.whole``)."""
    if (response.status_code != 200 or response.direct_passthrough or response.is_streamed
            or "Content-Encoding" in response.headers):
        return
    varies, compresses = gzip_plan(response.content_length or 0, accept_encoding)
    if varies:
        response.vary.add("Accept-Encoding")
    if not compresses:
        return
    response.set_data(gzipped_answer(response.get_data()))
    response.headers["Content-Encoding"] = "gzip"


def gzip_plan(length: int, accept_encoding: str) -> tuple[bool, bool]:
    """(whether a body of ``length`` bytes varies by Accept-Encoding, whether it goes gzipped):
    from ``GZIP_MIN_BYTES`` on, gzipped for a client that takes gzip."""
    large = length >= GZIP_MIN_BYTES
    return large, large and takes_gzip(accept_encoding)


def streamed(chunks: Iterable[bytes], *, content_type: str, accept_encoding: str) -> Response:
    """A response whose body is ``chunks``, sent as they come (chunked), gzip-compressed on the
    way for clients that accept it. ``chunks.close()``, if it has one, runs when the response is
    done with, whether or not it was read (a HEAD request reads nothing)."""
    gzipped = takes_gzip(accept_encoding)
    response = Response(gzipped_stream(chunks) if gzipped else chunks, content_type=content_type)
    response.implicit_sequence_conversion = False  # else a conditional response reads it all for its length
    response.vary.add("Accept-Encoding")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    close = getattr(chunks, "close", None)
    if close is not None:
        response.call_on_close(close)
    return response


def register(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        shared_headers(response, request.method)
        response = _conditional(response)
        gzip_large(response, request.headers.get("Accept-Encoding", ""))
        return response
