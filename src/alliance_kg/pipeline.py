"""Files to a served graph in one call: parse, infer, validate. Either the whole knowledge
graph comes back conforming, or an error says why; there is no half-loaded result."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from rdflib import Dataset

from .inference import infer
from .settings import project_root
from .sources import LoadedDataset, load_dataset, load_shapes
from .validation import Report, ValidationFailed, validate


@dataclass
class KnowledgeGraph:
    """A parsed, inferred and validated dataset with the version of the files it came from."""

    dataset: Dataset
    version: str
    loaded: LoadedDataset
    #: None until validated (``assemble`` skips validation; ``check`` does it).
    report: Report | None = None


def version_of(loaded: LoadedDataset) -> str:
    """Content hash of the source files: changes exactly when the data does (ETags, caches)."""
    digest = hashlib.sha256()
    for source in sorted(loaded.files, key=lambda s: str(s.graph) + str(s.path)):
        digest.update(str(source.graph).encode())
        digest.update(source.path.read_bytes())
    return digest.hexdigest()[:16]


def with_ontology(paths: Sequence[Path | str] | None) -> list[Path] | None:
    """Given files are read with the shipped ontology (for inference), unless they bring it."""
    if not paths:
        return None
    ontology = (project_root() / "ontology").resolve()
    given = [Path(p) for p in paths]
    if any(p.resolve() == ontology or ontology in p.resolve().parents for p in given):
        return given
    return ([ontology] if ontology.is_dir() else []) + given


def check(paths: Sequence[Path | str] | None = None, *, shapes: Sequence[Path | str] | None = None,
          engine: str = "auto") -> KnowledgeGraph:
    """Parse, infer and validate; returns the graph and its report whether or not it conforms."""
    graph = assemble(paths)
    shapes_graph, _ = load_shapes(shapes)
    graph.report = validate(graph.dataset, shapes_graph, locator=graph.loaded.locator, engine=engine)
    return graph


def assemble(paths: Sequence[Path | str] | None = None) -> KnowledgeGraph:
    """Parse and infer without validating: for ad-hoc queries on a working copy."""
    loaded = load_dataset(with_ontology(paths))
    infer(loaded.dataset)
    return KnowledgeGraph(loaded.dataset, version_of(loaded), loaded)


def load_knowledge_graph(paths: Sequence[Path | str] | None = None) -> KnowledgeGraph:
    """Like ``check`` but refuses data that does not conform (``ValidationFailed``)."""
    graph = check(paths)
    if graph.report is None or not graph.report.conforms:
        raise ValidationFailed(graph.report)
    return graph
