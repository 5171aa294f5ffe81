"""Files parsed straight into a pyoxigraph store: the way in for large data.

The same files, graph names and all-or-nothing rule as ``sources.load_dataset`` (which builds
the rdflib dataset that stays the reference on small data), without an rdflib term per quad:
each file goes from Oxigraph's parser into one in-memory store, triples into the file's named
graph. A file that does not parse raises ``InputError`` with its file, line and column, and the
half-filled store is simply dropped: nothing is returned.

An Oxigraph store keeps a literal's value, not its lexical form (``"1"^^xsd:boolean`` comes
back as ``"true"``), but SHACL judges literals as written. So while the quads stream into the
store they are also written, as parsed, to an N-Quads file beside it (``written``): the
compiled SHACL engine reads that, plus the inferred graph, instead of an rdflib copy. The
lines of an N-Triples or N-Quads file that name no blank node are their own as-written copy:
Oxigraph loads them as they are and they are copied as bytes, without a Python object per quad
(at 1M: 3.9 s against 8.8 for the file); only the lines with a blank node take the way above.
The locator reads a file again only when a finding asks where its focus node is.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

import pyoxigraph as ox
from rdflib import OWL, RDF

from ..errors import InputError
from ..errors import no_room as scratch_no_room
from ..namespaces import ONTOLOGY, ONTOLOGY_GRAPH
from ..scratch import remove_with, scratch_folder
from ..rdf import line_slices, to_ox
from .sources import (LINE_FORMATS, OX_FORMATS, Locator, SourceFile, discover, parse_errors, parser_for, read_text,
                      skip_bom, version_triples)

#: Quads serialised at a time into the as-written file (bounded memory, few calls).
CHUNK = 50_000


@dataclass(frozen=True)
class Written:
    """A file of the as-written copy: N-Quads or N-Triples (whose lines are N-Quads too), its
    statements without a graph belonging in ``graph``."""

    path: Path
    graph: str | None = None

    @property
    def format(self) -> ox.RdfFormat:
        return ox.RdfFormat.N_TRIPLES if self.path.suffix.lower() == ".nt" else ox.RdfFormat.N_QUADS


@dataclass
class LoadedStore:
    """Parsed files in an Oxigraph store (default graph empty; one named graph per file, or
    the graphs a quad file names), with their as-written copy and a lazy locator."""

    store: ox.Store
    files: list[SourceFile]
    locator: Locator
    #: The asserted quads as parsed (blank nodes labelled as in the store): the scratch file of
    #: every file read through Python, then the line-based files loaded as they are.
    written: list[Written]
    #: Where the as-written copy is (``alliance-kg-load-<pid>-…`` under TMPDIR).
    _scratch: Path = field(repr=False)

    def __post_init__(self) -> None:
        remove_with(self, self._scratch)  # when collected, or at exit

    def close(self) -> None:
        """Remove the as-written copy (also done when this object is collected)."""
        shutil.rmtree(self._scratch, ignore_errors=True)


def load_store(paths: Sequence[Path | str] | None = None, *, root: Path | None = None,
               ontology: Sequence[Path | str] = ()) -> LoadedStore:
    """Parse every file into its named graph (``sources.discover``) of a new in-memory store;
    all or nothing."""
    files = discover(paths, root=root, ontology=ontology)
    scratch = scratch_folder("load")  # a killed load's copy goes with the next load
    written = scratch / "asserted.nq"
    store = ox.Store()
    locator = Locator()
    parts = [Written(written)]
    try:
        with written.open("wb") as handle:
            out = _Copy(handle, scratch)
            for source in files:
                if source.format in LINE_FORMATS:
                    raw = Written(written.with_name(f"raw-{len(parts)}{source.path.suffix.lower()}"), str(source.graph))
                    _read_lines(source, store, out, raw.path)
                    locator.deferred.append(source.path)
                    parts.append(raw)
                else:
                    _read(source, store, out, locator)
            _stamp_version(store, out)
    except OSError as exc:  # the sources' own errors are InputErrors by now: this is the copy
        shutil.rmtree(scratch, ignore_errors=True)
        raise no_room(exc, scratch) from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return LoadedStore(store, files, locator, parts, scratch)


class _Copy:
    """A file of the as-written copy, written while a data file is read: a full TMPDIR is said to
    be one (``parse_errors`` would name the data file as the one that failed)."""

    def __init__(self, handle: BinaryIO, scratch: Path):
        self._handle, self._scratch = handle, scratch

    def write(self, data: bytes) -> int:
        try:
            return self._handle.write(data)
        except OSError as exc:
            raise no_room(exc, self._scratch) from None


def no_room(exc: OSError, scratch: Path) -> InputError:
    return scratch_no_room("the parsed copy of the data", exc.strerror or str(exc), scratch)


#: Lines of an N-Triples or N-Quads file loaded at a time.
LINES = 100_000


def _read_lines(source: SourceFile, store: ox.Store, out: _Copy, raw: Path) -> None:
    """A line-based file into ``store``: the lines without ``_:`` loaded by Oxigraph in slices
    and copied to ``raw`` as they are; the others (a blank node, or "_:" in a literal: harmless)
    parsed together afterwards, so that each of the file's blank nodes gets one label of its
    own, and teed into ``out``. Each part keeps the file's line count (other lines left empty),
    so a syntax error names the file's own line."""
    rdf_format, own = OX_FORMATS[source.format], ox.NamedNode(str(source.graph))
    blank = bytearray()
    first = 1
    with raw.open("wb") as handle, parse_errors(source), source.path.open("rb") as lines:
        skip_bom(lines)
        copy = _Copy(handle, raw.parent)
        for chunk, aside in line_slices(lines, LINES):
            blank += aside
            try:
                store.load(chunk, format=rdf_format, base_iri=str(source.graph), to_graph=own)
            except SyntaxError as exc:
                if exc.lineno is not None:
                    exc.lineno += first - 1
                raise
            copy.write(chunk)
            first += aside.count(b"\n")
        if blank.strip():
            parser = ox.parse(bytes(blank), format=rdf_format, base_iri=str(source.graph), rename_blank_nodes=True)
            store.extend(_teed(_placed(source, parser), out))


def _read(source: SourceFile, store: ox.Store, out: _Copy, locator: Locator) -> None:
    """One file that is not line-based into ``store`` (and, as parsed, into ``out``); its graph
    is kept even when empty, as the rdflib path keeps it."""
    parser = parser_for(source, read_text(source))
    store.add_graph(ox.NamedNode(str(source.graph)))
    with parse_errors(source):
        store.extend(_teed(_placed(source, parser), out))
    locator.pending.append((source, dict(parser.prefixes)))


def _placed(source: SourceFile, parser: ox.QuadParser) -> Iterator[ox.Quad]:
    """The parser's quads in their graphs: triples (and, outside N-Quads, quads in a graph that
    is not an IRI) in the file's graph, as ``sources.load_dataset`` places them."""
    own = ox.NamedNode(str(source.graph))
    keep_blank_graphs = source.format in LINE_FORMATS
    for quad in parser:
        kind = type(quad.graph_name)
        if kind is ox.NamedNode or (keep_blank_graphs and kind is ox.BlankNode):
            yield quad
        else:
            yield ox.Quad(quad.subject, quad.predicate, quad.object, own)


def _teed(quads: Iterator[ox.Quad], out: _Copy) -> Iterator[ox.Quad]:
    """``quads`` unchanged, each also written to ``out`` (as N-Quads, in chunks)."""
    chunk: list[ox.Quad] = []
    for quad in quads:
        chunk.append(quad)
        if len(chunk) >= CHUNK:
            out.write(ox.serialize(chunk, format=ox.RdfFormat.N_QUADS))
            chunk.clear()
        yield quad
    if chunk:
        out.write(ox.serialize(chunk, format=ox.RdfFormat.N_QUADS))


def _stamp_version(store: ox.Store, out: _Copy) -> None:
    """``sources.stamp_version`` on the store: the package version on the project's ontology."""
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    if next(store.quads_for_pattern(to_ox(ONTOLOGY), to_ox(RDF.type), to_ox(OWL.Ontology), graph), None) is None:
        return
    quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph) for s, p, o in version_triples()]
    store.extend(quads)
    out.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
