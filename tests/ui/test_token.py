"""Beyond loopback the dashboard needs the admin token, like the admin API: the page (which holds no state) loads,
asks for the token, and sends it as Authorization: Bearer on every call; the token is never in the HTML.

The server is told it listens beyond loopback (host 0.0.0.0, which is what the admin API looks at) but is bound
to 127.0.0.1 only, in this process.
"""
from __future__ import annotations

import socket
import threading
import time
import urllib.request

import pytest
from browsing import admin
from playwright.sync_api import expect

TOKEN = "s3cret-dashboard-token"


@pytest.fixture
def guarded():
    import uvicorn

    from localconnect.app import App
    from localconnect.settings import Settings

    app = App(Settings(host="0.0.0.0", admin_token=TOKEN, store="memory", quiet=True))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(15)
    sock.close()


def test_beyond_loopback_the_page_asks_for_the_token_and_sends_it(guarded, browse):
    with urllib.request.urlopen(f"{guarded}/_localconnect/ui/", timeout=30) as answer:
        html = answer.read().decode()
    assert answer.status == 200 and TOKEN not in html
    assert admin(guarded, "GET", "/state")[0] == 401

    b = browse(url=guarded)
    page = b.open()
    ask = page.get_by_role("region", name="This server needs its admin token")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("The admin API needs 'Authorization: Bearer <admin_token>'")
    b.refused(401)

    ask.get_by_label("admin_token").fill("wrong")
    ask.get_by_role("button", name="Use this token").click()
    expect(ask).to_be_visible()
    b.refused(401)

    ask.get_by_label("admin_token").fill(TOKEN)
    ask.get_by_role("button", name="Use this token").click()
    expect(ask).to_be_hidden()
    expect(page.get_by_test_id("empty")).to_be_visible()
    page.get_by_role("button", name="+1 day").click()
    expect(page.get_by_test_id("message")).to_contain_text("Clock advanced by 1 day")
    assert admin(guarded, "GET", "/clock", token=TOKEN)[1]["offset_seconds"] >= 86400
    assert TOKEN not in page.content()
    assert page.evaluate("Object.keys(localStorage).length") == 0  # kept in this tab only
