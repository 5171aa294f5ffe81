"""Typed errors raised by the library; the CLI and the web app each map them once.

The library never prints or exits: the boundary (``cli``, ``web``) turns these into an exit
code or an HTTP status, so the same failure reads the same everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


class AllianceKGError(Exception):
    """Base of every error the library raises on purpose."""


@dataclass
class InputError(AllianceKGError):
    """Unusable input: a missing path or a file that does not parse (CLI exit code 2)."""

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    #: What is wrong, as a word reports key on (a SARIF rule, a JUnit error type):
    #: ``syntax-error`` (a file that does not parse), ``invalid-shapes`` (shapes that do not
    #: conform to SHACL-for-SHACL), ``remote-context`` (a JSON-LD context to be fetched), else
    #: ``unusable-input``.
    kind: str = "unusable-input"

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.path, self.line, self.column) if p is not None)
        return f"{where}: {self.message}" if where else self.message


#: Who answers queries, as the refusals that name it say: the endpoint, to HTTP clients; the
#: command line names itself instead (``QueryError.worded``).
ENDPOINT = "this endpoint"


class QueryError(AllianceKGError):
    """A query the service will not run; ``status`` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is not None:
            return f"line {self.line}, column {self.column}: {self.message}"
        return self.message

    def worded(self, speaker: str) -> str:
        """The message as ``speaker`` (the command line: "alliance-kg") says it: the same, but
        where a refusal names who answers (``ENDPOINT``), as ``UpdateRefused`` does."""
        return str(self)


class QuerySyntaxError(QueryError):
    """The text is not a SPARQL 1.1 query."""

    @classmethod
    def from_oxigraph(cls, exc: SyntaxError, text: str) -> QuerySyntaxError:
        """Oxigraph's error for ``text``: its message, line and column, and the line of ``text``
        with a caret under the column (``text`` must be the one Oxigraph parsed: the client's)."""
        message, line, column = oxigraph_syntax(exc)
        if line is None or column is None:
            return cls(message)
        return cls(message + pointer(text, line, column), line=line, column=column)


class UpdateRefused(QueryError):
    """Updates are never run: the endpoint is read-only."""

    status = 403

    def __init__(self, message: str = f"{ENDPOINT} is read-only: SPARQL updates are not accepted", *,
                 line: int | None = None, column: int | None = None):
        super().__init__(message, line=line, column=column)

    def worded(self, speaker: str) -> str:
        return str(self).replace(ENDPOINT, speaker, 1)


class ForbiddenQuery(QueryError):
    """A query that would reach outside the dataset (SERVICE, remote FROM, LOAD)."""

    @classmethod
    def service(cls, iri: str | None = None, *, line: int | None = None,
                column: int | None = None) -> ForbiddenQuery:
        """The refusal of SERVICE (to ``iri``; at ``line`` and ``column`` of the query's text,
        said at the message's end): one wording, whichever engine's path finds it."""
        service = f"SERVICE <{iri}>" if iri else "SERVICE"
        where = f" (line {line}, column {column})" if line is not None else ""
        return cls(f"{service} is not allowed: {ENDPOINT} answers from its own dataset only{where}")

    def worded(self, speaker: str) -> str:
        return str(self).replace(ENDPOINT, speaker, 1)


class QueryTimeout(QueryError):
    """The query ran past its deadline and was stopped."""

    status = 503


class Interrupted(QueryError):
    """The query was stopped before its deadline: the serving process running it is being
    replaced (another query in it ran past its deadline). Nothing is wrong with the query."""

    status = 503
    retry_after = 1


class NotReady(QueryError):
    """What was asked for is being built (the search index of a large graph): try again soon."""

    status = 503
    retry_after = 10


class QueryTooLarge(QueryError):
    """The query text or request body is over its cap."""

    status = 413


class EngineError(QueryError):
    """The SPARQL engine failed on a query it accepted; logged, reported without a traceback."""

    status = 500


class QueryTooComplex(QueryError):
    """The query nests deeper than the engine can evaluate (it would overflow the stack)."""


class NotAcceptable(QueryError):
    """No media type the client accepts can carry this result; ``offered`` lists those that can."""

    status = 406

    def __init__(self, message: str, *, offered: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.offered = list(offered)

    def __str__(self) -> str:
        return f"{self.message}; offered: {', '.join(self.offered)}" if self.offered else self.message


class QueryAborted(QueryError):
    """The worker evaluating a query died (crash, stack overflow, out of memory); logged."""

    status = 500


def no_room(what: str, reason: str, folder: object) -> InputError:
    """The error for a scratch file or folder that cannot be written (most often a full TMPDIR)."""
    return InputError(f"cannot write {what} ({reason}); free space under TMPDIR or set TMPDIR to a folder "
                      "with room", path=str(folder))


#: Where Oxigraph's query parser says it failed: "error at 3:18: expected ..." (or a range).
_AT = re.compile(r"^error at (\d+):(\d+)(?:-\d+:\d+)?: ?")


def oxigraph_syntax(exc: SyntaxError) -> tuple[str, int | None, int | None]:
    """Oxigraph's SPARQL syntax error as (message, line, column). Its parser counts lines by LF
    and columns in characters (code points, as Python indexes a ``str``), both from 1, so the
    numbers need no conversion; its message lists character classes over several lines, which
    are joined into one."""
    message = str(exc.msg if exc.msg else exc)
    found = _AT.match(message)
    if found is None:
        return message.replace("\n", " "), None, None
    return message[found.end():].replace("\n", " "), int(found.group(1)), int(found.group(2))


#: Characters of a long line shown either side of the column in an excerpt.
EXCERPT_REACH = 60


def pointer(text: str, line: int, column: int) -> str:
    """Line ``line`` of ``text`` (lines split at LF, as Oxigraph and pyparsing count them) with a
    caret under ``column`` (1-based, in characters), each indented on a line of its own; a long
    line is cut to the part around the column. The caret is placed by display width (a Chinese
    character takes two cells, a TAB stays a TAB), so it stands under the character in a
    terminal or a browser's monospace text too. Empty when the text has no such line."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    shown = lines[line - 1].rstrip("\r")
    at = column - 1
    start = max(0, at - EXCERPT_REACH)
    end = at + EXCERPT_REACH
    before = ("…" if start else "") + shown[start:at]
    excerpt = before + shown[at:end] + ("…" if end < len(shown) else "")
    return f"\n    {excerpt}\n    {''.join(_blank(c) for c in before)}^"


def _blank(char: str) -> str:
    """What stands under ``char`` in the caret's line: white space of the same display width."""
    if char == "\t":
        return "\t"
    if unicodedata.combining(char):
        return ""
    return "  " if unicodedata.east_asian_width(char) in ("W", "F") else " "


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def unreadable(exc: OSError, path: object = None) -> InputError:
    """The error for a file or folder that cannot be read: ``nest/sub: permission denied``."""
    return InputError(_reason(exc), path=str(path if path is not None else exc.filename))


def unwritable(exc: OSError, path: object = None) -> InputError:
    """The error for an output that cannot be written: ``out/x: cannot write (read-only file system)``."""
    return InputError(f"cannot write ({_reason(exc)})", path=str(path if path is not None else exc.filename))
