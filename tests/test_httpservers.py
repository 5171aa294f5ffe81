"""granian as serve runs it (web/httpservers.py), in-process with a recording WSGI app: what the
app is handed, and a stop that answers the request in flight. Through a real ``alliance-kg
serve`` the same paths are covered by the endpoint, reload and reverse-proxy tests."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from alliance_kg.errors import InputError
from alliance_kg.web.httpservers import WHOLE_UP_TO, GranianServer, _wsgi_callback, bind


class Recorder:
    def __init__(self):
        self.environs: list[dict] = []

    def __call__(self, environ, start_response):
        self.environs.append(dict(environ))
        if environ["PATH_INFO"] == "/slow":
            time.sleep(1.0)
        body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body) + 2))])
        return iter([b"ok", body])


@pytest.fixture
def granian(monkeypatch):
    monkeypatch.setenv("ALLIANCE_KG_RELOAD_TOKEN", "s3cret")
    monkeypatch.setenv("HTTP_X_FORWARDED_HOST", "evil.example")
    app = Recorder()
    server = GranianServer(app, "127.0.0.1", 0, threads=4, drain_seconds=10)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    yield server, app, runner
    server.stop()
    runner.join(15)
    server.close()


def test_port_0_gives_the_bound_port(granian):
    server, _, _ = granian
    assert server.port != 0
    assert requests.get(f"http://127.0.0.1:{server.port}/", timeout=5).text == "ok"


def test_the_app_gets_the_request_not_the_process_environment(granian):
    server, app, _ = granian
    response = requests.post(f"http://127.0.0.1:{server.port}/sparql?a=1", data=b"body",
                             headers={"X-Forwarded-For": "10.0.0.1, 10.0.0.2", "X-Forwarded-Proto": "https"}, timeout=5)
    assert response.text == "okbody"
    environ = app.environs[-1]
    assert "ALLIANCE_KG_RELOAD_TOKEN" not in environ and "HTTP_X_FORWARDED_HOST" not in environ
    # forwarded headers reach web.proxy as sent, which decides what to believe
    assert environ["HTTP_X_FORWARDED_FOR"] == "10.0.0.1, 10.0.0.2" and environ["HTTP_X_FORWARDED_PROTO"] == "https"
    assert environ["REMOTE_ADDR"] == "127.0.0.1" and environ["QUERY_STRING"] == "a=1"
    assert environ["REQUEST_METHOD"] == "POST" and environ["wsgi.url_scheme"] == "http"


def test_small_answers_are_not_held_back_for_the_clients_ack(granian):
    server, _, _ = granian
    session = requests.Session()
    started = time.monotonic()
    for _ in range(20):
        assert session.get(f"http://127.0.0.1:{server.port}/", timeout=5).status_code == 200
    assert time.monotonic() - started < 0.4  # with Nagle's algorithm on, each waits 40 ms for a delayed ACK


def test_stop_answers_the_request_in_flight_then_refuses_connections(granian):
    server, _, runner = granian
    url = f"http://127.0.0.1:{server.port}"
    answered: dict = {}
    slow = threading.Thread(target=lambda: answered.setdefault("slow", requests.get(url + "/slow", timeout=10)))
    slow.start()
    time.sleep(0.3)
    server.stop()
    slow.join(10)
    assert answered["slow"].status_code == 200 and answered["slow"].text == "ok"
    runner.join(10)
    assert not runner.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/", timeout=2)


def test_a_taken_port_is_an_input_error():
    with bind("127.0.0.1", 0) as taken:
        with pytest.raises(InputError, match="Address already in use"):
            bind("127.0.0.1", taken.getsockname()[1])


def test_an_answer_that_says_connection_close_closes_its_connection():
    """What a retiring serving process relies on (``web.serving.process.closing_when``): granian
    ends a kept-alive connection after an answer whose headers say ``Connection: close``."""
    def app(environ, start_response):
        headers = [("Content-Type", "text/plain"), ("Content-Length", "2")]
        if environ["PATH_INFO"] == "/close":
            headers.append(("Connection", "close"))
        start_response("200 OK", headers)
        return [b"ok"]

    server = GranianServer(app, "127.0.0.1", 0, threads=2, drain_seconds=5)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    try:
        closed = {}
        for path in ("/keep", "/close"):
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
                client.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                answer = b""
                while b"\r\n\r\nok" not in answer and (chunk := client.recv(4096)):
                    answer += chunk
                client.settimeout(1.0)
                try:
                    closed[path] = client.recv(4096) == b""
                except TimeoutError:
                    closed[path] = False
        assert closed == {"/keep": False, "/close": True}
    finally:
        server.stop()
        runner.join(15)


class Body:
    """A WSGI body that is no list, and says whether the server closed it."""

    def __init__(self, *chunks: bytes):
        self.chunks, self.closed = chunks, False

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        self.closed = True


class Proto:
    """What granian hands the callback to answer with: records which way the answer went."""

    def __init__(self):
        self.sent: list[tuple[str, int, bytes | None]] = []

    def response_bytes(self, status, headers, body):
        self.sent.append(("bytes", status, body))

    def response_iter(self, status, headers, body):
        self.sent.append(("iter", status, None))


@pytest.mark.parametrize("method, length, way", [
    ("GET", "4", "bytes"),  # short and said so: read whole, sent as bytes
    ("GET", None, "iter"),  # a stream (chunked): sent as it comes
    ("GET", str(WHOLE_UP_TO + 1), "iter"),  # a large file: not held in memory
    ("HEAD", "4", "iter"),  # no body to send
])
def test_an_answer_said_to_be_short_goes_out_as_bytes(method, length, way):
    """granian's iterator path costs a request more hand-offs between its threads than its
    bytes path, so a body whose Content-Length says it is short is read whole (and closed, as
    the server would close it); streams and large files keep the iterator."""
    body = Body(b"ok", b"ay")

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")] + ([("Content-Length", length)] if length else []))
        return body

    proto = Proto()
    assert _wsgi_callback(app)(proto, {"REQUEST_METHOD": method, "PATH_INFO": "/"}) == 200
    [(sent, status, data)] = proto.sent
    assert sent == way and status == 200
    if way == "bytes":
        assert data == b"okay" and body.closed
