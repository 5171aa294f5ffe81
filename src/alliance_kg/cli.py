"""The ``alliance-kg`` command: a thin shell over the library for people and CI pipelines.

Exit codes: 0 success (data conforms), 1 violations (or a refused query), 2 unusable input
(a missing path, a file that does not parse, a wrong flag). Errors are one line on stderr,
never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .errors import AllianceKGError, InputError, QueryError
from .settings import Settings, describe
from .validation import COMPILED_FROM, ENGINES

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 70


def _validate(args: argparse.Namespace) -> int:
    from .pipeline import check
    from .reports import FORMATTERS

    graph = check(args.paths or None, shapes=args.shapes or None, engine=args.engine)
    assert graph.report is not None
    text = FORMATTERS[args.format](graph.report)
    _write(text, args.output)
    return EXIT_OK if graph.report.conforms else EXIT_VIOLATIONS


def _build(args: argparse.Namespace) -> int:
    from .export import build, default_output
    from .pipeline import load_knowledge_graph

    graph = load_knowledge_graph(args.paths or None)
    out = Path(args.out) if args.out else default_output()
    for path in build(graph.dataset, out):
        print(path)
    return EXIT_OK


def _query(args: argparse.Namespace) -> int:
    from .pipeline import assemble
    from .querycli import run_query_command

    text = args.query
    candidate = Path(text)
    if "\n" not in text and candidate.suffix in (".rq", ".sparql") or (len(text) < 4096 and candidate.is_file()):
        if not candidate.is_file():
            raise InputError("no such query file", path=text)
        text = candidate.read_text(encoding="utf-8")
    graph = assemble(args.data or None)
    output = run_query_command(graph, text, args.format)
    _write(output, args.output)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from .serve import run, smoke

    overrides = {name: getattr(args, name) for name, _, _ in describe()}
    settings = Settings.load(overrides)
    if args.get:
        status, body = smoke(settings, args.get, accept=args.accept)
        _write(body, None)
        return EXIT_OK if status < 400 else EXIT_VIOLATIONS
    return run(settings)


def _load(args: argparse.Namespace) -> int:
    from .stores import oxigraph

    kind, _, where = args.store.partition(":")
    if kind != "oxigraph" or not where:
        raise InputError(f"--store {args.store!r}: load fills an Oxigraph folder (oxigraph:PATH)")
    store = oxigraph.load(where, args.paths or None)
    print(f"{store.triple_count()} triples in {len(store.graph_names())} graphs, version {store.version}: {store.folder}")
    return EXIT_OK


def _push(args: argparse.Namespace) -> int:
    from .pipeline import load_knowledge_graph
    from .push import credentials_from, push

    graph = load_knowledge_graph(args.paths or None)
    result = push(graph.dataset, args.to, graph.version, credentials=credentials_from(), protocol=args.protocol)
    print(f"pushed {sum(result.graphs.values())} triples in {len(result.graphs)} graphs "
          f"({result.requests} requests, {result.seconds:.1f} s), version {graph.version}")
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from .generate import generate

    result = generate(args.cities, Path(args.out))
    print(f"{result.path}: {result.quads} quads, {result.cities} member cities ({result.copies} copies)")
    return EXIT_OK


def _write(text: str | bytes, output: str | None) -> None:
    if output:
        Path(output).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    elif isinstance(text, bytes):
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:  # a text-only stdout (tests, embedding)
            sys.stdout.write(text.decode("utf-8"))
        else:
            sys.stdout.flush()
            stream.write(text)
    else:
        sys.stdout.write(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-kg",
        description="Knowledge graph of the Chinese-German Industrial Cities Alliance: validate, build, query, serve.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="validate the shipped graph (or the given files/folders) against the shapes")
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders (default: ontology/ and data/)")
    p.add_argument("--format", choices=["text", "json", "turtle", "junit", "github"], default="text")
    p.add_argument("--shapes", action="append", metavar="PATH", help="shapes files or folders (default: shapes/)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="SHACL engine: pyshacl (the reference), compiled (the shacl package), or auto: "
                        f"compiled from {COMPILED_FROM:,} triples on (default)")
    p.set_defaults(handler=_validate)

    p = sub.add_parser("build", help="write TriG, N-Quads, Turtle and JSON-LD dumps and a VoID description")
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders (default: ontology/ and data/)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: dist/)")
    p.set_defaults(handler=_build)

    p = sub.add_parser("query", help="run a SPARQL query (text or .rq file) on the local graph")
    p.add_argument("query", metavar="SPARQL|FILE")
    p.add_argument(
        "--format", default="table",
        help="table (default), json, xml, csv, tsv for SELECT/ASK; turtle, nt, jsonld, xml, trig for graphs; or a media type",
    )
    p.add_argument("--data", action="append", metavar="PATH", help="query these files/folders instead of the shipped graph")
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(handler=_query)

    p = sub.add_parser("load", help="parse, infer, validate and write the graph into an on-disk store")
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders (default: ontology/ and data/)")
    p.add_argument("--store", required=True, metavar="oxigraph:PATH", help="the store to fill (serve it with serve --store)")
    p.set_defaults(handler=_load)

    p = sub.add_parser("push", help="copy the validated graph into a remote SPARQL 1.1 store, named graphs intact")
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders (default: ontology/ and data/)")
    p.add_argument("--to", required=True, metavar="URL",
                   help="update endpoint (e.g. Virtuoso's /sparql-auth) or graph store with --protocol gsp; "
                        "credentials from ALLIANCE_KG_PUSH_USER/_PASSWORD (_AUTH: digest or basic)")
    p.add_argument("--protocol", choices=["update", "gsp"], default="update")
    p.set_defaults(handler=_push)

    p = sub.add_parser("generate", help="write synthetic alliance-shaped data (for scale tests)")
    p.add_argument("--cities", type=int, required=True, metavar="N", help="about N member cities")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=_generate)

    p = sub.add_parser("serve", help="serve the graph as a SPARQL 1.1 endpoint and linked-data site")
    for name, default, help_text in describe():
        flag = "--" + name.replace("_", "-")
        p.add_argument(flag, dest=name, type=type(default), default=None, metavar=name.upper(),
                       help=f"{help_text} (default: {default!r}; env ALLIANCE_KG_{name.upper()})")
    p.add_argument("--get", metavar="PATH", help="answer one GET of PATH in-process and exit (a smoke test: "
                                                   "exit 1 if the status is 400 or more); no socket is opened")
    p.add_argument("--accept", metavar="TYPE", help="Accept header for --get")
    p.set_defaults(handler=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except InputError as exc:
        print(f"alliance-kg: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except QueryError as exc:
        print(f"alliance-kg: query refused: {exc}", file=sys.stderr)
        return EXIT_INPUT if exc.status in (400, 413) else EXIT_VIOLATIONS
    except AllianceKGError as exc:
        report = getattr(exc, "report", None)
        if report is not None:
            from .reports import as_text

            sys.stderr.write(as_text(report))
        print(f"alliance-kg: error: {exc}", file=sys.stderr)
        return EXIT_VIOLATIONS
    except ValueError as exc:  # settings from the environment that do not parse
        print(f"alliance-kg: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug, not bad input: say so once, traceback only on request
        if os.environ.get("ALLIANCE_KG_DEBUG"):
            raise
        print(f"alliance-kg: internal error ({type(exc).__name__}: {exc}); "
              "set ALLIANCE_KG_DEBUG=1 for the traceback and please report it", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
