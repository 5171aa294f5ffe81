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
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from rdflib import Dataset

from ..errors import InputError
from ..settings import project_root, shipped_root
from .inference import infer
from .sources import LoadedDataset, load_dataset, load_shapes
from .validation import Report, ValidationFailed, check_shapes, default_checks, validate

Paths = Sequence[Path | str] | None


@dataclass
class KnowledgeGraph:
    """A parsed and inferred dataset with the version of the files it came from."""

    dataset: Dataset
    version: str
    loaded: LoadedDataset
    #: None for an ``unvalidated`` graph.
    report: Report | None = None


def version_of(loaded: LoadedDataset) -> str:
    """Content hash of the source files: changes exactly when the data does (ETags, caches)."""
    digest = hashlib.sha256()
    for source in sorted(loaded.files, key=lambda s: str(s.graph) + str(s.path)):
        digest.update(str(source.graph).encode())
        digest.update(source.path.read_bytes())
    return digest.hexdigest()[:16]


#: Stands for the shipped ontology, shapes or checks among given paths (``--shapes @shipped x/``).
SHIPPED = "@shipped"


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
                root: Path | None = None) -> KnowledgeGraph:
    """Parse and infer the files (default: the shipped ontology and data). ``root`` is the
    project folder whose ``ontology/`` and ``data/`` are the defaults and name the graphs."""
    loaded = load_dataset(with_ontology(paths, ontology, root=root), root=root)
    if inference:
        infer(loaded.dataset)
    return KnowledgeGraph(loaded.dataset, version_of(loaded), loaded)


def validated(paths: Paths = None, *, shapes: Paths = None, ontology: Paths = None, inference: bool = True,
              checks: Paths = None, engine: str = "auto", root: Path | None = None) -> KnowledgeGraph:
    """Parse, infer and validate; the graph carries its report whether or not it conforms.
    The shapes are checked against SHACL-for-SHACL first (``InvalidShapes``). The SPARQL checks
    are part of the shipped rules: they run with the shipped shapes unless ``checks`` says
    otherwise (other networks' data would fail them: its subjects are not ours)."""
    graph = unvalidated(paths, ontology=ontology, inference=inference, root=root)
    shapes_graph, shapes_locator = load_shapes(expand(shapes, "shapes") or None, root=root)
    check_shapes(shapes_graph, shapes_locator)
    graph.report = validate(graph.dataset, shapes_graph, locator=graph.loaded.locator, engine=engine,
                            checks=check_files(checks, shapes, root=root))
    return graph


def check_files(checks: Paths, shapes: Paths, *, root: Path | None = None) -> list[Path]:
    """The ``*-violation.rq`` checks to run: those given (files, or folders holding them), else the
    project's when its shapes are in use."""
    if checks is None:
        return default_checks(root) if not shapes or SHIPPED in map(str, shapes) else []
    found = []
    for path in expand(checks, "queries/checks"):
        if path.is_dir():
            found.extend(sorted(path.glob("*-violation.rq")))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError("no such file or directory", path=str(path))
    return found


def conforming(paths: Paths = None) -> KnowledgeGraph:
    """Like ``validated`` but refuses data that does not conform (``ValidationFailed``)."""
    graph = validated(paths)
    assert graph.report is not None
    if not graph.report.conforms:
        raise ValidationFailed(graph.report)
    return graph
