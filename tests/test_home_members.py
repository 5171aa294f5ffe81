"""The home page's member lists on the shipped graph: the order a reader of the page's language
expects, and tags that say what the label does not (a district, a name the memo leaves ambiguous)
without contradicting it."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from alliance_kg.web.i18n import MESSAGES

#: The Chinese members in pinyin order, as a Chinese reader looks them up: each zh label with
#: the pinyin (without tones) of its characters, which is also its English and German label.
PINYIN = [("宝安区", "Bao'an"), ("佛山", "Foshan"), ("贵阳", "Guiyang"), ("江门", "Jiangmen"),
          ("焦作", "Jiaozuo"), ("揭阳", "Jieyang"), ("柳州", "Liuzhou"), ("马鞍山", "Ma'anshan"),
          ("南昌", "Nanchang"), ("南宁", "Nanning"), ("台州", "Taizhou"), ("云浮", "Yunfu"),
          ("肇庆", "Zhaoqing"), ("株洲", "Zhuzhou")]


def entries(client, lang: str, country: str) -> list[str]:
    """The list items of one country's member list, as HTML, in page order."""
    page = client.get(f"/?lang={lang}", headers={"Accept": "text/html"}).get_data(as_text=True)
    listed = re.search(rf'<ul id="list-{country}" class="member-list">(.*?)</ul>', page, re.DOTALL)
    assert listed, f"no member list for {country}"
    return re.findall(r"<li>(.*?)</li>", listed.group(1), re.DOTALL)


def label(entry: str) -> str:
    return re.search(r"<a [^>]*>([^<]*)</a>", entry).group(1).replace("&#39;", "'")


def tags(entry: str) -> list[str]:
    return re.findall(r'<span class="tag[^"]*"[^>]*>([^<]*)</span>', entry)


def test_chinese_members_on_a_chinese_page_are_in_pinyin_order(shipped_memory_client):
    assert [label(e) for e in entries(shipped_memory_client, "zh", "china")] == [zh for zh, _ in PINYIN]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_chinese_members_elsewhere_are_in_the_order_of_their_romanised_labels(shipped_memory_client, lang):
    assert [label(e) for e in entries(shipped_memory_client, lang, "china")] == [pinyin for _, pinyin in PINYIN]


def test_german_members_sort_by_letters_with_umlauts_among_them(shipped_memory_client):
    shown = [label(e) for e in entries(shipped_memory_client, "de", "germany")]
    assert shown == ["Aachen", "Bottrop", "Ingolstadt", "Kelsterbach", "Köln", "Mainz", "Nürnberg", "Raunheim",
                     "Rüsselsheim", "Wuppertal"]


def test_a_chinese_label_sorts_by_its_romanised_label_and_a_latin_one_by_itself():
    from alliance_kg.web.pages import _sort_key

    assert _sort_key("云浮", "zh", {"en": "Yunfu", "zh": "云浮"}) > _sort_key("佛山", "zh", {"en": "Foshan", "zh": "佛山"})
    assert _sort_key("宝安区", "zh", {"de": "Bao'an", "zh": "宝安区"})[0] == "baoan"  # German when no English
    assert _sort_key("台州", "zh", {"zh": "台州"})[0] == "台州"  # no romanised label: the shown one
    assert _sort_key("Nürnberg", "de", {"de": "Nürnberg"})[0] == "nurnberg"


@pytest.mark.parametrize("lang", ["de", "en", "zh"])
def test_baoan_is_called_a_district_once(shipped_memory_client, lang):
    """宝安区 already ends in 区: the Chinese page does not add a 区 tag, but keeps its explanation
    on the link; German and English labels (Bao'an) get the tag."""
    baoan = next(e for e in entries(shipped_memory_client, lang, "china") if "/district/baoan" in e)
    word, title = MESSAGES["district"][lang], MESSAGES["district_title"][lang]
    assert f'title="{escape(title)}"' in baoan
    if lang == "zh":
        assert label(baoan) == "宝安区" and word not in tags(baoan)
    else:
        assert label(baoan) == "Bao'an" and tags(baoan) == [word]


@pytest.mark.parametrize("lang", ["de", "en", "zh"])
def test_taizhou_is_identified_from_reports_not_plainly_ambiguous(shipped_memory_client, lang):
    """The memo's "Taizhou" stays ambiguous, but cited reports identify it (台州): the list says
    both, and never shows a definite name beside a bare "ambiguous"."""
    taizhou = next(e for e in entries(shipped_memory_client, lang, "china") if "/city/taizhou" in e)
    assert tags(taizhou) == [MESSAGES["identified"][lang]]
    assert f'title="{escape(MESSAGES["identified_title"][lang])}"' in taizhou
    assert MESSAGES["ambiguous"][lang] not in tags(taizhou)
    assert label(taizhou) == ("台州" if lang == "zh" else "Taizhou")


def test_an_ambiguous_member_nobody_identified_is_still_tagged_ambiguous(shipped_memory_app, monkeypatch):
    """Without akg:identifiedAs the tag is the plain warning, as before."""
    from alliance_kg.web.pages import _member_facts

    state = shipped_memory_app.extensions["alliance_kg"]
    with shipped_memory_app.test_request_context("/"):
        unidentified = [({**facts, "identified": False}, labels) for facts, labels in _member_facts()]
    monkeypatch.setitem(state._cache, "members", unidentified)  # this generation's members, as read
    taizhou = next(e for e in entries(shipped_memory_app.test_client(), "en", "china") if "/city/taizhou" in e)
    assert tags(taizhou) == [MESSAGES["ambiguous"]["en"]]
