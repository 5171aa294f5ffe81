"""Form decoding (web/params.py) against the standard library's, its reference: the same pairs
for every well-formed body, and a 400 for what the stdlib would let through or guess at."""

from __future__ import annotations

import random
import re
from urllib.parse import parse_qsl, urlencode

import pytest
from werkzeug.exceptions import BadRequest

from alliance_kg.web.params import MAX_FIELDS, decode_form

#: Pieces a form body is made of here, the awkward ones above all: raw and escaped separators,
#: raw line breaks and trailing spaces (quoted-printable has rules for those), mixed-case hex,
#: raw and escaped UTF-8.
PIECES = [b"%", b"=", b"&", b"+", b"\n", b"\r\n", b" ", b" \n", b"\t", b"_", b"\\", b"a", b"Z", b"0", b"f",
          b"%41", b"%3d", b"%3D", b"%26", b"%2B", b"%0A", b"%0d", b"%20", b"%25", b"%C3%A4", b"%e4%b8%ad",
          "ä".encode(), b"=3D", b"=\n", b"=41"]


MALFORMED = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _reference(raw: bytes) -> list[tuple[str, str]]:
    return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")


def test_same_pairs_as_the_standard_library_on_random_bodies():
    chance = random.Random(20261203)
    compared = 0
    for _ in range(20_000):
        raw = b"".join(chance.choice(PIECES) for _ in range(chance.randint(0, 16)))
        try:
            expected = _reference(raw)
        except UnicodeDecodeError:
            continue
        if MALFORMED.search(raw):  # kept as they are by the stdlib, refused here
            with pytest.raises(BadRequest):
                decode_form(raw, "body")
            continue
        try:
            got = decode_form(raw, "body")
        except BadRequest:
            assert any("\x00" in n + v for n, v in expected), raw
            continue
        assert got == expected, raw
        compared += 1
    assert compared > 5_000


def test_a_query_as_clients_send_it():
    text = 'PREFIX ex: <http://example.org/#x>\nSELECT ?s WHERE { ?s ex:p "a=b&c+d%e" } # ä 中\n'
    assert decode_form(urlencode({"query": text, "default-graph-uri": "urn:x"}).encode(), "body") == [
        ("query", text), ("default-graph-uri", "urn:x")]


@pytest.mark.parametrize("raw, message", [
    (b"query=ASK%zz", "malformed percent-encoding"),
    (b"query=ASK%4", "malformed percent-encoding"),
    (b"query=ASK%FF", "not valid UTF-8 once percent-decoded"),
    (b"query=ASK\xff", "not valid UTF-8 once percent-decoded"),
    (b"query=A%00SK", "NUL character in parameter 'query'"),
    (b"&".join([b"a=1"] * (MAX_FIELDS + 1)), f"more than {MAX_FIELDS} fields"),
])
def test_bad_bodies_are_refused_with_the_reason(raw, message):
    with pytest.raises(BadRequest) as caught:
        decode_form(raw, "request body")
    assert message in caught.value.description


def test_the_field_limit_is_inclusive():
    assert len(decode_form(b"&".join([b"a=1"] * MAX_FIELDS), "body")) == MAX_FIELDS
