"""Syntax errors name the client's own text: Oxigraph's message, line and column on the text as
written (never on our rewrites of it: the row cap's LIMIT, regrouped UNIONs) and an excerpt of
that line with a caret. The endpoint's answers are pinned in ``test_endpoint_protocol.py``."""

from __future__ import annotations

import logging

import pyoxigraph as ox
import pytest

from alliance_kg.errors import QuerySyntaxError, pointer
from alliance_kg.query.prepare import answer, execute, prepare
from alliance_kg.stores.base import PreparedQuery

JSON = "application/sparql-results+json"


def test_a_rewrite_that_breaks_a_valid_query_is_answered_from_the_clients_text(in_memory_oxigraph_store,
                                                                              monkeypatch, caplog):
    """Should the row cap's rewrite ever make a valid query invalid, the client gets the answer
    to what it wrote (cut at the cap all the same), not a syntax error in a text it never wrote;
    the bug is logged."""
    monkeypatch.setattr(PreparedQuery, "capped", lambda self, rows: self.text + "\nLIMIT LIMIT")
    prepared = prepare("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", max_length=1000)
    with caplog.at_level(logging.ERROR):
        body, truncated, rows = answer(in_memory_oxigraph_store, prepared, JSON, max_rows=3)
    assert (truncated, rows) == (True, 3) and b"LIMIT" not in body
    assert "does not parse" in caplog.text


@pytest.mark.parametrize("kind", ["in_memory_oxigraph_store", "rdflib_store"])
def test_a_regrouping_that_breaks_a_valid_query_is_answered_from_the_clients_text(kind, request):
    text = "ASK { ?s ?p ?o }"
    broken = PreparedQuery(text + " }", "ASK", written=text)  # as the guard would hand over a broken regrouping
    assert execute(request.getfixturevalue(kind), broken).boolean is True


@pytest.mark.parametrize("kind", ["in_memory_oxigraph_store", "rdflib_store"])
def test_every_backend_reports_oxigraphs_error(kind, request):
    text = "SELECT * WHERE {\n  ?s <urn:名前> \"Straße\" ; foo:bar ?o }"
    with pytest.raises(QuerySyntaxError) as raised:
        execute(request.getfixturevalue(kind), prepare(text, max_length=1000))
    assert (raised.value.line, raised.value.column) == (2, 34)  # ?o, after foo:bar (39 in UTF-8 bytes)
    with pytest.raises(SyntaxError) as oxigraphs:
        ox.Store().query(text)
    assert str(oxigraphs.value).startswith("error at 2:34: " + raised.value.message.split("\n")[0])


def test_the_excerpt_of_a_long_line_is_cut_around_the_column():
    line = "x" * 500 + "!" + "y" * 500
    shown, caret = pointer(line, 1, 501).split("\n")[1:]
    assert shown == "    …" + "x" * 60 + "!" + "y" * 59 + "…"
    assert caret.index("^") == shown.index("!")


def test_the_caret_keeps_tabs_and_skips_combining_marks():
    text = "\tA\u0301 中 ]\r\n"
    shown, caret = pointer(text, 1, 7).split("\n")[1:]
    assert shown == "    \tA\u0301 中 ]"  # the CR of a CRLF line is not shown
    assert caret == "    \t" + " " + "" + " " + "  " + " " + "^"


def test_a_line_past_the_text_has_no_excerpt():
    assert pointer("ASK {", 3, 1) == ""


@pytest.mark.parametrize("text, line, column", [
    ('SELECT * WHERE {\n  ?s ?p "a\\"bc }', 2, 9),  # the tokenizer's: an unterminated string
    ("SELECT * FROM ?g WHERE { ?s ?p ?o }", 1, 15),  # FROM without an IRI
    ("PREFIX : <http://ex.org/>\nSELEKT * { ?s ?p ?o }", 2, 1),  # no query form
])
def test_the_guards_own_errors_show_the_line_with_a_caret(text: str, line: int, column: int):
    """Errors the guard finds before any engine reads the text look like Oxigraph's: line,
    column, and the client's line with a caret under the column."""
    from alliance_kg.errors import QuerySyntaxError
    from alliance_kg.query.guard import scan

    with pytest.raises(QuerySyntaxError) as raised:
        scan(text)
    assert (raised.value.line, raised.value.column) == (line, column)
    shown = text.split("\n")[line - 1]
    assert str(raised.value).endswith(f"\n    {shown}\n    {' ' * (column - 1)}^")
