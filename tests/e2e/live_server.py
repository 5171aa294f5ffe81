"""A real ``alliance-kg serve`` over the shipped graph (ontology, data, shapes, example queries)
for the browser tests and the screenshot script; reuses ``tests/server.py``'s process handling."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))

from server import CLI, Server, free_port  # noqa: E402  (tests/server.py, the endpoint's helper)

DIST = ROOT / "src" / "alliance_kg" / "web" / "static" / "dist"
CHROMIUM = Path(os.environ.get("ALLIANCE_KG_CHROMIUM", "/usr/bin/chromium"))
#: How Chromium runs here (see .library/env/machines/python.md): headless, no sandbox as root,
#: and no background connections to a network that is not there.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def missing_prerequisites() -> list[str]:
    """What the browser tests need and do not find, as instructions (empty when all is there)."""
    problems = []
    if not CHROMIUM.is_file():
        problems.append(f"Chromium not found at {CHROMIUM}: run `bash scripts/system-deps.sh` (apt-get install chromium)")
    if not (DIST / "query.js").is_file():
        problems.append(f"the workbench bundle is missing in {DIST}: run `cd frontend && npm ci && npm run build`")
    return problems


def start(log_dir: Path, *args: str, wait: float = 90) -> Server:
    """``alliance-kg serve`` on a free loopback port over the shipped graph; waits for /readyz."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "ALLIANCE_KG_ROOT"}
    env["PYTHONUNBUFFERED"] = "1"
    log = log_dir / f"server-{port}.log"
    process = subprocess.Popen([*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                               cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.output()}")
        try:
            if requests.get(server.url + "/readyz", timeout=1).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server not ready after {wait} s:\n{server.output()}")
