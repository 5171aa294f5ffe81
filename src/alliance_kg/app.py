"""The composition root: the web app wired to the build pipeline and the stores.

The web layer cannot build a graph (it never imports ``build``) and the stores are handed a
built one, so this module, on top with the CLI, says how they meet: ``open_store`` builds or
opens the configured store, ``create_app`` is ``web.create_app`` with it (for the start and for
every reload) and the readers of the shapes and of the ontology's files. ``alliance-kg serve``, tests and WSGI servers use this.
"""

from __future__ import annotations

import ctypes
import shutil
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from .build.pipeline import KnowledgeGraph, Paths, conforming, refuse_unless_conforming, unvalidated, validate_graph
from .build.sources import discover, load_shapes, parse_file
from .namespaces import INFERRED_GRAPH, OWL, RDF
from .scratch import scratch_folder
from .settings import Settings, project_root
from .stores import InMemoryOxigraphStore, OxigraphStore, RdflibStore, Store, open_built
from .stores.oxigraph import Writing
from .web import create_app as create_web_app
from .web.state import OntologyDocuments, Shapes


def open_store(settings: Settings) -> Store:
    """The store ``settings.store`` names: ``memory`` (parse, infer and validate the data now,
    then answer with Oxigraph in memory), ``rdflib`` (the same, answered by rdflib), ``oxigraph:PATH`` (a folder written by ``alliance-kg load``) or ``sparql:URL`` (a remote
    SPARQL 1.1 query endpoint filled by ``alliance-kg push``). Raises ``InputError`` for files
    that do not parse, ``ValidationFailed`` for data that does not conform, ``ValueError`` for
    an unknown store."""
    spec = settings.store_spec
    built = open_built(spec, timeout=settings.query_timeout)
    if built is not None:
        return built
    if spec.kind == "rdflib":
        graph = conforming(settings.data_paths or None)
        return RdflibStore(graph.dataset, graph.version)
    return load(settings.data_paths or None, memory_max_triples=settings.memory_max_triples)


def _return_freed_memory() -> None:
    """Hand the freed in-memory build back to the system (glibc's ``malloc_trim``). glibc keeps
    freed memory for reuse, and a query worker forked later would reuse it, copying each page
    it writes: at 10M triples the server kept 9 GB resident after the build was dropped, and
    each worker grew to 4–5 GB of its own. At 1M the trim takes 0.03 s (932 to 165 MB)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def load(paths: Paths, folder: Path | str | None = None, *, memory_max_triples: int = 0) -> Store:
    """Parse, infer and validate ``paths`` in an in-memory Oxigraph store, writing it meanwhile
    into the Oxigraph store at ``folder`` (``alliance-kg load``) or, without one, into a
    temporary folder of the store's own once the parsed graph has more than
    ``memory_max_triples`` (0: never): the ``OxigraphStore`` on the folder written, else the
    in-memory store. A large graph is not served from memory because the query workers forked
    from a server holding an in-memory store copy its pages as they read it (at 10M triples the
    server and two workers outgrew 24 GB); every process opens a folder read-only and shares
    the kernel's page cache. Only a conforming graph becomes a store; on any error
    (``ValidationFailed`` included) the folder being written is removed."""
    owned = folder is None
    target: Path | None = None
    writing: Writing | None = None

    def parsed(graph: KnowledgeGraph) -> None:
        nonlocal target, writing
        if owned and not 0 < memory_max_triples < len(graph.loaded.store):
            return
        target = scratch_folder("store") if owned else Path(folder)
        writing = Writing(target, temporary=owned)
        for part in graph.loaded.written:
            writing.begin(part.path, part.format, part.graph)

    try:
        graph = unvalidated(paths, into="oxigraph", parsed=parsed)
        assert graph.store is not None
        if writing is None:
            refuse_unless_conforming(validate_graph(graph))
            return InMemoryOxigraphStore(graph.store, graph.version)
        writing.finish(graph.store, str(INFERRED_GRAPH))
        report = refuse_unless_conforming(validate_graph(graph)).report
        assert report is not None
        version = graph.version
        del graph  # the in-memory store goes while the writing finishes
        writing.commit(version, {"violations": report.count("Violation"), "warnings": report.count("Warning")})
        _return_freed_memory()
    except BaseException:
        if writing is not None:
            writing.abandon()
        if owned and target is not None:
            shutil.rmtree(target, ignore_errors=True)
        raise
    assert target is not None
    return OxigraphStore(target, owned=owned)


def read_shapes(settings: Settings) -> Shapes:
    """The shapes the data is validated with (``shapes/`` of the project root): their graph,
    and their files' text, as written, for the Turtle form of /shapes."""
    root = project_root(settings)
    return Shapes(load_shapes(root=root)[0], shapes_as_written(root))


def read_ontology(settings: Settings) -> OntologyDocuments:
    """The ontology's documents (``ontology/`` of the project root) as their files hold them, by
    the IRI each file declares an ``owl:Ontology``: the aggregate and each module it imports,
    which ``/ontology/{module}`` serves whole. The store holds their union in one graph, which
    no longer says which file a statement came from."""
    root = project_root(settings)
    documents: OntologyDocuments = {}
    for source in discover([root / "ontology"], root=root, apart=False):
        graph, _ = parse_file(source)
        for document in graph.subjects(RDF.type, OWL.Ontology):
            documents[document] = graph
    return documents


def shapes_as_written(root: Path) -> str | None:
    """The shapes files of ``root`` as one Turtle document, each file's text as it is (its
    comments, its nested blank nodes), after a line naming the file: every file declares its
    own prefixes, so the files read one after the other are their union. None where a file is
    no Turtle."""
    files = discover([root / "shapes"], root=root, apart=False)
    if any(source.format != "turtle" for source in files):
        return None
    names = [source.path.relative_to(root).as_posix() for source in files]
    parts = [f"# The SHACL shapes of alliance-kg as written, one file after another: {', '.join(names)}.\n"]
    for name, source in zip(names, files):
        parts.append(f"\n# ---- {name} ----\n\n{source.path.read_text(encoding='utf-8').rstrip()}\n")
    return "".join(parts)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The served app: ``web.create_app`` that builds its store with ``open_store``."""
    return create_web_app(config, open_store=open_store, read_shapes=read_shapes, read_ontology=read_ontology)
