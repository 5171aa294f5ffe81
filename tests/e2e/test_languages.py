"""The scripts speak the page's language: the query page's tabs, pager, buttons and status (its
counts and seconds written as the language writes numbers), the resource page's timeline (its
property labels picked in the page's language, falling back to English), the maps' controls.
Texts come from the server (alliance_kg.web.i18n), so these check that the scripts ask for them,
not the wording."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect
from test_workbench import BY_COUNTRY

QUERY_PAGE = {
    "de": {"table": "Tabelle", "map": "Karte", "rows": "2 Zeilen", "copy": "Link kopieren", "download": "Herunterladen:",
           "svg": "Als SVG speichern", "range": re.compile(r"^Zeilen 1–25 von \d+$"), "per_page": "Zeilen pro Seite",
           "next": "Nächste Seite", "error": re.compile(r"Fehler in Zeile 4, Spalte \d+"), "yes": "Ja"},
    "zh": {"table": "表格", "map": "地图", "rows": "2 行", "copy": "复制链接", "download": "下载：",
           "svg": "另存为 SVG", "range": re.compile(r"^第 1–25 行，共 \d+ 行$"), "per_page": "每页行数",
           "next": "下一页", "error": re.compile(r"查询在第 4 行第 \d+ 列有错误"), "yes": "是"},
}


def open_query(page: Page, lang: str, query: str, view: str | None = None) -> None:
    params = {"lang": lang, "query": query, **({"view": view} if view else {})}
    page.goto(page.base + "/sparql?" + urlencode(params))
    expect(page.locator("#editor .cm-content")).to_be_visible()


@pytest.mark.parametrize("lang", sorted(QUERY_PAGE))
def test_query_page_results_speak_the_page_language(page: Page, lang: str):
    words = QUERY_PAGE[lang]
    open_query(page, lang, BY_COUNTRY, view="table")
    expect(page.locator("table.results tbody tr")).to_have_count(2)
    expect(page.get_by_role("tab", name=words["table"])).to_have_attribute("aria-selected", "true")
    expect(page.locator("#query-status")).to_contain_text(words["rows"])
    expect(page.locator(".downloads button.copy")).to_have_text(words["copy"])
    expect(page.locator(".downloads-label")).to_have_text(words["download"])
    page.locator("#tab-chart").click()
    expect(page.locator("#panel-chart button[data-save=svg]")).to_have_text(words["svg"])
    shown = page.locator("#workbench").inner_text()
    assert [w for w in ("Table", "Copy link", "Save as SVG", "Download:", "rows") if re.search(rf"\b{w}\b", shown)] == []


@pytest.mark.parametrize("lang", sorted(QUERY_PAGE))
def test_query_page_pager_and_errors_speak_the_page_language(page: Page, lang: str):
    words = QUERY_PAGE[lang]
    open_query(page, lang, "SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/alliance-kg/graph/memo/members> { ?s ?p ?o } }",
               view="table")
    pager = page.locator("nav.pager")
    expect(pager.locator(".range")).to_have_text(words["range"])
    expect(pager.get_by_role("button", name=words["next"])).to_be_enabled()
    expect(page.get_by_label(words["per_page"])).to_be_visible()
    open_query(page, lang, "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?s WHERE {\n"
                           "  ?s rdfs:label ?label\n  FILTR (?label)\n}")
    expect(page.locator("#query-error h2")).to_have_text(words["error"])
    open_query(page, lang, "ASK { ?s ?p ?o }")
    expect(page.locator(".ask-answer .ask-word")).to_have_text(words["yes"])


#: 2,000 rows whatever the data: four digits' worth of VALUES.
TWO_THOUSAND = """SELECT ?a ?b ?c ?d WHERE {
  VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 }
  VALUES ?c { 0 1 2 3 4 5 6 7 8 9 } VALUES ?d { 0 1 }
}"""

NUMBERS = {
    "en": (re.compile(r"^SELECT: 2,000 rows in \d+\.\d\d s$"), "Rows 1–25 of 2,000"),
    "de": (re.compile(r"^SELECT: 2\.000 Zeilen in \d+,\d\d s$"), "Zeilen 1–25 von 2.000"),
    "zh": (re.compile(r"^SELECT：2,000 行，用时 \d+\.\d\d 秒$"), "第 1–25 行，共 2,000 行"),
}


@pytest.mark.parametrize("lang", sorted(NUMBERS))
def test_query_page_writes_counts_and_seconds_as_the_page_language_does(page: Page, lang: str):
    status, pager = NUMBERS[lang]
    open_query(page, lang, TWO_THOUSAND, view="table")
    expect(page.locator("#query-status")).to_have_text(status)
    expect(page.locator("nav.pager .range")).to_have_text(pager)


def koelns_timeline_says(page: Page, lang: str, holds_text: str):
    """Köln's page in ``lang``: its timeline's "known to hold as of" in that language, with no
    fallback (``lang=``) and no English; the timeline, for more checks."""
    page.goto(page.base + f"/doc/city/koeln?lang={lang}")
    timeline = page.locator("#resource-timeline")
    holds = timeline.locator(".what[data-property$='#knownToHoldAsOf']").first
    expect(holds).to_have_text(holds_text)
    expect(holds.locator("span")).not_to_have_attribute("lang", re.compile("."))
    expect(timeline).not_to_contain_text("known to hold as of")
    return timeline


def test_resource_timeline_labels_properties_in_the_page_language(page: Page):
    timeline = koelns_timeline_says(page, "de", "bekanntermaßen gültig am: ")
    expect(timeline.locator("time[datetime='2017-04-24']")).to_have_text("24. April 2017")
    expect(page.locator("#resource-map .leaflet-control-zoom-in")).to_have_attribute("title", "Vergrößern")


def test_resource_timeline_labels_properties_in_chinese_on_a_chinese_page(page: Page):
    """The ontology labels its terms in Chinese too: no English label, and so no lang="en", on a
    Chinese page's timeline."""
    koelns_timeline_says(page, "zh", "截至此日期已知有效：")


def test_home_page_maps_speak_the_page_language(page: Page):
    page.goto(page.base + "/?lang=de")
    expect(page.locator("#map-germany")).to_have_attribute("aria-label", "Karte der 10 Mitglieder der Allianz in Deutschland")
    marker = page.locator("#map-china .akg-marker[data-label]").first
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text(re.compile("Stadt|Bezirk"))
