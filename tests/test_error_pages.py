"""Errors a browser meets on the pages it navigates are pages (``web.errors.error_page``): the
same status and message in the site's layout and language. Programs, the SPARQL protocol and
the routes programs call keep the plain-text error shape."""

from __future__ import annotations

import pytest

from alliance_kg.web.errors import prefers_page

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/doc/city/nowhere", "/examples", "/graph/nope", "/downloads/nope"])
def test_a_browser_meets_a_404_as_a_page_in_the_sites_layout(client, path):
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert 'class="site-header"' in page and 'id="error-page"' in page and "404 Not Found" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "Accept" in response.headers["Vary"]


def test_an_error_page_speaks_the_readers_language_and_keeps_the_message(client):
    response = client.get("/doc/city/nowhere", headers={"Accept": BROWSER, "Accept-Language": "de"})
    page = response.get_data(as_text=True)
    assert '<html lang="de">' in page and "Hier gibt es nichts" in page and "Zurück zur Startseite" in page
    assert "https://w3id.org/alliance-kg/id/city/nowhere is not in this dataset" in page
    assert "Nothing here" in client.get("/doc/city/nowhere?lang=en", headers={"Accept": BROWSER}).get_data(as_text=True)


def test_an_error_page_keeps_the_errors_own_headers(client):
    response = client.post("/doc/city/koeln", headers={"Accept": BROWSER})
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle", "application/json", "text/plain, text/html;q=0.5"])
def test_a_program_keeps_the_plain_text_error(client, accept):
    response = client.get("/doc/city/nowhere", headers={"Accept": accept} if accept else {})
    assert response.status_code == 404
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.get_data(as_text=True).startswith("404 Not Found\n\n")


@pytest.mark.parametrize("method, path, data", [
    ("POST", "/sparql", {"query": "ASK {"}),  # a syntax error
    ("GET", "/sparql?query=ASK%20%7B&format=json", None),
    ("PUT", "/sparql", None),  # no route for the method
    ("GET", "/suggest", None),  # an API: no q
    ("GET", "/code", None),
])
def test_protocol_and_api_errors_stay_plain_text_for_a_browser(client, method, path, data):
    response = client.open(path, method=method, data=data, headers={"Accept": BROWSER})
    assert 400 <= response.status_code < 500
    assert response.content_type == "text/plain; charset=utf-8"


def test_search_without_a_name_is_the_search_form(client):
    response = client.get("/search", headers={"Accept": BROWSER, "Accept-Language": "de"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'name="q"' in page and "Stadt, Person oder Ereignis finden" in page and "/suggest" not in page.split(
        'id="search-results"')[1]


def test_a_bad_search_is_an_error_page_for_a_browser(client):
    response = client.get("/search?q=K%C3%B6ln&limit=many", headers={"Accept": BROWSER})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "limit must be" in response.get_data(as_text=True)


@pytest.mark.parametrize("accept, page", [(BROWSER, True), ("text/html", True), ("*/*", False), (None, False),
                                          ("text/*", False), ("application/json, text/html;q=0.1", True),
                                          ("text/plain, text/html", False), ("text/html;q=0", False)])
def test_a_browser_is_one_preferring_html_to_plain_text(accept, page):
    assert prefers_page(accept) is page
