"""The scripts speak the page's language: the query page's tabs, pager, buttons and status (its
counts and seconds written as the language writes numbers), the resource page's timeline (its
property labels picked in the page's language, falling back to English), the maps' controls.
Texts come from the server (alliance_kg.web.i18n), so these check that the scripts ask for them,
not the wording."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode

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


#: Köln's timeline, by language: the alliance's founding worded as the alliance's event, and the
#: note that it is not Köln's date (web/i18n.py: timeline_founded, timeline_not_own).
FOUNDED = {
    "en": ("Chinese-German Industrial Cities Alliance was founded", "not this resource's date"),
    "de": ("Chinesisch-Deutsche Industriestädteallianz gegründet", "kein Datum dieser Ressource"),
    "zh": ("中德工业城市联盟成立", "并非此资源自身的日期"),
}


@pytest.mark.parametrize("lang", sorted(FOUNDED))
def test_a_members_timeline_shows_the_alliances_founding_as_the_alliances_set_apart(page: Page, lang: str):
    """Köln joined after the founding (data/memo/accession.ttl): the 2016 entry is the
    alliance's, said so, and set apart from Köln's own dates; it no longer reads "2016:
    founding date: <the alliance>" among them."""
    founded, not_own = FOUNDED[lang]
    page.goto(page.base + f"/doc/city/koeln?lang={lang}")
    timeline = page.locator("#resource-timeline")
    context = timeline.locator("li.context")
    expect(context).to_have_count(1)
    expect(context.locator("time")).to_have_attribute("datetime", "2016")
    expect(context.locator(".whose")).to_have_text(founded)
    expect(context.locator(".whose a")).to_have_attribute("href", "/id/organization/chinesisch-deutsche-industriestaedteallianz")
    expect(context.locator(".tag")).to_have_text(not_own)
    own = timeline.locator("li:not(.context)")
    expect(own.first.locator("time")).to_have_attribute("datetime", "2017-03-09")  # Köln's own dates only
    expect(own.locator("[data-property='https://schema.org/foundingDate']")).to_have_count(0)
    set_apart = "getComputedStyle(document.querySelector('#resource-timeline li.context')).borderLeftStyle"
    assert page.evaluate(set_apart) == "dashed"


FOUNDER = {"en": "founding member of Chinese-German Industrial Cities Alliance", "de": "Gründungsmitglied: Chinesisch-Deutsche Industriestädteallianz",
           "zh": "创始成员：中德工业城市联盟"}


@pytest.mark.parametrize("lang", sorted(FOUNDER))
def test_a_founding_members_timeline_says_it_joined_at_the_founding(page: Page, lang: str):
    """A membership that came about through the founding (prov:wasGeneratedBy the founding, as
    Köln's came about through its accession): the founding year is the member's own, said
    honestly, not the alliance's date set apart. No member of the shipped graph is recorded so,
    so the answer to Köln's timeline query is changed as the query answers for such a member
    (``?founder``), and the query itself is run on a graph where Köln's membership is one."""
    asked: list[str] = []

    def as_a_founder(route):
        query = parse_qs(route.request.post_data or "").get("query", [""])[0]
        if "?founder" not in query:
            return route.continue_()
        asked.append(query)
        answer = route.fetch().json()
        for row in answer["results"]["bindings"]:
            if row["property"]["value"] == "https://schema.org/foundingDate":
                row["founder"] = {"type": "literal", "value": "true", "datatype": "http://www.w3.org/2001/XMLSchema#boolean"}
        route.fulfill(json=answer, headers={"Content-Type": "application/sparql-results+json"})

    page.route("**/sparql", as_a_founder)
    page.goto(page.base + f"/doc/city/koeln?lang={lang}")
    timeline = page.locator("#resource-timeline")
    joined = timeline.locator("li.joined")
    expect(joined).to_have_count(1)
    expect(joined.locator("time")).to_have_attribute("datetime", "2016")
    expect(joined.locator(".what")).to_have_text(FOUNDER[lang])
    expect(timeline.locator("li.context")).to_have_count(0)
    assert asked and founder_in_answer(asked[0], generated=True) and not founder_in_answer(asked[0], generated=False)


def founder_in_answer(query: str, *, generated: bool) -> bool:
    """``?founder`` of the alliance's founding date where Köln's membership was (or was not)
    generated by the founding, in a graph of just that."""
    from rdflib import Graph

    graph = Graph().parse(format="turtle", data=f"""
        @prefix city: <https://w3id.org/alliance-kg/id/city/> .
        @prefix event: <https://w3id.org/alliance-kg/id/event/> .
        @prefix membership: <https://w3id.org/alliance-kg/id/membership/> .
        @prefix org: <http://www.w3.org/ns/org#> .
        @prefix organization: <https://w3id.org/alliance-kg/id/organization/> .
        @prefix prov: <http://www.w3.org/ns/prov#> .
        @prefix schema: <https://schema.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        city:koeln org:memberOf organization:chinesisch-deutsche-industriestaedteallianz .
        organization:chinesisch-deutsche-industriestaedteallianz schema:foundingDate "2016"^^xsd:gYear .
        event:founding-2016 org:resultingOrganization organization:chinesisch-deutsche-industriestaedteallianz .
        membership:koeln org:member city:koeln ;
            org:organization organization:chinesisch-deutsche-industriestaedteallianz
            {"; prov:wasGeneratedBy event:founding-2016" if generated else ""} .""")
    rows = [row for row in graph.query(query) if str(row.property) == "https://schema.org/foundingDate"]
    assert len(rows) == 1, rows
    return bool(rows[0].founder.toPython())


def test_home_page_maps_speak_the_page_language(page: Page):
    page.goto(page.base + "/?lang=de")
    expect(page.locator("#map-germany")).to_have_attribute("aria-label", "Karte der 10 Mitglieder der Allianz in Deutschland")
    marker = page.locator("#map-china .akg-marker[data-label]").first
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text(re.compile("Stadt|Bezirk"))
