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

from ..settings import project_root
from .inference import infer
from .sources import LoadedDataset, load_dataset, load_shapes
from .validation import Report, ValidationFailed, validate

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


def with_ontology(paths: Paths) -> list[Path] | None:
    """Given files are read with the shipped ontology (for inference), unless they bring it."""
    if not paths:
        return None
    ontology = (project_root() / "ontology").resolve()
    given = [Path(p) for p in paths]
    if any(p.resolve() == ontology or ontology in p.resolve().parents for p in given):
        return given
    return ([ontology] if ontology.is_dir() else []) + given


def unvalidated(paths: Paths = None) -> KnowledgeGraph:
    """Parse and infer the files (default: the shipped ontology and data)."""
    loaded = load_dataset(with_ontology(paths))
    infer(loaded.dataset)
    return KnowledgeGraph(loaded.dataset, version_of(loaded), loaded)


def validated(paths: Paths = None, *, shapes: Paths = None, engine: str = "auto") -> KnowledgeGraph:
    """Parse, infer and validate; the graph carries its report whether or not it conforms."""
    graph = unvalidated(paths)
    shapes_graph, _ = load_shapes(shapes)
    graph.report = validate(graph.dataset, shapes_graph, locator=graph.loaded.locator, engine=engine)
    return graph


def conforming(paths: Paths = None) -> KnowledgeGraph:
    """Like ``validated`` but refuses data that does not conform (``ValidationFailed``)."""
    graph = validated(paths)
    assert graph.report is not None
    if not graph.report.conforms:
        raise ValidationFailed(graph.report)
    return graph
