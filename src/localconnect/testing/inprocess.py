"""In-process mode: boto3 clients talk to a localconnect app inside the test process — no server, no port —
the way moto's ``mock_aws`` works, but through the same gateway, handlers and store as the server."""
from __future__ import annotations

import asyncio
import io
import json
import threading
from typing import Any
from urllib.parse import unquote, urlsplit

import botocore.handlers
from botocore.awsrequest import AWSResponse

from ..app import App
from ..settings import Settings

# botocore's event names use the hyphenated service id
SERVICES = ("connect", "pinpoint-sms-voice-v2")


class _Raw(io.BytesIO):
    """The body botocore reads from an AWSResponse."""

    def stream(self, **_kwargs):
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


class InProcess:
    """A localconnect app (memory store unless told otherwise) and a botocore hook that answers requests with it.

    ``with mock_localconnect() as lc:`` hooks every boto3 client created inside the block; ``lc.attach(client)``
    hooks one that already exists. ``lc.admin(...)`` calls the admin API, ``lc.advance(s)`` moves the clock.
    """

    def __init__(self, **settings: Any):
        self.settings = Settings(**{"store": "memory", **settings})
        self.app = App(self.settings)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="localconnect-inprocess", daemon=True)
        self._thread.start()

    # --- the hook ---------------------------------------------------------------------------------------
    def _handle(self, request, **_kwargs) -> AWSResponse:
        url = urlsplit(request.url)
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = body.read()
        headers = [(k.lower().encode("latin-1"), v if isinstance(v, bytes) else str(v).encode("latin-1"))
                   for k, v in request.headers.items()]
        headers.append((b"host", url.netloc.encode("latin-1")))
        status, response_headers, payload = self._call(request.method, url.path or "/", url.query, headers, body)
        return AWSResponse(request.url, status, {k.decode(): v.decode() for k, v in response_headers}, _Raw(payload))

    def attach(self, client) -> None:
        client.meta.events.register("before-send", self._handle)

    def _call(self, method: str, path: str, query: str, headers: list, body: bytes):
        future = asyncio.run_coroutine_threadsafe(self._asgi(method, path, query, headers, body), self._loop)
        return future.result(timeout=60)

    async def _asgi(self, method: str, path: str, query: str, headers: list, body: bytes):
        sent: list[dict] = []

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            sent.append(message)
        scope = {"type": "http", "method": method, "path": unquote(path), "raw_path": path.encode("latin-1"),
                 "query_string": query.encode("latin-1"), "headers": headers}
        await self.app(scope, receive, send)
        start, answer = sent[0], sent[1]
        return start["status"], start["headers"], answer.get("body", b"")

    # --- conveniences -----------------------------------------------------------------------------------
    def admin(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        data = b"" if body is None else json.dumps(body).encode()
        status, _, payload = self._call(method, "/_localconnect" + path, "", [], data)
        return status, json.loads(payload or b"null")

    def advance(self, seconds: float) -> None:
        self.admin("POST", "/clock", {"advance_seconds": seconds})

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self.app.store.close()


_ACTIVE: list[InProcess] = []


def _dispatch(request, **kwargs):
    """One permanent botocore hook (sessions copy the built-in handlers when they are created, so it must be
    there before any session is): inside ``mock_localconnect`` it answers; outside, the request goes out."""
    return _ACTIVE[-1]._handle(request, **kwargs) if _ACTIVE else None


for _service in SERVICES:
    botocore.handlers.BUILTIN_HANDLERS.append((f"before-send.{_service}", _dispatch))


class mock_localconnect:  # noqa: N801 (named like moto's mock_aws, which users know)
    """Context manager: Connect and End User Messaging clients are answered in process inside it — clients of
    any boto3 session created after ``localconnect.testing`` was imported; ``attach`` hooks older ones."""

    def __init__(self, **settings: Any):
        self.settings = settings
        self.local: InProcess | None = None

    def __enter__(self) -> InProcess:
        self.local = InProcess(**self.settings)
        _ACTIVE.append(self.local)
        return self.local

    def __exit__(self, *exc) -> None:
        if self.local is not None:
            _ACTIVE.remove(self.local)
            self.local.close()
