"""``GET /suggest?q=...``: resources whose names start like what was typed, for the search box
on every page and the editor's entity completion, answered from the label index
(``labels.py``) of the generation being served.

Each suggestion carries the label in the reader's language (``language.py``), the name that
matched (which may be in another language or script: "台州" finds Taizhou), the most specific
type and the country, each with its own label, the page to open and the form to write the IRI
in a query (a prefixed name where a project prefix fits) and to show it (the IRI, decoded).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from rdflib import URIRef
from werkzeug.exceptions import BadRequest

from ..rdf import prefixed_name
from .labels import Entry, LabelIndex
from .language import pick_label, preferred_language
from .linkeddata import decoded, href
from .state import state

bp = Blueprint("search", __name__)

MAX_QUERY = 200
MAX_LIMIT = 50


def _name(index: LabelIndex, iri: str | None, lang: str) -> dict[str, str] | None:
    if iri is None:
        return None
    entry = index.entries.get(iri)
    label = pick_label(entry.labels, lang) if entry else None
    return {"iri": iri, "label": label or iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]}


def suggestion(index: LabelIndex, entry: Entry, matched: str, lang: str) -> dict[str, Any]:
    """One suggestion as JSON."""
    return {
        "iri": entry.iri,
        "href": href(URIRef(entry.iri)),
        "label": pick_label(entry.labels, lang) or matched,
        "matched": matched,
        "type": _name(index, entry.type, lang),
        "country": _name(index, entry.country, lang),
        "sparql": prefixed_name(entry.iri),
        "shown": decoded(entry.iri),
    }


def _limit(default: str) -> int:
    raw = request.args.get("limit", default)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def _found(default_limit: str) -> tuple[str, str, list[dict[str, Any]]]:
    """What was typed, the label language and the suggestions, from ``q`` and ``limit``."""
    text = request.args.get("q")
    if text is None:
        raise BadRequest(f"give the beginning of a name as q, e.g. {request.script_root}{request.path}?q=Nürn")
    if len(text) > MAX_QUERY:
        raise BadRequest(f"q is longer than {MAX_QUERY} characters")
    limit = _limit(default_limit)
    index = state().labels(wait=False)  # a request does not wait minutes for a large graph's index
    found = index.suggest(text, limit)
    lang = preferred_language({l for m in found for l in m.entry.labels})
    return text, lang, [suggestion(index, m.entry, m.matched, lang) for m in found]


def _vary(response: Response) -> Response:
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


@bp.get("/suggest")
def suggest() -> Response:
    text, lang, found = _found("10")
    return _vary(jsonify({"q": text, "lang": lang, "suggestions": found}))


@bp.get("/search")
def results() -> Response:
    """The search box without JavaScript (or after Enter): the same matches as a page; with
    nothing typed, the search form."""
    if not request.args.get("q", "").strip():
        text, found = None, []
    else:
        text, _, found = _found(str(MAX_LIMIT))
    return _vary(Response(render_template("search.html", q=text, suggestions=found),
                          content_type="text/html; charset=utf-8"))
