"""End to end through a real nginx (Debian's, installed by scripts/system-deps.sh) running the
shipped deploy/nginx/alliance-kg.conf on loopback in front of a real ``alliance-kg serve``: links
follow the proxy's host, IRIs never change, conditional requests and compression work through
it, the client's address reaches the query budget; and the shipped systemd unit verifies."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

import server as live
from alliance_kg.web.httpservers import HTTP_SERVERS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Nginx:
    def __init__(self, tmp: Path, upstream: int):
        self.port = live.free_port()
        site = (DEPLOY / "nginx" / "alliance-kg.conf").read_text(encoding="utf-8")
        site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        (tmp / "site.conf").write_text(site, encoding="utf-8")
        (tmp / "nginx.conf").write_text(
            f"worker_processes 1;\nerror_log {tmp}/error.log;\npid {tmp}/nginx.pid;\n"
            "events { worker_connections 256; }\n"
            f"http {{ access_log {tmp}/access.log; include {tmp}/site.conf; }}\n", encoding="utf-8")
        self.process = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("nginx exited: " + self.process.stderr.read().decode())
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError("nginx did not answer")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: run scripts/system-deps.sh (as root)")
    tmp = tmp_path_factory.mktemp("proxy")
    backend = live.start(tmp, "--trusted-proxies", "127.0.0.1", "--budget-seconds", "0.05",
                         "--query-workers", "2", "--query-timeout", "20")
    proxy = Nginx(tmp, int(backend.url.rsplit(":", 1)[1]))
    yield proxy, backend
    proxy.stop()
    backend.stop()


def _get(port: int, path: str, source: str = "127.0.0.1", **headers) -> tuple[int, dict, bytes]:
    """One GET from a chosen loopback source address (so the proxy sees distinct clients)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_pages_link_to_the_proxys_host_and_iris_never_change(proxied):
    proxy, _ = proxied
    status, _, body = _get(proxy.port, "/", Host="portal.example")
    assert status == 200 and b"http://portal.example/sparql" in body
    status, _, body = _get(proxy.port, "/sparql", Host="portal.example", Accept="text/turtle")
    assert status == 200 and b"https://w3id.org/alliance-kg/sparql" in body and b"portal.example" not in body


def test_conditional_requests_and_compression_pass_through(proxied):
    proxy, _ = proxied
    path = "/sparql?query=" + quote(SELECT)
    status, headers, body = _get(proxy.port, path, Accept="application/sparql-results+json",
                                 **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip" and body[:2] == b"\x1f\x8b"
    status, _, _ = _get(proxy.port, path, Accept="application/sparql-results+json",
                        **{"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
    assert status == 304


def test_the_clients_address_reaches_the_budget(proxied):
    proxy, _ = proxied
    statuses = [_get(proxy.port, "/sparql?query=" + quote(SLOW + f" # {i}"), source="127.0.0.2")[0] for i in range(3)]
    assert statuses[0] == 200 and 429 in statuses
    status, _, _ = _get(proxy.port, "/sparql?query=" + quote("ASK { ?s ?p ?o }"), source="127.0.0.3")
    assert status == 200  # another address, its own budget
    # a client cannot borrow another's address: the edge proxy replaces X-Forwarded-For
    status, _, _ = _get(proxy.port, "/sparql?query=" + quote(SLOW + " # again"), source="127.0.0.2",
                        **{"X-Forwarded-For": "127.0.0.9"})
    assert status == 429


def test_untrusted_forwarded_headers_are_ignored(make_app):
    client = make_app(trusted_proxies="10.9.9.9").test_client()
    response = client.get("/", headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})
    assert b"evil.example" not in response.get_data()


@pytest.mark.parametrize("http_server", sorted(HTTP_SERVERS))
def test_sigterm_lets_requests_in_flight_finish(tmp_path, http_server):
    backend = live.start(tmp_path, "--query-workers", "1", "--query-timeout", "20", "--http-server", http_server)
    result: dict = {}

    def ask():
        response = requests.get(backend.sparql, params={"query": SLOW},
                                headers={"Accept": "application/sparql-results+json"}, timeout=60)
        result["status"] = response.status_code

    thread = threading.Thread(target=ask)
    thread.start()
    time.sleep(0.5)  # the query is running
    backend.process.send_signal(signal.SIGTERM)
    thread.join(60)
    assert result.get("status") == 200
    assert backend.process.wait(30) == 0
    assert "stopped" in backend.output() and "Traceback" not in backend.output()


def test_the_systemd_unit_verifies(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: scripts/system-deps.sh installs systemd")
    unit = (DEPLOY / "systemd" / "alliance-kg.service").read_text(encoding="utf-8")
    executable = shutil.which("alliance-kg") or str(Path(os.sys.executable).with_name("alliance-kg"))
    unit = unit.replace("/opt/alliance-kg/bin/alliance-kg", executable)
    unit = unit.replace("User=alliance-kg", "User=root").replace("Group=alliance-kg", "Group=root")
    path = tmp_path / "alliance-kg.service"
    path.write_text(unit, encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
