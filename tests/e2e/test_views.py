"""Result views in a real browser: a chart for label + number results, a timeline for dates, a
graph for CONSTRUCT/DESCRIBE, each chosen automatically when it fits, switchable, and savable
as SVG and PNG."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from test_workbench import BY_COUNTRY, open_query_page, result_rows

TIMELINE = """PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?date WHERE {
  ?event a schema:Event ; schema:startDate ?date .
}"""

#: The subject opens the first statement after the prefixes; which statement Oxigraph writes
#: first varies, and CodeMirror renders only the lines in view.
FIRST_TRIPLE = re.compile(r"id:city\\?/koeln (a|[a-z]+:)")


def tab(page: Page, name: str):
    return page.get_by_role("tab", name=name)


def saved(page: Page, button) -> tuple[str, bytes]:
    with page.expect_download() as info:
        button.click()
    download = info.value
    return download.suggested_filename, open(download.path(), "rb").read()


def test_label_and_number_results_open_as_a_bar_chart_and_switch_to_a_line(page: Page):
    open_query_page(page, BY_COUNTRY)
    expect(tab(page, "Chart")).to_have_attribute("aria-selected", "true")
    chart = page.locator("#panel-chart svg.result-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(2)  # two countries, two bars
    expect(chart).to_contain_text("Germany")
    page.locator("#panel-chart button[data-kind=line]").click()
    expect(page.locator("#panel-chart svg.result-chart path")).not_to_have_count(0)
    tab(page, "Table").click()
    expect(result_rows(page).first).to_be_visible()


def test_chart_saves_as_svg_and_png(page: Page):
    open_query_page(page, BY_COUNTRY, view="chart")
    expect(page.locator("#panel-chart svg.result-chart")).to_be_visible()
    name, body = saved(page, page.locator("#panel-chart button[data-save=svg]"))
    assert name == "chart.svg" and body.lstrip().startswith(b"<svg") and b"Germany" in body
    name, body = saved(page, page.locator("#panel-chart button[data-save=png]"))
    assert name == "chart.png" and body[:8] == b"\x89PNG\r\n\x1a\n"


def test_dates_open_as_a_timeline(page: Page):
    open_query_page(page, TIMELINE)
    expect(tab(page, "Timeline")).to_have_attribute("aria-selected", "true")
    timeline = page.locator("#panel-timeline svg.result-timeline")
    expect(timeline).to_be_visible()
    expect(timeline).to_contain_text("2017-04-24")
    name, body = saved(page, page.locator("#panel-timeline button[data-save=svg]"))
    assert name == "timeline.svg" and b"2017-04-24" in body


def test_describe_opens_as_a_graph_and_saves_as_png_and_svg(page: Page):
    open_query_page(page, "DESCRIBE <https://w3id.org/alliance-kg/id/city/koeln>")
    expect(tab(page, "Graph")).to_have_attribute("aria-selected", "true")
    graph = page.locator("#panel-graph .result-graph")
    expect(graph).to_be_visible()
    assert int(graph.get_attribute("data-edges")) >= 3
    name, body = saved(page, page.locator("#panel-graph button[data-save=png]"))
    assert name == "graph.png" and body[:4] == b"\x89PNG"
    name, body = saved(page, page.locator("#panel-graph button[data-save=svg]"))
    assert name == "graph.svg" and b"<svg" in body
    tab(page, "Turtle").click()
    expect(page.locator("#panel-turtle .cm-content")).to_contain_text(FIRST_TRIPLE)
