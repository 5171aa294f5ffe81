"""Validation of a graph built in an Oxigraph store (``loading``), without an rdflib copy of
the data: the same engines, checks and report as ``validation.validate``.

The compiled SHACL engine reads a file: the asserted quads as parsed (``LoadedStore.written``,
so literals reach it as written) followed by the inferred graph, which Oxigraph writes out of
the store (blank nodes keep the store's labels in both, so they are the same nodes). That file
is a named pipe, written by a thread as the engine reads it, so the data is not copied once
more under TMPDIR (several GB at 10M triples). The
SPARQL checks run on the store itself. pyshacl, still chosen on small data or where the shapes
need it (``validation.choose_engine``), gets an rdflib graph parsed from the same file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph

from ..namespaces import INFERRED_GRAPH
from ..rdf import bind_prefixes, from_ox
from .loading import LoadedStore, no_room
from .statements import Blank
from .validation import (ENGINES, Report, choose_engine, compiled_report, compiled_shapes, default_checks, finish,
                         pyshacl_report, run_checks)


def validate_store(loaded: LoadedStore, shapes: Graph, *, checks: Iterable[Path] | None = None,
                   engine: str = "auto") -> Report:
    """Run the shapes, then every ``*-violation.rq`` check, over the store's named graphs."""
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "auto":
        engine, _ = choose_engine(shapes, len(loaded.store))
    with shapes_input(loaded) as data:
        if engine == "compiled":
            report = compiled_report(compiled_shapes(shapes).validate_file(str(data)))
        else:
            report = pyshacl_report(read_graph(data), shapes)
    checks = sorted(checks if checks is not None else default_checks())
    if checks:
        report.findings.extend(run_checks(loaded.store, checks))
    return finish(report, shapes, loaded.locator, lambda node: _blank(loaded.store, node))


def _blank(store: ox.Store, node: BNode) -> Blank:
    """What the store says of a blank node (its labels are the store's, as in the findings)."""
    term = ox.BlankNode(str(node))
    return Blank.of(((from_ox(q.predicate), from_ox(q.object)) for q in store.quads_for_pattern(term, None, None)),
                    ((from_ox(q.subject), from_ox(q.predicate)) for q in store.quads_for_pattern(None, None, term)))


@contextlib.contextmanager
def shapes_input(loaded: LoadedStore) -> Iterator[Path]:
    """The data the shapes see, as one N-Quads file to be read once: the asserted quads as
    written, then the inferred graph as the store holds it. It is a named pipe that a thread
    fills as the reader takes it (a plain file where there are no named pipes); an error of that
    thread is raised here once the reader is done, so no finding comes from part of the data."""
    data = loaded.written[0].path.with_name("validated.nq")
    if not hasattr(os, "mkfifo"):
        try:
            with data.open("wb") as out:
                _write_input(loaded, out)
        except OSError as exc:
            data.unlink(missing_ok=True)
            raise no_room(exc, data.parent) from None
        try:
            yield data
        finally:
            data.unlink(missing_ok=True)
        return
    try:
        os.mkfifo(data)
    except OSError as exc:
        raise no_room(exc, data.parent) from None
    failed: list[BaseException] = []
    done = threading.Event()

    def fill() -> None:
        try:
            with data.open("wb") as out:
                _widen(out.fileno())
                _write_input(loaded, _Until(out, done))
        except BaseException as exc:  # raised in the caller's thread below
            if not done.is_set() and not isinstance(exc, BrokenPipeError):  # not the reader leaving
                failed.append(exc)

    writer = threading.Thread(target=fill, daemon=True, name="shapes-input")
    writer.start()
    try:
        yield data
    finally:
        # The reader is done. A writer still there (the reader never opened the pipe, or left
        # early) is waiting to open it or to write: an end opened here lets it, what it writes
        # is drained, and its next write stops it.
        done.set()
        drain = os.open(data, os.O_RDONLY | os.O_NONBLOCK)
        try:
            while writer.is_alive():
                with contextlib.suppress(BlockingIOError):
                    os.read(drain, 1 << 16)
                writer.join(0.01)
        finally:
            os.close(drain)
            data.unlink(missing_ok=True)
        if failed:
            raise failed[0]


#: Bytes a pipe holds between its writer and its reader: at Linux's default (64 KiB) the
#: 10M graph's validation took 176 s, 144 s from a plain file, 131 s at 1 MiB (2026-12-06).
PIPE_BYTES = 1 << 20


def _widen(fd: int) -> None:
    """The pipe's buffer at ``PIPE_BYTES`` (where the system allows: Linux's pipe-max-size)."""
    with contextlib.suppress(ImportError, AttributeError, OSError):  # not Linux, or over its limit
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class _Until:
    """A file that refuses writes once ``done`` is set (the reader of the pipe has finished)."""

    def __init__(self, out: BinaryIO, done: threading.Event):
        self._out, self._done = out, done

    def write(self, data: bytes) -> int:
        if self._done.is_set():
            raise BrokenPipeError("the shapes' input is no longer read")
        return self._out.write(data)

    def flush(self) -> None:
        self._out.flush()


def _write_input(loaded: LoadedStore, out: BinaryIO) -> None:
    for part in loaded.written:  # the engine reads the union of all graphs: a raw file's triples count
        with part.path.open("rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
        out.write(b"\n")  # in case its last line has no end
    loaded.store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(INFERRED_GRAPH)))


def read_graph(path: Path) -> Graph:
    """An N-Quads file as one rdflib graph (the union), blank node labels as written."""
    union = bind_prefixes(Graph())
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        union.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return union
