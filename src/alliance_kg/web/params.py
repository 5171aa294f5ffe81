"""Strict reading of protocol parameters.

werkzeug quietly replaces invalid UTF-8 and keeps malformed percent-escapes; a SPARQL endpoint
must not guess what such bytes meant (an IRI would silently change), so they are a 400 here.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
MAX_FIELDS = 1000


def decode_form(raw: bytes, where: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs, decoded once, strictly as UTF-8."""
    if _BAD_ESCAPE.search(raw):
        raise BadRequest(f"malformed percent-encoding in the {where}")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise BadRequest(f"the {where} is not valid UTF-8 once percent-decoded") from None
    except ValueError:
        raise BadRequest(f"the {where} has more than {MAX_FIELDS} fields") from None
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            raise BadRequest(f"NUL character in parameter {name!r} of the {where}")
    return pairs


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
    if request.content_length is not None and request.content_length > max_bytes:
        raise RequestEntityTooLarge(f"request body is {request.content_length} bytes; the limit is {max_bytes}")
    return request.get_data(cache=True)


def values(pairs: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in pairs if key == name]
