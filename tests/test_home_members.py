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


#: The German members on a Chinese page, in the pinyin order of their Chinese labels (as ICU's
#: Chinese collation, a browser's ``Intl.Collator("zh")``, orders them): 科隆 (kē) before
#: 克尔斯特尔巴赫 (kè), 吕 (lǚ) before 罗 (luó); not Cologne's and Nuremberg's English order.
GERMAN_IN_PINYIN = ["博特罗普", "科隆", "克尔斯特尔巴赫", "吕塞尔斯海姆", "罗因海姆", "美因茨", "纽伦堡", "伍珀塔尔",
                    "亚琛", "因戈尔施塔特"]


def test_german_members_on_a_chinese_page_are_in_the_pinyin_order_of_their_chinese_labels(shipped_memory_client):
    assert [label(e) for e in entries(shipped_memory_client, "zh", "germany")] == GERMAN_IN_PINYIN


def test_german_members_on_an_english_page_sort_by_their_english_labels(shipped_memory_client):
    assert [label(e) for e in entries(shipped_memory_client, "en", "germany")] == [
        "Aachen", "Bottrop", "Cologne", "Ingolstadt", "Kelsterbach", "Mainz", "Nuremberg", "Raunheim", "Rüsselsheim",
        "Wuppertal"]


def test_a_label_sorts_by_its_pinyin_character_by_character_or_by_its_letters():
    from alliance_kg.web.collation import sort_key

    assert sort_key("佛山") < sort_key("云浮")  # fó before yún, not by code point
    assert sort_key("科隆") < sort_key("克尔斯特尔巴赫")  # kē before kè: a character's tone before the next one
    assert sort_key("吕塞尔斯海姆") < sort_key("罗因海姆")  # lǚ files with lu, before luó
    assert sort_key("台州") < sort_key("泰州")  # tāi before tài: the same letters, told apart
    assert sort_key("Köln") < sort_key("Kz") and sort_key("Nürnberg") < sort_key("Nz")  # umlauts among their letters
    assert sort_key("Kelsterbach") < sort_key("Köln") < sort_key("Mainz")


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
