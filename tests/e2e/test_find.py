"""Finding things by name in a real browser: the search box on every page (German, English,
Chinese, pinyin), the editor's entity completion, and the interface's language switch."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from test_workbench import open_query_page, replace_query, result_rows, settle_completion


def type_in_search(page: Page, text: str) -> None:
    box = page.get_by_role("combobox")
    box.click()
    box.fill("")
    page.keyboard.type(text)


@pytest.mark.parametrize("typed, label, detail, slug", [
    ("Nürn", "Nuremberg", "City · Germany", "city/nuernberg"),
    ("Cologne", "Cologne", "City · Germany", "city/koeln"),
    ("台州", "Taizhou", "台州 · City · China", "city/taizhou"),
    ("Ma'an", "Ma'anshan", "City · China", "city/maanshan"),
])
def test_search_box_suggests_by_any_name_and_opens_the_page(page: Page, typed, label, detail, slug):
    page.goto(page.base + "/")
    type_in_search(page, typed)
    first = page.locator("#site-search-list li").first
    expect(first).to_contain_text(label)
    expect(first.locator(".suggestion-detail")).to_contain_text(detail)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/doc/{slug}$"))


def test_search_box_is_on_every_page_and_says_when_nothing_matches(page: Page):
    page.goto(page.base + "/doc/city/koeln")
    type_in_search(page, "Atlantis")
    expect(page.locator("#site-search-list")).to_contain_text("Nothing found")


def test_enter_without_a_pick_opens_the_results_page(page: Page):
    page.goto(page.base + "/ontology")
    type_in_search(page, "Bao'an")
    expect(page.locator("#site-search-list li").first).to_contain_text("Bao'an")
    page.keyboard.press("Enter")
    expect(page.locator("#search-results a").first).to_have_text("Bao'an")


def test_editor_completes_an_entity_iri_from_its_chinese_name(page: Page):
    open_query_page(page)
    replace_query(page, "SELECT * WHERE {\n  ")
    page.keyboard.type("台州")
    option = page.locator(".cm-tooltip-autocomplete li").filter(has_text="Taizhou")
    expect(option).to_have_count(1)
    settle_completion(page)
    page.keyboard.press("Enter")
    editor = page.locator("#editor .cm-content")
    # the IRI whole: id:city\/taizhou would name another IRI on the rdflib backend (its parser
    # keeps the backslash), so no prefix is declared for it
    expect(editor).to_contain_text("<https://w3id.org/alliance-kg/id/city/taizhou>")
    expect(editor).not_to_contain_text("PREFIX id:")


def test_language_switch_changes_the_interface_not_the_iris_and_is_remembered(page: Page):
    page.goto(page.base + "/doc/city/koeln")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    links_before = page.locator("#resource a[href^='/doc/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    page.locator("#language-switch").get_by_text("Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator(".site-nav")).to_contain_text("Abfrage")
    expect(page.locator("h1")).to_have_text("Köln")
    links_after = page.locator("#resource a[href^='/doc/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert sorted(links_after) == sorted(links_before)
    page.goto(page.base + "/sparql")  # remembered on the next page
    expect(page.locator(".site-nav")).to_contain_text("Abfrage")
    page.locator("#language-switch").get_by_text("中文").click()
    expect(page.locator(".site-nav")).to_contain_text("查询")


def test_chinese_browser_gets_the_chinese_interface_and_labels(browser, server):
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()
    try:
        page.goto(server.url + "/doc/city/taizhou")
        expect(page.locator("html")).to_have_attribute("lang", "zh")
        expect(page.locator("h1")).to_have_text("台州")
        expect(page.locator(".site-nav")).to_contain_text("本体")
    finally:
        context.close()


def test_history_remembers_runs_and_saved_queries_reload_in_the_browser(page: Page):
    open_query_page(page)
    replace_query(page, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#query-status")).to_contain_text("1 row")
    history = page.locator("#history-list li")
    expect(history.first).to_contain_text("SELECT (COUNT(*) AS ?n)")
    page.once("dialog", lambda dialog: dialog.accept("Count everything"))
    page.locator("#save-query").click()
    expect(page.locator("#saved-list")).to_contain_text("Count everything")
    page.goto(page.base + "/sparql")  # a new visit: both lists come back from localStorage
    expect(page.locator("#saved-list")).to_contain_text("Count everything")
    replace_query(page, "ASK { ?s ?p ?o }")
    page.locator("#saved-list").get_by_role("button", name="Count everything", exact=True).click()
    expect(page.locator("#editor .cm-content")).to_contain_text("COUNT(*) AS ?n")
    expect(result_rows(page)).to_have_count(1)


def test_code_panel_shows_the_current_query_in_four_languages(page: Page):
    open_query_page(page)
    replace_query(page, "ASK { ?s ?p ?o }")
    page.locator("#show-code").click()
    panel = page.locator("#code-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("details")).to_have_count(4)
    expect(panel.locator("details[data-language=curl] code")).to_contain_text("query=ASK { ?s ?p ?o }")
    panel.get_by_text("Python (rdflib)").click()
    expect(panel.locator("details[data-language=python-rdflib] code")).to_contain_text("SPARQLStore(")
