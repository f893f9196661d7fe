"""Browser tests of the dashboard: Debian's chromium driven by Playwright for Python (no browser download).

Without playwright or chromium these tests are left out with one line in the summary; CI (.ci/run, which sets
LOCALCONNECT_REQUIRE_UI=1 and installs chromium) fails instead. Screenshots of the main views are written to
build/ui-screenshots/ (LOCALCONNECT_UI_ARTIFACTS overrides it); with LOCALCONNECT_UI_DOCS=1 (`make screenshots`)
also to docs/ui-*.png for the README.
"""
from __future__ import annotations

import os

import pytest
from browsing import LAPTOP, Browsing, admin, missing

MISSING = missing()
if MISSING:
    if os.environ.get("LOCALCONNECT_REQUIRE_UI"):
        raise RuntimeError(f"LOCALCONNECT_REQUIRE_UI is set but the dashboard's browser tests cannot run: {MISSING}")
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter, config):
    if MISSING:
        terminalreporter.write_line(f"Dashboard browser tests not run: {MISSING}; .ci/run installs chromium")


@pytest.fixture(scope="module")  # not session: Playwright's sync API leaves an event loop running in the main
def browser():                    # thread while it is open, which would break asyncio.run() in later test files
    from browsing import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory):
    from localconnect.testing import ServerProcess

    # Numbers settle in 60 s: a page shows them IN_PROGRESS until the test moves the clock from the page.
    with ServerProcess("--store", "memory", "--data-dir", str(tmp_path_factory.mktemp("ui")),
                       "--settle-seconds", "60") as server:
        yield server


@pytest.fixture
def lc(ui_server):
    status, _ = admin(ui_server.url, "POST", "/reset")
    assert status == 200
    return ui_server


@pytest.fixture
def browse(browser, lc):
    """browse(color_scheme="dark", viewport=PHONE, bypass_csp=False) -> Browsing on a fresh context."""
    made = []

    def make(*, color_scheme: str = "light", viewport: dict = LAPTOP, bypass_csp: bool = False,
             url: str | None = None) -> Browsing:
        context = browser.new_context(viewport=viewport, color_scheme=color_scheme, bypass_csp=bypass_csp,
                                      timezone_id="UTC", locale="en-GB")
        context.set_default_timeout(10_000)
        session = Browsing(context.new_page(), url or lc.url)
        made.append((context, session))
        return session

    yield make
    for context, _ in made:
        context.close()
    errors = [e for _, s in made for e in s.errors]
    assert errors == [], errors
