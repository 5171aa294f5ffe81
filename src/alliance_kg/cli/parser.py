"""The command line's flags, and which function in ``commands`` each command runs."""

from __future__ import annotations

import argparse
import difflib
from typing import Any

from .. import __version__
from ..build.diff import DIFF_FORMATS
from ..build.reports import FORMATTERS
from ..build.validation import COMPILED_FROM, ENGINES
from ..settings import describe, parse_bool
from . import commands


class ExactParser(argparse.ArgumentParser):
    """argparse's parser, taking flags only as spelt in full: argparse would take ``--por`` for
    ``--port`` (and ``--out`` for ``--output``), so a typo in a CI script ran with a guess, and
    a flag added later could change what an old abbreviation meant. A flag it does not know is
    refused naming it (exit 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


class Parser(ExactParser):
    """The top-level parser, the command required after the flags are read: argparse checks a
    required command before it names an unknown flag, so ``alliance-kg --bogus`` would say the
    command is missing instead of naming ``--bogus``."""

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        parsed = super().parse_args(args, namespace)
        if getattr(parsed, "command", "") is None:
            self.error("the following arguments are required: COMMAND")
        return parsed


class CommandParser(ExactParser):
    """A command's parser, which names a flag it does not know itself, with its own usage line and
    the flag it is closest to: argparse hands a command's unknown arguments back up to the
    top-level parser, whose error shows the top-level usage (``alliance-kg [-h] [--version]
    COMMAND``). Everything after the command is the command's (the top level has only --help
    and --version, read before it), so nothing is lost by refusing here."""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}{self._close_match(extras)}")
        return parsed, extras

    def _close_match(self, extras: list[str]) -> str:
        """" (did you mean --format?)" for the first unknown flag close to one of ours, else ""."""
        flags = [option for action in self._actions for option in action.option_strings if option.startswith("--")]
        for extra in extras:
            if extra.startswith("--"):
                close = difflib.get_close_matches(extra.split("=", 1)[0], flags, n=1)
                if close:
                    return f" (did you mean {close[0]}?)"
        return ""


def build_parser() -> argparse.ArgumentParser:
    """Every command and flag; each command's ``handler`` is its function in ``commands``."""
    parser = Parser(
        prog="alliance-kg",
        description="Knowledge graph of the Chinese-German Industrial Cities Alliance: validate, build, query, serve.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",  # required: checked by Parser
                                parser_class=CommandParser)

    p = sub.add_parser("validate", help="validate the shipped graph (or the given files/folders) against the shapes")
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders (default: ontology/ and data/)")
    p.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    p.add_argument("--shapes", action="append", metavar="PATH",
                   help="shapes file or folder instead of the shipped ones, repeatable; @shipped names "
                        "those (--shapes @shipped --shapes mine.ttl: both)")
    p.add_argument("--ontology", action="append", metavar="PATH",
                   help="ontology file or folder to infer with instead of the shipped one, repeatable (@shipped names it)")
    p.add_argument("--no-inference", dest="inference", action="store_false",
                   help="validate the files as written, without the OWL-RL closure")
    p.add_argument("--checks", action="append", metavar="PATH",
                   help="SPARQL *-violation.rq check or folder of them, repeatable (@shipped names ours; default: "
                        "ours with our shapes, none with other shapes)")
    p.add_argument("--baseline", metavar="FILE",
                   help="a JSON report of an earlier run (--format json): exit 1 only on findings not in it; "
                        "fixed ones are reported")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="SHACL engine: pyshacl (the reference), compiled (the shacl package), or auto: "
                        f"compiled from {COMPILED_FROM:,} triples on (default)")
    p.set_defaults(handler=commands.validate)

    p = sub.add_parser("diff", help="what a change does to the graph: triples per named graph, findings new and fixed")
    p.add_argument("old", metavar="OLD", help="file, folder, project checkout (with data/) or built dump (.trig, .nq)")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--format", choices=sorted(DIFF_FORMATS), default="text",
                   help="text, or markdown for a pull-request comment")
    p.add_argument("--shapes", action="append", metavar="PATH",
                   help="shapes for both sides, repeatable (default: a checkout's own shapes/, else the shipped ones)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="triples shown per graph (default: 20)")
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(handler=commands.diff)

    p = sub.add_parser("build", help="write TriG, N-Quads, Turtle and JSON-LD dumps and a VoID description")
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders (default: ontology/ and data/)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: dist/)")
    p.set_defaults(handler=commands.build)

    p = sub.add_parser("query", help="run a SPARQL query (text or .rq file) on the local graph, or on the store "
                                     "--store names")
    p.add_argument("query", metavar="SPARQL|FILE",
                   help="the query, or a .rq file; @shipped/queries/examples/NAME.rq names an example that "
                        "comes with alliance-kg (01-members-by-country and others)")
    p.add_argument("--format", default="table", type=query_format, help=QUERY_FORMATS + "; or a media type")
    p.add_argument("--data", action="append", metavar="PATH", help="query these files/folders instead of the shipped graph")
    p.add_argument("--output", "-o", metavar="FILE")
    add_settings(p, "store", "query_timeout")
    p.set_defaults(handler=commands.query)

    p = sub.add_parser("load", help="parse, infer, validate and write the graph into an on-disk store")
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders (default: ontology/ and data/)")
    p.add_argument("--store", required=True, metavar="oxigraph:PATH", help="the store to fill (serve it with serve --store)")
    add_settings(p, "allocator")
    p.set_defaults(handler=commands.load)

    p = sub.add_parser("push", help="copy the validated graph into a remote SPARQL 1.1 store, named graphs intact")
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders (default: ontology/ and data/)")
    p.add_argument("--to", required=True, metavar="URL",
                   help="update endpoint (e.g. Virtuoso's /sparql-auth) or graph store with --protocol gsp; "
                        "credentials from ALLIANCE_KG_PUSH_USER/_PASSWORD (_AUTH: digest or basic)")
    p.add_argument("--protocol", choices=["update", "gsp"], default="update")
    p.set_defaults(handler=commands.push)

    p = sub.add_parser("generate", help="write synthetic alliance-shaped data (for scale tests)")
    p.add_argument("--cities", type=positive, required=True, metavar="N",
                   help="at least N synthetic member cities: N rounded up to whole copies of the shipped member "
                        "set, written beside the real one (whose cities come on top)")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=commands.generate)

    p = sub.add_parser("serve", help="serve the graph as a SPARQL 1.1 endpoint and linked-data site")
    for setting in describe():
        add_setting(p, *setting)
    p.add_argument("--get", metavar="PATH", help="answer one GET of PATH in-process and exit (a smoke test: "
                                                   "exit 1 if the status is 400 or more); no socket is opened")
    p.add_argument("--accept", metavar="TYPE", help="Accept header for --get")
    p.set_defaults(handler=commands.serve)
    return parser


def add_setting(p: argparse.ArgumentParser, name: str, default: object, help_text: str) -> None:
    """The flag of a setting (``--max-rows`` for ``max_rows``): unset unless given, so that the
    environment's value, or the default, holds otherwise (``Settings.load``)."""
    p.add_argument("--" + name.replace("_", "-"), dest=name, default=None, metavar=name.upper(),
                   type=boolean if isinstance(default, bool) else type(default),
                   help=f"{help_text} (default: {default!r}; env ALLIANCE_KG_{name.upper()})")


def add_settings(p: argparse.ArgumentParser, *names: str) -> None:
    """The flags of the settings ``names``, for a command that reads only those (``serve`` reads all)."""
    described = {setting[0]: setting for setting in describe()}
    for name in names:
        add_setting(p, *described[name])


#: The formats of ``query --format`` as its help and its refusal name them.
QUERY_FORMATS = "table (default), json, xml, csv, tsv for SELECT/ASK; turtle, nt, jsonld, xml, trig for graphs"


def query_format(text: str) -> str:
    """A ``query --format`` value: ``table`` or one the endpoint's ``format=`` knows. The endpoint
    passes over a value it does not know for the Accept header; a command line has none, so a
    typo is refused here (argparse names the flag), with the name it is closest to."""
    from ..query.formats import FORMAT_NAMES, names_a_format  # only when given: it imports the query layer

    if text == "table" or names_a_format(text):
        return text
    close = difflib.get_close_matches(text.lower(), ["table", *FORMAT_NAMES], n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise argparse.ArgumentTypeError(f"{text!r} is no format we know{hint}: use {QUERY_FORMATS}; or a media type")


def boolean(text: str) -> bool:
    """A boolean flag's value (argparse names this function in its message: "invalid boolean value")."""
    return parse_bool(text)


def positive(text: str) -> int:
    """A count of at least 1 (argparse names the flag in its message)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a count of at least 1")
    return value
