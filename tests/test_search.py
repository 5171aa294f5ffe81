"""Search suggestions (``/suggest``, ``/search``) from the label index, on every backend and on
the shipped graph: names in German, English, Chinese and pinyin, type and country, errors."""

from __future__ import annotations

import logging
import re
import sys
import threading
import unicodedata

import pyoxigraph as ox
import pytest
from rdflib import Graph

from alliance_kg.app import create_app
from alliance_kg.namespaces import prefix_declarations
from alliance_kg.stores import InMemoryOxigraphStore
from alliance_kg.web import labels
from alliance_kg.web.labels import LabelIndex, folded
from alliance_kg.web.linkeddata import decoded as readable
from alliance_kg.web.server import _build_labels

KOELN = "https://w3id.org/alliance-kg/id/city/koeln"


def suggestions(client, q: str, **headers) -> list[dict]:
    response = client.get("/suggest", query_string={"q": q}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()["suggestions"]


@pytest.mark.parametrize("typed", ["Köln", "köl", "Cologne", "colo", "科隆"])
def test_any_name_of_a_thing_finds_it(client, typed):
    found = suggestions(client, typed)
    assert found and found[0]["iri"] == KOELN, found


def test_suggestion_label_follows_the_readers_language(client):
    assert suggestions(client, "科隆", **{"Accept-Language": "de"})[0]["label"] == "Köln"
    assert suggestions(client, "Köln", **{"Accept-Language": "en"})[0]["label"] == "Cologne"
    first = suggestions(client, "Köln", **{"Accept-Language": "zh"})[0]
    assert first["label"] == "科隆" and first["matched"] == "Köln"


def test_suggestion_has_type_page_and_a_name_every_engine_reads(client):
    """The editor puts ``sparql`` into the query with the prefixes it declares: Oxigraph and
    rdflib (the endpoint's engines) read it as the suggested IRI."""
    first = suggestions(client, "Nürn")[0]
    assert first["type"]["iri"] == "https://schema.org/City"
    assert first["href"] == "/doc/city/nuernberg"
    query = f"{prefix_declarations()}\nSELECT ?x {{ VALUES ?x {{ {first['sparql']} }} }}"
    assert [row["x"].value for row in ox.Store().query(query)] == [first["iri"]]
    assert [str(row[0]) for row in Graph().query(query)] == [first["iri"]]


def test_nothing_typed_is_no_suggestion_and_no_match_is_empty(client):
    assert suggestions(client, "  ") == []
    assert suggestions(client, "Atlantis") == []


@pytest.mark.parametrize("query, message", [({}, "give the beginning of a name"), ({"q": "x" * 201}, "longer than"),
                                            ({"q": "Köln", "limit": "0"}, "limit must be"),
                                            ({"q": "Köln", "limit": "many"}, "limit must be")])
def test_bad_parameters_are_a_clear_400(client, query, message):
    response = client.get("/suggest", query_string=query)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_search_page_lists_the_matches_without_javascript(client):
    page = client.get("/search", query_string={"q": "Nürn"}).get_data(as_text=True)
    assert 'href="/doc/city/nuernberg"' in page and "Nürnberg" in page


def test_search_page_shows_identifiers_readably_without_escapes(client):
    page = client.get("/search", query_string={"q": "Köln"}).get_data(as_text=True)
    assert f'<code class="iri">{KOELN}</code>' in page
    assert "\\/" not in page and "id:city" not in page


def test_a_shown_identifier_is_the_iri_decoded():
    assert readable("https://w3id.org/alliance-kg/id/city/k%C3%B6ln") == "https://w3id.org/alliance-kg/id/city/köln"
    assert readable("https://example.org/a%FFb") == "https://example.org/a%FFb"  # not UTF-8: kept


@pytest.mark.parametrize("typed, slug", [("Nürn", "city/nuernberg"), ("nuern", "city/nuernberg"),
                                         ("Cologne", "city/koeln"), ("台州", "city/taizhou"),
                                         ("Ma'an", "city/maanshan"), ("Ma’an", "city/maanshan"),
                                         ("maan", "city/maanshan"), ("宝安", "district/baoan"),
                                         ("Bao'an", "district/baoan")])
def test_shipped_graph_finds_members_in_every_script(shipped_memory_client, typed, slug):
    first = suggestions(shipped_memory_client, typed)[0]
    assert first["iri"].endswith("/id/" + slug), first


def test_shipped_suggestion_says_type_and_country(shipped_memory_client):
    first = suggestions(shipped_memory_client, "台州", **{"Accept-Language": "de"})[0]
    assert first["label"] == "Taizhou" and first["matched"] == "台州"
    assert first["type"]["label"] == "City" and first["country"]["label"] == "China"
    baoan = suggestions(shipped_memory_client, "Bao", **{"Accept-Language": "en"})[0]
    assert baoan["type"]["label"] == "District" and baoan["country"]["label"] == "China"


def test_a_suggestion_shows_the_asserted_type_not_an_inferred_one(shipped_memory_client):
    """The group is stated a foaf:Group; foaf:Agent is only inferred (akg:beneficiary's range)."""
    group = suggestions(shipped_memory_client, "KMU")[0]
    assert group["iri"].endswith("/id/group/mittelstaendische-unternehmen")
    assert group["type"]["iri"] == "http://xmlns.com/foaf/0.1/Group"
    page = shipped_memory_client.get("/search", query_string={"q": "KMU"}, headers={"Accept": "text/html"})
    assert "Group" in page.get_data(as_text=True) and "Agent" not in page.get_data(as_text=True)


def test_an_asserted_type_comes_before_an_inferred_one_whatever_the_order_of_rows():
    from alliance_kg.web.labels import LabelIndex

    label = ("urn:g", "http://www.w3.org/2000/01/rdf-schema#label", "KMU", "de")
    types = [("urn:g", "http://xmlns.com/foaf/0.1/Agent", "false"), ("urn:g", "http://xmlns.com/foaf/0.1/Group", "true")]
    for order in (types, types[::-1]):
        assert LabelIndex.from_results([label], order, []).entries["urn:g"].type == "http://xmlns.com/foaf/0.1/Group"


def test_members_come_before_their_memberships(shipped_memory_client):
    found = [s["iri"].split("/id/")[1] for s in suggestions(shipped_memory_client, "Nürnberg")]
    assert found[0] == "city/nuernberg" and "membership/nuernberg" in found[1:]


def test_index_is_rebuilt_for_a_new_generation(knowledge_graph):
    from alliance_kg.web.admin import reloader_of

    app = create_app({"STORE": InMemoryOxigraphStore(knowledge_graph.dataset, "v1"), "TESTING": True, "query_workers": 1})
    first = app.extensions["alliance_kg"]
    try:
        assert first.labels() is first.labels(), "built once per generation"
        reloader = reloader_of(app)
        reloader.build = lambda: InMemoryOxigraphStore(knowledge_graph.dataset, "v2")
        assert reloader.reload().ok
        second = app.extensions["alliance_kg"]
        assert second is not first and "labels" in second._cache, "the reload built the new generation's index"
        assert second.labels() is not first.labels()
    finally:
        for state in {id(first): first, id(app.extensions["alliance_kg"]): app.extensions["alliance_kg"]}.values():
            state.executor.close()


def test_folding_ignores_case_accents_and_punctuation():
    assert folded("Nürnberg") == "nurnberg" and folded("Ma’anshan") == folded("Ma'anshan") == "maanshan"
    assert folded("Nu\u0308rnberg") == "nurnberg"  # the accent as a combining mark of its own
    assert folded("台州") == "台州"


def test_ascii_folds_as_any_text_does():
    """ASCII takes a short way (``folded``); a non-ASCII letter after it takes the long one."""
    texts = [chr(c) for c in range(128)] + ["Ma`anshan", "O'Brien-Smith", "A_B c\td", "Koeln"]
    for text in texts:
        assert folded(text + "é") == folded(text) + "e", repr(text)


def test_no_combining_character_is_a_word_character():
    """Why ``folded`` needs no filter for accents: the punctuation rule removes them."""
    word = re.compile(r"\w")
    assert not [c for c in map(chr, range(sys.maxunicode + 1)) if unicodedata.combining(c) and word.match(c)]


LABELS = ["Nürnberg", "Köln", "Ko\u0308ln-Deutz", "Ma’anshan", "Zhuzhou (株洲市)", "台州市 Taizhou", "Dr. Jürgen Roters",
          "Membership of Cologne in the Chinese-German Industrial Cities Alliance", "„Wirtschaftsausschuss“ Köln",
          "Straße/Weg 12", "ÄÖÜ äöü ß", "  leading space", "--", "", "x" * 80 + " y", "a" + "!" * 70 + "bcdef",
          "Ǆemal Ǳ ﬁnance ½ Ⅻ", "İstanbul ΣΊΣΥΦΟΣ"]


@pytest.mark.parametrize("label", LABELS)
def test_a_key_is_the_folded_text_from_a_word_start_on(label):
    """Each word is folded once (``_keys``): the same keys as folding the rest of the label at
    every word start."""
    expected = set()
    for spelling in {label, label.translate(labels._GERMAN)}:
        for match in labels._WORD_START.finditer(spelling):
            if key := folded(spelling[match.start():])[:labels.KEY_LENGTH]:
                expected.add((key, match.start() == 0))
    assert set(labels._keys(label)) == expected
    assert label.strip("-! ") == "" or expected


def test_an_empty_index_suggests_nothing():
    assert LabelIndex({}).suggest("Köln") == []


def _app(store, **settings):
    return create_app({"STORE": store, "TESTING": True, "query_workers": 1, **settings})


def test_the_index_queries_have_a_deadline_of_their_own(in_memory_oxigraph_store):
    """The index of a large graph takes longer than a client's query may (70 s at 10M)."""
    app = _app(in_memory_oxigraph_store, query_timeout=0.0001, label_index_timeout=60)
    client = app.test_client()
    try:
        assert client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"}).status_code == 503
        assert suggestions(client, "Köln")[0]["iri"] == KOELN
    finally:
        app.extensions["alliance_kg"].executor.close()


def test_a_suggestion_does_not_wait_for_the_index_being_built(in_memory_oxigraph_store):
    import threading

    app = _app(in_memory_oxigraph_store)
    client = app.test_client()
    try:
        building = app.extensions["alliance_kg"]._cache.setdefault("labels-lock", threading.Lock())
        with building:  # as the background build holds it
            response = client.get("/suggest", query_string={"q": "Köln"})
            assert response.status_code == 503 and response.headers["Retry-After"] == "10"
            assert "being built" in response.get_data(as_text=True)
        assert suggestions(client, "Köln")[0]["iri"] == KOELN
    finally:
        app.extensions["alliance_kg"].executor.close()


def test_an_index_that_could_not_be_built_is_not_tried_again_for_each_suggestion(in_memory_oxigraph_store):
    app = _app(in_memory_oxigraph_store, label_index_timeout=0.0001)
    client = app.test_client()
    current = app.extensions["alliance_kg"]
    try:
        first = client.get("/suggest", query_string={"q": "Köln"})
        assert first.status_code == 503 and "could not be built" in first.get_data(as_text=True)
        asked = []
        current.csv_rows = lambda *args, **kwargs: asked.append(args) or iter([])
        again = client.get("/suggest", query_string={"q": "Köln"})
        assert again.status_code == 503 and again.get_data() == first.get_data() and not asked
    finally:
        current.executor.close()


def test_the_index_sorts_in_runs_exactly_as_one_sort_would(monkeypatch):
    """Runs merged (so that building a large graph's index never holds the interpreter lock for
    seconds) give sorted()'s order, and the runs are emptied as the merge goes."""
    import random

    from alliance_kg.web import labels

    monkeypatch.setattr(labels, "RUN", 7)
    rows = {(random.choice("abc"), random.random()) for _ in range(200)}
    runs = labels._sorted_runs(rows)
    assert len(runs) == 29 and all(run == sorted(run) for run in runs)
    merged = labels._merged(runs)
    assert [next(merged) for _ in range(100)] == sorted(rows)[:100]
    assert 100 - len(runs) <= sum(map(len, runs)) <= 100  # taken items are gone (the merge holds a head per run)
    assert [*merged] == sorted(rows)[100:] and not any(runs)


def test_the_best_label_of_each_language_is_shown_whatever_the_order_of_rows():
    """skos:prefLabel over rdfs:label over schema:name; skos:altLabel only matches."""
    import itertools

    from alliance_kg.web.labels import LabelIndex

    pref, label, name, alt = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
                              "https://schema.org/name", "http://www.w3.org/2004/02/skos/core#altLabel")
    rows = [("urn:x", label, "Koeln", "de"), ("urn:x", pref, "Köln", "de"), ("urn:x", name, "Cologne", "en"),
            ("urn:x", alt, "Colonia", "de"), ("urn:x", name, "Colonia Agrippina", "de")]
    for order in itertools.permutations(rows):
        index = LabelIndex.from_results(order, [], [])
        entry = index.entries["urn:x"]
        assert entry.labels == {"de": "Köln", "en": "Cologne"}
        assert sorted(entry.names) == sorted(row[2] for row in rows)
        assert [match.matched for match in index.suggest("coloni")] == ["Colonia"]


def test_a_reload_whose_index_cannot_be_built_still_serves_the_new_graph(tmp_path, monkeypatch):
    import shutil

    import server as live_server
    from alliance_kg.settings import Settings

    data = tmp_path / "data"
    shutil.copytree(live_server.ENDPOINT_DATA, data)
    monkeypatch.setenv("ALLIANCE_KG_ROOT", str(live_server.test_root(tmp_path / "root")))
    app = create_app({"SETTINGS": Settings.load({"data": str(data), "query_workers": 1, "label_index_timeout": 0.0001,
                                                 "reload_token": "t"})})
    client = app.test_client()
    try:
        before = app.extensions["alliance_kg"].store.version
        (data / "extra.ttl").write_text(
            '<https://w3id.org/alliance-kg/id/topic/extra> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n')
        reloaded = client.post("/admin/reload", headers={"Authorization": "Bearer t"})
        assert reloaded.status_code == 200 and reloaded.get_json()["version"] != before, reloaded.get_data()
        assert client.get("/suggest", query_string={"q": "Köln"}).status_code == 503
    finally:
        app.extensions["alliance_kg"].executor.close()


def test_a_label_index_cut_short_by_a_stop_is_no_fault(caplog):
    """A stop while the index is built (minutes at 10M) closes the store under it: logged as the
    stop it is, while the same failure without a stop stays a warning."""
    class ClosedUnderIt:
        def labels(self):
            raise OSError(9, "Bad file descriptor")

    stopping = threading.Event()
    with caplog.at_level(logging.INFO, logger="alliance_kg.web.server"):
        _build_labels(ClosedUnderIt(), stopping)
        stopping.set()
        _build_labels(ClosedUnderIt(), stopping)
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "alliance_kg.web.server"]
    assert logged[0][0] == "WARNING" and "Bad file descriptor" in logged[0][1]
    assert logged[1] == ("INFO", "stopped before the label index was built")
    assert len(logged) == 2
