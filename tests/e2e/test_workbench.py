"""The researcher's workbench in a real browser (headless Chromium) against a live server:
type and run a query, share it by its URL, follow IRIs, see places on maps, read errors."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from playwright.sync_api import Page, expect

EXAMPLES = Path(__file__).resolve().parents[2] / "queries" / "examples"

BY_COUNTRY = """PREFIX akg: <https://w3id.org/alliance-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
SELECT ?country (COUNT(DISTINCT ?member) AS ?members) WHERE {
  ?alliance a akg:Alliance .
  ?membership org:organization ?alliance ;
      org:member ?member .
  ?member schema:containedInPlace ?country .
  ?country a schema:Country .
}
GROUP BY ?country
ORDER BY ?members"""

BAD = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s WHERE {
  ?s rdfs:label ?label
  FILTR (?label)
}"""

#: The subject opens the first statement after the prefixes; which statement Oxigraph writes
#: first varies, and CodeMirror renders only the lines in view.
FIRST_TRIPLE = re.compile(r"id:city\\?/koeln (a|[a-z]+:)")


def open_query_page(page: Page, query: str | None = None, view: str | None = None) -> None:
    params = {"query": query} if query else {}
    if view:
        params["view"] = view
    page.goto(page.base + "/sparql" + (f"?{urlencode(params)}" if params else ""))
    expect(page.locator("#editor .cm-content")).to_be_visible()


def replace_query(page: Page, text: str) -> None:
    editor = page.locator("#editor .cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def result_rows(page: Page):
    return page.locator("table.results tbody tr")


def test_typed_query_runs_with_ctrl_enter_and_shows_rows(page: Page):
    open_query_page(page)
    expect(page).to_have_title(re.compile("SPARQL query"))
    replace_query(page, BY_COUNTRY)
    page.keyboard.press("Control+Enter")
    expect(result_rows(page)).to_have_count(2)
    table = page.locator("table.results")
    expect(table).to_contain_text("country/de")
    expect(table).to_contain_text("Germany")  # the label shown beside the IRI
    expect(table.locator("tbody tr").first.locator("td[data-var=members]")).to_have_text(re.compile("10"))
    expect(page.locator("#query-status")).to_contain_text("2 rows")


def test_run_button_puts_the_query_in_the_url_and_the_permalink_reopens_it(page: Page):
    open_query_page(page)
    replace_query(page, BY_COUNTRY)
    page.get_by_role("button", name="Run query").click()
    expect(result_rows(page)).to_have_count(2)
    shared = page.url
    assert parse_qs(urlparse(shared).query)["query"] == [BY_COUNTRY]
    page.goto("about:blank")
    page.goto(shared)
    expect(result_rows(page)).to_have_count(2)
    assert page.locator("#editor .cm-content").inner_text().startswith("PREFIX akg:")


def test_permalink_with_map_view_shows_markers(page: Page):
    query = (EXAMPLES / "10-members-on-a-map.rq").read_text(encoding="utf-8")
    open_query_page(page, query, view="map")
    expect(page.get_by_role("tab", name=re.compile("Map"))).to_have_attribute("aria-selected", "true")
    # 23 members have verified coordinates (Taizhou is ambiguous): 10 in Europe, 13 in Asia
    expect(page.locator("#panel-map .akg-marker")).to_have_count(23)
    expect(page.locator("#panel-map figcaption")).to_have_text(["Europe: 10 places", "Asia: 13 places"])
    page.get_by_role("tab", name="Table").click()
    assert parse_qs(urlparse(page.url).query)["view"] == ["table"]


def test_clicking_an_iri_opens_its_resource_page(page: Page):
    open_query_page(page, BY_COUNTRY, view="table")
    expect(result_rows(page)).to_have_count(2)
    page.locator("table.results a.iri", has_text="country/de").click()
    expect(page).to_have_url(re.compile(r"/doc/country/de$"))
    expect(page.locator("h1")).to_have_text(re.compile("Germany|Deutschland"))


def test_columns_sort_and_the_table_pages(page: Page):
    query = (EXAMPLES / "05-unknown-start.rq").read_text(encoding="utf-8")
    open_query_page(page, query, view="table")  # it has dates, so it would open as a timeline
    expect(result_rows(page)).to_have_count(24)
    header = page.locator("th[data-var=member]")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(result_rows(page).first).to_contain_text("zhuzhou")

    open_query_page(page, "SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/alliance-kg/graph/memo/members> { ?s ?p ?o } }",
                    view="table")
    expect(result_rows(page)).to_have_count(25)
    pager = page.get_by_role("navigation", name="Result pages")
    expect(pager.locator(".range")).to_have_text(re.compile(r"Rows 1–25 of \d+"))
    pager.get_by_role("button", name="Next page").click()
    expect(pager.locator(".range")).to_have_text(re.compile(r"Rows 26–50 of \d+"))
    page.get_by_label("Rows per page").select_option("100")
    expect(result_rows(page)).to_have_count(100)


def test_bad_query_shows_the_parser_error_at_its_line(page: Page):
    open_query_page(page, BAD)
    error = page.locator("#query-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error.locator("h2")).to_have_text(re.compile(r"error at line 4, column \d+"))
    expect(error).to_contain_text("FILTR")
    expect(page.locator("#editor .cm-lintRange-error")).to_have_count(1)


def test_ask_is_a_clear_yes_or_no(page: Page):
    open_query_page(page, "ASK { ?district a <https://w3id.org/alliance-kg/ontology#District> }")
    expect(page.locator(".ask-answer .ask-word")).to_have_text("Yes")
    open_query_page(page, "ASK { ?x a <https://w3id.org/alliance-kg/ontology#NoSuchClass> }")
    expect(page.locator(".ask-answer .ask-word")).to_have_text("No")


def test_describe_shows_turtle_and_offers_graph_downloads(page: Page, server):
    open_query_page(page, "DESCRIBE <https://w3id.org/alliance-kg/id/city/koeln>", view="turtle")
    turtle = page.locator("#panel-turtle .cm-content")
    expect(turtle).to_contain_text(FIRST_TRIPLE)
    links = {a.inner_text(): a.get_attribute("href") for a in page.locator(".downloads a.download").all()}
    assert set(links) == {"Turtle", "JSON-LD", "N-Triples", "RDF/XML"}
    response = requests.get(server.url + links["JSON-LD"], timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/ld+json")


def test_select_downloads_are_csv_tsv_and_json(page: Page, server):
    open_query_page(page, BY_COUNTRY)
    expect(result_rows(page)).to_have_count(2)
    links = {a.inner_text(): a.get_attribute("href") for a in page.locator(".downloads a.download").all()}
    assert {"CSV", "TSV", "SPARQL JSON"} <= set(links)
    csv = requests.get(server.url + links["CSV"], timeout=10)
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "country,members"
    assert "https://w3id.org/alliance-kg/id/country/cn,14" in csv.text


def settle_completion(page: Page) -> None:
    """CodeMirror ignores Enter for its interactionDelay (75 ms) after the list opens or
    changes, so a person never picks an option they have not seen; wait as a person would."""
    page.wait_for_timeout(250)


def test_completion_offers_the_graphs_own_terms(page: Page):
    open_query_page(page)
    replace_query(page, "PREFIX akg: <https://w3id.org/alliance-kg/ontology#>\nSELECT * WHERE { ?x a ")
    page.keyboard.type("akg:Dis")
    options = page.locator(".cm-tooltip-autocomplete li")
    expect(options.filter(has_text="akg:District")).to_have_count(1)
    settle_completion(page)
    page.keyboard.press("Enter")
    expect(page.locator("#editor .cm-content")).to_contain_text("?x a akg:District")


def test_completing_an_undeclared_prefix_declares_it(page: Page):
    open_query_page(page)
    replace_query(page, "SELECT * WHERE { ?m ")
    page.keyboard.type("org:memberO")
    expect(page.locator(".cm-tooltip-autocomplete li").filter(has_text="org:memberOf")).to_have_count(1)
    settle_completion(page)
    page.keyboard.press("Enter")
    editor = page.locator("#editor .cm-content")  # expect() waits for the editor to update
    expect(editor).to_contain_text("PREFIX org: <http://www.w3.org/ns/org#>")
    expect(editor).to_contain_text("?m org:memberOf")


def test_example_menu_loads_and_runs_an_example(page: Page):
    open_query_page(page)
    page.get_by_label("Start from an example query").select_option(label="Members by country")
    expect(result_rows(page)).to_have_count(2)
    expect(page.locator("#editor .cm-content")).to_contain_text("Members by country")


def test_home_page_maps_the_members_of_both_countries(page: Page):
    page.goto(page.base + "/")
    expect(page).to_have_title(re.compile("Chinese-German Industrial Cities Alliance"))
    expect(page.locator("#map-germany .akg-marker")).to_have_count(10)
    # 14 Chinese members, 13 on the map: Taizhou is ambiguous and has no coordinates
    expect(page.locator("#map-china .akg-marker")).to_have_count(13)
    expect(page.locator("#list-china li")).to_have_count(14)
    expect(page.locator("#map-germany path.country.focus")).to_have_count(2)  # Germany and China
    marker = page.locator("#map-germany .akg-marker[data-label=Cologne]")
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content a", has_text="Cologne")).to_be_visible()


def test_resource_page_has_map_timeline_and_query_link(page: Page):
    page.goto(page.base + "/id/city/koeln")
    expect(page).to_have_url(re.compile(r"/doc/city/koeln$"))
    expect(page.locator("#resource-map .akg-marker")).to_have_count(1)
    timeline = page.locator("#resource-timeline")
    expect(timeline.locator("time[datetime='2017-04-24']")).to_be_visible()
    expect(timeline).to_contain_text("Official admission of Cologne")
    page.get_by_role("link", name="Query this resource").click()
    expect(page.locator("#panel-turtle .cm-content")).to_contain_text("koeln")
    expect(page.locator("#editor .cm-content")).to_contain_text("DESCRIBE")


def test_query_page_fits_a_phone_screen(phone: Page):
    phone.goto(phone.base + "/sparql?" + urlencode({"query": BY_COUNTRY}))
    expect(phone.locator("table.results tbody tr")).to_have_count(2)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px screen"
    phone.goto(phone.base + "/")
    expect(phone.locator("#map-germany .akg-marker")).to_have_count(10)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
