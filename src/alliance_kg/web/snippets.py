"""``GET /code?query=...``: the current query as a program that asks this endpoint — curl,
Python (SPARQLWrapper and rdflib) and JavaScript (fetch, in Node or a browser). Each snippet is
complete and runs as it is; ``tests/test_snippets.py`` runs every one against a live server.

R is left out: Debian's r-base-core would have to be installed on every machine and in CI
only to test one snippet, and R's SPARQL clients (SPARQL, httr) are further packages again.
"""

from __future__ import annotations

import json
import re
import shlex

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.exceptions import BadRequest

bp = Blueprint("snippets", __name__)

SELECT_TYPE = "application/sparql-results+json"
GRAPH_TYPE = "text/turtle"
_COMMENT = re.compile(r"#[^\n]*")
_PROLOGUE = re.compile(r"^\s*(PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*", re.I)
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (a guess from the text; the endpoint parses it)."""
    rest = _COMMENT.sub("", text)
    while (match := _PROLOGUE.match(rest)) is not None:
        rest = rest[match.end():]
    match = _FORM.match(rest)
    return match.group(1).upper() if match else "SELECT"


def snippets(endpoint: str, query: str) -> dict[str, str]:
    """Every snippet for ``query`` against ``endpoint`` (an absolute URL)."""
    graph = query_form(query) in ("CONSTRUCT", "DESCRIBE")
    accept = GRAPH_TYPE if graph else SELECT_TYPE
    py = repr(query)
    js = json.dumps(query, ensure_ascii=False)
    # rdflib asks RDF/XML for graphs by default, which we serve; results are JSON.
    store_format = "" if graph else ", returnFormat='json'"
    curl = (f"curl -sS {shlex.quote(endpoint)} \\\n  -H {shlex.quote('Accept: ' + accept)} \\\n"
            f"  --data-urlencode {shlex.quote('query=' + query)}\n")
    if graph:
        wrapper_result = ("sparql.setReturnFormat(TURTLE)\n"
                          "print(sparql.query().convert().decode('utf-8'))\n")
        rdflib_result = "for triple in result:\n    print(*triple)\n"
        js_result = "console.log(await response.text());\n"
    else:
        wrapper_result = ("sparql.setReturnFormat(JSON)\n"
                          "result = sparql.query().convert()\n"
                          "if 'boolean' in result:\n    print(result['boolean'])\n"
                          "else:\n    for row in result['results']['bindings']:\n"
                          "        print({name: value['value'] for name, value in row.items()})\n")
        rdflib_result = ("if result.type == 'ASK':\n    print(result.askAnswer)\n"
                         "else:\n    for row in result:\n        print(row.asdict())\n")
        js_result = ("const data = await response.json();\n"
                     "console.log(\"boolean\" in data ? data.boolean : "
                     "data.results.bindings.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v.value]))));\n")
    return {
        "curl": curl,
        "python-sparqlwrapper": ("from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper\n\n"
                                 f"sparql = SPARQLWrapper({endpoint!r})\nsparql.setMethod(POST)\n"
                                 f"sparql.setQuery({py})\n" + wrapper_result),
        "python-rdflib": ("from rdflib import Graph\nfrom rdflib.plugins.stores.sparqlstore import SPARQLStore\n\n"
                          f"store = SPARQLStore({endpoint!r}, method='POST_FORM'{store_format})\n"
                          f"result = Graph(store).query({py})\n" + rdflib_result),
        "javascript": (f"const response = await fetch({json.dumps(endpoint)}, {{\n"
                       f"  method: \"POST\",\n  headers: {{ Accept: {json.dumps(accept)} }},\n"
                       f"  body: new URLSearchParams({{ query: {js} }}),\n}});\n"
                       "if (!response.ok) throw new Error(await response.text());\n" + js_result),
    }


@bp.get("/code")
def code() -> Response:
    query = request.args.get("query")
    if not query:
        raise BadRequest("give the query as query=..., e.g. /code?query=ASK%20%7B%7D")
    endpoint = request.host_url.rstrip("/") + url_for("sparql.endpoint")
    return jsonify({"endpoint": endpoint, "form": query_form(query), "snippets": snippets(endpoint, query)})
