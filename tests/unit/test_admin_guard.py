"""Beyond loopback the admin API requires the bearer token (docs/behaviour.md §9), checked here without binding to any
non-loopback address: the admin ASGI app is called directly."""
from __future__ import annotations

import asyncio
import json

import pytest

from localconnect.admin.api import Admin
from localconnect.rules.faults import FaultInjector
from localconnect.rules.throttling import Throttler
from localconnect.settings import Settings
from localconnect.store.engine import SQLiteStore


def _call(admin: Admin, headers: list[tuple[bytes, bytes]]) -> tuple[int, dict]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)
    scope = {"type": "http", "method": "GET", "path": "/_localconnect/health", "headers": headers}
    asyncio.run(admin(scope, receive, send))
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.fixture
def store():
    s = SQLiteStore(None)
    yield s
    s.close()


def _admin(store, **settings) -> Admin:
    return Admin(Settings(**settings), store, FaultInjector(), Throttler("off"))


def test_loopback_needs_no_token(store):
    assert _call(_admin(store, host="127.0.0.1"), [])[0] == 200


def test_beyond_loopback_without_a_configured_token_the_admin_api_is_closed(store):
    status, body = _call(_admin(store, host="0.0.0.0"), [])
    assert status == 403 and "admin_token" in body["error"]["message"]


def test_beyond_loopback_the_token_is_required(store):
    admin = _admin(store, host="0.0.0.0", admin_token="s3cret")
    assert _call(admin, [])[0] == 401
    assert _call(admin, [(b"authorization", b"Bearer wrong")])[0] == 401
    assert _call(admin, [(b"authorization", b"Bearer s3cret")])[0] == 200
