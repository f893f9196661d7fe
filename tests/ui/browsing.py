"""What the dashboard's browser tests share (tests/ui/conftest.py has the fixtures): where chromium is, the
admin API over HTTP, and a page of the dashboard with what went wrong in it.

axe-4.14.1.min.js is axe-core 4.14.1's ``axe.min.js``, unmodified, from npm (``npm pack axe-core@4.14.1``, tarball
sha256 e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745); MPL-2.0, source at
https://github.com/dequelabs/axe-core. It is injected into the page under test, never shipped in the package."""
from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LOCALCONNECT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).with_name("axe-4.14.1.min.js")
ARTIFACTS = Path(os.environ.get("LOCALCONNECT_UI_ARTIFACTS") or ROOT / "build" / "ui-screenshots")
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[ui-test]')"
    if not os.path.exists(CHROMIUM):
        return f"no chromium at {CHROMIUM} (apt-get install chromium)"
    return None


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

    def shot(self, name: str, docs: bool = True) -> Path:
        """Save a screenshot as a test artifact (and, for `make screenshots`, the README's into docs/)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"ui-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if docs and os.environ.get("LOCALCONNECT_UI_DOCS"):
            shutil.copy(path, ROOT / "docs" / path.name)
        return path

    def axe(self) -> list[dict]:
        """axe-core's serious and critical violations on the page as it is now."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]
