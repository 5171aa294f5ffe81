"""Files to a knowledge graph in one call: parse, infer and (unless asked not to) validate.
Either the graph comes back whole, or an error says why; there is no half-loaded result.

Three entry points, named for what they return:

- ``unvalidated``: parsed and inferred, for ad-hoc queries on a working copy;
- ``validated``: also validated, with its report, whether or not it conforms (``validate``);
- ``conforming``: validated and refused with ``ValidationFailed`` unless it conforms (what is
  served, loaded, pushed or dumped).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import pyoxigraph as ox
from rdflib import Dataset

from ..errors import InputError, unreadable
from ..rdf import dataset_from
from ..settings import SHIPPED, project_root, shipped_root
from .inference import infer
from .loading import LoadedStore, load_store
from .sources import LoadedDataset, load_dataset, load_shapes
from .store_inference import infer_store
from .store_validation import validate_store
from .validation import Report, ValidationFailed, check_shapes, default_checks, validate

Paths = Sequence[Path | str] | None

#: Where a graph is built: ``rdflib`` (the reference, for small data and the rdflib backend) or
#: ``oxigraph`` (parsed, inferred and validated in a pyoxigraph store: for size).
INTO = ("rdflib", "oxigraph")


@dataclass
class KnowledgeGraph:
    """A parsed and inferred graph with the version of the files it came from, built either as
    an rdflib dataset or in an Oxigraph store (``loaded`` says which)."""

    version: str
    loaded: LoadedDataset | LoadedStore
    #: None for an ``unvalidated`` graph.
    report: Report | None = None
    _dataset: Dataset | None = None

    @property
    def store(self) -> ox.Store | None:
        """The Oxigraph store the graph was built in, or ``None`` for an rdflib-built one."""
        return self.loaded.store if isinstance(self.loaded, LoadedStore) else None

    @property
    def dataset(self) -> Dataset:
        """The graph as an rdflib dataset: as built, or copied out of the store on first use
        (for the consumers that need rdflib: diff, push, the rdflib backend)."""
        if self._dataset is None:
            self._dataset = self.loaded.dataset if isinstance(self.loaded, LoadedDataset) else dataset_from(self.loaded.store)
        return self._dataset


def version_of(loaded: LoadedDataset | LoadedStore) -> str:
    """Content hash of the source files: changes exactly when the data does (ETags, caches)."""
    digest = hashlib.sha256()
    for source in sorted(loaded.files, key=lambda s: str(s.graph) + str(s.path)):
        digest.update(str(source.graph).encode())
        digest.update(source.path.read_bytes())
    return digest.hexdigest()[:16]


def expand(paths: Paths, folder: str) -> list[Path]:
    """Given paths with ``@shipped`` replaced by the shipped ``folder`` (``ontology``, ``shapes``,
    ``queries/checks``), so another network can use our files, its own, or both."""
    shipped = shipped_root() / folder
    return [shipped if str(p) == SHIPPED else Path(p) for p in paths or ()]


def with_ontology(paths: Paths, ontology: Paths = None, *, root: Path | None = None) -> list[Path]:
    """The files to load: the data (default: the project's data) read with an ontology for
    inference: ``ontology`` when given (``[]``: none), else the project's unless the data
    brings it."""
    root = root or project_root()
    if not paths and ontology is None:
        return [root / "ontology", root / "data"]
    data = [Path(p) for p in paths] if paths else [root / "data"]
    if ontology is not None:
        return expand(ontology, "ontology") + data
    own = (root / "ontology").resolve()
    if any(p.resolve() == own or own in p.resolve().parents for p in data):
        return data
    return ([own] if own.is_dir() else []) + data


def unvalidated(paths: Paths = None, *, ontology: Paths = None, inference: bool = True,
                root: Path | None = None, into: str = "rdflib",
                parsed: Callable[[KnowledgeGraph], None] | None = None) -> KnowledgeGraph:
    """Parse and infer the files (default: the shipped ontology and data). ``root`` is the
    project folder whose ``ontology/`` and ``data/`` are the defaults and name the graphs;
    ``into`` one of ``INTO``. ``parsed`` is called with the Oxigraph-built graph before its
    inference (``alliance-kg load`` starts writing the asserted quads then)."""
    files = with_ontology(paths, ontology, root=root)
    vocabulary = expand(ontology, "ontology")  # to the ontology graph, whatever the files' names
    if into == "oxigraph":
        in_store = load_store(files, root=root, ontology=vocabulary)
        graph = KnowledgeGraph(version_of(in_store), in_store)
        if parsed is not None:
            parsed(graph)
        if inference:
            infer_store(in_store.store)
        return graph
    if into != "rdflib":
        raise ValueError(f"cannot build into {into!r}; use one of {', '.join(INTO)}")
    loaded = load_dataset(files, root=root, ontology=vocabulary)
    if inference:
        infer(loaded.dataset)
    return KnowledgeGraph(version_of(loaded), loaded)


def validated(paths: Paths = None, *, shapes: Paths = None, ontology: Paths = None, inference: bool = True,
              checks: Paths = None, engine: str = "auto", root: Path | None = None,
              into: str = "rdflib") -> KnowledgeGraph:
    """Parse, infer and validate; the graph carries its report whether or not it conforms.
    The shapes are checked against SHACL-for-SHACL first (``InvalidShapes``). The SPARQL checks
    are part of the shipped rules: they run with the shipped shapes unless ``checks`` says
    otherwise (other networks' data would fail them: its subjects are not ours)."""
    graph = unvalidated(paths, ontology=ontology, inference=inference, root=root, into=into)
    return validate_graph(graph, shapes=shapes, checks=checks, engine=engine, root=root)


def validate_graph(graph: KnowledgeGraph, *, shapes: Paths = None, checks: Paths = None, engine: str = "auto",
                   root: Path | None = None) -> KnowledgeGraph:
    """``validated`` for a graph already parsed and inferred (so a caller can start writing it
    out meanwhile: ``alliance-kg load``); sets and returns it with its report."""
    shapes_graph, shapes_locator = load_shapes(expand(shapes, "shapes") or None, root=root)
    check_shapes(shapes_graph, shapes_locator)
    found = check_files(checks, shapes, root=root)
    if isinstance(graph.loaded, LoadedStore):
        graph.report = validate_store(graph.loaded, shapes_graph, engine=engine, checks=found)
        graph.loaded.close()  # the as-written copy was for the shapes only
    else:
        graph.report = validate(graph.dataset, shapes_graph, locator=graph.loaded.locator, engine=engine,
                                checks=found)
    return graph


def check_files(checks: Paths, shapes: Paths, *, root: Path | None = None) -> list[Path]:
    """The ``*-violation.rq`` checks to run: those given (files, or folders holding them), else the
    project's when its shapes are in use. A folder given without checks is an error, as an empty
    ``--shapes`` folder is: a pipeline whose checks are not where it says would pass unchecked."""
    if checks is None:
        return default_checks(root) if not shapes or SHIPPED in map(str, shapes) else []
    found = []
    for path in expand(checks, "queries/checks"):
        if path.is_dir():
            found.extend(_checks_in(path))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError("no such file or directory", path=str(path))
    return found


def _checks_in(folder: Path) -> list[Path]:
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith("-violation.rq"))
    except OSError as exc:
        raise unreadable(exc, folder) from None
    if not names:
        raise InputError("folder holds no *-violation.rq checks", path=str(folder))
    return [folder / name for name in names]


def conforming(paths: Paths = None, *, into: str = "rdflib") -> KnowledgeGraph:
    """Like ``validated`` but refuses data that does not conform (``ValidationFailed``)."""
    return refuse_unless_conforming(validated(paths, into=into))


def refuse_unless_conforming(graph: KnowledgeGraph) -> KnowledgeGraph:
    """``graph`` if its report conforms; else ``ValidationFailed`` (what is served, loaded,
    pushed or dumped must conform)."""
    assert graph.report is not None
    if not graph.report.conforms:
        raise ValidationFailed(graph.report)
    return graph
