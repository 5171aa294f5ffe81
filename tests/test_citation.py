"""Citing the data: a citation line on every resource page and every download, BibTeX and
CSL-JSON for the dataset on the home page, each with title, publisher, version, date, IRI and
licence."""

from __future__ import annotations

import json
import re
from datetime import date
from email.utils import parsedate_to_datetime
from html import unescape

import pytest

from alliance_kg.stores import dumps
from alliance_kg.web import citation


def test_citation_line_names_title_publisher_version_date_iri_and_licence():
    text = citation.line("abcdef1234567890", "https://w3id.org/alliance-kg/id/city/koeln", "Cologne", date(2026, 12, 1))
    assert text.startswith("Cologne. In: Chinese-German Industrial Cities Alliance knowledge graph")
    for part in ("data version abcdef123456", "alliance-kg project", "https://w3id.org/alliance-kg/id/city/koeln",
                 "retrieved 2026-12-01", "CC BY 4.0"):
        assert part in text


def test_resource_page_carries_its_citation(shipped_memory_client, shipped_memory_app):
    page = unescape(shipped_memory_client.get("/doc/city/koeln?lang=en").get_data(as_text=True))
    found = re.search(r'<p class="citation" id="citation">(.*?)</p>', page, re.S)
    assert found
    version = shipped_memory_app.extensions["alliance_kg"].store.version[:12]
    assert "Cologne. In:" in found.group(1) and version in found.group(1) and "/id/city/koeln" in found.group(1)


@pytest.mark.parametrize("name", sorted(dumps.DUMPS))
def test_every_download_carries_the_citation(shipped_memory_client, name):
    response = shipped_memory_client.get(f"/downloads/{name}")
    assert response.status_code == 200
    # The access date is the response's own day (a test run may cross midnight).
    day = parsedate_to_datetime(response.headers["Date"]).date().isoformat() if "Date" in response.headers \
        else date.today().isoformat()
    assert 'rel="cite-as"' in response.headers["Link"] and f"retrieved {day}" in response.headers["X-Citation"]
    if not name.endswith(".jsonld"):
        first = response.get_data(as_text=True).split("\n", 1)[0]
        assert first.startswith("# Cite as: Chinese-German Industrial Cities Alliance")
        assert "retrieved" not in first  # cached bytes carry no access date that could go stale


def test_downloads_still_parse_with_the_citation_comment(shipped_memory_client):
    from rdflib import Dataset

    data = shipped_memory_client.get("/downloads/alliance-kg.trig").get_data(as_text=True)
    assert len(Dataset().parse(data=data, format="trig")) > 1000


def test_home_page_offers_bibtex_and_csl_json(shipped_memory_client):
    page = unescape(shipped_memory_client.get("/").get_data(as_text=True))
    bibtex = re.search(r'<code id="cite-bibtex">(.*?)</code>', page, re.S).group(1)
    assert bibtex.startswith("@misc{alliance_kg_") and "url       = {https://w3id.org/alliance-kg/}" in bibtex
    csl = json.loads(re.search(r'<code id="cite-csl">(.*?)</code>', page, re.S).group(1))
    assert csl[0]["type"] == "dataset" and csl[0]["URL"] == "https://w3id.org/alliance-kg/" and csl[0]["version"]


@pytest.mark.parametrize("lang, start", [
    ("de", "Köln. In: Chinesisch-Deutsche Industriestädteallianz — Wissensgraph (Datenversion "),
    # the dataset's description has no Chinese title: the English one, not a made-up name
    ("zh", "科隆. 载于: Chinese-German Industrial Cities Alliance knowledge graph (数据版本 "),
    ("en", "Cologne. In: Chinese-German Industrial Cities Alliance knowledge graph (data version "),
])
def test_a_pages_citation_names_the_dataset_in_the_page_language_where_it_has_a_title(shipped_memory_client, lang, start):
    page = unescape(shipped_memory_client.get(f"/doc/city/koeln?lang={lang}").get_data(as_text=True))
    line = re.search(r'<p class="citation" id="citation"><strong>[^<]*</strong> (.*?)</p>', page, re.S).group(1)
    assert line.startswith(start), line
    assert " alliance-kg project. " in line


def test_the_home_pages_citation_is_in_the_page_language_and_bibtex_stays_english(shipped_memory_client):
    page = unescape(shipped_memory_client.get("/?lang=de").get_data(as_text=True))
    assert re.search(r'<p class="citation">Chinesisch-Deutsche Industriestädteallianz — Wissensgraph \(Datenversion', page)
    bibtex = re.search(r'<code id="cite-bibtex">(.*?)</code>', page, re.S).group(1)
    assert "title     = {Chinese-German Industrial Cities Alliance knowledge graph}" in bibtex
    csl = json.loads(re.search(r'<code id="cite-csl">(.*?)</code>', page, re.S).group(1))
    assert csl[0]["title"] == "Chinese-German Industrial Cities Alliance knowledge graph"


def test_the_citations_titles_are_the_datasets_own():
    from alliance_kg.stores.dcat import TITLE as CATALOG_TITLE
    from alliance_kg.stores.void import TITLE as VOID_TITLE

    assert citation.TITLES is VOID_TITLE is CATALOG_TITLE
