"""Copy the built dataset into a remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, ...), named
graphs intact, so that ``serve --store sparql:URL`` can answer from it.

Two ways in, both standard: SPARQL 1.1 Update (``DROP SILENT GRAPH`` for every project graph the
remote holds, so graphs removed from the data disappear there too, then ``INSERT DATA`` in
chunks; the default) or the Graph Store HTTP Protocol (one ``PUT`` per graph). Credentials come
from the environment, never from a flag: ``ALLIANCE_KG_PUSH_USER`` and
``ALLIANCE_KG_PUSH_PASSWORD``; ``ALLIANCE_KG_PUSH_AUTH`` picks ``digest`` (Virtuoso's
``/sparql-auth``; the default) or ``basic``.

Blank nodes only keep their identity within one request, so every quad that mentions a blank
node goes into one shared ``INSERT {...} WHERE {}`` (GSP cannot do that: a blank node used by two graphs
becomes two nodes there). After the data, a small description in ``META_GRAPH`` records the
version pushed; the sparql store reads it to version its responses and caches.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping
from urllib.parse import quote

import requests
from rdflib import BNode, Dataset, Literal, URIRef

from .errors import AllianceKGError, InputError
from .namespaces import GRAPH
from .sources import named_quads

#: Graph (outside the project's IRIs, so never listed as data) describing what was pushed.
META_GRAPH = "urn:alliance-kg:meta"
META_SUBJECT = "urn:alliance-kg:dataset"
HAS_VERSION = "http://purl.org/dc/terms/hasVersion"
MODIFIED = "http://purl.org/dc/terms/modified"

#: Quads per INSERT DATA request: big enough to be quick, small enough for every server (Virtuoso
#: 7.2's SPARQL compiler runs out of memory near 5,000 triples in one request).
CHUNK_QUADS = 1000


class PushFailed(AllianceKGError):
    """The remote store refused or did not answer a request."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    scheme: str = "digest"

    def auth(self):
        if self.scheme == "basic":
            return requests.auth.HTTPBasicAuth(self.user, self.password)
        return requests.auth.HTTPDigestAuth(self.user, self.password)


def credentials_from(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """``ALLIANCE_KG_PUSH_USER``/``_PASSWORD``/``_AUTH``; ``None`` when no user is set."""
    environ = os.environ if environ is None else environ
    user = environ.get("ALLIANCE_KG_PUSH_USER")
    if not user:
        return None
    scheme = environ.get("ALLIANCE_KG_PUSH_AUTH", "digest").lower()
    if scheme not in ("digest", "basic"):
        raise InputError(f"ALLIANCE_KG_PUSH_AUTH={scheme!r}: use digest or basic")
    return Credentials(user, environ.get("ALLIANCE_KG_PUSH_PASSWORD", ""), scheme)


def _insert(quads: Iterable[tuple], *, template: bool = False) -> str:
    """INSERT DATA for the quads; ``template=True`` writes ``INSERT {...} WHERE {}`` instead,
    the form that may hold blank nodes (some servers, Virtuoso among them, refuse them in
    INSERT DATA; a template's blank nodes are one fresh node each for the single solution)."""
    by_graph: dict[URIRef, list[str]] = {}
    for s, p, o, g in quads:
        by_graph.setdefault(g, []).append(f"{s.n3()} {p.n3()} {o.n3()} .")  # N-Triples form
    blocks = "\n".join(f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())
    return f"INSERT {{\n{blocks}\n}} WHERE {{}}" if template else f"INSERT DATA {{\n{blocks}\n}}"


@dataclass
class PushResult:
    graphs: dict[str, int]
    requests: int
    seconds: float


def push(dataset: Dataset, url: str, version: str, *, credentials: Credentials | None = None,
         protocol: str = "update", timeout: float = 300.0, session: requests.Session | None = None) -> PushResult:
    """Replace each of ``dataset``'s named graphs at ``url`` with its current content.

    ``url`` is the update endpoint (``protocol="update"``, e.g. Virtuoso's ``/sparql-auth``) or
    the graph store (``protocol="gsp"``, e.g. ``/sparql-graph-crud-auth``)."""
    if protocol not in ("update", "gsp"):
        raise InputError(f"unknown push protocol {protocol!r} (update or gsp)")
    http = session or requests.Session()
    if credentials is not None:
        http.auth = credentials.auth()
    started = time.monotonic()
    counts: dict[str, int] = {}
    plain: dict[URIRef, list[tuple]] = {}
    blank: list[tuple] = []
    for quad in named_quads(dataset):
        counts[str(quad[3])] = counts.get(str(quad[3]), 0) + 1
        if any(isinstance(t, BNode) for t in quad[:3]):
            blank.append(quad)
        else:
            plain.setdefault(quad[3], []).append(quad)
    sent = 0

    def update(text: str) -> None:
        nonlocal sent
        _send(http, "POST", url, timeout, data={"update": text})
        sent += 1

    if protocol == "gsp":
        for graph in sorted(counts):
            lines = [f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o, g in _quads_of(dataset, URIRef(graph))]
            _send(http, "PUT", f"{url}?graph-uri={quote(graph, safe='')}", timeout,
                  body="\n".join(lines).encode("utf-8"), content_type="text/turtle; charset=utf-8")
            sent += 1
    else:
        stale = _project_graphs(http, url, timeout) | set(counts)  # the remote ends up holding exactly ours
        update("\n;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(stale)) or "DROP SILENT GRAPH <urn:x-none>")
        if blank:
            update(_insert(blank, template=True))
        for graph in sorted(plain):
            quads = plain[graph]
            for start in range(0, len(quads), CHUNK_QUADS):
                update(_insert(quads[start:start + CHUNK_QUADS]))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    meta = (f"DROP SILENT GRAPH <{META_GRAPH}> ;\nINSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{META_SUBJECT}> "
            f"<{HAS_VERSION}> {Literal(version).n3()} ; <{MODIFIED}> {Literal(stamp).n3()} . }} }}")
    if protocol == "gsp":  # the meta graph still goes in by update where the server allows it
        body = f"<{META_SUBJECT}> <{HAS_VERSION}> {Literal(version).n3()} .\n".encode()
        _send(http, "PUT", f"{url}?graph-uri={quote(META_GRAPH, safe='')}", timeout, body=body,
              content_type="text/turtle; charset=utf-8")
        sent += 1
    else:
        update(meta)
    return PushResult(dict(sorted(counts.items())), sent, time.monotonic() - started)


def _project_graphs(http: requests.Session, url: str, timeout: float) -> set[str]:
    """The project's graphs the remote store holds now (asked at the update URL, which Virtuoso,
    Fuseki and GraphDB also answer queries at); empty if it will not say."""
    text = f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
    try:
        response = http.post(url, data={"query": text}, headers={"Accept": "application/sparql-results+json"},
                             timeout=timeout)
        bindings = response.json()["results"]["bindings"] if response.ok else []
    except (requests.RequestException, ValueError, KeyError):
        return set()
    return {b["g"]["value"] for b in bindings if "g" in b}


def _quads_of(dataset: Dataset, graph: URIRef) -> Iterator[tuple]:
    for s, p, o in dataset.graph(graph):
        yield s, p, o, graph


def _send(http: requests.Session, method: str, url: str, timeout: float, *, data=None, body=None,
          content_type: str | None = None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        response = http.request(method, url, data=data if data is not None else body, headers=headers,
                                timeout=timeout)
    except requests.RequestException as exc:
        raise PushFailed(f"{method} {url}: {exc}") from None
    if response.status_code >= 400:
        snippet = " ".join(response.text.split())[:300]
        hint = " (set ALLIANCE_KG_PUSH_USER and ALLIANCE_KG_PUSH_PASSWORD)" if response.status_code == 401 else ""
        raise PushFailed(f"{method} {url}: HTTP {response.status_code}{hint}: {snippet}")
