"""Fair use: a query-time budget per client (address, address behind a trusted proxy, or API
token); over it, 429 with Retry-After, while other clients go on being served."""

from __future__ import annotations

import random
import threading
import time

import pytest

from alliance_kg.web.fairuse import Budgets, Client, OverBudget, parse_tokens
from alliance_kg.web.proxy import client_address

#: A query that keeps Oxigraph busy for a while on the fixture data (a three-way product).
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s ?p ?o }"


def test_forwarded_for_is_believed_only_from_trusted_proxies():
    trusted = frozenset({"127.0.0.1", "10.0.0.2"})
    assert client_address("127.0.0.1", "198.51.100.7, 10.0.0.2", trusted) == "198.51.100.7"
    assert client_address("203.0.113.9", "198.51.100.7", trusted) == "203.0.113.9"  # not a proxy of ours
    assert client_address("127.0.0.1", None, trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", "10.0.0.2", trusted) == "127.0.0.1"


def test_tokens_parse_and_malformed_ones_are_named():
    assert parse_tokens("alpha=120, beta=5.5") == {"alpha": 120.0, "beta": 5.5}
    with pytest.raises(ValueError, match="'beta'"):
        parse_tokens("alpha=1,beta")


def test_budget_refuses_until_the_spending_leaves_the_window():
    budgets = Budgets(budget=2.0, window=60.0)
    client = Client("addr:a", 2.0)
    budgets.charge(client, 1.5, now=100.0)
    budgets.check(client, now=101.0)
    budgets.charge(client, 1.0, now=110.0)
    with pytest.raises(OverBudget) as refused:
        budgets.check(client, now=111.0)
    assert refused.value.status == 429 and refused.value.retry_after == 49  # the 1.5 s leaves at 160
    budgets.check(client, now=161.0)
    budgets.check(Client("addr:b", 2.0), now=111.0)  # someone else


def _standing(charges: list[tuple[float, float]], budget: float, window: float, now: float):
    """What a standing must be, worked out the long way."""
    kept = [(at, s) for at, s in charges if at > now - window]
    total = sum(s for _, s in kept)
    if total < budget:
        return total, None
    freed = total
    for at, seconds in kept:
        freed -= seconds
        if freed < budget:
            return total, at + window - now


@pytest.mark.parametrize("budget", [1e9, 1.0])  # never reached; reached and left again
def test_a_standing_is_the_charges_still_in_the_window(budget):
    budgets = Budgets(budget=budget, window=10.0)
    client = Client("token:portal", budget)
    rng = random.Random(7)
    charges, now, over = [], 0.0, 0
    for _ in range(3000):  # time goes on: now and then a lull, in which charges leave the window
        now += rng.expovariate(50.0) + (rng.uniform(0.0, 3.0) if rng.random() < 0.02 else 0.0)
        seconds = rng.uniform(0.0, 0.05)
        budgets.charge(client, seconds, now=now)
        charges.append((now, seconds))
        for _ in range(rng.choice([0, 0, 0, 1, 3])):  # asked again and again, time going on
            now += rng.uniform(0.0, 0.5)
            charges = [(at, s) for at, s in charges if at > now - 10.0]
            total, retry = budgets.standing(client, now=now)
            expected_total, expected_retry = _standing(charges, budget, 10.0, now)
            assert total == pytest.approx(expected_total, abs=1e-9)
            assert (retry is None) == (expected_retry is None)
            if retry is not None:
                over += 1
                assert retry == pytest.approx(expected_retry, abs=1e-9)
    assert (over > 100) == (budget == 1.0)
    assert budgets.standing(client, now=now + 10.0) == (0.0, None)  # all of it left the window


def test_checking_a_busy_client_does_not_go_through_its_charges():
    """One token for a whole portal has tens of thousands of charges in a window; a check adds
    them up no more (it held the ledger's lock a millisecond a request: the soak's normal
    queries queued behind it for seconds), nor does a refusal walk them each time. 2,000 checks
    beside 100,000 charges take about as long as 2,000 beside a few; summing the charges each
    time took seconds."""
    budgets = Budgets(budget=1e9, window=1e6)
    client = Client("token:portal", 1e9)
    for i in range(100_000):
        budgets.charge(client, 0.001, now=float(i))
    started = time.perf_counter()
    for _ in range(2000):
        budgets.check(client, now=100_000.0)
    assert time.perf_counter() - started < 1.0
    assert budgets.standing(client, now=100_000.0)[0] == pytest.approx(100.0)
    over = Client("token:portal", 50.0)  # the same spending, over a smaller budget: refused
    started = time.perf_counter()
    for _ in range(2000):
        with pytest.raises(OverBudget):
            budgets.check(over, now=100_000.0)
    assert time.perf_counter() - started < 1.0
    # under again when the 50,000th charge leaves the window
    assert budgets.standing(over, now=100_000.0)[1] == pytest.approx(1e6 + 50_000 - 100_000, abs=2)


@pytest.fixture
def oxigraph_app(in_memory_fixture_store):
    """Apps on the embedded default only: the budget is the web layer's, the same on every backend."""
    from alliance_kg.app import create_app

    apps = []

    def make(**settings):
        apps.append(create_app({"STORE": in_memory_fixture_store, "query_workers": 2, "query_timeout": 20.0,
                                "cache_entries": 0, **settings}))
        return apps[-1]

    yield make
    for app in apps:
        app.extensions["alliance_kg"].executor.close()


@pytest.fixture(scope="module")
def in_memory_fixture_store():
    from alliance_kg.build.sources import load_dataset
    from alliance_kg.stores import InMemoryOxigraphStore
    from server import ENDPOINT_DATA

    return InMemoryOxigraphStore(load_dataset([ENDPOINT_DATA]).dataset, "fixture-v1")


def _ask(client, query: str, address: str, **headers):
    return client.post("/sparql", data={"query": query}, headers=headers,
                       environ_overrides={"REMOTE_ADDR": address})


def test_a_heavy_client_is_throttled_while_another_is_served(oxigraph_app):
    app = oxigraph_app(budget_seconds=0.2, budget_window=60.0)
    heavy, light = [], []

    def hammer():
        client = app.test_client()
        for _ in range(4):
            heavy.append(_ask(client, SLOW, "192.0.2.1"))

    def browse():
        client = app.test_client()
        for _ in range(8):
            light.append(_ask(client, CHEAP, "192.0.2.2"))

    threads = [threading.Thread(target=hammer) for _ in range(3)] + [threading.Thread(target=browse)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    refused = [r for r in heavy if r.status_code == 429]
    assert refused, [r.status_code for r in heavy]
    assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)
    assert "query time" in refused[0].get_data(as_text=True)
    assert [r.status_code for r in light] == [200] * 8


def test_token_and_trusted_proxy_identify_clients(oxigraph_app):
    app = oxigraph_app(budget_seconds=0.05, budget_tokens="researcher=600", trusted_proxies="127.0.0.1")
    client = app.test_client()
    for _ in range(3):  # behind the proxy, one client spends its budget ...
        last = client.post("/sparql", data={"query": SLOW}, headers={"X-Forwarded-For": "198.51.100.1"})
    assert last.status_code == 429
    other = client.post("/sparql", data={"query": CHEAP}, headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 200  # ... and the proxy's other clients are not charged for it
    for _ in range(3):
        with_token = client.post("/sparql", data={"query": SLOW},
                                 headers={"X-Forwarded-For": "198.51.100.1", "X-API-Key": "researcher"})
    assert with_token.status_code == 200  # the token's own, larger budget


def test_no_budget_by_default(oxigraph_app):
    client = oxigraph_app().test_client()
    for _ in range(3):
        assert _ask(client, CHEAP, "192.0.2.9").status_code == 200


def test_a_page_on_another_origin_may_send_its_token_and_read_when_to_come_back(oxigraph_app):
    """A portal in a browser: its preflight allows X-API-Key, and the 429 lets it read Retry-After."""
    client = oxigraph_app(budget_seconds=0.05, budget_tokens="portal=0.05").test_client()
    origin = {"Origin": "https://portal.example"}
    preflight = client.options("/sparql", headers={**origin, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "x-api-key"})
    assert "X-API-Key" in preflight.headers["Access-Control-Allow-Headers"]
    for _ in range(3):
        last = client.post("/sparql", data={"query": SLOW}, headers={**origin, "X-API-Key": "portal"})
    assert last.status_code == 429 and int(last.headers["Retry-After"]) >= 1
    assert last.headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in last.headers["Access-Control-Expose-Headers"].split(", ")
