"""The built graph at rest as files: the bulk downloads (TriG, N-Quads, Turtle, JSON-LD).

Mirrors, HTTP caches and portals that diff dumps need the same data to give the same bytes,
after a restart and in every serving process, so a dump's checksum and strong ETag are the
data's. A store gives no such order: Oxigraph's memory store writes its quads in the order they
were inserted, its disk store in the order of its keys, and a load names every blank node
afresh. So the N-Quads dump is written canonically (``write_canonical``): graphs and statements
sorted, blank nodes labelled by RDFC-1.0. The other formats are written by Oxigraph from it
(``write_converted``), in its order and with its labels.

Dumps name the canonical IRIs under ``BASE`` (never the host a server runs on), so a dump
downloaded from any mirror describes itself the same way.
"""

from __future__ import annotations

import heapq
import mmap
import shutil
from contextlib import ExitStack
from itertools import groupby, islice
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO, Iterator

import pyoxigraph as ox
from rdflib import Dataset

from ..errors import unwritable
from ..namespaces import INFERRED_GRAPH, PREFIXES
from ..rdf import oxigraph_copy, rdfc_labelled
from ..scratch import scratch_folder
from .base import Store
from .void import void_graph

#: file name -> (Oxigraph format, media type, what it holds)
DUMPS: dict[str, tuple[ox.RdfFormat, str, str]] = {
    "alliance-kg.trig": (ox.RdfFormat.TRIG, "application/trig", "all named graphs, asserted and inferred"),
    "alliance-kg.nq": (ox.RdfFormat.N_QUADS, "application/n-quads", "all named graphs, asserted and inferred"),
    "alliance-kg.ttl": (ox.RdfFormat.TURTLE, "text/turtle", "asserted triples only, as one graph"),
    "alliance-kg.jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json", "all named graphs, asserted and inferred"),
}
#: The dump the others are written from (``write_converted``): the canonical N-Quads.
CANONICAL = "alliance-kg.nq"

#: A graph's N-Triples up to this size are sorted in memory at once; a larger one (a graph of
#: millions of triples) in runs of this size, merged as they are written, so the sorting holds
#: some 200 MB of lines at most, whatever the size of the graph.
SORT_BYTES = 128 * 1024 * 1024
#: Lines written at a time.
WRITE_LINES = 65_536

_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
_NT = ox.RdfFormat.N_TRIPLES


def write_nquads(store: Store, output: BinaryIO) -> None:
    """A served store's canonical N-Quads (``write_canonical``): from its own Oxigraph store
    where it has one, else from an Oxigraph copy of its rdflib dataset."""
    own = getattr(store, "write_nquads", None)
    if own is not None:
        own(output)
    else:
        write_canonical(oxigraph_copy(store.dataset), output)


def write_canonical(store: ox.Store, output: BinaryIO) -> None:
    """The store's named graphs as canonical N-Quads: the graphs in the order of their IRIs,
    each graph's statements in the (bytewise) order of their N-Triples lines, blank nodes
    labelled by RDFC-1.0 (``_:c14n0``, …). The same data gives the same bytes whichever store
    holds it, in whatever order it was inserted and whatever its blank nodes were called. The
    default graph, where a store materialises the union, is the named graphs' union: not a
    graph of the dump.

    Cheap at scale: Oxigraph writes each graph as N-Triples to a scratch file; the few lines
    that name a blank node are set aside and relabelled together (RDFC-1.0 reads only the
    quads that mention a blank node, so these are the whole dataset's canonical labels); the
    rest are sorted as bytes (``SORT_BYTES`` at a time), never read as terms. At 1M triples
    that adds a second or two to Oxigraph's own dump."""
    folder = scratch_folder("dump")
    try:
        graphs: list[tuple[ox.NamedNode, Path, frozenset[bytes]]] = []
        blank: list[ox.Quad] = []
        for number, graph in enumerate(sorted((g for g in store.named_graphs() if type(g) is ox.NamedNode), key=str)):
            path = folder / f"{number}.nt"
            store.dump(str(path), format=_NT, from_graph=graph)
            lines, quads = _naming_blank_nodes(path, graph)
            graphs.append((graph, path, lines))
            blank.extend(quads)
        relabelled = _relabelled(blank)
        for graph, path, lines in graphs:
            suffix = f" {graph} .\n".encode()
            ordered = _sorted_lines(path, lines, relabelled.get(graph, []))
            while batch := list(islice(ordered, WRITE_LINES)):
                # " .\n" ends every N-Triples line and occurs nowhere else in one (a newline
                # in a literal is written escaped): each line becomes its N-Quads line
                output.write(b"".join(batch).replace(b" .\n", suffix))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _naming_blank_nodes(path: Path, graph: ox.NamedNode) -> tuple[frozenset[bytes], list[ox.Quad]]:
    """The N-Triples lines of ``path`` that name a blank node, and their quads in ``graph``
    (a "_:" in a literal or an IRI alone does not make a line one of them). Found by searching
    the file's bytes, not line by line: most graphs have none."""
    if not path.stat().st_size:
        return frozenset(), []
    candidates = []
    with path.open("rb") as source, mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as data:
        at = data.find(b"_:")
        while at != -1:
            end = data.find(b"\n", at) + 1
            candidates.append(data[data.rfind(b"\n", 0, at) + 1:end])
            at = data.find(b"_:", end)
    if not candidates:
        return frozenset(), []
    parsed = ox.parse(b"".join(candidates), format=_NT)
    named = [(line, quad) for line, quad in zip(candidates, parsed)
             if type(quad.subject) is ox.BlankNode or type(quad.object) is ox.BlankNode]
    return (frozenset(line for line, _ in named),
            [ox.Quad(quad.subject, quad.predicate, quad.object, graph) for _, quad in named])


def _relabelled(quads: list[ox.Quad]) -> dict[ox.NamedNode, list[bytes]]:
    """The quads that name a blank node, relabelled by RDFC-1.0, as N-Triples lines per graph."""
    if not quads:
        return {}
    by_graph = groupby(sorted(rdfc_labelled(quads), key=lambda quad: str(quad.graph_name)), key=lambda quad: quad.graph_name)
    return {graph: ox.serialize([quad.triple for quad in group], format=_NT).splitlines(keepends=True)
            for graph, group in by_graph}


def _sorted_lines(path: Path, dropped: frozenset[bytes], added: list[bytes]) -> Iterator[bytes]:
    """The lines of ``path`` but ``dropped``, with ``added``, in bytewise order: sorted in
    memory, or for a file over ``SORT_BYTES`` in sorted runs beside it, merged as read."""
    def kept(lines: list[bytes]) -> list[bytes]:
        return [line for line in lines if line not in dropped] if dropped else lines

    if path.stat().st_size <= SORT_BYTES:
        with path.open("rb") as source:
            lines = kept(source.readlines()) + added
        lines.sort()
        return iter(lines)
    runs = []
    with path.open("rb") as source:
        while chunk := source.readlines(SORT_BYTES):
            run = path.with_name(f"{path.name}.{len(runs)}")
            run.write_bytes(b"".join(sorted(kept(chunk))))
            runs.append(run)
    return _merged(runs, sorted(added))


def _merged(runs: list[Path], added: list[bytes]) -> Iterator[bytes]:
    with ExitStack() as stack:
        yield from heapq.merge(*(stack.enter_context(run.open("rb")) for run in runs), added)


def write_converted(canonical: Path, name: str, output: BinaryIO) -> None:
    """Another of ``DUMPS`` written by Oxigraph from the canonical N-Quads at ``canonical`` (see
    ``write_canonical``), as it reads them: the same order, the same blank node labels, so
    the same bytes for the same data. Turtle holds one graph: each asserted graph in turn,
    under a comment naming it (a triple two graphs hold is then written twice, which a Turtle
    file may do: it is still one triple of the graph)."""
    fmt = DUMPS[name][0]
    quads = ox.parse(path=str(canonical), format=ox.RdfFormat.N_QUADS)
    if fmt.supports_datasets:
        ox.serialize(quads, output, format=fmt, prefixes=PREFIXES)
        return
    for graph, group in groupby(quads, key=attrgetter("graph_name")):
        if graph == _INFERRED:
            continue
        output.write(f"# graph {graph}\n".encode())
        ox.serialize(map(attrgetter("triple"), group), output, format=fmt, prefixes=PREFIXES)


def write_all(source: Dataset | ox.Store, out: Path) -> list[Path]:
    """Write every dump and ``void.ttl`` into ``out``; returns the files written. ``source``
    is the built graph: an rdflib dataset, or the Oxigraph store it was built in (written and
    counted by Oxigraph, without an rdflib copy). A file or folder that cannot be written is an
    ``InputError`` naming it."""
    try:
        return _write_all(source, out)
    except OSError as exc:
        raise unwritable(exc) from None


def _write_all(source: Dataset | ox.Store, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    canonical = out / CANONICAL
    with canonical.open("wb") as output:
        write_canonical(source if isinstance(source, ox.Store) else oxigraph_copy(source), output)
    written = []
    for name in DUMPS:
        path = out / name
        if name != CANONICAL:
            with path.open("wb") as output:
                write_converted(canonical, name, output)
        written.append(path)
    void = out / "void.ttl"
    void.write_bytes(void_graph(source, DUMPS).serialize(format="turtle", encoding="utf-8"))
    written.append(void)
    return written
