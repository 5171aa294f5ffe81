"""The interface in German, English and Chinese: every text in all three, chosen by ?lang=,
the remembered cookie or Accept-Language, and never changing an IRI."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from alliance_kg.web.i18n import MESSAGES, SCRIPT_KEYS, number
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


def html(client, path: str) -> str:
    """A page of the shipped graph as a browser asks for it."""
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


#: Interface text once written in English into the templates, which a German or Chinese page
#: must no longer show (data — labels, example titles, the memo — is not interface text).
ENGLISH = {
    "/": ("Chinese-German Industrial Cities Alliance — knowledge graph", "A linked-data knowledge graph",
          "members:", "Members in", "all named graphs", "asserted statements only", "The ontology",
          "VoID description", "dereferences here", 'title="a district', "(coordinates:", "retrieved",
          "data version"),
    "/sparql": ("SPARQL query — Alliance", "statements in", "Start from an example query", ">SPARQL query<",
                "leaves the editor", "Query results", "Result format", ">Run query<", "(coordinates:"),
    "/doc/city/koeln": ("— Alliance knowledge graph", "Its statements as a table", "What points to it",
                        ">Where<", ">Timeline<", "Place and time", "(passage)", "data version",
                        "retrieved", "Licence:", "(coordinates:"),
    "/ontology": ("with labels and definitions in German, English", "· version ", ">licence<", "Also as",
                  "Boxes: our classes", "Classes of the alliance ontology and how they connect", "<dt>Label</dt>",
                  '<th scope="col">Term</th>'),
    "/shapes": ("in plain words, with the severity", "Every record is checked", "Also as", "every org:Membership",
                "must have at least 1 org:member; exactly 1 of them an IRI", "its IRI or node:", ">Violation<", ">Warning<", ">Info<",
                "only where another shape refers to it"),
}

TRANSLATED = {
    "de": {
        "/": ("<title>Chinesisch-Deutsche Industriestädteallianz — Wissensgraph</title>", "Linked-Data-Wissensgraph",
              "Mitglieder in Deutschland", "Mitglieder in China", "alle benannten Graphen", "Die Ontologie",
              "VoID-Beschreibung", "keine Stadt", "(Koordinaten:", "Datenversion"),
        "/sparql": ("<title>SPARQL-Abfrage — Wissensgraph der Allianz</title>", "benannten Graphen",
                    "Mit einer Beispielabfrage beginnen", "Editor verlassen", 'aria-label="Abfrageergebnisse"',
                    "Ergebnisformat"),
        "/doc/city/koeln": ("<title>Köln — Wissensgraph der Allianz</title>", "Aussagen als Tabelle",
                            "Was darauf verweist", 'aria-label="Ort und Zeit"', ">Zeitleiste<", "(Textstelle)",
                            "Datenversion", "abgerufen am", "Lizenz:"),
        "/ontology": ("Bezeichnungen und Definitionen auf Deutsch, Englisch und Chinesisch", "· Version ", ">Lizenz<", "Auch als",
                      "Kästen: unsere Klassen", "<title>Die Klassen der Allianz-Ontologie und wie sie zusammenhängen</title>",
                      "<dt>Bezeichnung</dt>", '<th scope="col">Begriff</th>'),
        "/shapes": ("in einfachen Worten", "Jeder Datensatz wird gegen diese SHACL-Regeln geprüft",
                    "jede Instanz von org:Membership", "muss haben: mindestens 1 org:member; davon genau 1 eine IRI",
                    "die IRI oder der Knoten selbst:", ">Verstoß<", ">Warnung<", ">Hinweis<", "muss haben: kein wgs84:lat"),
    },
    "zh": {
        "/": ("<title>中德工业城市联盟 — 知识图谱</title>", "关联数据知识图谱", "德国的成员", "中国的成员",
              "含全部命名图", "VoID 描述", "而非城市", "（坐标：", "数据版本"),
        "/sparql": ("<title>SPARQL 查询 — 联盟知识图谱</title>", "个命名图中共有", "从示例查询开始", "离开编辑器",
                    'aria-label="查询结果"', "结果格式"),
        "/doc/city/koeln": ("— 联盟知识图谱</title>", "以表格列出其陈述", "哪些资源指向它", 'aria-label="地点与时间"',
                            ">时间线<", "（原文段落）", "载于:", "数据版本", "访问于", "许可协议:"),
        "/ontology": ("德语、英语和中文的标签与定义", "· 版本 ", ">许可协议<", "其他格式", "方框：本体自己的类",
                      "<title>联盟本体的类及其关系</title>", "<dt>标签</dt>", '<th scope="col">术语</th>'),
        "/shapes": ("以通俗的文字说明", "每条记录在对外提供之前", "每个 org:Membership", "要求：至少 1 个 org:member；其中恰好 1 个为 IRI",
                    "IRI 或节点本身：", ">违规<", ">警告<", ">提示<", "要求：没有 wgs84:lat"),
    },
}


@pytest.mark.parametrize("lang", ["de", "zh"])
@pytest.mark.parametrize("path", sorted(ENGLISH))
def test_pages_in_german_and_chinese_show_no_english_interface_text(shipped_memory_client, path, lang):
    page = html(shipped_memory_client, f"{path}?lang={lang}")
    assert [text for text in ENGLISH[path] if text in page] == []
    assert [text for text in TRANSLATED[lang][path] if text not in page] == []
    english = html(shipped_memory_client, f"{path}?lang=en")
    assert [text for text in ENGLISH[path] if text not in english] == [], "the English page keeps its words"


@pytest.mark.parametrize("lang, germany, china, status", [
    ("de", "Deutschland", "China", re.compile(r"\d+ Mitglieder: \d+ in Deutschland, \d+ in China\.")),
    ("zh", "德国", "中国", re.compile(r"共 \d+ 个成员：德国 \d+ 个，中国 \d+ 个。")),
])
def test_home_page_names_the_countries_in_the_page_language(shipped_memory_client, lang, germany, china, status):
    page = html(shipped_memory_client, f"/?lang={lang}")
    headings = re.findall(r'<h2 id="h-(?:germany|china)">([^<]*)<', page)
    assert len(headings) == 2 and germany in headings[0] and china in headings[1]
    assert status.search(page), re.search(r'id="members-status"[^>]*>([^<]*)<', page)
    assert "Germany" not in " ".join(headings)


@pytest.mark.parametrize("lang, heading", [("de", "OCR-Korrekturen (Titel):"), ("zh", "OCR 更正（标题）：")])
def test_memo_page_title_corrections_are_in_the_page_language(shipped_memory_client, lang, heading):
    page = html(shipped_memory_client, f"/doc/document/memo-2017-03-09?lang={lang}")
    assert "(title)" not in page and heading in page


def test_a_label_falling_back_to_english_is_marked_english(shipped_memory_client):
    page = html(shipped_memory_client, "/doc/organization/wirtschaftsfoerderung-koeln?lang=zh")
    assert '<h1 lang="en">Cologne economic development agency</h1>' in page
    assert '<h1 lang="de">Kölner Wirtschaftsförderung</h1>' not in html(shipped_memory_client, "/doc/organization/wirtschaftsfoerderung-koeln?lang=de")
    assert "<h1>Kölner Wirtschaftsförderung</h1>" in html(shipped_memory_client, "/doc/organization/wirtschaftsfoerderung-koeln?lang=de")


# --- the scripts' texts ---------------------------------------------------------------------------

APP = Path(__file__).resolve().parents[1] / "src" / "alliance_kg" / "web" / "static" / "app"
#: msg("key") and plural(n, "key_one", "key_other") in the scripts (lib/config.js).
_MSG = re.compile(r'\bmsg\(\s*"([a-z_]+)"|\bmsg\([^()]*?\?\s*"([a-z_]+)"\s*:\s*"([a-z_]+)"'
                  r'|\bplural\([^,]+,\s*"([a-z_]+)",\s*"([a-z_]+)"')
_IMPORT = re.compile(r'^import [^;]*? from "(\./[^"]+)";', re.M)


def script_keys(entry: str) -> set[str]:
    """The texts ``static/app/<entry>.js`` and the local modules it imports ask for."""
    seen, todo, keys = set(), [APP / f"{entry}.js"], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        text = path.read_text(encoding="utf-8")
        keys |= {key for match in _MSG.finditer(text) for key in match.groups() if key}
        todo += [(path.parent / module).resolve() for module in _IMPORT.findall(text)]
    return keys


def messages_block(page: str, block: str = "akg-messages") -> dict[str, str]:
    match = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', page, re.S)
    assert match, f"no #{block} on the page"
    return json.loads(match.group(1))


@pytest.mark.parametrize("entry", ["site", "query", "resource", "home"])
def test_a_script_asks_only_for_texts_its_page_is_given(entry):
    """Every page has the site's texts (its config) and its own script's (#akg-messages): a key
    a script asks for that is not among them would show as the bare key."""
    asked = script_keys(entry)
    given = set(SCRIPT_KEYS["site"]) | set(SCRIPT_KEYS.get(entry, ()))
    assert asked - given == set()
    assert set(SCRIPT_KEYS.get(entry, ())) <= set(MESSAGES)
    if entry == "query":
        assert {"copy_link", "save_svg", "rows_range", "view_table", "running"} <= asked, "the scan finds the calls"


@pytest.mark.parametrize("lang, texts", [
    ("de", {"copy_link": "Link kopieren", "view_table": "Tabelle", "save_svg": "Als SVG speichern",
            "rows_range": "Zeilen {first}–{last} von {total}", "running": "Läuft …"}),
    ("zh", {"copy_link": "复制链接", "view_table": "表格", "save_svg": "另存为 SVG",
            "rows_range": "第 {first}–{last} 行，共 {total} 行", "running": "正在运行…"}),
    ("en", {"copy_link": "Copy link", "view_table": "Table", "save_svg": "Save as SVG",
            "rows_range": "Rows {first}–{last} of {total}", "running": "Running…"}),
])
def test_query_page_gives_its_script_the_texts_in_the_page_language(shipped_memory_client, lang, texts):
    page = html(shipped_memory_client, f"/sparql?lang={lang}")
    given = messages_block(page)
    assert set(given) == set(SCRIPT_KEYS["query"])
    assert {key: given[key] for key in texts} == texts
    assert messages_block(page, "akg-config")["messages"]["no_match"] == MESSAGES["no_match"][lang]


def test_resource_page_gives_its_script_the_timelines_texts(shipped_memory_client):
    given = messages_block(html(shipped_memory_client, "/doc/city/koeln?lang=de"))
    assert given["this_resource"] == "diese Ressource" and set(given) == set(SCRIPT_KEYS["resource"])
    assert "copy_link" not in given, "a page carries its own script's texts, not every script's"


# --- the example queries ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/sparql", "/"])
@pytest.mark.parametrize("lang, title, description", [
    ("de", "Mitglieder nach Staat", "Wie viele Mitglieder die Allianz in jedem Staat hat"),
    ("zh", "各国成员", "联盟在每个国家有多少成员"),
])
def test_example_queries_are_listed_in_the_page_language(shipped_memory_client, path, lang, title, description):
    page = html(shipped_memory_client, f"{path}?lang={lang}")
    link = re.search(r'<a href="[^"]*" title="([^"]*)">' + re.escape(title) + "</a>", page)
    assert link and link.group(1).startswith(description), "the example's own title and description"
    assert ">Members by country</a>" not in page and ">Where a fact comes from</a>" not in page
    if path == "/sparql":  # the script's list of examples (the editor's drop-down) too
        titles = [e["title"] for e in messages_block(page, "akg-examples")]
        assert title in titles and "Members by country" not in titles


def test_an_example_without_the_page_language_falls_back_to_english_and_says_so(tmp_path):
    from alliance_kg.web.examples import load_examples, localized

    (tmp_path / "01-only-english.rq").write_text("# title: Only English\n# description: Said once.\nASK {}\n",
                                                 encoding="utf-8")
    (tmp_path / "02-both.rq").write_text("# title: Both\n# description: Twice.\n# title@de: Beide\n"
                                         "# description@de: Zweimal.\nASK {}\n", encoding="utf-8")
    shown = {e["name"]: e for e in localized(load_examples(tmp_path), "de", "de")}
    assert (shown["01-only-english"]["title"], shown["01-only-english"]["title_lang"]) == ("Only English", "en")
    assert (shown["02-both"]["title"], shown["02-both"]["description"], shown["02-both"]["title_lang"]) == \
        ("Beide", "Zweimal.", "")
    assert localized(load_examples(tmp_path), "en", "en")[1]["title"] == "Both"


# --- numbers and the starter query ----------------------------------------------------------------

@pytest.mark.parametrize("lang, written", [
    ("en", ("10,000", "1,872", "30", "2.5", "0.25")),
    ("de", ("10.000", "1.872", "30", "2,5", "0,25")),
    ("zh", ("10,000", "1,872", "30", "2.5", "0.25")),
])
def test_numbers_are_written_as_the_page_language_writes_them(lang, written):
    """As the scripts' Intl.NumberFormat writes them: digits grouped, no decimals on a whole number."""
    assert tuple(number(value, lang) for value in (10000, 1872, 30.0, 2.5, 0.25)) == written


@pytest.mark.parametrize("lang, limits", [
    ("en", "capped at 10,000 rows; a query stops after 30 s."),
    ("de", "höchstens 10.000 Zeilen; eine Abfrage bricht nach 30 s ab."),
    ("zh", "结果最多 10,000 行；查询超过 30 秒即中止。"),
])
def test_query_page_states_its_limits_in_the_page_languages_numbers(shipped_memory_client, lang, limits):
    assert limits in html(shipped_memory_client, f"/sparql?lang={lang}")


@pytest.mark.parametrize("lang, comment", [
    ("en", "# The alliance's members"), ("de", "# Die Mitglieder der Allianz"), ("zh", "# 联盟的成员"),
])
def test_the_starter_query_asks_for_the_members_in_the_page_language(shipped_memory_client, lang, comment):
    """The editor starts with the members, labelled in the page's language (every member has a
    Chinese name: see tests/test_hanzi_names.py) and commented in it."""
    page = html(shipped_memory_client, f"/sparql?lang={lang}")
    starter = unescape(re.search(r'<textarea id="query-text"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    assert starter == messages_block(page, "akg-config")["starter"], "the editor and the script start alike"
    assert comment in starter and ("Strg+Leertaste" in starter) == (lang == "de")
    assert re.findall(r'langMatches\(lang\(\?\w+\), "(\w+)"\)', starter)[0] == lang
    answer = shipped_memory_client.post("/sparql", data={"query": starter}, headers={"Accept": "application/sparql-results+json"})
    rows = answer.get_json()["results"]["bindings"]
    assert len(rows) == 24 and all(row.get("label", {}).get("value") for row in rows)
    languages = {row["label"].get("xml:lang") for row in rows}
    assert languages == {lang}
