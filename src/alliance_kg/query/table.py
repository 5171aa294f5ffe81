"""``alliance-kg query``: the guarded query path of the endpoint, printed for a terminal.

The CLI runs the very same ``prepare``/``execute`` and ``formats`` code as the server, in a
query worker (``executor``) as the server's pool does, so a query that works here works on the
endpoint, with the same refusals and the same deadline (``--query-timeout``).
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from ..errors import NotAcceptable, QueryError
from ..rdf import prefixed_name
from ..settings import Settings
from ..stores.base import QueryResult
from .executor import Executor, Job
from .formats import serialize

#: Widest a table cell gets before it is cut (the other formats are never cut).
MAX_CELL = 60


def answer_for_terminal(executor: Executor, text: str, fmt: str, settings: Settings) -> str | bytes:
    """Run ``text`` on ``executor``'s store within its deadline; ``table`` is for people, every
    other format is the protocol's."""
    if fmt == "table":
        return render_table(executor.result(Job(text, max_length=settings.max_query_length)))
    try:
        return executor.run(Job(text, format=fmt, max_length=settings.max_query_length)).body
    except NotAcceptable as exc:
        raise QueryError(f"{exc}; --format table prints a table") from None


def _cell(node: Node | None) -> str:
    """A term as a table shows it: an IRI as a prefixed name where one reads back as it (else
    ``<iri>``), a literal by its text and language, a blank node as ``_:b``."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return prefixed_name(str(node))
    if isinstance(node, Literal):
        return f"{node}@{node.language}" if node.language else str(node)
    return node.n3()


def render_table(result: QueryResult) -> str:
    """A plain-text table (SELECT), yes/no (ASK) or Turtle (CONSTRUCT/DESCRIBE)."""
    if result.form == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    if result.form != "SELECT":
        return serialize(result, "text/turtle").decode("utf-8")
    header = list(result.variables)
    body = [[_cut(_cell(cell)) for cell in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(header), "-+-".join("-" * w for w in widths)] + [line(r) for r in body]
    out.append(f"({len(body)} row{'s' if len(body) != 1 else ''}{', truncated' if result.truncated else ''})")
    return "\n".join(out) + "\n"


def _cut(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
