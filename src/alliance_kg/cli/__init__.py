"""The ``alliance-kg`` command: a thin shell over the library for people and CI pipelines.

Exit codes: 0 success (data conforms), 1 violations or findings, 2 unusable input (a missing
path, a file that does not parse, a wrong flag, a query refused: an update, SERVICE, bad
syntax), 69 a query not answered (what the endpoint answers with a 5xx: it ran past
--query-timeout, the engine failed on it, the SPARQL store of --store sparql:URL failed or did
not answer), 70 an internal error (a bug). Errors are one line on stderr, never a traceback.
The settings are read once, here, and handed to the command.
"""

from __future__ import annotations

import sys
from typing import Sequence

from ..errors import AllianceKGError, InputError, QueryError
from ..settings import Settings, describe
from .commands import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_UNAVAILABLE, EXIT_VIOLATIONS
from .parser import build_parser

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_UNAVAILABLE", "EXIT_VIOLATIONS", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = False
    try:
        settings = Settings.load({name: getattr(args, name, None) for name, _, _ in describe()})
        debug = settings.debug
        return args.handler(args, settings)
    except InputError as exc:
        print(f"alliance-kg: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except QueryError as exc:
        if exc.status < 500:  # the query given, refused
            print(f"alliance-kg: query refused: {exc.worded('alliance-kg')}", file=sys.stderr)
            return EXIT_INPUT
        print(f"alliance-kg: query not answered: {exc.worded('alliance-kg')}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except AllianceKGError as exc:
        report = getattr(exc, "report", None)
        if report is not None:
            from ..build.reports import as_text

            sys.stderr.write(as_text(report))
        print(f"alliance-kg: error: {exc}", file=sys.stderr)
        return EXIT_VIOLATIONS
    except ValueError as exc:  # settings from the environment that do not parse, an unknown store
        print(f"alliance-kg: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug, not bad input: say so once, traceback only on request
        if debug:
            raise
        print(f"alliance-kg: internal error ({type(exc).__name__}: {exc}); "
              "set ALLIANCE_KG_DEBUG=1 for the traceback and please report it", file=sys.stderr)
        return EXIT_INTERNAL
