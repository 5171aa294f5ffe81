"""The pages that explain the data, in a real browser: the ontology's documentation with its
diagram, the shapes in plain words, and the memo paragraph by paragraph."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_ontology_page_documents_terms_and_its_diagram_links_to_them(page: Page):
    page.goto(page.base + "/ontology")
    expect(page.locator("h1")).to_contain_text("Ontology of the Chinese-German Industrial Cities Alliance")
    district = page.locator("section#District")
    expect(district).to_contain_text("An administrative district within a city.")
    expect(district).to_contain_text("Ein Verwaltungsbezirk innerhalb einer Stadt.")
    expect(district).to_contain_text("schema:AdministrativeArea")
    page.locator(".diagram svg a[href='#District']").click()
    expect(page).to_have_url(re.compile("#District$"))
    district.get_by_role("link", name="akgsh:DistrictShape").click()
    expect(page).to_have_url(re.compile("/shapes#DistrictShape$"))
    expect(page.locator("section#DistrictShape")).to_contain_text("every akg:District")


def test_memo_page_shows_text_corrections_and_derived_statements_side_by_side(page: Page):
    page.goto(page.base + "/")
    page.locator(".site-nav").get_by_role("link", name="The memo").click()
    fifth = page.locator("article#p5")
    expect(fifth.locator(".passage-text")).to_contain_text("Zhuzhou) an.")
    expect(fifth.locator("table.corrections")).to_contain_text("Zhuzhouan")
    derived = fifth.locator(".memo-derived")
    derived.get_by_text("Members as of 2017-03-09").click()  # the long list opens on demand
    expect(derived.get_by_role("link", name="Membership of Taizhou in the Chinese-German Industrial Cities Alliance").first).to_be_visible()
    source = fifth.locator(".memo-source").bounding_box()
    beside = derived.bounding_box()
    assert beside["x"] > source["x"] + source["width"] - 1, "the statements stand beside the text"
