"""``/sparql``: the SPARQL 1.1 Protocol, rule by rule, in the order the protocol reads.

1. method (GET, HEAD, POST; anything else 405 by routing) and, for POST, Content-Type
   (form-encoded or ``application/sparql-query``, UTF-8; ``application/sparql-update`` is
   refused because the endpoint is read-only; anything else 415);
2. each of ``query``/``update`` at most once, never both (400); any ``update`` is refused (403);
3. no query: GET answers the service description (or the query page for browsers); POST, or a
   GET with dataset parameters, is 400;
4. caps on query length (413); a graph named by the dataset parameters or FROM that we do not
   hold is an empty graph (never fetched), named in ``X-Unknown-Graphs``;
5. If-None-Match (304), then the query runs in a worker with a deadline (503) and a row cap,
   which also negotiates the format (406 lists the offered types).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import QueryError, QueryTooLarge, UpdateRefused
from ..namespaces import GRAPH, PREFIXES
from ..query import formats
from . import catalog, requestlog
from .headers import CONDITIONAL_METHODS, etag_for, not_modified, streamed
from .linkeddata import href
from .fairuse import CLIENT
from .metrics import metrics_of
from .params import decode_form, decode_text, read_body, values
from .state import state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    current = state()
    settings = current.settings
    params = decode_form(request.query_string, "query string")

    if request.method == "POST":
        kind = request.mimetype
        if kind not in (FORM, SPARQL_QUERY, SPARQL_UPDATE):
            raise UnsupportedMediaType(
                f"POST needs Content-Type {FORM} or {SPARQL_QUERY}, not {kind or 'none'!r}")
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"only UTF-8 is accepted, not charset={charset}")
        if kind == SPARQL_UPDATE:
            raise UpdateRefused(READ_ONLY)
        body = read_body(request, settings.max_body_bytes)
        if kind == FORM:
            params += decode_form(body, "request body")
        else:
            params.append(("query", decode_text(body, "request body")))

    queries, updates = values(params, "query"), values(params, "update")
    if len(queries) > 1:
        raise BadRequest("the query parameter may be given only once")
    if len(updates) > 1:
        raise BadRequest("the update parameter may be given only once")
    if queries and updates:
        raise BadRequest("a request carries either a query or an update, not both")
    if updates:
        raise UpdateRefused(READ_ONLY)
    if not queries:
        if request.method == "POST" or values(params, "default-graph-uri") or values(params, "named-graph-uri"):
            raise BadRequest("missing query (send query=... form-encoded or a SPARQL query body)")
        return describe_or_page()
    if request.method == "GET" and not values(params, "format") and _prefers_html():
        # A browser following a permalink: the query page, which runs the query itself.
        return _page()

    text = queries[0]
    if len(text) > settings.max_query_length:
        raise QueryTooLarge(f"query is {len(text)} characters long; the limit is {settings.max_query_length}")
    default_graphs = values(params, "default-graph-uri")
    named_graphs = values(params, "named-graph-uri")
    accept = _accept()
    format_param = (values(params, "format") or [None])[0]

    # only a conditional method's response gets an ETag, so only it costs a hash
    etag = etag_for(request, current.store.version) if request.method in CONDITIONAL_METHODS else None
    cached = not_modified(etag) if etag is not None else None
    if cached is not None:
        return cached
    entry = requestlog.begin(text)
    budgets = current.budgets
    client = budgets.client(request) if budgets.enabled else None
    if client is not None:
        budgets.check(client)
        request.environ[CLIENT] = client  # a query answered from another thread is charged there
    try:
        reply, hit = current.run_cached(text, default_graphs=tuple(default_graphs),
                                        named_graphs=tuple(named_graphs), accept=accept, format=format_param)
    except QueryError as exc:
        if client is not None:  # a failed or stopped query costs what it ran
            budgets.charge(client, getattr(exc, "seconds", 0.0))
        raise
    assert reply.media_type is not None
    metrics, kind, environ = metrics_of(current_app), current.store.kind, request.environ

    def account(held: float, rows: int, outcome: str) -> None:
        if client is not None and not hit:  # the time it held a worker; waiting for one is free
            budgets.charge(client, held)
        seconds = requestlog.finish(entry, form=reply.form, rows=rows, outcome=outcome, truncated=reply.truncated,
                                    slow=settings.slow_query_seconds, environ=environ)
        metrics.query(reply.form, kind, seconds, reply.truncated)

    stream = reply.stream
    if stream is None:
        account(reply.seconds, reply.rows, "hit" if hit else "ok")
        response = Response(reply.body, content_type=formats.content_type(reply.media_type))
        response.gzipped = reply.gzipped  # compressed once per reply, kept with it in the cache
    else:  # accounted for when the last byte is sent (or the client leaves)
        response = streamed(stream, content_type=formats.content_type(reply.media_type))
        response.call_on_close(lambda: account(stream.seconds, stream.rows, "ok" if stream.complete else "cut"))
    if current.results.enabled:
        response.headers["X-Cache"] = "hit" if hit else "miss"
    response.vary.add("Accept")
    if reply.truncated:
        response.headers["X-Result-Truncated"] = "true"
        response.headers["X-Result-Limit"] = str(settings.max_rows)
    if reply.unknown_graphs:
        # an empty result is explained: these graphs are not held here, so they were empty
        response.headers["X-Unknown-Graphs"] = " ".join(f"<{g}>" for g in reply.unknown_graphs)
    if etag is not None:
        response.set_etag(etag, weak=True)
    return response


def _accept() -> str | None:
    accept = request.headers.get("Accept")
    if accept is not None and len(accept) > formats.MAX_ACCEPT_LENGTH:
        raise BadRequest(f"Accept header longer than {formats.MAX_ACCEPT_LENGTH} characters")
    return accept


def describe_or_page() -> Response:
    """GET /sparql without a query: the service description, or the query page for browsers."""
    offered = list(formats.GRAPH_TYPES) + [formats.HTML]
    media_type = formats.negotiate_graph(offered, _accept(), request.args.get("format"))
    if media_type == formats.HTML:
        return _page()
    response = Response(formats.serialize_graph(catalog.service_description(), media_type),
                        content_type=formats.content_type(media_type))
    response.vary.add("Accept")
    return response


def _prefers_html() -> bool:
    """A browser navigating: text/html asked for by name and preferred over the result formats."""
    accept = request.accept_mimetypes
    if not any(value == formats.HTML and q > 0 for value, q in accept):
        return False
    return accept.best_match([formats.HTML, *formats.RESULT_TYPES, *formats.GRAPH_TYPES]) == formats.HTML


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
        "examples": examples,
        "default_query": examples[0]["query"] if examples else
        "SELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 25\n",
        "triple_count": current.store.triple_count(),
        "graphs": [{"href": href(g), "name": g[len(GRAPH):]} for g in sorted(current.store.graph_names())],
        "max_rows": current.settings.max_rows,
        "timeout": current.settings.query_timeout,
        "result_types": list(formats.RESULT_TYPES),
        "graph_types": list(formats.GRAPH_TYPES),
    }
