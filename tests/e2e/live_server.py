"""A real ``alliance-kg serve`` over the shipped graph (ontology, data, shapes, example queries)
for the browser tests and the screenshot script; reuses ``tests/server.py``'s process handling."""

from __future__ import annotations

import os
import sys
from pathlib import Path


TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))

from server import Server, launch  # noqa: E402  (tests/server.py, the endpoint's helper)

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
    env = {k: v for k, v in os.environ.items() if k != "ALLIANCE_KG_ROOT"}
    env["PYTHONUNBUFFERED"] = "1"
    return launch(list(args), env=env, log_dir=log_dir, cwd=ROOT, wait=wait)
