"""Serving processes (``web.serving``), over real HTTP: each answers and evaluates its own queries;
one whose query runs past its deadline answers 503 and is replaced; the server keeps them at
their number, and what they share (reloads, status, fair use, counters) is the server's."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
import requests

import server as live

from alliance_kg.web.serving.process import closing_when

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ASK = "ASK { ?s ?p ?o }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def serving_pids(srv: live.Server) -> list[int]:
    return requests.get(srv.url + "/status", timeout=10).json()["serving_processes"]


def wait_for(condition, timeout: float = 15.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not met in time")


def ask(srv: live.Server, text: str = ASK, **headers) -> requests.Response:
    # a connection of its own: a retired process closes its idle keep-alive connections
    return requests.post(srv.sparql, data={"query": text}, timeout=60,
                         headers={"Connection": "close", **FORM, **headers})


def metric(srv: live.Server, name: str) -> float:
    for line in requests.get(srv.url + "/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


@pytest.fixture(scope="module")
def serving(tmp_path_factory) -> live.Server:
    srv = live.start(tmp_path_factory.mktemp("serving"), "--query-timeout", "1.5", "--processes", "2")
    yield srv
    srv.stop()


def test_the_server_forks_its_serving_processes_and_they_answer(serving):
    pids = serving_pids(serving)
    server = psutil.Process(serving.process.pid)
    assert len(pids) == 2 and set(pids) <= {child.pid for child in server.children()}
    for pid in pids:  # the kernel takes a serving process before the server
        assert int(Path(f"/proc/{pid}/oom_score_adj").read_text()) == 1000
    answered = {ask(serving).status_code for _ in range(20)}
    assert answered == {200}


def test_a_posted_query_is_answered_whole_and_logged_by_its_serving_process(serving):
    """Over real HTTP, a POSTed query's answer goes out in one piece with its length, and its
    access line is written with the bytes sent (``web.accesslog``: a list is logged at once)."""
    response = ask(serving, Accept="application/sparql-results+json")
    assert response.status_code == 200 and response.json()["boolean"] is True
    assert response.headers["Content-Length"] == str(len(response.content))
    assert "chunked" not in response.headers.get("Transfer-Encoding", "")
    line = f'"POST /sparql HTTP/1.1" 200 {len(response.content)} '
    wait_for(lambda: line in serving.output())


def test_connections_opened_at_once_are_spread_over_the_serving_processes(serving):
    """On one shared listening socket the process that woke first took every connection waiting,
    so a client opening its keep-alive pool at once could be served by one process (one core)
    for as long as the pool lived. Each process now accepts on a socket of its own, among which
    the kernel spreads connections by a hash of the client's port: of 64 connections waiting
    when one process wakes first, each process gets at least 16 (a binomial tail of 1 in 20,000
    under an even spread)."""
    pids = serving_pids(serving)
    port = int(serving.url.rsplit(":", 1)[1])
    pool = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(64)]
    try:
        # all 64 waiting to be accepted when one process wakes before the other (the kernel
        # completes the handshakes while the processes are held)
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            for connection in pool:
                connection.connect()
            os.kill(pids[0], signal.SIGCONT)
            time.sleep(0.2)
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
        for connection in pool:  # answered over keep-alive: accepted, and still held open
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            assert response.status == 200 and not response.will_close
        ours = {connection.sock.getsockname()[1] for connection in pool}
        held = {pid: sum(1 for c in psutil.Process(pid).net_connections(kind="tcp")
                         if c.raddr and c.raddr.port in ours and c.status == psutil.CONN_ESTABLISHED)
                for pid in pids}
    finally:
        for connection in pool:
            connection.close()
    assert sum(held.values()) == 64, held
    assert min(held.values()) >= 16, held


def test_a_query_past_its_deadline_is_503_and_its_process_is_replaced(serving):
    before = set(serving_pids(serving))
    replaced = metric(serving, 'alliance_kg_serving_processes_replaced_total{reason="timeout"}')
    started = time.monotonic()
    response = ask(serving, CARTESIAN)
    took = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert "ran longer than 1.5 s" in response.text and response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["X-Request-Id"]
    assert 1.5 <= took < 4
    # the process that ran it is gone (its CPU with it) and a successor serves in its place
    after = wait_for(lambda: (now := set(serving_pids(serving))) != before and len(now) == 2 and now)
    [gone] = before - after
    wait_for(lambda: not psutil.pid_exists(gone) or psutil.Process(gone).status() == psutil.STATUS_ZOMBIE)
    assert ask(serving).status_code == 200
    assert metric(serving, 'alliance_kg_serving_processes_replaced_total{reason="timeout"}') == replaced + 1
    assert metric(serving, "alliance_kg_query_timeouts_total") >= 1


def test_other_requests_are_answered_while_a_query_overruns(serving):
    slow = {}
    thread = threading.Thread(target=lambda: slow.setdefault("response", ask(serving, CARTESIAN)))
    thread.start()
    time.sleep(0.3)
    for _ in range(10):
        started = time.monotonic()
        assert ask(serving).status_code == 200
        assert time.monotonic() - started < 1.0
    thread.join()
    assert slow["response"].status_code == 503


def test_a_serving_process_that_dies_is_replaced(serving):
    before = serving_pids(serving)
    os.kill(before[0], signal.SIGKILL)
    after = wait_for(lambda: (now := serving_pids(serving)) and before[0] not in now and len(now) == 2 and now)
    assert before[1] in after
    assert ask(serving).status_code == 200
    assert metric(serving, 'alliance_kg_serving_processes_replaced_total{reason="died"}') >= 1


def test_counters_are_summed_over_every_serving_process(serving):
    before = metric(serving, 'alliance_kg_http_requests_total{route="/readyz",status="200"}')
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: requests.get(serving.url + "/readyz", timeout=10,
                                                        headers={"Connection": "close"}).status_code, range(40)))
    assert statuses == [200] * 40
    assert metric(serving, 'alliance_kg_http_requests_total{route="/readyz",status="200"}') == before + 40


def test_the_search_index_is_shared_by_the_serving_processes(serving):
    for _ in range(6):
        response = requests.get(serving.url + "/suggest", params={"q": "Köln"}, timeout=10,
                                headers={"Connection": "close"})
        assert response.status_code == 200, response.text


def test_reload_forks_fresh_processes_that_serve_the_new_data(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for source in live.ENDPOINT_DATA.iterdir():
        (data / source.name).write_bytes(source.read_bytes())
    srv = live.start(tmp_path, "--processes", "2", "--reload-token", "s3cret", data=data)
    try:
        before, version = set(serving_pids(srv)), requests.get(srv.url + "/status", timeout=10).json()["version"]
        (data / "extra.ttl").write_text('<https://example.org/x> <https://example.org/p> "new" .\n')
        response = requests.post(srv.url + "/admin/reload", headers={"Authorization": "Bearer s3cret"}, timeout=120)
        assert response.status_code == 200 and response.json()["message"] == "reloaded", response.text
        after = wait_for(lambda: (now := set(serving_pids(srv))).isdisjoint(before) and len(now) == 2 and now)
        for _ in range(6):  # whichever process answers: the new data, the new version
            assert ask(srv, 'ASK { ?s ?p "new" }').json()["boolean"] is True
            assert requests.get(srv.url + "/status", timeout=10).json()["version"] != version
        wait_for(lambda: not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
                                 for pid in before), timeout=30)
        assert after
    finally:
        srv.stop()


def test_a_reload_in_flight_when_its_process_is_hurried_out_is_answered_503_not_dropped(tmp_path):
    """A process whose query ran past its deadline exits after ``OVERRUN_GRACE`` (and one more
    for requests that are not queries); a request still running then (a reload waiting for the
    server) is answered 503, to be retried, where it was dropped unanswered (the soak's reloader
    saw it), and the reload itself, which is the server's, goes on."""
    data = tmp_path / "data"
    data.mkdir()
    for source in live.ENDPOINT_DATA.iterdir():
        (data / source.name).write_bytes(source.read_bytes())
    srv = live.start(tmp_path, "--processes", "1", "--query-timeout", "1", "--reload-token", "s3cret", data=data)
    try:
        version = requests.get(srv.url + "/status", timeout=10).json()["version"]
        # enough to keep a reload busy for seconds (about 7 s for 400,000 lines on an idle machine; the process exits some 5.5 s after the query began)
        (data / "extra.ttl").write_text("".join(f'<https://example.org/s{i}> <https://example.org/p> "v{i}" .\n'
                                                for i in range(700_000)))
        with ThreadPoolExecutor(1) as pool:
            reload = pool.submit(requests.post, srv.url + "/admin/reload", timeout=120,
                                 headers={"Authorization": "Bearer s3cret", "Connection": "close"})
            time.sleep(0.5)  # taken by the one serving process, which then runs the query below
            assert ask(srv, CARTESIAN).status_code == 503
            answered = reload.result()
        assert answered.status_code == 503, answered.text
        assert answered.headers["Retry-After"] == "1" and "replaced" in answered.text
        assert "the reload goes on in the server" in answered.text and "GET /status" in answered.text
        wait_for(lambda: requests.get(srv.url + "/status", timeout=10).json()["version"] != version, timeout=60)
    finally:
        srv.stop()


def test_a_clients_budget_is_kept_by_the_server_for_every_process(tmp_path):
    srv = live.start(tmp_path, "--processes", "2", "--query-timeout", "1", "--budget-seconds", "0.5",
                     "--budget-window", "60")
    try:
        assert ask(srv, CARTESIAN).status_code == 503  # charged its second
        refused = [ask(srv) for _ in range(8)]  # new connections: both processes answer
        assert {r.status_code for r in refused} == {429}
        assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)
    finally:
        srv.stop()


def test_sigterm_stops_the_server_and_every_serving_process(tmp_path):
    srv = live.start(tmp_path, "--processes", "2")
    pids = serving_pids(srv)
    assert srv.stop(timeout=30) == 0
    for pid in pids:
        assert not psutil.pid_exists(pid)
    assert "stopped" in srv.output()


def test_connections_made_while_processes_are_replaced_are_all_answered(tmp_path):
    """A process that stops closes the connections it has accepted and not yet read from; one it
    accepted a moment before stopping would be closed unanswered (10 in 15 replacements, before
    it unplugged itself from the listening socket first)."""
    srv = live.start(tmp_path, "--processes", "2", "--query-timeout", "0.5")
    failures, answered, stop = [], [], threading.Event()

    def traffic():
        while not stop.is_set():
            try:
                answered.append(ask(srv).status_code)
            except requests.ConnectionError as exc:
                failures.append(repr(exc))

    threads = [threading.Thread(target=traffic) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for _ in range(8):  # each one replaces a process
            assert ask(srv, CARTESIAN).status_code == 503
            requests.get(srv.url + "/status", headers={"Connection": "close"}, timeout=10).raise_for_status()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        srv.stop()
    assert failures == [] and set(answered) == {200} and len(answered) > 100


def test_a_port_another_server_shares_out_is_refused_too(tmp_path):
    """The serving processes' sockets share their port (``SO_REUSEPORT``), and so could any other
    program's of the same user that allows it: the port is first taken without, so that a
    second server (this one twice, say) is an error rather than half of the traffic."""
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = live.run_to_exit(tmp_path, "--data", str(live.ENDPOINT_DATA), "--processes", "2",
                                  "--port", str(port))
    assert result.returncode == 2, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr


def test_serving_processes_stop_when_their_server_is_killed(tmp_path):
    """SIGKILL runs nothing in the server: its serving processes see it gone and stop, the port
    with them."""
    srv = live.start(tmp_path, "--processes", "2")
    pids = serving_pids(srv)
    srv.process.kill()
    srv.process.wait(10)
    wait_for(lambda: not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
                             for pid in pids), timeout=15)
    with pytest.raises(requests.ConnectionError):
        requests.get(srv.url + "/healthz", timeout=5)


class _Ledger:
    """The server's side of ``RemoteBudgets``, counting the round trips."""

    def __init__(self):
        from alliance_kg.web.fairuse import Budgets

        self.budgets, self.asked, self.batches = Budgets(1.0, 60.0), 0, 0

    def budget_standing(self, key, budget, charges):
        from alliance_kg.web.fairuse import Client

        self.asked += 1
        self.budget_charges(charges)
        return self.budgets.standing(Client(key, budget))

    def budget_charges(self, charges):
        from alliance_kg.web.fairuse import Client

        self.batches += bool(charges)
        for key, budget, seconds, at in charges:
            self.budgets.charge(Client(key, budget), seconds, now=at)


def test_budgets_go_to_the_server_in_batches_and_a_standing_is_asked_again_when_stale():
    from alliance_kg.web.fairuse import Client, OverBudget
    from alliance_kg.web.serving.control import BUDGET_STALE, RemoteBudgets

    ledger = _Ledger()
    remote = RemoteBudgets(1.0, 60.0, control=ledger)
    client = Client("addr:192.0.2.1", 1.0)
    for _ in range(20):
        remote.check(client)
        remote.charge(client, 0.01)
    assert ledger.asked == 1  # one standing, this process's own charges added to it
    remote.flush()
    assert ledger.batches == 1 and ledger.budgets.standing(client)[0] == pytest.approx(0.2)
    remote.charge(client, 0.9)  # past the budget with its own charges: asked again at once
    with pytest.raises(OverBudget):
        remote.check(client)
    assert ledger.asked == 2
    other = RemoteBudgets(1.0, 60.0, control=ledger)  # another process: the server's figures
    time.sleep(BUDGET_STALE)
    with pytest.raises(OverBudget) as refused:
        other.check(client)
    assert refused.value.retry_after >= 1


class _SlowLedger(_Ledger):
    """A ledger whose answers wait for ``answer`` to be set, counting the asks in flight."""

    def __init__(self):
        super().__init__()
        self.answer, self.in_flight, self.most_in_flight = threading.Event(), 0, 0
        self._count = threading.Lock()

    def budget_standing(self, key, budget, charges):
        with self._count:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            assert self.answer.wait(10)
            return super().budget_standing(key, budget, charges)
        finally:
            with self._count:
                self.in_flight -= 1


def test_a_stale_standing_is_asked_by_one_thread_while_the_others_go_on():
    """A portal's token has requests in most threads at once; when its standing went stale, all
    of them asked the server together (the soak saw dozens of asks queued on the ledger, and
    normal queries held for seconds while a reload kept the server busy). One asks; the others
    are served on the standing known meanwhile. A client never asked about waits."""
    from alliance_kg.web.fairuse import Client
    from alliance_kg.web.serving.control import BUDGET_STALE, RemoteBudgets

    ledger = _SlowLedger()
    remote = RemoteBudgets(1.0, 60.0, control=ledger)
    portal = Client("token:portal", 100.0)
    ledger.answer.set()
    remote.check(portal, now=1000.0)
    assert ledger.asked == 1
    ledger.answer.clear()
    stale = 1000.0 + BUDGET_STALE + 0.1
    asking = [threading.Thread(target=remote.check, args=(portal, stale)) for _ in range(8)]
    for thread in asking:
        thread.start()
    deadline = time.monotonic() + 5
    while ledger.in_flight == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    for thread in asking:
        thread.join(2)
    assert ledger.most_in_flight == 1 and sum(t.is_alive() for t in asking) == 1  # the one asking waits
    remote.check(portal, now=stale)  # not held either
    newcomer = threading.Thread(target=remote.check, args=(Client("addr:192.0.2.9", 1.0), stale))
    newcomer.start()
    newcomer.join(0.3)
    assert newcomer.is_alive()  # nothing known of it: it waits for the server's answer
    ledger.answer.set()
    for thread in [*asking, newcomer]:
        thread.join(5)
    assert ledger.asked == 3 and not any(t.is_alive() for t in [*asking, newcomer])


def test_a_process_forked_during_a_reloads_validation_does_not_hold_its_input_open():
    """The shapes read the data from a named pipe that a thread fills; a serving process or query
    worker forked meanwhile (a replacement) inherits the pipe's writing end, and the reader saw
    no end of input until that process exited (the soak's reloads waited 30 s and more). Forked
    processes close what they inherit (``close_inherited``) first."""
    from alliance_kg.build.loading import load_store
    from alliance_kg.build.store_validation import shapes_input
    from alliance_kg.query.executor import close_inherited

    loaded = load_store([live.ENDPOINT_DATA])
    with shapes_input(loaded) as data, open(data, "rb") as reader:
        reader.read(100)
        child = os.fork()
        if child == 0:  # as a serving process or query worker starts
            close_inherited(keep=set())
            time.sleep(5)
            os._exit(0)
        started = time.monotonic()
        reader.read()
        waited = time.monotonic() - started
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    assert waited < 2, f"the input ended only {waited:.1f} s later, when the forked process exited"


def test_a_retiring_process_closes_each_connection_after_its_answer():
    """Once a serving process retires, its answers say ``Connection: close`` (a client's next
    request then goes to a live process), replacing any Connection header the app gave; before,
    they pass as the app made them."""
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Connection", "keep-alive")])
        return [b"ok"]

    retiring = False
    served = closing_when(app, lambda: retiring)
    seen = []

    def start_response(status, headers, exc_info=None):
        seen.append(headers)

    assert served({}, start_response) == [b"ok"]
    retiring = True
    assert served({}, start_response) == [b"ok"]
    assert seen[0] == [("Content-Type", "text/plain"), ("Connection", "keep-alive")]
    assert seen[1] == [("Content-Type", "text/plain"), ("Connection", "close")]
