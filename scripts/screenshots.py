"""Screenshots of the workbench for the README: starts ``alliance-kg serve`` over the shipped
graph, drives headless Chromium (Debian's /usr/bin/chromium) and writes docs/screenshots/*.png.

    .venv/bin/python scripts/screenshots.py

Needs the built bundle (``cd frontend && npm ci && npm run build``) and Playwright for Python.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import live_server as live  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    from playwright.sync_api import sync_playwright

    problems = live.missing_prerequisites()
    if problems:
        print("screenshots: " + "; ".join(problems), file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    provenance = (ROOT / "queries" / "examples" / "06-provenance.rq").read_text(encoding="utf-8")
    on_a_map = (ROOT / "queries" / "examples" / "10-members-on-a-map.rq").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        server = live.start(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(live.CHROMIUM), args=live.CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")

                page.goto(server.url + "/sparql?" + urlencode({"query": provenance}))
                page.wait_for_selector("table.results tbody tr")
                page.wait_for_function("document.querySelector('td .label') !== null")
                page.screenshot(path=str(OUT / "query-page.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 1100})

                page.goto(server.url + "/sparql?" + urlencode({"query": on_a_map, "view": "map"}))
                page.wait_for_selector("#panel-map .akg-marker")
                page.wait_for_timeout(500)
                page.screenshot(path=str(OUT / "query-map.png"), full_page=True)

                page.goto(server.url + "/")
                page.wait_for_selector("#map-china .akg-marker")
                page.wait_for_timeout(500)
                page.screenshot(path=str(OUT / "home.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 900})

                page.goto(server.url + "/doc/city/koeln")
                page.wait_for_selector("#resource-map .akg-marker")
                page.wait_for_selector("#resource-timeline time")
                page.wait_for_timeout(500)
                page.screenshot(path=str(OUT / "resource-page.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 1000})

                page.goto(server.url + "/")
                page.get_by_role("combobox").fill("台州")
                page.wait_for_selector("#site-search-list li")
                page.screenshot(path=str(OUT / "search.png"), clip={"x": 560, "y": 0, "width": 720, "height": 260})

                page.goto(server.url + "/ontology")
                page.locator(".diagram").scroll_into_view_if_needed()
                page.screenshot(path=str(OUT / "ontology.png"), full_page=False)

                page.goto(server.url + "/doc/document/memo-2017-03-09#p5")
                page.wait_for_timeout(300)
                page.screenshot(path=str(OUT / "memo.png"), full_page=False)

                phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                         is_mobile=True, has_touch=True, locale="en-GB")
                phone.goto(server.url + "/")
                phone.wait_for_selector("#map-germany .akg-marker")
                phone.wait_for_timeout(500)
                phone.screenshot(path=str(OUT / "home-phone.png"))
                browser.close()
        finally:
            server.stop()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
