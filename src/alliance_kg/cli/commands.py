"""One function per ``alliance-kg`` command: read the parsed flags, call the library, print.
Each returns the exit code; errors are raised and mapped once, in ``cli.main``."""

from __future__ import annotations

import argparse
import logging
import sys
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from ..errors import InputError, unwritable
from ..settings import SHIPPED, Settings, shipped_root

if TYPE_CHECKING:  # the stores are imported by the commands that use them
    from ..stores.base import Store

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 70
#: A query not answered by no fault of its text (sysexits' EX_UNAVAILABLE, beside EX_SOFTWARE's
#: 70): the endpoint's 5xx. A script tells it from findings (1) and may try again later.
EXIT_UNAVAILABLE = 69


def validate(args: argparse.Namespace, settings: Settings) -> int:
    from ..build.baseline import compare, read_baseline
    from ..build.pipeline import validated
    from ..build.reports import ERROR_FORMATTERS, FORMATTERS

    with output_to(args.output) as put:  # checked before the work, whose report would be lost
        try:
            baseline = read_baseline(args.baseline) if args.baseline else None  # a bad file fails before the work
            graph = validated(args.paths or None, shapes=args.shapes, ontology=args.ontology,
                              inference=args.inference, checks=args.checks, engine=args.engine)
        except InputError as exc:  # the report asked for says so too, at the file and line; still exit 2
            put(ERROR_FORMATTERS[args.format](exc))
            raise
        report = graph.report
        assert report is not None
        if baseline is not None:
            report.baseline = compare(baseline, report.findings, source=args.baseline)
        put(FORMATTERS[args.format](report))
    return EXIT_OK if report.passes else EXIT_VIOLATIONS


def diff(args: argparse.Namespace, settings: Settings) -> int:
    from ..build.diff import DIFF_FORMATS, diff as diff_data

    with output_to(args.output) as put:
        result = diff_data(args.old, args.new, shapes=args.shapes)
        put(DIFF_FORMATS[args.format](result, limit=args.limit))
    return EXIT_OK


def build(args: argparse.Namespace, settings: Settings) -> int:
    from ..build.pipeline import conforming
    from ..stores.dumps import write_all

    graph = conforming(args.paths or None, into="oxigraph")
    out = Path(args.out or "dist")  # in the working folder: an installed package's files are read-only
    for path in write_all(graph.store, out):
        print(path)
    return EXIT_OK


def query(args: argparse.Namespace, settings: Settings) -> int:
    from ..query.executor import Executor
    from ..query.table import answer_for_terminal

    with output_to(args.output) as put:
        text = query_text(args.query)
        store = queried_store(args.data, settings)
        with quiet_executor(settings):
            # one worker, which the deadline can stop (a thread cannot be), as the server's are
            executor = Executor(store, workers=1, timeout=settings.query_timeout)
            try:
                answer = answer_for_terminal(executor, text, args.format, settings)
            finally:
                executor.close()
        put(answer)
    return EXIT_OK


#: How a query file of the project's own is named (``@shipped/queries/examples/x.rq``): ``@shipped``,
#: as ``validate --shapes @shipped`` names the shipped shapes, then the path the file has in a
#: checkout. After ``pip install`` the examples lie inside the package, not where the command runs.
SHIPPED_FILE = SHIPPED + "/"


def query_text(given: str) -> str:
    """The text of ``query``'s argument: the query itself, or the file it names (``.rq`` or
    ``.sparql``, or an existing file; ``@shipped/...`` one of the shipped queries). A leading
    byte-order mark (a Windows editor's) is no part of the query: one is dropped, as the
    endpoint drops it."""
    shipped = given.startswith(SHIPPED_FILE)
    candidate = shipped_root() / given[len(SHIPPED_FILE):] if shipped else Path(given)
    if shipped or "\n" not in given and candidate.suffix in (".rq", ".sparql") or (
            len(given) < 4096 and candidate.is_file()):
        if not candidate.is_file():
            raise InputError(f"no such query file ({shipped_hint(given)})", path=given)
        return candidate.read_text(encoding="utf-8-sig")
    return given.removeprefix("\ufeff")


def shipped_hint(given: str) -> str:
    """How to name a shipped query instead of ``given``: that very file when it is one of ours
    (``queries/examples/01-members-by-country.rq`` run outside a checkout), else the examples."""
    name = Path(given.removeprefix(SHIPPED_FILE))
    for relative in (name.as_posix(), f"queries/examples/{name.name}"):
        if (shipped_root() / relative).is_file():
            return f"did you mean {SHIPPED_FILE}{relative}?"
    names = ", ".join(sorted(p.stem for p in (shipped_root() / "queries" / "examples").glob("*.rq")))
    return f"the shipped example queries are {SHIPPED_FILE}queries/examples/NAME.rq, NAME one of: {names}"


def queried_store(data: list[str] | None, settings: Settings) -> Store:
    """The store ``query`` asks: the one ``--store`` names if it holds a graph built before (an
    Oxigraph folder, a SPARQL endpoint), else the files (``--data``, else the shipped graph)
    parsed and inferred now but not validated (a query may look for what is wrong), in Oxigraph
    in memory or, with ``--store rdflib``, in rdflib."""
    from ..build.pipeline import unvalidated
    from ..stores import InMemoryOxigraphStore, RdflibStore, open_built

    spec = settings.store_spec
    if data and spec.where:  # a store with a place is one built before
        raise InputError(f"--data names files to query, --store {settings.store} a store built before: give one")
    built = open_built(spec, timeout=settings.query_timeout)
    if built is not None:
        return built
    if spec.kind == "rdflib":
        graph = unvalidated(data or None)
        return RdflibStore(graph.dataset, graph.version)
    graph = unvalidated(data or None, into="oxigraph")
    assert graph.store is not None
    return InMemoryOxigraphStore(graph.store, graph.version)


@contextmanager
def quiet_executor(settings: Settings) -> Iterator[None]:
    """The query worker's log kept off stderr (unless ``ALLIANCE_KG_DEBUG``): it tells a
    server's operator that a query was stopped or failed, with the engine's traceback, where
    the command line says so itself, in one line."""
    from ..query.executor import log

    handler = logging.NullHandler()
    if not settings.debug:
        log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from .allocator import library_for, preload

    if args.get:
        library_for(settings.allocator)  # refused as serve refuses it; one request preloads nothing
        from ..app import create_app
        from ..web.server import refuse_unusable, smoke

        refuse_unusable(settings)  # the rest of what serve refuses, though no server runs
        status, body = smoke(create_app({"SETTINGS": settings}), args.get, accept=args.accept)
        write(body, None)
        print(f"GET {args.get}: {status}", file=sys.stderr)  # the body is stdout's alone
        return EXIT_OK if status < 400 else EXIT_VIOLATIONS
    # first, before the web layer is imported: serve executes itself again, once, when it has an
    # allocator to preload
    allocator = preload(settings.allocator)
    from ..app import create_app
    from ..web.server import configure_logging, refuse_unusable, serve as run_server

    refuse_unusable(settings)  # before the data is loaded, as --get does
    configure_logging(settings)
    allocator.report()
    run_server(create_app({"SETTINGS": settings}), settings)
    return EXIT_OK


def load(args: argparse.Namespace, settings: Settings) -> int:
    from .allocator import preload
    from ..settings import StoreSpec

    try:
        spec = StoreSpec.parse(args.store)
    except ValueError:
        spec = None
    if spec is None or spec.kind != "oxigraph":
        raise InputError(f"--store {args.store!r}: load fills an Oxigraph folder (oxigraph:PATH)")
    # before the data is read or the build imported, as serve does: load executes itself again,
    # once, when it has an allocator to preload (the lower peak: ``cli.allocator``)
    preload(settings.allocator).report()
    from ..app import load as load_store
    from ..stores import OxigraphStore

    # The store is written while the graph is inferred and validated; only a conforming graph
    # becomes current.
    store = load_store(args.paths or None, spec.where)
    assert isinstance(store, OxigraphStore)  # a folder given is always written
    print(f"{store.triple_count()} triples in {len(store.graph_names())} graphs, version {store.version}: {store.folder}")
    return EXIT_OK


def push(args: argparse.Namespace, settings: Settings) -> int:
    from ..build.pipeline import conforming
    from ..stores.push import push as push_to, settings_credentials

    graph = conforming(args.paths or None)
    result = push_to(graph.dataset, args.to, graph.version, credentials=settings_credentials(settings),
                     protocol=args.protocol)
    print(f"pushed {sum(result.graphs.values())} triples in {len(result.graphs)} graphs "
          f"({result.requests} requests, {result.seconds:.1f} s), version {graph.version}")
    return EXIT_OK


def generate(args: argparse.Namespace, settings: Settings) -> int:
    from ..build.generate import generate as generate_data

    result = generate_data(args.cities, Path(args.out))
    print(f"{result.path}: {result.quads} quads, {result.cities} member cities ({result.copies} copies)")
    return EXIT_OK


@contextmanager
def output_to(output: str | None) -> Iterator[Callable[[str | bytes], None]]:
    """A command's ``--output`` (or stdout): checked before the work (``writable``), written by
    the function this yields, and never left as it was when the command ends without writing
    it: a file of an earlier run would be read as this run's (a report that conformed, an
    answer of other data), so it is removed."""
    writable(output)
    written = False

    def put(text: str | bytes) -> None:
        nonlocal written
        write(text, output)
        written = True

    try:
        yield put
    except BaseException:  # an error, a bug, Ctrl-C: whatever ends the command unwritten
        if output and not written:
            discard(output)
        raise


def discard(output: str) -> None:
    """Remove the file ``output`` if it is there and can be removed; else leave it be."""
    with suppress(OSError):
        Path(output).unlink(missing_ok=True)


def writable(output: str | None) -> None:
    """Refuse an ``--output`` file that cannot be written before the work rather than after it:
    opened for appending (nothing in it changes), and removed again if this made it."""
    if not output:
        return
    path = Path(output)
    try:
        made = not path.exists()
        with path.open("ab"):
            pass
    except OSError as exc:
        raise unwritable(exc, output) from None
    if made:
        path.unlink()


def write(text: str | bytes, output: str | None) -> None:
    """``text`` to the file ``output``, or to stdout (bytes as they are)."""
    if output:
        try:
            Path(output).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        except OSError as exc:
            discard(output)  # half written (a full disk): no file at all rather than part of one
            raise unwritable(exc, output) from None
    elif isinstance(text, bytes):
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:  # a text-only stdout (tests, embedding)
            sys.stdout.write(text.decode("utf-8"))
        else:
            sys.stdout.flush()
            stream.write(text)
    else:
        sys.stdout.write(text)
