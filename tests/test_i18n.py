"""The interface in German, English and Chinese: every text in all three, chosen by ?lang=,
the remembered cookie or Accept-Language, and never changing an IRI."""

from __future__ import annotations

import re

import pytest

from alliance_kg.web.i18n import MESSAGES
from alliance_kg.web.language import COOKIE, UI_LANGUAGES


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_interface_text_is_in_all_three_languages(key):
    assert set(MESSAGES[key]) == set(UI_LANGUAGES) and all(MESSAGES[key].values())


def nav(client, path="/doc/city/koeln", **kwargs) -> str:
    page = client.get(path, **kwargs).get_data(as_text=True)
    return page


def test_accept_language_chooses_the_interface(client):
    assert '<html lang="de">' in nav(client, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert ">Abfrage<" in nav(client, headers={"Accept-Language": "de"})
    assert ">查询<" in nav(client, headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in nav(client, headers={"Accept-Language": "fr"})


def test_cookie_beats_accept_language_and_lang_parameter_beats_both(client):
    client.set_cookie(COOKIE, "zh")
    assert '<html lang="zh">' in nav(client, headers={"Accept-Language": "de"})
    assert '<html lang="en">' in nav(client, "/doc/city/koeln?lang=en", headers={"Accept-Language": "de"})


def test_the_language_never_changes_an_iri(client):
    hrefs = {lang: sorted(re.findall(r'href="(/doc/[^"]+)"', nav(client, f"/doc/city/koeln?lang={lang}")))
             for lang in UI_LANGUAGES}
    assert hrefs["de"] == hrefs["en"] == hrefs["zh"] and hrefs["en"]


def test_the_language_switch_keeps_the_pages_own_parameters(client):
    """Without script, the switch is a link: to this page, its search or query kept."""
    page = client.get("/search?q=K%C3%B6ln", headers={"Accept": "text/html"}).get_data(as_text=True)
    links = dict(re.findall(r'<a href="([^"]+)" data-lang="(de|en|zh)"', page))
    assert set(links.values()) == set(UI_LANGUAGES)
    for href, code in links.items():
        assert href == f"?q=K%C3%B6ln&amp;lang={code}"
        assert client.get("/search" + href.replace("&amp;", "&"), headers={"Accept": "text/html"}).status_code == 200


def test_html_varies_on_the_cookie_so_caches_keep_languages_apart(client):
    """The language comes from the cookie or, without one, from Accept-Language: a shared cache
    must key on both, or it hands a German page to an English reader."""
    response = client.get("/doc/city/koeln")
    for path in ("/doc/city/koeln", "/", "/sparql"):
        varies = {v.strip() for v in client.get(path, headers={"Accept": "text/html"}).headers["Vary"].split(",")}
        assert {"Cookie", "Accept-Language"} <= varies, (path, varies)
    german = client.get("/doc/city/koeln", headers={"Accept-Language": "de"})
    assert german.headers["ETag"] != response.headers["ETag"]
    client.set_cookie(COOKIE, "de")
    assert client.get("/doc/city/koeln").headers["ETag"] != response.headers["ETag"]
