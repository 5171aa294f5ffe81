"""Strict reading of protocol parameters.

werkzeug quietly replaces invalid UTF-8 and keeps malformed percent-escapes; a SPARQL endpoint
must not guess what such bytes meant (an IRI would silently change), so they are a 400 here.
"""

from __future__ import annotations

import binascii
import re

from flask import Request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
MAX_FIELDS = 1000


def decode_form(raw: bytes, where: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs, decoded once, strictly as UTF-8: what
    ``urllib.parse.parse_qsl(..., keep_blank_values=True)`` gives, a tenth of its cost (its
    percent-decoding is a Python loop per escape, a query's form body has a hundred)."""
    if _BAD_ESCAPE.search(raw):
        raise BadRequest(f"malformed percent-encoding in the {where}")
    if raw.count(b"&") >= MAX_FIELDS:
        raise BadRequest(f"the {where} has more than {MAX_FIELDS} fields")
    pairs = []
    for field in raw.split(b"&"):
        if field:
            name, _, value = field.partition(b"=")
            pairs.append((_unquoted(name, where), _unquoted(value, where)))
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            raise BadRequest(f"NUL character in parameter {name!r} of the {where}")
    return pairs


def _unquoted(raw: bytes, where: str) -> str:
    """A form field percent-decoded (``+`` is a space) by binascii's quoted-printable decoder,
    in C: with every ``=`` escaped as ``=3D`` first, ``%XX`` written ``=XX`` is the same code
    (the escapes are checked to be well formed before)."""
    quoted = raw.replace(b"+", b" ").replace(b"=", b"=3D").replace(b"%", b"=")
    try:
        return binascii.a2b_qp(quoted).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(f"the {where} is not valid UTF-8 once percent-decoded") from None


def decode_text(raw: bytes, where: str) -> str:
    """A request body that is text (a direct POST query): UTF-8, no NUL."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the {where} is not valid UTF-8 (byte {exc.start})") from None
    if "\x00" in text:
        raise BadRequest(f"NUL character in the {where}")
    return text


def read_body(request: Request, max_bytes: int) -> bytes:
    """The body, refusing one over ``max_bytes`` before reading it when the length is known."""
    refuse_longer(request.content_length, max_bytes)
    return request.get_data(cache=True)


def refuse_longer(length: int | None, max_bytes: int) -> None:
    """A body said to be ``length`` bytes long is refused (413) past ``max_bytes``."""
    if length is not None and length > max_bytes:
        raise RequestEntityTooLarge(f"request body is {length} bytes; the limit is {max_bytes}")


def values(pairs: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in pairs if key == name]
