"""The result cache: LRU by entries and bytes, keyed by data version."""

from __future__ import annotations

from alliance_kg.query.cache import LRUCache, result_key


def test_hit_after_put_and_miss_for_other_version():
    cache: LRUCache[bytes] = LRUCache(4)
    key = result_key("v1", "ASK {}", (), (), "application/json", None)
    assert cache.get(key) is None
    cache.put(key, b"true", 4)
    assert cache.get(key) == b"true"
    assert cache.get(result_key("v2", "ASK {}", (), (), "application/json", None)) is None
    assert cache.stats().hits == 1 and cache.stats().misses == 2


def test_least_recently_used_entry_goes_first():
    cache: LRUCache[str] = LRUCache(2)
    cache.put("a", "A", 1)
    cache.put("b", "B", 1)
    cache.get("a")
    cache.put("c", "C", 1)
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"


def test_byte_budget_evicts_and_refuses_huge_results():
    cache: LRUCache[str] = LRUCache(100, max_bytes=800)
    for name in "abcdefgh":
        cache.put(name, name, 100)
    cache.put("i", "i", 100)
    assert cache.stats().bytes <= 800 and cache.get("a") is None
    assert cache.put("huge", "x", 101) is False
    assert cache.get("huge") is None


def test_zero_entries_disables_the_cache():
    cache: LRUCache[str] = LRUCache(0)
    assert cache.put("a", "A", 1) is False
    assert cache.get("a") is None
    assert not cache.enabled


# -- in the endpoint -------------------------------------------------------------------------


ASK = "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"


def test_repeated_query_is_a_cache_hit_and_revalidates_with_etag(make_app):
    client = make_app(cache_entries=8).test_client()
    first = client.get(ASK, headers={"Accept": "application/sparql-results+json"})
    second = client.get(ASK, headers={"Accept": "application/sparql-results+json"})
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.get_data() == second.get_data()
    other = client.get(ASK, headers={"Accept": "text/csv"})
    assert other.headers["X-Cache"] == "miss"  # the format is part of the key
    etag = second.headers["ETag"]
    assert client.get(ASK, headers={"Accept": "application/sparql-results+json",
                                    "If-None-Match": etag}).status_code == 304


def test_cache_off_has_no_cache_header(make_app):
    client = make_app(cache_entries=0).test_client()
    assert "X-Cache" not in client.get(ASK).headers


def test_a_cached_large_answer_keeps_its_compressed_bytes(make_app, monkeypatch):
    import gzip as gzip_module

    from alliance_kg.query import compression

    client = make_app(cache_entries=8).test_client()
    url = "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
    headers = {"Accept": "application/sparql-results+json", "Accept-Encoding": "gzip"}
    first = client.get(url, headers=headers)
    assert first.headers["Content-Encoding"] == "gzip" and first.headers["X-Cache"] == "miss"
    calls = []
    real = compression.gzipped_answer
    monkeypatch.setattr(compression, "gzipped_answer", lambda body: calls.append(1) or real(body))
    second = client.get(url, headers=headers)
    assert second.headers["X-Cache"] == "hit" and second.headers["Content-Encoding"] == "gzip"
    assert second.get_data() == first.get_data() and calls == []  # not compressed again
    assert gzip_module.decompress(second.get_data()).startswith(b'{"head"')


# -- volatile queries: NOW(), RAND(), UUID(), STRUUID() -----------------------------------------

VOLATILE = "SELECT (NOW() AS ?t) (RAND() AS ?r) (STRUUID() AS ?u) WHERE {}"


def test_volatile_texts_are_told_apart():
    from alliance_kg.query.cache import volatile

    for text in (VOLATILE, "SELECT * { BIND(now () AS ?t) }", "ASK { FILTER(RAND() < 2) }",
                 "SELECT (UUID() AS ?u) {}", "SELECT (STRUUID # a comment\n\t() AS ?u) {}"):
        assert volatile(text), text
    for text in ("SELECT ?now WHERE { ?s <http://ex.org/knowNow> ?now }", "ASK { ?s ?p ?o }",
                 "SELECT (STR(?x) AS ?s) { ?x ?p ?o }", "SELECT ?s { ?s akg:knownToHoldAsOf ?d }"):
        assert not volatile(text), text


def test_a_volatile_query_is_evaluated_every_time_and_kept_by_no_cache(make_app):
    """SPARQL 1.1, 17.4.5: NOW is the time of this query's execution. Neither the result cache
    nor an HTTP cache may hand back an earlier answer: each request is a miss with new values,
    the GET says no-store and carries no ETag, and a revalidation is answered in full."""
    from urllib.parse import quote

    client = make_app(cache_entries=8).test_client()
    accept = {"Accept": "text/csv"}
    posted = [client.post("/sparql", data={"query": VOLATILE}, headers=accept) for _ in range(2)]
    got = [client.get("/sparql?query=" + quote(VOLATILE), headers={**accept, **extra})
           for extra in ({}, {"If-None-Match": "*"}, {"If-Modified-Since": "Mon, 07 Dec 2026 00:00:00 GMT"})]
    head = client.head("/sparql?query=" + quote(VOLATILE), headers=accept)
    for response in [*posted, *got]:
        assert response.status_code == 200 and response.headers["X-Cache"] == "miss"
    assert len({r.get_data() for r in [*posted, *got]}) == len(posted) + len(got)  # new values each time
    for response in [*got, head]:  # GETs straight (web.direct) and through Flask's view (conditional, HEAD)
        assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    steady = [client.get(ASK, headers=accept).headers["X-Cache"] for _ in range(2)]
    assert steady == ["miss", "hit"]  # the others are kept as before
