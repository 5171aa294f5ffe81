"""The safety rules for untrusted query text, checked by a SPARQL tokenizer in microseconds.

An engine follows ``SERVICE <http://...>`` over the network (pyoxigraph 0.5 does, and so does
rdflib) and runs updates if asked, so before any engine sees a text the guard reads it token by
token (IRIs, strings and long strings, comments, prefixed names, variables, keywords) and:

- refuses every update (the first keyword after the prologue is an update operation: 403);
- refuses SERVICE anywhere, also inside EXISTS or a subquery (400);
- reads the dataset clause (FROM, FROM NAMED, prefixed names and relative IRIs resolved), so the
  graphs are answered from the store, never fetched;
- finds the query form, the explicit projection and the top-level LIMIT, so a store can cap a
  SELECT in the engine (``PreparedQuery.capped``) instead of reading and dropping rows;
- regroups a long chain of UNION branches as a balanced tree (``regroup``), which engines plan
  in a fraction of the time and which gives the same answers in the same order.

It does not check the grammar: the engine parses the text itself and its syntax errors (with
line and column) are passed on. A word the tokenizer cannot place is a syntax error here.

Most queries need few of those tokens: with no "service" and no long UNION chain anywhere in
the text (not even in a comment), the rules only look at the head (prologue, form, dataset,
projection, up to the first brace) and the tail (after the main group: LIMIT, VALUES). Then
``scan`` tokenizes just those (the tail only when it holds one of those words: the engine
reports any syntax error there), and finds the main group's end by a scan for strings, IRIs,
comments and braces alone (``_fast``); a text it cannot read that way (a backslash, unbalanced
braces, a group opened inside the projection) is tokenized whole. Both ways find the same
(``tests/test_guard_w3c.py`` compares them on the W3C suites and the example queries). What a
head says is remembered by its text, since distinct texts mostly share one: a template whose
pattern changes. A unique text of the benchmark's mix then costs the guard some 8 µs, 63 read
whole.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple, NoReturn
from urllib.parse import urljoin

from rdflib import URIRef

from ..errors import ForbiddenQuery, QuerySyntaxError, QueryTooComplex, UpdateRefused, pointer
from ..namespaces import QUERY_BASE
from ..rdf import PN_CHARS, PN_CHARS_BASE, PN_CHARS_U, PN_LOCAL
from ..stores.base import PreparedQuery

FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATES = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
#: Deepest nesting of groups and parentheses let through: engines parse and evaluate nested
#: patterns recursively, and a stack overflow would kill the worker instead of answering 400.
MAX_NESTING = 500
#: A chain of at least this many UNION branches is regrouped. Oxigraph plans ``{A} UNION {B}
#: UNION ...`` as a left-deep tree in time quadratic in its length (4 s at 5,000 branches here,
#: 25 s in the Oxigraph server); the same branches as a balanced tree take 0.07 s.
REGROUP_FROM = 64

# The terminals of the SPARQL 1.1 grammar (section 19.8), as far as the guard needs them. Order
# matters: long strings before short ones, IRIs before the less-than operator, prefixed names
# before bare words. The characters of names are ``rdf``'s, which writes prefixed names with them.
_PN_PREFIX = f"[{PN_CHARS_BASE}](?:[{PN_CHARS}.]*[{PN_CHARS}])?"
# White space and bare words first: they are most of a query. A bare word followed by a colon
# is a prefixed name (``SERVICE:x`` is no keyword), hence the lookahead. The white space and
# comments after a token are part of its match (half as many matches for the loop to read);
# ``ws`` and ``comment`` match only what comes before the first token.
_GAP = r"(?:[\ \t\r\n]+|\#[^\r\n]*)*"
_TOKEN = re.compile(
    r"""(?:
    (?P<ws>[\ \t\r\n]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_.\-\u00B7\u0300-\u036F\u203F-\u2040]*:))
  | (?P<var>[?$][""" + PN_CHARS_U + r"""0-9][""" + PN_CHARS_U + r"""0-9\u00B7\u0300-\u036F\u203F-\u2040]*)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<pname>(?:""" + _PN_PREFIX + r""")?:(?:""" + PN_LOCAL + r""")?)
  | (?P<bnode>_:[""" + PN_CHARS_U + r"""0-9](?:[""" + PN_CHARS + r""".]*[""" + PN_CHARS + r"""])?)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?))
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*+\-/=<>!^|?])
    )""" + _GAP,
    re.VERBOSE,
)


class Token(NamedTuple):
    kind: str
    text: str
    start: int
    depth: int  # of braces around it


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def tokens(text: str) -> list[Token]:
    """The significant tokens of ``text`` (no white space, no comments), with brace depth."""
    found: list[Token] = []
    append = found.append
    depth = 0  # below 0 after a stray "}"; tokens carry it as 0 (``level``)
    level = 0
    nesting = 0
    at = 0
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        if start != at:
            _unexpected(text, at)
        at = end
        kind = m.lastgroup
        if kind != "punct":
            if kind != "ws" and kind != "comment":
                append(Token(kind, m.group(kind), start, level))
            continue
        value = m.group(kind)  # only punctuation changes the depth and the nesting
        if value == "{" or value == "(":
            append(Token(kind, value, start, level))
            if value == "{":
                depth += 1
                level = depth if depth > 0 else 0
            nesting += 1
            if nesting > MAX_NESTING:
                line, column = _position(text, start)
                raise QueryTooComplex(f"the query nests deeper than {MAX_NESTING} groups or parentheses "
                                      f"(line {line}, column {column})")
        elif value == "}" or value == ")":
            if value == "}":
                depth -= 1
                level = depth if depth > 0 else 0
            nesting -= 1
            append(Token(kind, value, start, level))
        else:
            append(Token(kind, value, start, level))
    if at != len(text):
        _unexpected(text, at)
    return found


def _unexpected(text: str, at: int) -> NoReturn:
    _refuse(text, at, "unterminated string" if text[at] in "'\"" else f"unexpected character {text[at]!r}")


def _refuse(text: str, at: int, message: str) -> NoReturn:
    """A syntax error at offset ``at`` of ``text``, shown as Oxigraph's are: its line and column,
    and the line with a caret under the column."""
    line, column = _position(text, at)
    raise QuerySyntaxError(message + pointer(text, line, column), line=line, column=column)


def scan(text: str) -> PreparedQuery:
    """Check ``text`` against the rules; raise ``UpdateRefused``, ``ForbiddenQuery`` or
    ``QuerySyntaxError``, or return the query with what the store needs to know."""
    fast = _fast(text)
    return fast if fast is not None else scan_tokens(text)


#: What the fast path reads between the head and the tail: strings, IRIs, comments and braces
#: (the text holds no backslash, so a string ends at its first closing quote). Every branch
#: starts with one literal character, so ``re`` skips to the next of them in C instead of trying
#: each branch at every character: half the time it took with ``[{}]`` as the last branch.
_STRUCTURE = re.compile(
    r"'''(?:[^']|'(?!''))*'''" + r'|"""(?:[^"]|"(?!""))*"""' + r"""|'[^'\r\n]*'|"[^"\r\n]*\""""
    + r'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\r\n]*|\{|\}')


def _fast(text: str) -> PreparedQuery | None:
    """``scan``'s findings from the head and the tail alone, or None where that cannot be
    sure of them (see the module)."""
    lowered = text.lower()
    if "service" in lowered or lowered.count("union") >= REGROUP_FROM - 1 or "\\" in text \
            or text.count("{") + text.count("(") > MAX_NESTING:
        return None
    head_end, tail_start, depth = len(text), len(text), 0
    for m in _STRUCTURE.finditer(text):
        brace = m.group()
        if brace == "{":
            if depth == 0:
                head_end = m.start()
            depth += 1
        elif brace == "}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                tail_start = m.end()
                break
    if depth != 0:
        return None
    head = text[:head_end]
    try:
        findings = _remembered_head(head) if len(head) <= HEAD_REMEMBERED_UP_TO else _head(head)
    except QuerySyntaxError:
        return None  # read whole, so the error shows the text's whole line, not the head's part
    if findings is None:
        return None
    keyword, graphs, projection = findings
    if keyword != "SELECT":
        return PreparedQuery(text, keyword, **graphs)
    if head_end == len(text):  # a SELECT without a group: the engine will say what is wrong
        return None
    tail = text[tail_start:]
    lowered_tail = tail.lower()
    try:  # a tail with neither word has nothing the tokens would find
        toks = tokens(tail) if "limit" in lowered_tail or "values" in lowered_tail else []
    except QuerySyntaxError:
        return None  # read whole, so the error names its place in the text, not in the tail
    limit, insert_at = _limit_after(toks, 0, tail_start, len(text))
    return PreparedQuery(text, keyword, **graphs, projection=projection, limit=limit, limit_insert_at=insert_at)


#: Heads up to this many characters have their findings remembered (the last ``HEADS_REMEMBERED``).
HEAD_REMEMBERED_UP_TO = 4096
HEADS_REMEMBERED = 256


@lru_cache(maxsize=HEADS_REMEMBERED)
def _remembered_head(head: str) -> tuple[str, dict[str, Any], tuple[str, ...] | None] | None:
    """``_head``, remembered by the head's text: a portal's or a notebook's queries are mostly one
    template whose pattern changes (an IRI, a literal, a VALUES row) under the same prologue, form,
    dataset and projection, and the head's tokens are half of what the guard reads (a refusal is
    raised each time, not remembered)."""
    return _head(head)


def _head(head: str) -> tuple[str, dict[str, Any], tuple[str, ...] | None] | None:
    """What the text before the main group says: (form, dataset as ``PreparedQuery`` takes it,
    projection of a SELECT), or None if the whole text must be read. Positions in its errors are
    the text's own: the head is where the text starts."""
    toks = tokens(head)
    if sum(1 for tok in toks if tok.text == "(") != sum(1 for tok in toks if tok.text == ")"):
        return None  # a group opens inside the projection (EXISTS): the whole text is read
    keyword, i, graphs = _form_and_graphs(head, toks)
    return keyword, graphs, _projection(toks, i + 1) if keyword == "SELECT" else None


def scan_tokens(text: str) -> PreparedQuery:
    """``scan`` from every token of ``text``."""
    toks = tokens(text)
    for tok in toks:
        if tok.kind == "word" and tok.text.upper() == "SERVICE":
            line, column = _position(text, tok.start)
            raise ForbiddenQuery.service(line=line, column=column)
    keyword, i, graphs = _form_and_graphs(text, toks)
    regrouped = regroup(text, toks)
    written = None if regrouped == text else text
    if keyword != "SELECT":
        return PreparedQuery(regrouped, keyword, **graphs, written=written)
    # every chain lies inside the WHERE group, before the LIMIT or where one may go
    shift = len(regrouped) - len(text)
    limit, insert_at = _limit(text, toks, i + 1)
    if limit is not None:
        limit = (limit[0], limit[1] + shift, limit[2] + shift)
    return PreparedQuery(regrouped, keyword, **graphs, projection=_projection(toks, i + 1), limit=limit,
                         limit_insert_at=None if insert_at is None else insert_at + shift, written=written)


def _form_and_graphs(text: str, toks: list[Token]) -> tuple[str, int, dict[str, Any]]:
    """The query form (an update refused), the index of its keyword, and the dataset clause's
    graphs and base as ``PreparedQuery`` takes them."""
    base, prefixes, i = _prologue(text, toks)
    keyword = _form(text, toks, i)
    default, named = _dataset(toks, i + 1, base or QUERY_BASE, prefixes, text)
    return keyword, i, {"from_default": tuple(map(URIRef, default)), "from_named": tuple(map(URIRef, named)),
                        "base": base}


def _form(text: str, toks: list[Token], i: int) -> str:
    """The query form, the keyword at ``i``; an update is refused."""
    if i >= len(toks):
        raise QuerySyntaxError("the query has no SELECT, ASK, CONSTRUCT or DESCRIBE")
    first = toks[i]
    keyword = first.text.upper() if first.kind == "word" else ""
    if keyword in UPDATES:
        raise UpdateRefused()
    if keyword not in FORMS:
        _refuse(text, first.start, f"expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {first.text!r}")
    return keyword


def regroup(text: str, toks: list[Token]) -> str:
    """``text`` with every chain of ``REGROUP_FROM`` or more UNION branches nested as a balanced
    tree: ``{A} UNION {B} UNION {C} UNION {D}`` becomes ``{ {A} UNION {B} } UNION { {C} UNION
    {D} }``. UNION is associative and a group holding only a union is that union, so the
    solutions are the same; the branches keep their order, and so do the solutions. Chains
    inside branches are regrouped too. The text comes back unchanged when it has no long chain."""
    if sum(1 for tok in toks if tok.kind == "word" and tok.text.upper() == "UNION") < REGROUP_FROM - 1:
        return text
    closing = _matching_braces(toks)
    return _regrouped(text, toks, closing, 0, len(toks), 0, len(text))


def _matching_braces(toks: list[Token]) -> dict[int, int]:
    closing: dict[int, int] = {}
    opened: list[int] = []
    for i, tok in enumerate(toks):
        if tok.text == "{":
            opened.append(i)
        elif tok.text == "}" and opened:
            closing[opened.pop()] = i
    return closing


def _chain(toks: list[Token], closing: dict[int, int], first: int) -> list[int]:
    """The indexes of the opening braces of the branches of the chain that starts at ``first``."""
    branches = [first]
    end = closing.get(first)
    while end is not None and end + 2 < len(toks) and toks[end + 1].text.upper() == "UNION" \
            and toks[end + 1].kind == "word" and toks[end + 2].text == "{":
        branches.append(end + 2)
        end = closing.get(end + 2)
    return branches if end is not None else [first]


def _regrouped(text: str, toks: list[Token], closing: dict[int, int], lo: int, hi: int,
               at: int, end: int) -> str:
    """``text[at:end]``, which holds tokens ``lo`` to ``hi`` (exclusive), with its long chains
    regrouped."""
    out: list[str] = []
    i = lo
    while i < hi:
        if toks[i].text == "{" and (branches := _chain(toks, closing, i)) and len(branches) >= REGROUP_FROM:
            out.append(text[at:toks[i].start])
            last = closing[branches[-1]]
            parts = [_regrouped(text, toks, closing, b + 1, closing[b] + 1, toks[b].start, toks[closing[b]].start + 1)
                     for b in branches]
            out.append(_tree(parts))
            at = toks[last].start + 1
            i = last + 1
        else:
            i += 1
    out.append(text[at:end])
    return "".join(out)


def _tree(branches: list[str]) -> str:
    """``branches`` joined by UNION as a balanced tree (the outermost union without braces, as
    the chain it replaces stood)."""
    def group(part: list[str]) -> str:
        return part[0] if len(part) == 1 else "{ " + _tree(part) + " }"
    middle = len(branches) // 2
    return group(branches[:middle]) + " UNION " + group(branches[middle:])


def _prologue(text: str, toks: list[Token]) -> tuple[str | None, dict[str, str], int]:
    """BASE and PREFIX declarations; returns the base, the prefixes and the next token's index."""
    base: str | None = None
    prefixes: dict[str, str] = {}
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("BASE", "PREFIX"):
        if toks[i].text.upper() == "BASE":
            if i + 1 < len(toks) and toks[i + 1].kind == "iri":
                base = _resolve(toks[i + 1].text[1:-1], base)
            i += 2
        else:
            if i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
                prefixes[toks[i + 1].text.rstrip(":")] = _resolve(toks[i + 2].text[1:-1], base)
            i += 3
    return base, prefixes, i


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def _dataset(toks: list[Token], i: int, base: str | None, prefixes: dict[str, str],
             text: str) -> tuple[list[str], list[str]]:
    """FROM and FROM NAMED of the main query (they stand before its first brace)."""
    default: list[str] = []
    named: list[str] = []
    while i < len(toks) and toks[i].text != "{":
        if toks[i].kind == "word" and toks[i].text.upper() == "FROM":
            target = named if i + 1 < len(toks) and toks[i + 1].text.upper() == "NAMED" else default
            j = i + 2 if target is named else i + 1
            if j < len(toks):
                target.append(_iri_of(toks[j], base, prefixes, text))
            i = j
        i += 1
    return default, named


def _iri_of(tok: Token, base: str | None, prefixes: dict[str, str], text: str) -> str:
    if tok.kind == "iri":
        return _resolve(tok.text[1:-1], base)
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    _refuse(text, tok.start, f"FROM needs an IRI, found {tok.text!r}")


def _projection(toks: list[Token], i: int) -> tuple[str, ...] | None:
    """The variables a SELECT lists, in order; None for ``SELECT *``."""
    names: list[str] = []
    parens = 0
    while i < len(toks):
        tok = toks[i]
        upper = tok.text.upper()
        if parens == 0 and (tok.text == "{" or (tok.kind == "word" and upper in ("WHERE", "FROM"))):
            break
        if tok.text == "*" and parens == 0:
            return None
        if tok.text == "(":
            parens += 1
        elif tok.text == ")":
            parens -= 1
        elif tok.kind == "var" and (parens == 0 or (i > 0 and toks[i - 1].text.upper() == "AS")):
            names.append(tok.text[1:])
        i += 1
    return tuple(names)


def _limit(text: str, toks: list[Token], i: int) -> tuple[tuple[int, int, int] | None, int | None]:
    """The main query's LIMIT (after its WHERE group, at brace depth 0), or where one may go."""
    while i < len(toks) and toks[i].text != "{":  # to the WHERE group
        i += 1
    while i < len(toks) and not (toks[i].text == "}" and toks[i].depth == 0):  # past it
        i += 1
    return _limit_after(toks, i + 1, 0, len(text))


def _limit_after(toks: list[Token], i: int, offset: int, length: int) -> tuple[tuple[int, int, int] | None, int | None]:
    """``_limit`` from ``toks[i]`` on, the tokens after the main group (their ``start`` counted
    ``offset`` characters into the text, which is ``length`` long)."""
    while i < len(toks):
        tok = toks[i]
        upper = tok.text.upper() if tok.kind == "word" else ""
        if upper == "LIMIT" and tok.depth == 0 and i + 1 < len(toks) and toks[i + 1].kind == "number":
            number = toks[i + 1]
            try:
                value = int(number.text)
            except ValueError:
                return None, None  # not an integer: the engine will say so
            start = offset + number.start
            return (value, start, start + len(number.text)), None
        if upper == "VALUES" and tok.depth == 0:
            return None, offset + tok.start
        i += 1
    return None, length
