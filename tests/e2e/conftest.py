"""Browser fixtures: one live server per session, one headless Chromium per test module, a
fresh page per test. Nothing is skipped: without Chromium or the built bundle the tests fail
and say why.

Chromium lives only while its module's tests run: a session-long browser outlived the browser
tests (they run first) and was found gone at the end of one full run, where closing it then
waited forever."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

import live_server as live



@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.Server]:
    problems = live.missing_prerequisites()
    if problems:
        pytest.fail("browser tests cannot run:\n  " + "\n  ".join(problems), pytrace=False)
    srv = live.start(tmp_path_factory.mktemp("e2e"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(live.CHROMIUM), args=live.CHROMIUM_ARGS)
        yield chromium
        if chromium.is_connected():
            chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base = server.url  # type: ignore[attr-defined]
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="en-GB")
    page = context.new_page()
    page.base = server.url  # type: ignore[attr-defined]
    page.set_default_timeout(15_000)
    yield page
    context.close()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: browser test against a live server (tests/e2e)")
