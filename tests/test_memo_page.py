"""The memo's own page: the corrected text paragraph by paragraph, each with the OCR corrections
(as printed -> as corrected) and the statements derived from it."""

from __future__ import annotations

import re
from html import unescape

import pytest

from factsupport import rows


@pytest.fixture(scope="module")
def memo_page(shipped_memory_app) -> str:
    response = shipped_memory_app.test_client().get("/doc/document/memo-2017-03-09", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def passage(page: str, n: int) -> str:
    match = re.search(rf'<article class="memo-passage card" id="p{n}".*?</article>', page, re.S)
    assert match, f"no paragraph {n}"
    return match.group(0)


def test_every_paragraph_is_shown_in_order_with_its_corrected_text(memo_page):
    texts = dict(rows("SELECT ?pos ?text WHERE { ?p a akg:Passage ; schema:position ?pos ; schema:text ?text }"))
    assert len(texts) == 6
    assert [int(n) for n in re.findall(r'<article class="memo-passage card" id="p(\d)"', memo_page)] == [1, 2, 3, 4, 5, 6]
    for position, text in texts.items():
        assert str(text) in passage(memo_page, int(position))


def test_each_paragraph_lists_its_ocr_corrections_as_printed_and_as_corrected(memo_page):
    fifth = passage(memo_page, 5)
    assert re.search(r'<del class="printed">Kdln</del></td><td lang="de"><ins>Köln</ins>', fifth)
    assert "Zhuzhouan" in fifth and "Nirnberg" in fifth
    assert '<del class="printed">Biindnis</del>' in passage(memo_page, 2)
    assert "Koln" in memo_page[:memo_page.index('id="p1"')], "the title's corrections are shown too"


def test_each_paragraph_shows_the_statements_derived_from_it(memo_page):
    fifth = passage(memo_page, 5)
    assert 'href="/graph/memo/members"' in fifth
    assert 'href="/doc/membership/nuernberg"' in fifth and 'href="/doc/city/taizhou"' in fifth
    first = passage(memo_page, 1)
    assert 'href="/graph/memo/accession"' in first and "membership/nuernberg" not in first


def test_another_document_page_is_a_plain_resource_page(shipped_memory_client):
    page = shipped_memory_client.get("/doc/city/koeln", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "memo-passage" not in page and "Statements" in page
