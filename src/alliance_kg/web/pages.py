"""The researcher's workbench: the home page (members on a map), the query page for browsers
that open ``/sparql?query=...`` (a shareable permalink), and what every page template gets.

The pages' JavaScript and CSS are the bundle ``static/dist/`` built from ``frontend/`` (see
``frontend/build.mjs``); this module only renders HTML and asks the store, like any client.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ..namespaces import BASE, ID, PREFIXES, prefix_declarations
from ..stores.void import LICENSE
from . import citation
from .collation import sort_key
from .examples import localized
from .i18n import script_messages, t, tf
from .language import foreign, pick_label_language, preferred_language, switched, ui_language
from .linkeddata import href
from .state import state

bp = Blueprint("pages", __name__)
# A global, not a context variable: page_script (_macros.html) is imported without the context.
bp.add_app_template_global(script_messages)

ALLIANCE = ID["organization/chinesisch-deutsche-industriestaedteallianz"]
#: The source of every fact: its page shows the corrected text passage by passage.
MEMO = ID["document/memo-2017-03-09"]



def starter(lang: str) -> str:
    """What the editor holds before a researcher types: every project prefix and a first question,
    in ``lang``: its comments, and the members' labels in that language. Not every member has a
    label in every language (the German cities have no Chinese one), so in a language other than
    English a member without one is named in English rather than left out."""
    if lang == "en":
        members = """  ?member org:memberOf ?alliance ;
      rdfs:label ?label .
  FILTER (langMatches(lang(?label), "en"))"""
        comments = (t("starter_members", lang), t("starter_keys", lang))
    else:
        members = f"""  ?member org:memberOf ?alliance .
  OPTIONAL {{ ?member rdfs:label ?own FILTER (langMatches(lang(?own), "{lang}")) }}
  OPTIONAL {{ ?member rdfs:label ?english FILTER (langMatches(lang(?english), "en")) }}
  BIND (COALESCE(?own, ?english) AS ?label)"""
        comments = (t("starter_members", lang), t("starter_fallback", lang), t("starter_keys", lang))
    return prefix_declarations() + "\n\n" + "".join(f"# {line}\n" for line in comments) + f"""SELECT ?member ?label WHERE {{
  ?alliance a akg:Alliance .
{members}
}}
ORDER BY ?label
"""

#: The members with what the maps and lists need; labels in every language, chosen per request.
#: ``?identified``: another cited source settles which place an ambiguous name means
#: (akg:identifiedAs, in the editorial graph); the memo's own statement stays ambiguous.
MEMBERS = prefix_declarations(["akg", "org", "rdfs", "schema", "wgs84"]) + f"""
SELECT ?member ?label ?country ?lat ?long ?district ?ambiguous ?identified WHERE {{
  ?alliance a akg:Alliance .
  ?membership org:organization ?alliance ;
      org:member ?member .
  FILTER (STRSTARTS(STR(?member), "{ID}"))
  OPTIONAL {{ ?member rdfs:label ?label }}
  OPTIONAL {{ ?member schema:containedInPlace ?country . ?country a schema:Country . }}
  OPTIONAL {{ ?member wgs84:lat ?lat ; wgs84:long ?long . }}
  BIND (EXISTS {{ ?member a akg:District }} AS ?district)
  BIND (EXISTS {{ ?member a akg:AmbiguousPlace }} AS ?ambiguous)
  BIND (EXISTS {{ ?member akg:identifiedAs ?place }} AS ?identified)
}}"""

#: The two countries: the code ending their IRI, the key pages and scripts use, and the interface
#: text naming them when the graph has no label for them.
COUNTRIES = (("de", "germany", "country_germany"), ("cn", "china", "country_china"))

#: The countries' names in every language the graph has.
COUNTRY_LABELS = prefix_declarations(["rdfs", "schema"]) + """
SELECT ?country ?label WHERE {
  ?country a schema:Country ;
      rdfs:label ?label .
}"""


def page_href(iri: str) -> str:
    """Where a link to a project IRI goes on this server (its description page)."""
    return href(URIRef(iri))


def query_href(text: str, view: str | None = None) -> str:
    """The query page with ``text`` in the editor (and run): the same URL a permalink has."""
    params = {"query": text}
    if view:
        params["view"] = view
    return f"{request.script_root}/sparql?{urlencode(params)}"


def ui_config() -> dict[str, Any]:
    """The JSON block every page embeds for its script (``static/app/lib/config.js``)."""
    return {
        "base": BASE,
        "sparql": request.script_root + "/sparql",
        "suggest": url_for("search.suggest"),
        "code": url_for("snippets.code"),
        "static": url_for("static", filename=""),
        "prefixes": PREFIXES,
        "starter": starter(ui_language()),
        "lang": ui_language(),
        "messages": script_messages(),
        "formats": {
            "results": {"csv": "csv", "tsv": "tsv", "json": "json", "xml": "xml"},
            "graph": {"turtle": "turtle", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdfxml", "trig": "trig"},
        },
    }


def bundle_ready() -> bool:
    """False when ``frontend`` has not been built: pages then say so instead of failing silently."""
    static = current_app.static_folder
    return bool(static) and (Path(static) / "dist" / "query.js").is_file()


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"ui_config": ui_config, "query_href": query_href, "bundle_ready": bundle_ready,
            "licence": str(LICENSE), "id_space": str(ID), "t": t, "tf": tf, "foreign": foreign, "ui_lang": ui_language(),
            "memo_href": page_href(MEMO), "switched": switched}


def members() -> list[dict[str, Any]]:
    """The alliance's members, one dict each, labelled in the page's language and sorted as a
    reader of it looks the shown labels up (``collation.sort_key``: a Chinese page by pinyin,
    German cities too); read from the store once per generation, not on every visit
    (``_member_facts``).

    Besides the store's facts, each says what its list entry shows: ``district_tag`` is false
    when the label already names it a district in the page's language (宝安区 on a Chinese
    page ends in 区, which the tag would only repeat)."""
    district_word = t("district").casefold()
    found = []
    for facts, labels in state().cached("members", _member_facts):
        label, label_lang = pick_label_language(labels, preferred_language(labels))
        label = label or facts["iri"].rsplit("/", 1)[-1]
        found.append({**facts, "href": page_href(facts["iri"]), "label": label, "label_lang": label_lang,
                      "district_tag": facts["district"] and not label.casefold().endswith(district_word)})
    return sorted(found, key=lambda member: sort_key(member["label"]))


def _member_facts() -> list[tuple[dict[str, Any], dict[str, str]]]:
    """What the store says of each member, kept across requests, so nothing that depends on
    one (its language, the link's root): the facts, and the labels by language."""
    result = state().result(MEMBERS, max_rows=None)
    names = result.variables
    found: dict[str, dict[str, Any]] = {}
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for row in result.rows:
        values = dict(zip(names, row))
        iri = str(values["member"])
        label = values.get("label")
        if isinstance(label, Literal):
            labels[iri][label.language or ""] = str(label)
        entry = found.setdefault(iri, {"iri": iri, "country": None, "lat": None, "long": None,
                                       "district": False, "ambiguous": False, "identified": False})
        country = values.get("country")
        if isinstance(country, URIRef):
            code = str(country).rsplit("/", 1)[-1]
            entry["country"] = next((key for c, key, _ in COUNTRIES if c == code), code)
        if values.get("lat") is not None and values.get("long") is not None:
            entry["lat"], entry["long"] = float(values["lat"]), float(values["long"])
        entry["district"] = entry["district"] or _is_true(values.get("district"))
        entry["ambiguous"] = entry["ambiguous"] or _is_true(values.get("ambiguous"))
        entry["identified"] = entry["identified"] or _is_true(values.get("identified"))
    return [(entry, dict(labels[iri])) for iri, entry in found.items()]


def _is_true(term: Any) -> bool:
    """An answer's boolean is true by value: literals arrive as the store wrote them, and
    "1"^^xsd:boolean is as true as "true"."""
    return isinstance(term, Literal) and term.datatype == XSD.boolean and term.value is True


def country_names() -> dict[str, str]:
    """Each country's name in the page's language (its label in the graph, else the interface's
    word for it), by key: the home page never names a country in English on a German page."""
    labels = state().cached("country-labels", _country_labels)  # once per generation, not per visit
    lang = ui_language()
    return {key: labels.get(code, {}).get(lang) or t(word) for code, key, word in COUNTRIES}


def _country_labels() -> dict[str, dict[str, str]]:
    """The countries' labels by language, by the code ending their IRI."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for country, label in state().result(COUNTRY_LABELS, max_rows=None).rows:
        if isinstance(label, Literal):
            labels[str(country).rsplit("/", 1)[-1]][label.language or ""] = str(label)
    return labels


@bp.route("/")
def home() -> Response:
    everyone = members()
    names = country_names()
    by_country = [
        {"key": key, "title": names[key], "members": [m for m in everyone if m["country"] == key]}
        for _, key, _ in COUNTRIES
    ]
    current = state()
    context = {
        "members": everyone,
        "countries": by_country,
        "alliance_href": page_href(ALLIANCE),
        "examples": localized(current.examples, preferred_language(), ui_language()),
        "triple_count": current.store.triple_count(),
        "citation": citation.line(current.store.version, lang=ui_language()),
        "bibtex": citation.bibtex(current.store.version),
        "csl_json": citation.csl_json(current.store.version),
        "graph_count": len(current.store.graph_names()),
        "members_query": next((e["query"] for e in current.examples if e["name"].endswith("members-on-a-map")),
                              MEMBERS),
    }
    return Response(render_template("home.html", **context), content_type="text/html; charset=utf-8")
