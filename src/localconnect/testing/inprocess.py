"""In-process mode: boto3 clients talk to a localconnect app inside the test process — no server, no port —
the way moto's ``mock_aws`` works, but through the same gateway, handlers and store as the server."""
from __future__ import annotations

import asyncio
import functools
import inspect
import io
import json
import os
import threading
import unittest
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.awsrequest import AWSResponse

from ..app import App
from ..settings import load
from ..startup import resolve_store
from . import hook

# While a mock is active, boto3 finds these credentials (and no profile that would take precedence over them),
# so a test needs no AWS account, no ~/.aws and no variables of its own.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REMOVED = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


class _Raw(io.BytesIO):
    """The body botocore reads from an AWSResponse."""

    def stream(self, **_kwargs):
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


class InProcess:
    """A localconnect app (memory store unless told otherwise) that answers botocore requests handed to it.

    ``lc.admin(method, path, body)`` calls the admin API; ``lc.advance(s)``, ``lc.state()`` and ``lc.reset()``
    are its common calls; ``lc.attach(client)`` hooks a client created before ``localconnect.testing`` was
    imported. Settings are checked as the server checks them; LOCALCONNECT_* variables are not read.
    """

    def __init__(self, **settings: Any):
        # quiet: no request log on stdout by default (the calls are still kept: lc.admin("GET", "/requests"))
        # A file store is checked as the server checks it (an absolute path, in a directory that exists).
        self.settings = resolve_store(load({"store": "memory", "quiet": True, **settings}, environ={}))
        self.app = App(self.settings)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="localconnect-inprocess", daemon=True)
        self._thread.start()

    # --- the hook ---------------------------------------------------------------------------------------
    def handle(self, request, **_kwargs) -> AWSResponse:
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
        client.meta.events.register("before-send", self.handle)

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
        path, _, query = path.partition("?")
        data = b"" if body is None else json.dumps(body).encode()
        status, _, payload = self._call(method, "/_localconnect" + path, query, [], data)
        return status, json.loads(payload or b"null")

    def _ok(self, method: str, path: str, body: dict | None = None) -> Any:
        status, payload = self.admin(method, path, body)
        if status != 200:
            raise RuntimeError(f"{method} /_localconnect{path}: {status} {payload}")
        return payload

    def advance(self, seconds: float) -> None:
        self._ok("POST", "/clock", {"advance_seconds": seconds})

    def state(self) -> dict:
        return self._ok("GET", "/state")

    def reset(self) -> None:
        self._ok("POST", "/reset")

    def requests(self) -> list[dict]:
        """The calls answered so far (the request log's ring), oldest first."""
        return self._ok("GET", "/requests")["requests"]

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self.app.store.close()


def current() -> InProcess:
    """The app answering now: for a test decorated with ``@mock_localconnect()``, which has no ``as lc``."""
    if not hook.ACTIVE:
        raise RuntimeError("no mock_localconnect is active")
    return hook.ACTIVE[-1]


class mock_localconnect:  # noqa: N801 (named like moto's mock_aws, which users know)
    """Connect and End User Messaging clients are answered in process while it is active — as a context manager
    (``with mock_localconnect() as lc:``), a function or class decorator (``@mock_localconnect()``), or with
    ``start()`` / ``stop()``. Each activation starts from empty state. While active, AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY are fake, AWS_DEFAULT_REGION is ``default_region`` and no profile or session token is
    set; all are restored afterwards.

    Every client of a boto3 session created after ``localconnect.testing`` was imported is hooked (and the
    clients boto3's default session creates); ``lc.attach(client)`` hooks one made earlier.
    """

    def __init__(self, **settings: Any):
        self.settings = settings
        self._started: list[tuple[InProcess, dict[str, str | None]]] = []

    @property
    def local(self) -> InProcess | None:
        return self._started[-1][0] if self._started else None

    def start(self) -> InProcess:
        local = InProcess(**self.settings)
        saved = _set_environment(local.settings.default_region)
        hook.ACTIVE.append(local)
        self._started.append((local, saved))
        return local

    def stop(self) -> None:
        if not self._started:
            raise RuntimeError("mock_localconnect.stop() called without start()")
        local, saved = self._started.pop()
        hook.ACTIVE.remove(local)
        _restore_environment(saved)
        local.close()

    def __enter__(self) -> InProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __call__(self, target):
        if isinstance(target, type):
            return self._decorate_class(target)
        if inspect.iscoroutinefunction(target):
            @functools.wraps(target)
            async def run_async(*args, **kwargs):
                with self:
                    return await target(*args, **kwargs)
            return run_async

        @functools.wraps(target)
        def run(*args, **kwargs):
            with self:
                return target(*args, **kwargs)
        return run

    def _decorate_class(self, cls: type) -> type:
        if issubclass(cls, unittest.TestCase):
            # Active from setUp to the end of tearDown, so fixtures made in setUp live in the test's state.
            original = cls.setUp
            mock = self

            def setUp(test_self):  # noqa: N802 (unittest's name)
                mock.start()
                test_self.addCleanup(mock.stop)
                original(test_self)
            cls.setUp = setUp
            return cls
        for name in dir(cls):
            attr = getattr(cls, name)
            if name.startswith("test") and inspect.isfunction(attr):
                setattr(cls, name, self(attr))
        return cls


def _set_environment(region: str) -> dict[str, str | None]:
    wanted: dict[str, str | None] = {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": region, **dict.fromkeys(REMOVED)}
    saved = {name: os.environ.get(name) for name in wanted}
    for name, value in wanted.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return saved


def _restore_environment(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
