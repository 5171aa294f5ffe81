"""Find the project's RDF files and parse them into named graphs, remembering where each
subject is written so that a validation finding can point at a file and line.

A parse failure becomes an ``InputError`` naming file, line and column; nothing half-parsed is
ever returned, because every file is parsed into a scratch graph before it joins the dataset.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Sequence

import pyoxigraph as ox
from rdflib import OWL, RDF, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from .. import __version__
from ..errors import InputError, unreadable
from ..namespaces import GRAPH, ONTOLOGY, ONTOLOGY_GRAPH
from ..rdf import from_ox_scoped, new_dataset
from ..settings import project_root
from . import statements
from .places import written_subjects
from .turtle import token_iri

#: Parser name per file suffix; anything else in a folder is ignored, a named file is an error.
FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".trig": "trig",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}
QUAD_FORMATS = {"trig", "nquads", "json-ld"}
#: Formats whose subjects are not written at the start of a line (``places`` finds them).
WRITTEN_ELSEWHERE = {"trig", "xml", "json-ld"}


@dataclass(frozen=True)
class SourceFile:
    """One RDF file and the named graph its triples go into."""

    path: Path
    graph: URIRef

    @property
    def format(self) -> str:
        return FORMATS[self.path.suffix.lower()]


@dataclass
class Locator:
    """Where each subject starts a statement group: node -> (file, line)."""

    places: dict[Node, tuple[str, int]] = field(default_factory=dict)
    #: Line-based files (N-Triples/N-Quads) indexed only when a finding asks: they can be huge.
    deferred: list[Path] = field(default_factory=list)
    #: Other files read again only when a finding asks, with the prefixes their parse declared
    #: (the Oxigraph path keeps no rdflib graph to take subjects from).
    pending: list[tuple[SourceFile, dict[str, str]]] = field(default_factory=list)
    #: The deferred files' subjects, as the bytes of their IRIs (a term per line cost a second
    #: of the 1M load's validation).
    deferred_places: dict[bytes, tuple[str, int]] = field(default_factory=dict)
    #: Subjects whose line was not found, at line 1 of the first file that has them: a finding
    #: still names its file (asked last, so a line found in another file comes first).
    rough: dict[Node, tuple[str, int]] = field(default_factory=dict)
    #: Every file indexed so far, its format and prefixes: ``locate_statements`` reads them again.
    indexed: list[statements.File] = field(default_factory=list)

    def locate_statements(self, asked: Sequence[statements.Asked]) -> list[tuple[str, int] | None]:
        """Where each statement asked about is written, else its subject (``statements.where``): one
        reading of the files for all of them."""
        files = [*self.indexed, *(statements.File(source.path, source.format, prefixes, str(source.graph))
                                  for source, prefixes in self.pending),
                 *(statements.File(path, FORMATS[path.suffix.lower()], {}) for path in self.deferred)]
        return statements.where(files, asked, self.locate)

    def locate(self, node: Node) -> tuple[str, int] | None:
        # the pending files first: the rdflib path has indexed them before any finding asks
        if node not in self.places and self.pending:
            self._index_pending()
        if node not in self.places and self.deferred:
            self._index_deferred()
        place = self.places.get(node)
        if place is None and isinstance(node, URIRef) and self.deferred_places:
            place = self.deferred_places.get(str(node).encode("utf-8"))
        return place if place is not None else self.rough.get(node)

    def _index_deferred(self) -> None:
        """One pass over each deferred file: the first line where an IRI starts a statement."""
        for path in self.deferred:
            name, last = str(path), b""
            with path.open("rb") as lines:
                skip_bom(lines)
                for number, line in enumerate(lines, start=1):
                    if line[:1] == b"<":
                        iri = line[1:line.find(b">")]
                        if iri != last and iri:  # a file's statements mostly come grouped by subject
                            self.deferred_places.setdefault(iri, (name, number))
                            last = iri
        self.indexed.extend(statements.File(path, FORMATS[path.suffix.lower()], {}) for path in self.deferred)
        self.deferred = []

    def _index_pending(self) -> None:
        """One pass over each pending file: the first line where a written IRI or prefixed name
        starts a statement group (column 0, as ``learn`` finds them). A TriG, RDF/XML or JSON-LD
        file, whose subjects are written elsewhere, is parsed again for its subjects and read as
        ``learn`` reads it."""
        for source, prefixes in self.pending:
            path = source.path
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            if source.format in WRITTEN_ELSEWHERE:
                subjects = {URIRef(quad.subject.value) for quad in parser_for(source, text)
                            if type(quad.subject) is ox.NamedNode}
                self._learn_written(source, subjects, prefixes, text)
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if not line or line[0] in " \t#@[(" or line.upper().startswith(("PREFIX", "BASE", "GRAPH")):
                    continue
                token, _, rest = line.partition(" ")
                if rest.lstrip().startswith("{"):
                    continue
                node = token_iri(token, prefixes, str(source.graph))
                if node is not None:
                    self.places.setdefault(node, (str(path), number))
        self.indexed.extend(statements.File(source.path, source.format, prefixes, str(source.graph))
                            for source, prefixes in self.pending)
        self.pending = []

    def learn(self, source: SourceFile, graph: Graph, text: str) -> None:
        """Index the lines where a subject of ``graph`` begins a statement (column 0), or for
        TriG, RDF/XML and JSON-LD where it is written (``places``); a subject not found is
        placed at line 1 of the file."""
        self.indexed.append(statements.File(source.path, source.format,
                                            {prefix: str(ns) for prefix, ns in graph.namespaces()}, str(source.graph)))
        if source.format in WRITTEN_ELSEWHERE:
            subjects = {s for s, *_ in graph.quads((None, None, None, None))} if isinstance(graph, Dataset) \
                else set(graph.subjects())
            prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespace_manager.namespaces()}
            self._learn_written(source, {s for s in subjects if isinstance(s, URIRef)}, prefixes, text)
            return
        names = _surface_names(graph)
        for number, line in enumerate(text.splitlines(), start=1):
            if not line or line[0] in " \t#@" or line.upper().startswith(("PREFIX", "BASE")):
                continue
            token = line.split(None, 1)[0]
            node = names.get(token)
            if node is not None:
                self.places.setdefault(node, (str(source.path), number))
        for node in names.values():
            if node not in self.places:
                self.rough.setdefault(node, (str(source.path), 1))

    def _learn_written(self, source: SourceFile, subjects: set[URIRef], prefixes: dict[str, str], text: str) -> None:
        """Index where each of ``subjects`` is written in a TriG, RDF/XML or JSON-LD file's
        ``text``; those not found at line 1."""
        name = str(source.path)
        for node, number in written_subjects(text, source.format, base=str(source.graph), prefixes=prefixes):
            if node in subjects:
                self.places.setdefault(node, (name, number))
        for node in subjects:
            if node not in self.places:
                self.rough.setdefault(node, (name, 1))


def _surface_names(graph: Graph) -> dict[str, Node]:
    """Every way a subject of ``graph`` can be written at the start of a line."""
    names: dict[str, Node] = {}
    for subject in set(graph.subjects()):
        if not isinstance(subject, URIRef):
            continue
        names[f"<{subject}>"] = subject
        try:
            prefix, _, local = graph.namespace_manager.compute_qname_strict(subject)
            names[f"{prefix}:{local}"] = subject
        except (ValueError, KeyError):
            pass
    return names


def own_graph(resolved: Path, own: Sequence[tuple[Path, URIRef]]) -> URIRef | None:
    """The graph of a file (``resolved``) in one of the project's folders, which its files share:
    ``own`` are the resolved ``ontology`` and ``shapes`` folders with their graphs
    (``own_folders``, found once per call of ``discover``, not per file); else ``None``."""
    return next((graph for folder, graph in own if resolved.is_relative_to(folder)), None)


def graph_name(path: Path, base: Path) -> URIRef:
    """The named graph of any other file ``path``, found as or under a path given to ``discover``:
    its path below ``base``, its data folder (``data_folder``, found once per path given), as
    ``data/<path>.ttl`` is ``graph/<path>``; never where the package is installed (CI pipelines
    validate a checkout with the package installed elsewhere)."""
    try:
        below = path.relative_to(base)
    except ValueError:  # one written relative to the working folder, the other absolute
        below = path.absolute().relative_to(base.absolute())
    return GRAPH[below.with_suffix("").as_posix()]


def own_folders(root: Path) -> list[tuple[Path, URIRef]]:
    """The project's ontology and shapes folders (resolved) with the graph each one's files share."""
    return [((root / "ontology").resolve(), ONTOLOGY_GRAPH), ((root / "shapes").resolve(), GRAPH["shapes"])]


def data_folder(given: Path, alone: Path | None = None) -> Path:
    """The folder a given path's graph names start from: a folder given is its files' data
    folder (``coll/a/items.ttl`` under ``coll`` is ``graph/a/items``, so two ``items.ttl`` stay
    two graphs); a file given alone (as the pre-commit hook passes changed files) is named below
    the nearest folder called ``data`` in the path as written (``data/memo/members.ttl`` is
    ``graph/memo/members``), else below ``alone``, the folder that all files so given share
    (``shared_folder``), as if that folder had been given: ``x/members.ttl`` given by itself is
    ``graph/members``, ``d/berlin/index.ttl`` with ``d/hamburg/index.ttl`` are
    ``graph/berlin/index`` and ``graph/hamburg/index``."""
    if given.is_dir():
        return given
    return next((folder for folder in given.parents if folder.name == "data"), alone or given.parent)


def shared_folder(given: Sequence[Path], own: Sequence[tuple[Path, URIRef]]) -> Path | None:
    """The deepest folder holding every file of ``given`` that is named by its folder
    (``data_folder``): a file given itself, in no folder called ``data`` and not one of the
    project's shared folders (``own``); ``None`` when there is none."""
    alone = [path.absolute().parent for path in given
             if path.is_file() and all(folder.name != "data" for folder in path.parents)
             and own_graph(path.resolve(), own) is None]
    return Path(os.path.commonpath(alone)) if alone else None


def discover(paths: Sequence[Path | str] | None = None, *, root: Path | None = None,
             ontology: Sequence[Path | str] = (), apart: bool = True) -> list[SourceFile]:
    """The files to load: the shipped ontology and data, or the given files and folders. A
    folder that cannot be read, or one below it, is an error, not a folder without files. The
    files of paths also in ``ontology`` (``--ontology``) go to the ontology graph, whatever their
    names: inference reads its schema from there. A file given twice is read once.

    A graph is one file's (``apart``; the shapes, read into one graph, are not kept apart): two
    files that would go into one graph (``x.ttl`` beside ``x.trig``; ``data/x.ttl`` and
    ``other/data/x.ttl`` given as two paths, each named below its data folder) are an
    ``InputError`` naming both and the graph, before any file is read, since their statements
    would merge and no longer say which file made them. Only the ontology's files (the
    project's folder and ``--ontology``) share a graph by design, as the project's shapes do.
    Files given apart are named below the folder they share (``data_folder``). The check is on
    the graph each file is named for, which a TriG, N-Quads or JSON-LD file claims even if all
    its statements are in graphs it names itself; those graphs are its own choice and not
    checked (a dump read again, or the generated data, names the ontology's and the data's
    graphs)."""
    root = root or project_root()
    targets = [Path(p) for p in paths] if paths else [root / "ontology", root / "data"]
    vocabulary = {Path(p) for p in ontology}
    own = own_folders(root)
    found: list[SourceFile] = []
    read: set[tuple[Path, URIRef]] = set()
    first: dict[URIRef, tuple[Path, bool]] = {}  # graph -> its first file, and whether that one shares it
    listed = [(target, _files(target)) for target in targets]  # a path that cannot be read is refused first
    alone = shared_folder([target for target in targets if target not in vocabulary], own)
    for target, files in listed:
        base = None if target in vocabulary else data_folder(target, alone)
        for path in files:
            resolved = path.resolve()
            shared = ONTOLOGY_GRAPH if base is None else own_graph(resolved, own)
            graph = shared or graph_name(path, base)
            if (resolved, graph) in read:
                continue
            read.add((resolved, graph))
            if graph not in first:
                first[graph] = (path, shared is not None)
            elif apart and not (shared is not None and first[graph][1]):
                raise one_graph(first[graph][0], path, graph)
            found.append(SourceFile(path, graph))
    return found


def one_graph(first: Path, second: Path, graph: URIRef) -> InputError:
    """The error for ``second`` going into the graph ``first`` goes into."""
    if graph == ONTOLOGY_GRAPH:  # a file named ontology.ttl, given as data
        hint = "an ontology to infer with is given with --ontology; else rename it"
    elif first.parent == second.parent:
        hint = "rename one"
    else:
        hint = "rename one, or give a folder holding both"
    return InputError(f"would share the graph <{graph}> with {first} (a data file's graph is its own, so that "
                      f"each statement's file is known); {hint}", path=str(second))


def _files(target: Path) -> list[Path]:
    """The RDF files a path given stands for: itself, or those in the folder."""
    try:
        exists, folder = target.exists(), target.is_dir()
    except OSError as exc:  # a folder above it that cannot be searched
        raise unreadable(exc, target) from None
    if not exists:
        raise InputError("no such file or directory", path=str(target))
    if folder:
        files = rdf_files(target)
        if not files:
            raise InputError("folder holds no RDF files", path=str(target))
        return files
    if target.suffix.lower() in FORMATS:
        return [target]
    raise InputError(f"not an RDF file (known suffixes: {', '.join(sorted(FORMATS))})", path=str(target))


def rdf_files(folder: Path) -> list[Path]:
    """The RDF files in ``folder`` and the folders below it, sorted; a folder that cannot be
    listed raises ``InputError`` naming it (``Path.rglob`` would skip it without a word, and
    its files' violations with it)."""
    found = []
    for where, _, names in os.walk(folder, onerror=_refuse):
        found.extend(Path(where, name) for name in names if Path(name).suffix.lower() in FORMATS)
    return sorted(p for p in found if p.is_file())


def _refuse(error: OSError) -> None:
    raise unreadable(error)


#: Oxigraph's parser for every format we read. Oxigraph, not rdflib, parses the files because
#: rdflib rewrites a typed literal into its canonical form while it parses ("1"^^xsd:boolean
#: becomes "true", "NaN"^^xsd:double "nan", and an ill-formed "yes"^^xsd:boolean the valid
#: "false"), so a wrong value would pass validation and a right one fail before any engine saw
#: the file. rdflib can be kept from that only through a process-wide switch
#: (``rdflib.NORMALIZE_LITERALS``), which would change every literal any thread builds; Oxigraph
#: keeps lexical forms as written, and ``rdf.from_ox`` carries them into rdflib unchanged.
#: It is also many times faster on the dumps and generated data.
OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
#: Line-based formats are added to the dataset as they stream in, without a scratch graph, and
#: their subjects are indexed only when a finding asks (the files can be huge).
LINE_FORMATS = {"nt", "nquads"}

Statement = tuple[Node, Node, Node, Node | None]


def _statements(source: SourceFile, parser: ox.QuadParser) -> Iterator[Statement]:
    """The parser's quads as rdflib terms (graph ``None`` for the default graph), blank node
    labels scoped to the file as rdflib's parsers scope them; a syntax error names file, line
    and column."""
    term = from_ox_scoped()
    with parse_errors(source):
        for quad in parser:
            graph = None if type(quad.graph_name) is ox.DefaultGraph else term(quad.graph_name)
            yield term(quad.subject), term(quad.predicate), term(quad.object), graph


@contextmanager
def parse_errors(source: SourceFile) -> Iterator[None]:
    """Oxigraph's parse errors (raised while its parser is read) as an ``InputError`` naming
    the file, line and column, whichever way the quads are consumed."""
    try:
        yield
    except SyntaxError as exc:
        message = re.sub(r"^Parser error (?:at line \d+ (?:column \d+|between columns \d+ and \d+)"
                         r"|between line \d+ column \d+ and line \d+ column \d+): | \(.*, line \d+\)$", "", str(exc.msg))
        if source.format == "json-ld" and REMOTE_CONTEXT in message:
            raise remote_context(source.path) from None
        line, column = exc.lineno, exc.offset
        if line is None and source.format == "xml":
            message, line, column = _xml_position(source.path, message)
        raise InputError(f"syntax error: {message}", path=str(source.path), line=line, column=column,
                         kind="syntax-error") from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), path=str(source.path)) from None


#: What Oxigraph's JSON-LD parser says when a document's ``@context`` is a URL to be fetched.
REMOTE_CONTEXT = "No LoadDocumentCallback has been set to load remote contexts"
#: A ``"@context": "<url>"`` (or the first URL of a list of contexts) in a JSON-LD document.
_CONTEXT_URL = re.compile(r'"@context"\s*:\s*\[?\s*"([^"]*)"')


def remote_context(path: Path) -> InputError:
    """The error for a JSON-LD document whose context is a URL: nothing is fetched from the
    network while data is read, so the context has to be written into the file. Names the line
    and column of the URL when it is found."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    found = _CONTEXT_URL.search(text)
    what, line, column = "a remote JSON-LD context", None, None
    if found is not None:
        what = f"the remote JSON-LD context {found.group(1)!r}"
        line = text.count("\n", 0, found.start(1)) + 1
        column = found.start(1) - text.rfind("\n", 0, found.start(1))  # the URL's first character, from 1
    return InputError(f"{what} is not fetched: alliance-kg makes no outbound requests while it reads data; write "
                      "the context into the file (an object under \"@context\")", path=str(path), line=line,
                      column=column, kind="remote-context")


def _xml_position(path: Path, message: str) -> tuple[str, int | None, int | None]:
    """Oxigraph's RDF/XML errors carry no position; when the file is not even well-formed XML,
    the standard library's parser (no external entities) names the first fault's line and column."""
    import xml.sax

    try:
        xml.sax.parse(str(path), xml.sax.ContentHandler())
    except xml.sax.SAXParseException as fault:
        return fault.getMessage(), fault.getLineNumber(), fault.getColumnNumber() + 1
    except OSError:
        pass
    return message, None, None


#: The UTF-8 byte-order mark some editors write at the start of a file. It is no part of the RDF
#: (Turtle and N-Triples do not allow the character there), so it is skipped, as most RDF tools
#: skip it; the lines and columns of later errors stay as an editor shows them.
BOM = b"\xef\xbb\xbf"


def skip_bom(handle: BinaryIO) -> BinaryIO:
    """``handle``, a file just opened for reading bytes, past its byte-order mark if it has one."""
    if handle.read(len(BOM)) != BOM:
        handle.seek(0)
    return handle


def parser_for(source: SourceFile, text: str | None = None) -> ox.QuadParser:
    """Oxigraph's parser over the file (or its text), relative IRIs against the file's graph,
    blank nodes given labels of their own (two files' ``_:b`` are two nodes). Oxigraph reads
    the file itself (faster than through a Python file) unless it starts with a byte-order mark."""
    where: dict = {"path": str(source.path)} if text is None else {"input": text}
    if text is None:
        with source.path.open("rb") as handle:
            if handle.read(len(BOM)) == BOM:
                where = {"input": handle.read()}
    return ox.parse(format=OX_FORMATS[source.format], base_iri=str(source.graph), rename_blank_nodes=True, **where)


def read_text(source: SourceFile) -> str:
    """A non-line-based file's text (it is parsed from memory and indexed for the locator),
    without a byte-order mark."""
    try:
        return source.path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=str(source.path)) from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), path=str(source.path)) from None


def read_line_format(source: SourceFile, dataset: Dataset) -> None:
    """Add an N-Triples/N-Quads file's statements to ``dataset`` as they are read (triples
    without a graph go to the file's graph; a graph is created on first use, so a file of quads
    adds no empty graph of its own)."""
    graphs: dict[Node | None, Graph] = {}
    with parse_errors(source):
        parser = parser_for(source)
    for s, p, o, name in _statements(source, parser):
        target = graphs.get(name)
        if target is None:
            target = graphs[name] = dataset.graph(source.graph if name is None else name)
        target.add((s, p, o))


def parse_file(source: SourceFile) -> tuple[Graph | Dataset, str]:
    """Parse one file on its own into a scratch graph (a dataset for formats with named graphs),
    its prefixes bound (the locator writes subjects with them); a syntax error names its file,
    line and column."""
    text = read_text(source)
    parser = parser_for(source, text)
    if source.format in QUAD_FORMATS:
        dataset = Dataset()
        for s, p, o, name in _statements(source, parser):
            dataset.add((s, p, o, dataset.default_graph if name is None else dataset.graph(name)))
        scratch: Graph | Dataset = dataset
    else:
        scratch = Graph()
        for s, p, o, _ in _statements(source, parser):
            scratch.add((s, p, o))
    for prefix, namespace in parser.prefixes.items():
        scratch.bind(prefix, namespace, replace=True)
    return scratch, text


@dataclass
class LoadedDataset:
    """Parsed files as one dataset (default graph = union of the named graphs)."""

    dataset: Dataset
    files: list[SourceFile]
    locator: Locator


def load_dataset(paths: Sequence[Path | str] | None = None, *, root: Path | None = None,
                 ontology: Sequence[Path | str] = ()) -> LoadedDataset:
    """Parse every file into its named graph (``discover``); all or nothing."""
    files = discover(paths, root=root, ontology=ontology)
    dataset = new_dataset()
    locator = Locator()
    for source in files:
        if source.format in LINE_FORMATS:
            read_line_format(source, dataset)
            locator.deferred.append(source.path)
            continue
        scratch, text = parse_file(source)
        if isinstance(scratch, Dataset):
            for s, p, o, g in scratch.quads((None, None, None, None)):
                name = g if isinstance(g, URIRef) and g != URIRef("urn:x-rdflib:default") else source.graph
                dataset.add((s, p, o, dataset.graph(name)))
            locator.learn(source, scratch, text)
        else:
            target = dataset.graph(source.graph)
            for triple in scratch:
                target.add(triple)
            locator.learn(source, scratch, text)
    stamp_version(dataset)
    return LoadedDataset(dataset, files, locator)


def stamp_version(dataset: Dataset) -> None:
    """Give the project's ontology document the package version (``owl:versionInfo``,
    ``owl:versionIRI``), so the version is written once, in ``alliance_kg.__version__``, and
    the ontology cannot drift from the release it ships in. Other ontologies are left alone."""
    if any(getattr(g, "identifier", g) == ONTOLOGY_GRAPH for *_, g in dataset.quads((ONTOLOGY, RDF.type, OWL.Ontology))):
        ontology = dataset.graph(ONTOLOGY_GRAPH)
        for triple in version_triples():
            ontology.add(triple)


def version_triples() -> list[tuple[URIRef, URIRef, Node]]:
    """What ``stamp_version`` adds to the ontology graph (the Oxigraph path adds the same)."""
    return [(ONTOLOGY, OWL.versionInfo, Literal(__version__)),
            (ONTOLOGY, OWL.versionIRI, URIRef(f"{ONTOLOGY}/{__version__}"))]


def load_shapes(paths: Iterable[Path | str] | None = None, *, root: Path | None = None) -> tuple[Graph, Locator]:
    """The SHACL shapes graph (from ``shapes/`` unless other files are named)."""
    root = root or project_root()
    files = discover(list(paths) if paths else [root / "shapes"], root=root, apart=False)
    shapes = Graph()
    locator = Locator()
    for source in files:
        scratch, text = parse_file(source)
        for triple in scratch.triples((None, None, None)):
            shapes.add(triple)
        locator.learn(source, scratch, text)
    return shapes, locator
