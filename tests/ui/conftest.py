"""Browser tests of the dashboard: Debian's chromium driven by Playwright for Python (no browser download).

Without playwright or chromium these tests are left out with one line in the summary; CI (.ci/run, which sets
LOCALCONNECT_REQUIRE_UI=1 and installs chromium) fails instead. Screenshots of the main views are written to
build/ui-screenshots/ (LOCALCONNECT_UI_ARTIFACTS overrides it); with LOCALCONNECT_UI_DOCS=1 (`make screenshots`)
also to docs/ui-*.png for the README.
"""
from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LOCALCONNECT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).with_name("axe-4.14.1.min.js")
ARTIFACTS = Path(os.environ.get("LOCALCONNECT_UI_ARTIFACTS") or ROOT / "build" / "ui-screenshots")
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[ui-test]')"
    if not os.path.exists(CHROMIUM):
        return f"no chromium at {CHROMIUM} (apt-get install chromium)"
    return None


MISSING = _missing()
if MISSING:
    if os.environ.get("LOCALCONNECT_REQUIRE_UI"):
        raise RuntimeError(f"LOCALCONNECT_REQUIRE_UI is set but the dashboard's browser tests cannot run: {MISSING}")
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter, config):
    if MISSING:
        terminalreporter.write_line(f"Dashboard browser tests not run: {MISSING}; .ci/run installs chromium")


def admin(url: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{url}/_localconnect{path}", method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@pytest.fixture(scope="session")
def browser():
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


class Browsing:
    """A page of the dashboard, with what went wrong in it (uncaught errors, refused loads, CSP violations)."""

    def __init__(self, page, url: str):
        self.page = page
        self.url = url
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)

    def open(self, view: str = "overview"):
        self.page.goto(f"{self.url}/_localconnect/ui/#{view}")
        self.page.wait_for_function("() => window.Alpine !== undefined && document.body._x_dataStack !== undefined")
        return self.page

    def refused(self, status: int) -> None:
        """A call the test made fail on purpose: the browser logs it as an error, which is then expected."""
        wanted = f"console error: Failed to load resource: the server responded with a status of {status} "
        self.page.wait_for_timeout(100)  # the console event may trail the response
        assert any(e.startswith(wanted) for e in self.errors), self.errors
        self.errors = [e for e in self.errors if not e.startswith(wanted)]

    def shot(self, name: str) -> Path:
        """Save a screenshot as a test artifact (and, for `make screenshots`, into docs/)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"ui-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if os.environ.get("LOCALCONNECT_UI_DOCS"):
            shutil.copy(path, ROOT / "docs" / path.name)
        return path

    def axe(self) -> list[dict]:
        """axe-core's serious and critical violations on the page as it is now."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]


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
    for context, session in made:
        context.close()
    errors = [e for _, s in made for e in s.errors]
    assert errors == [], errors
