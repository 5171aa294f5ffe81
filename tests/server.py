"""Start a real ``alliance-kg serve`` process on a free loopback port for end-to-end tests.

The process gets its own project root (``ALLIANCE_KG_ROOT``) holding only the test shapes, so
the endpoint tests do not depend on the shipped shapes or data.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
ENDPOINT_DATA = FIXTURES / "endpoint"
CLI = [sys.executable, "-m", "alliance_kg.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_root(tmp: Path) -> Path:
    """A project root with the test shapes and no example queries."""
    (tmp / "shapes").mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "endpoint-shapes" / "shapes.ttl", tmp / "shapes" / "shapes.ttl")
    return tmp


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def stop(self, timeout: float = 10) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start(tmp: Path, *args: str, data: Path | str = ENDPOINT_DATA, wait: float = 60, port: int | None = None) -> Server:
    """Run ``alliance-kg serve --data DATA ARGS`` and wait until /readyz answers 200."""
    env = dict(os.environ, ALLIANCE_KG_ROOT=str(test_root(tmp / "root")), PYTHONUNBUFFERED="1")
    return launch(["--data", str(data), *args], env=env, log_dir=tmp, wait=wait, port=port)


#: The start-up line that names the address the server listens on.
ANNOUNCED = re.compile(r"serving .* on (http://\S+):(\d+)/sparql")


def launch(args: list[str], *, env: dict[str, str], log_dir: Path, cwd: Path | None = None,
           wait: float = 60, port: int | None = None) -> Server:
    """``alliance-kg serve`` on loopback with ``args``; returns once /readyz is 200. The port is a
    free one unless given; with ``port=0`` the server picks it and the URL is the one it logs."""
    port = free_port() if port is None else port
    log = log_dir / f"server-{port or time.monotonic_ns()}.log"
    process = subprocess.Popen(
        [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=cwd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.output()}")
        announced = ANNOUNCED.search(server.output())
        if port == 0 and announced:
            server.url = f"{announced[1]}:{announced[2]}"
        try:
            if (port or announced) and requests.get(server.url + "/readyz", timeout=1).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server not ready after {wait} s:\n{server.output()}")


def run_to_exit(tmp: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``alliance-kg serve ARGS`` expecting it to exit (refusing bad data)."""
    env = dict(os.environ, ALLIANCE_KG_ROOT=str(test_root(tmp / "root")))
    return subprocess.run([*CLI, "serve", "--port", str(free_port()), *args], env=env,
                          capture_output=True, text=True, timeout=timeout)
