"""The floor under our endpoint: the benchmark's dump in pyoxigraph's memory store, answered by
granian's WSGI worker with the same processes and threads as ours, and nothing else.

No guard (SERVICE would be followed, updates run), no deadline, no row cap, no dataset
clauses, no gzip, no metrics, no request log: what an endpoint on the web cannot leave out.
``benchmarks/run.py --systems bare-pyoxigraph`` measures it beside ours and the Oxigraph server,
so a run shows how fast Python can serve this engine on the machine at hand and how much of
the gap to the Oxigraph server is our own work per request. Not a server for anyone to run.

    BARE_DUMP=dump.nq granian --interface wsgi --working-dir benchmarks bare_pyoxigraph:app
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

import pyoxigraph as ox

STORE = ox.Store()
STORE.bulk_load(path=os.environ["BARE_DUMP"], format=ox.RdfFormat.N_QUADS)
SOLUTIONS = ("application/sparql-results+json", ox.QueryResultsFormat.JSON)
TRIPLES = ("application/n-triples", ox.RdfFormat.N_TRIPLES)


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The ``query`` of a form-encoded POST or of a GET's URL, answered in JSON (solutions,
    booleans) or N-Triples."""
    if environ["REQUEST_METHOD"] == "GET":
        form = environ.get("QUERY_STRING", "")
    else:
        form = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
    try:
        result = STORE.query(parse_qs(form)["query"][0], use_default_graph_as_union=True)
    except (KeyError, SyntaxError) as exc:
        start_response("400 Bad Request", [("Content-Type", "text/plain")])
        return [str(exc).encode()]
    media_type, form = TRIPLES if isinstance(result, ox.QueryTriples) else SOLUTIONS
    answer = result.serialize(format=form)
    start_response("200 OK", [("Content-Type", media_type), ("Content-Length", str(len(answer)))])
    return [answer]
