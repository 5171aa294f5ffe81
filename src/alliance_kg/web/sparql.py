"""``/sparql``: the SPARQL 1.1 Protocol, rule by rule, in the order the protocol reads.

1. method (GET, HEAD, POST; anything else 405 by routing) and, for POST, Content-Type
   (form-encoded or ``application/sparql-query``, UTF-8; ``application/sparql-update`` is
   refused because the endpoint is read-only; anything else 415);
2. each of ``query``/``update`` at most once, never both (400); any ``update`` is refused (403);
3. no query: GET answers the service description (or the query page for browsers); POST, or a
   GET with dataset parameters, is 400;
4. caps on query length (413); a dataset parameter that is no absolute IRI is a 400; a graph
   named by the dataset parameters or FROM that we do not hold is an empty graph (never
   fetched), named in ``X-Unknown-Graphs``;
5. If-None-Match (304), then the query runs with a deadline (503) and a row cap, which also
   negotiates the format: ``format=`` (or ``output=``, ``results=``, as SPARQLWrapper sends them
   too), then Accept (406 lists the offered types).

Each rule is a function of its own (``posted_params``, ``asked``, ``within_length``, ``answer``,
``Answered``): the Flask view below applies them to every request, and ``web.direct`` to a POST,
or a plain GET with a query, before Flask sees it.
"""

from __future__ import annotations

import functools
import re

from dataclasses import dataclass
from typing import Any, Callable

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import QueryError, QueryTooLarge, UpdateRefused
from ..namespaces import GRAPH, PREFIXES
from ..query import formats
from ..query.cache import volatile
from ..query.executor import Reply
from ..settings import Settings
from . import catalog, requestlog
from .examples import localized
from .fairuse import CLIENT, Client
from .headers import CONDITIONAL_METHODS, SHARED, UNCACHEABLE, etag_in, gzip_plan, not_modified, streamed
from .language import preferred_language, ui_language
from .linkeddata import href
from .metrics import Metrics, metrics_of
from .params import decode_form, decode_text, read_body, values
from .state import AppState, state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
#: Every answer's Vary, whether or not its size has it gzipped: a 304 (``not_modified``), sent
#: before the answer exists, says the same.
VARY = "Accept, Accept-Encoding"


@dataclass(frozen=True)
class Asked:
    """A query request as the protocol reads it (rules 1 to 4)."""

    text: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format: str | None

    @functools.cached_property
    def volatile(self) -> bool:
        """Whether its answer may differ on unchanged data (``query.cache.volatile``): read once
        a request, by the HTTP headers and the result cache alike."""
        return volatile(self.text)


def posted_params(query_string: bytes, mimetype: str, charset: str, body: Callable[[], bytes],
                  coding: str = "") -> list[tuple[str, str]]:
    """Rule 1 for a POST: its parameters, the query string's, then, once its Content-Type,
    charset and Content-Encoding (``coding``) are checked (415; an update is refused, 403), the
    body's (``body()`` reads it). A compressed body is refused rather than read as text (RFC
    9110, 8.4: a coding the server does not take is a 415)."""
    params = decode_form(query_string, "query string")
    if mimetype not in (FORM, SPARQL_QUERY, SPARQL_UPDATE):
        raise UnsupportedMediaType(f"POST needs Content-Type {FORM} or {SPARQL_QUERY}, not {mimetype or 'none'!r}")
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"only UTF-8 is accepted, not charset={charset}")
    if mimetype == SPARQL_UPDATE:
        raise UpdateRefused()
    if coding.strip().lower() not in ("", "identity"):
        raise UnsupportedMediaType(f"Content-Encoding {coding.strip()!r} is not accepted: send the body uncompressed")
    raw = body()
    if mimetype == FORM:
        params += decode_form(raw, "request body")
    else:
        params.append(("query", decode_text(raw, "request body")))
    return params


def asked(params: list[tuple[str, str]], method: str) -> Asked | None:
    """Rules 2 and 3: each of ``query``/``update`` at most once and never both (400), no update
    (403); None for a GET without a query (the description or the page), which a POST, or a GET
    with dataset parameters, may not be (400). The query without a leading byte-order mark."""
    queries, updates = values(params, "query"), values(params, "update")
    if len(queries) > 1:
        raise BadRequest("the query parameter may be given only once")
    if len(updates) > 1:
        raise BadRequest("the update parameter may be given only once")
    if queries and updates:
        raise BadRequest("a request carries either a query or an update, not both")
    if updates:
        raise UpdateRefused()
    default_graphs, named_graphs = values(params, "default-graph-uri"), values(params, "named-graph-uri")
    if not queries:
        if method == "POST" or default_graphs or named_graphs:
            raise BadRequest("missing query (send query=... form-encoded or a SPARQL query body)")
        return None
    for name, graphs in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for graph in graphs:
            graph_iri(name, graph)
    # A leading byte-order mark (a query file saved by a Windows editor, sent as it is, in a body
    # or a form value) is no part of the query: one is dropped here, where every request's query
    # passes once, and not in the guard, which would be the first to trip on it.
    return Asked(queries[0].removeprefix("\ufeff"), tuple(default_graphs), tuple(named_graphs), format_in(params))


def format_in(params: list[tuple[str, str]]) -> str | None:
    """The format asked for by ``format=``, or its aliases ``output=`` and ``results=``
    (``formats.format_asked``: ``format=`` first; a value we do not know gives way)."""
    return formats.format_asked(value for name in formats.FORMAT_PARAMETERS for value in values(params, name))


#: An absolute IRI as SPARQL writes one between <>: a scheme, then none of the characters IRIREF
#: excludes (spaces and controls, ``<>"{}|^`\``).
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*")


def graph_iri(parameter: str, value: str) -> str:
    """A dataset parameter's value, which must be an absolute IRI (400 naming the parameter):
    anything else would name no graph, and the query would answer as if over an empty one."""
    if not _IRI.fullmatch(value):
        raise BadRequest(f"{parameter} must be an absolute IRI (a scheme such as https:, no spaces and none of "
                         f"<>\"{{}}|^`\\), not {value[:200]!r}")
    return value


def within_length(query: Asked, settings: Settings) -> Asked:
    """Rule 4: the query's length (413)."""
    if len(query.text) > settings.max_query_length:
        raise QueryTooLarge(f"query is {len(query.text)} characters long; the limit is {settings.max_query_length}")
    return query


def checked_accept(accept: str | None) -> str | None:
    """``Accept`` as given, unless it is longer than anyone's (400): it is parsed per request."""
    if accept is not None and len(accept) > formats.MAX_ACCEPT_LENGTH:
        raise BadRequest(f"Accept header longer than {formats.MAX_ACCEPT_LENGTH} characters")
    return accept


@dataclass
class Answered:
    """A query's reply, and how to account for it once it is sent (``done``)."""

    reply: Reply
    hit: bool
    done: Callable[[float, int, str], None]

    def headers(self, settings: Settings, cached: bool) -> list[tuple[str, str]]:
        """What the answer says of itself, beside its type: cache, row cap, unknown graphs."""
        reply, said = self.reply, []
        if cached:
            said.append(("X-Cache", "hit" if self.hit else "miss"))
        if reply.truncated:
            said += [("X-Result-Truncated", "true"), ("X-Result-Limit", str(settings.max_rows))]
        if reply.unknown_graphs:
            # an empty result is explained: these graphs are not held here, so they were empty
            said.append(("X-Unknown-Graphs", " ".join(f"<{g}>" for g in reply.unknown_graphs)))
        return said

    def response(self, current: AppState, accept_encoding: str) -> Response:
        """The answer as a response: its bytes (``whole``), or its stream, accounted for when
        the last byte is sent or the client leaves."""
        reply = self.reply
        if reply.stream is None:
            body, headers = self.whole(current, accept_encoding)
            return Response(body, headers=headers)
        response = streamed(reply.stream, content_type=formats.content_type(reply.media_type),
                            accept_encoding=accept_encoding)
        response.call_on_close(self._close_streamed)
        response.headers.extend(self.headers(current.settings, current.results.enabled))
        response.headers["Vary"] = VARY
        return response

    def whole(self, current: AppState, accept_encoding: str) -> tuple[bytes, list[tuple[str, str]]]:
        """An answer held whole as it is sent: its bytes (gzipped, once per reply and kept with
        it in the cache, for a client that takes gzip) and the headers of any response but the
        request id (``web.direct`` sends them as they are)."""
        reply = self.reply
        compresses = gzip_plan(len(reply.body), accept_encoding)[1]
        body = reply.gzipped() if compresses else reply.body
        headers = [("Content-Type", formats.content_type(reply.media_type)), ("Content-Length", str(len(body))),
                   *self.headers(current.settings, current.results.enabled), ("Vary", VARY), *SHARED]
        if compresses:
            headers.append(("Content-Encoding", "gzip"))
        return body, headers

    def _close_streamed(self) -> None:
        stream = self.reply.stream
        assert stream is not None
        self.done(stream.seconds, stream.rows, "ok" if stream.complete else "cut")


def answer(current: AppState, metrics: Metrics, query: Asked, accept: str | None, client: Client | None,
           environ: dict[str, Any]) -> Answered:
    """Rule 5: the query run (through the result cache) within its client's budget, and what
    accounts for it: the request log, the metrics, the budget."""
    entry = requestlog.begin_in(environ, query.text)
    budgets = current.budgets
    if client is not None:
        assert budgets is not None
        budgets.check(client)
        environ[CLIENT] = client  # a query answered from another thread is charged there
    try:
        reply, hit = current.run_cached(query.text, keep=not query.volatile, default_graphs=query.default_graphs,
                                        named_graphs=query.named_graphs, accept=accept, format=query.format)
    except QueryError as exc:
        if client is not None:  # a failed or stopped query costs what it ran
            budgets.charge(client, getattr(exc, "seconds", 0.0))  # type: ignore[union-attr]
        raise
    assert reply.media_type is not None
    settings, kind = current.settings, current.store.kind

    def done(held: float, rows: int, outcome: str) -> None:
        if client is not None and not hit:  # the time it held a worker; waiting for one is free
            budgets.charge(client, held)  # type: ignore[union-attr]
        seconds = requestlog.finish(entry, form=reply.form, rows=rows, outcome=outcome, truncated=reply.truncated,
                                    slow=settings.slow_query_seconds, environ=environ)
        metrics.query(reply.form, kind, seconds, reply.truncated)

    if reply.stream is None:
        done(reply.seconds, reply.rows, "hit" if hit else "ok")
    return Answered(reply, hit, done)


def client_of(current: AppState, environ: dict[str, Any]) -> Client | None:
    """Who is charged for the request's query, when budgets are on (``web.fairuse``)."""
    budgets = current.budgets
    return budgets.client_in(environ) if budgets is not None and budgets.enabled else None


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    current = state()
    settings = current.settings
    if request.method == "POST":
        params = posted_params(request.query_string, request.mimetype,
                               request.mimetype_params.get("charset", "utf-8").lower(),
                               lambda: read_body(request, settings.max_body_bytes),
                               request.headers.get("Content-Encoding", ""))
    else:
        params = decode_form(request.query_string, "query string")
    query = asked(params, request.method)
    if query is None:
        return describe_or_page()
    if request.method == "GET" and not query.format and _prefers_html():
        # A browser following a permalink: the query page, which runs the query itself.
        return _page()
    within_length(query, settings)
    accept = _accept()
    # only a conditional method's response gets an ETag, so only it costs a hash; a volatile
    # query's (NOW(), RAND()) none, and no cache may keep it
    kept = not query.volatile
    etag = etag_in(request.environ, current.store.version) if kept and request.method in CONDITIONAL_METHODS else None
    cached = not_modified(request.environ, etag, VARY) if etag is not None else None
    if cached is not None:
        return cached
    answered = answer(current, metrics_of(current_app), query, accept, client_of(current, request.environ),
                      request.environ)
    response = answered.response(current, request.headers.get("Accept-Encoding", ""))
    if etag is not None:
        response.set_etag(etag, weak=True)
    if not kept:
        response.headers.update(UNCACHEABLE)
    return response


def _accept() -> str | None:
    return checked_accept(request.headers.get("Accept"))


def describe_or_page() -> Response:
    """GET /sparql without a query: the service description, or the query page for browsers."""
    offered = list(formats.GRAPH_TYPES) + [formats.HTML]
    media_type = formats.negotiate_graph(offered, _accept(), format_in(list(request.args.items(multi=True))))
    if media_type == formats.HTML:
        return _page()
    response = Response(catalog.service_description_in(media_type),
                        content_type=formats.content_type(media_type))
    response.vary.add("Accept")
    return response


def _prefers_html() -> bool:
    return prefers_html(request.headers.get("Accept"))


#: What a query's answer may be sent as: result sets, graphs and the names clients use for them.
_ANSWER_TYPES = (*formats.RESULT_TYPES, *formats.GRAPH_TYPES, *formats.ALIASES)


@functools.lru_cache(maxsize=256)
def prefers_html(accept: str | None) -> bool:
    """A browser navigating: text/html asked for by name, and either preferred strictly over
    every type an answer may take or, at the same q, listed before any of them by name (a
    wildcard lists none: ``text/html, */*`` is a browser's). A client that names a result type
    as high as HTML and first (``application/sparql-results+json, text/html``) gets results.
    The ranges are read as the negotiation reads them, parameters aside; an over-long header
    is no browser's (``checked_accept`` refuses it). Both the Flask view and ``web.direct``
    decide by it."""
    if not accept or len(accept) > formats.MAX_ACCEPT_LENGTH or "html" not in accept.lower():
        return False
    ranges = formats.parse_accept(accept)
    html = dict(ranges).get(formats.HTML, 0)
    if html <= 0:
        return False
    best = max(ranges.quality(media_type) for media_type in _ANSWER_TYPES)
    if html != best:
        return html > best
    # the same q: the order they were named in (werkzeug keeps it among ranges as specific)
    for value, q in ranges:
        if value == formats.HTML:
            return True
        if q == html and value in _ANSWER_TYPES:
            return False
    return True


def _page() -> Response:
    response = Response(render_template("query.html", **query_page_context()),
                        content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response


def query_page_context() -> dict:
    """What the query page template gets (kept independent of the template's details)."""
    current = state()
    examples = current.examples
    return {
        "endpoint": request.script_root + "/sparql",
        "prefixes": PREFIXES,
        "examples": localized(examples, preferred_language(), ui_language()),
        "default_query": examples[0]["query"] if examples else
        "SELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 25\n",
        "triple_count": current.store.triple_count(),
        "graphs": [{"href": href(g), "name": g[len(GRAPH):]} for g in sorted(current.store.graph_names())],
        "max_rows": current.settings.max_rows,
        "timeout": current.settings.query_timeout,
        "result_types": list(formats.RESULT_TYPES),
        "graph_types": list(formats.GRAPH_TYPES),
    }
