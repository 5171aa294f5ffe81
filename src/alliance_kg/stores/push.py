"""Copy the built dataset into a remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, ...), named
graphs intact, so that ``serve --store sparql:URL`` can answer from it.

Two ways in, both standard, one writer each:

- ``UpdateWriter`` (the default): SPARQL 1.1 Update. ``DROP SILENT GRAPH`` for every project
  graph the remote holds, so graphs removed from the data disappear there too, then
  ``INSERT DATA`` in chunks. Blank nodes only keep their identity within one request, so every
  quad that mentions one goes into a single shared ``INSERT {...} WHERE {}``.
- ``GraphStoreWriter``: the Graph Store HTTP Protocol, one ``PUT`` per graph (a blank node used
  by two graphs becomes two nodes there: the protocol cannot say otherwise).

After the data, a small description in ``remote.META_GRAPH`` records the version pushed; the
sparql store reads it to version its responses and caches. Credentials come from the
settings (``ALLIANCE_KG_PUSH_USER``/``_PASSWORD``/``_AUTH``), never from a flag.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Mapping
from urllib.parse import quote

import requests
from rdflib import BNode, Dataset, Literal, URIRef

from ..errors import AllianceKGError, InputError
from ..namespaces import GRAPH
from ..rdf import named_quads, utc_timestamp
from ..settings import Settings
from .remote import HAS_VERSION, JSON_RESULTS, META_GRAPH, META_SUBJECT, MODIFIED

#: Quads per INSERT DATA request: big enough to be quick, small enough for every server (Virtuoso
#: 7.2's SPARQL compiler runs out of memory near 5,000 triples in one request).
CHUNK_QUADS = 1000
PROTOCOLS = ("update", "gsp")
TURTLE = "text/turtle; charset=utf-8"


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
    """The push credentials set in ``environ`` (the process environment unless given)."""
    return settings_credentials(Settings.load(environ=environ))


def settings_credentials(settings: Settings) -> Credentials | None:
    """The push credentials of ``settings``; ``None`` when no user is set."""
    if not settings.push_user:
        return None
    scheme = settings.push_auth.lower()
    if scheme not in ("digest", "basic"):
        raise InputError(f"ALLIANCE_KG_PUSH_AUTH={scheme!r}: use digest or basic")
    return Credentials(settings.push_user, settings.push_password, scheme)


@dataclass
class PushResult:
    graphs: dict[str, int]
    requests: int
    seconds: float


def _ntriples(quads: Iterable[tuple]) -> list[str]:
    return [f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o, *_ in quads]


def _insert(quads: Iterable[tuple], *, template: bool = False) -> str:
    """INSERT DATA for the quads; ``template=True`` writes ``INSERT {...} WHERE {}`` instead,
    the form that may hold blank nodes (some servers, Virtuoso among them, refuse them in
    INSERT DATA; a template's blank nodes are one fresh node each for the single solution)."""
    by_graph: dict[URIRef, list[tuple]] = {}
    for quad in quads:
        by_graph.setdefault(quad[3], []).append(quad)
    blocks = "\n".join(f"GRAPH <{g}> {{\n" + "\n".join(_ntriples(q)) + "\n}" for g, q in by_graph.items())
    return f"INSERT {{\n{blocks}\n}} WHERE {{}}" if template else f"INSERT DATA {{\n{blocks}\n}}"


class _Writer:
    """One remote store and a count of the requests sent to it."""

    def __init__(self, http: requests.Session, url: str, timeout: float):
        self.http, self.url, self.timeout = http, url, timeout
        self.sent = 0

    def send(self, method: str, url: str, *, data=None, content_type: str | None = None) -> None:
        headers = {"Content-Type": content_type} if content_type else {}
        try:
            response = self.http.request(method, url, data=data, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PushFailed(f"{method} {url}: {exc}") from None
        self.sent += 1
        if response.status_code >= 400:
            snippet = " ".join(response.text.split())[:300]
            hint = " (set ALLIANCE_KG_PUSH_USER and ALLIANCE_KG_PUSH_PASSWORD)" if response.status_code == 401 else ""
            raise PushFailed(f"{method} {url}: HTTP {response.status_code}{hint}: {snippet}")


class UpdateWriter(_Writer):
    """SPARQL 1.1 Update at an update endpoint (e.g. Virtuoso's ``/sparql-auth``)."""

    def update(self, text: str) -> None:
        self.send("POST", self.url, data={"update": text})

    def write(self, graphs: dict[URIRef, list[tuple]], blank: list[tuple]) -> None:
        stale = self._project_graphs() | {str(g) for g in graphs} | {str(q[3]) for q in blank}
        self.update("\n;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(stale)) or "DROP SILENT GRAPH <urn:x-none>")
        if blank:
            self.update(_insert(blank, template=True))
        for graph in sorted(graphs):
            quads = graphs[graph]
            for start in range(0, len(quads), CHUNK_QUADS):
                self.update(_insert(quads[start:start + CHUNK_QUADS]))

    def describe(self, version: str) -> None:
        self.update(f"DROP SILENT GRAPH <{META_GRAPH}> ;\nINSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{META_SUBJECT}> "
                    f"<{HAS_VERSION}> {Literal(version).n3()} ; <{MODIFIED}> {Literal(utc_timestamp()).n3()} . }} }}")

    def _project_graphs(self) -> set[str]:
        """The project's graphs the remote store holds now (asked at the update URL, which
        Virtuoso, Fuseki and GraphDB also answer queries at); empty if it will not say."""
        text = f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
        try:
            response = self.http.post(self.url, data={"query": text}, headers={"Accept": JSON_RESULTS},
                                      timeout=self.timeout)
            bindings = response.json()["results"]["bindings"] if response.ok else []
        except (requests.RequestException, ValueError, KeyError):
            return set()
        return {b["g"]["value"] for b in bindings if "g" in b}


class GraphStoreWriter(_Writer):
    """The Graph Store HTTP Protocol at a graph store (e.g. ``/sparql-graph-crud-auth``)."""

    def put(self, graph: str, lines: list[str]) -> None:
        self.send("PUT", f"{self.url}?graph-uri={quote(graph, safe='')}",
                  data="\n".join(lines).encode("utf-8"), content_type=TURTLE)

    def write(self, graphs: dict[URIRef, list[tuple]], blank: list[tuple]) -> None:
        by_graph = {g: list(q) for g, q in graphs.items()}
        for quad in blank:
            by_graph.setdefault(quad[3], []).append(quad)
        for graph in sorted(by_graph):
            self.put(str(graph), _ntriples(by_graph[graph]))

    def describe(self, version: str) -> None:
        self.put(META_GRAPH, [f"<{META_SUBJECT}> <{HAS_VERSION}> {Literal(version).n3()} ."])


WRITERS = {"update": UpdateWriter, "gsp": GraphStoreWriter}


def push(dataset: Dataset, url: str, version: str, *, credentials: Credentials | None = None,
         protocol: str = "update", timeout: float = 300.0, session: requests.Session | None = None) -> PushResult:
    """Replace each of ``dataset``'s named graphs at ``url`` with its current content.

    ``url`` is the update endpoint (``protocol="update"``) or the graph store (``"gsp"``)."""
    if protocol not in WRITERS:
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
    writer = WRITERS[protocol](http, url, timeout)
    writer.write(plain, blank)
    writer.describe(version)
    return PushResult(dict(sorted(counts.items())), writer.sent, time.monotonic() - started)
