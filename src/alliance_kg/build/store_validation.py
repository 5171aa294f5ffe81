"""Validation of a graph built in an Oxigraph store (``loading``), without an rdflib copy of
the data: the same engines, checks and report as ``validation.validate``.

The compiled SHACL engine reads a file: the asserted quads as parsed (``LoadedStore.written``,
so literals reach it as written) followed by the inferred graph, which Oxigraph writes out of
the store (blank nodes keep the store's labels in both, so they are the same nodes). The
SPARQL checks run on the store itself. pyshacl, still chosen on small data or where the shapes
need it (``validation.choose_engine``), gets an rdflib graph parsed from the same file.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import Graph

from ..namespaces import INFERRED_GRAPH
from ..rdf import bind_prefixes, from_ox
from .loading import LoadedStore, no_room
from .validation import (ENGINES, Report, choose_engine, compiled_report, compiled_shapes, default_checks, finish,
                         pyshacl_report, run_checks)


def validate_store(loaded: LoadedStore, shapes: Graph, *, checks: Iterable[Path] | None = None,
                   engine: str = "auto") -> Report:
    """Run the shapes, then every ``*-violation.rq`` check, over the store's named graphs."""
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "auto":
        engine, _ = choose_engine(shapes, len(loaded.store))
    data = shapes_input(loaded)
    try:
        if engine == "compiled":
            report = compiled_report(compiled_shapes(shapes).validate_file(str(data)))
        else:
            report = pyshacl_report(read_graph(data), shapes)
    finally:
        data.unlink(missing_ok=True)
    checks = sorted(checks if checks is not None else default_checks())
    if checks:
        report.findings.extend(run_checks(loaded.store, checks))
    return finish(report, shapes, loaded.locator)


def shapes_input(loaded: LoadedStore) -> Path:
    """The data the shapes see, as one N-Quads file: the asserted quads as written, then the
    inferred graph as the store holds it."""
    data = loaded.written[0].path.with_name("validated.nq")
    try:
        with data.open("wb") as out:
            for part in loaded.written:  # the engine reads the union of all graphs: a raw file's triples count
                with part.path.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
                out.write(b"\n")  # in case its last line has no end
            loaded.store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(INFERRED_GRAPH)))
    except OSError as exc:
        data.unlink(missing_ok=True)
        raise no_room(exc, data.parent) from None
    return data


def read_graph(path: Path) -> Graph:
    """An N-Quads file as one rdflib graph (the union), blank node labels as written."""
    union = bind_prefixes(Graph())
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        union.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return union
