"""The request log: one line per call on stdout (text or JSON), and a bounded ring of recent calls that the
admin API serves at GET /_localconnect/requests.

The app wraps every HTTP request (``RequestLog.wrap``). The gateway tells it which operation, account, Region
and request id a call was for through ``scope["localconnect"]`` (each None when the request failed before that
step); the status comes from the response, and the error code from its ``x-amzn-errortype`` header.
"""
from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from typing import Any

import orjson

FLUSH_SECONDS = 0.02  # how soon a printed line reaches a pipe (see _print)


class RequestLog:
    def __init__(self, size: int = 1000, *, fmt: str = "text", quiet: bool = False, debug: bool = False,
                 stream: Any = None):
        self.ring: deque[dict] = deque(maxlen=size)
        self.seq = 0          # calls recorded since start (the ring keeps the last ``size``)
        self.api_calls = 0    # AWS API calls answered, for the stop line
        self.quiet = quiet
        self.json = fmt == "json"
        self.debug = debug
        self._stream = stream  # None: whatever sys.stdout is when a line is written (pytest swaps it)
        self._second = -1
        self._flush_pending = False
        self._stamp = ""

    # --- the ASGI wrapper -------------------------------------------------------------------------------
    async def wrap(self, app, scope, receive, send, *, admin: bool) -> None:
        started = time.perf_counter()
        start: list = []  # the http.response.start message, read once the call is over

        async def watch(message):
            if message["type"] == "http.response.start":
                start.append(message)
            await send(message)
        try:
            await app(scope, receive, watch)
        finally:
            elapsed = time.perf_counter() - started
            status = start[0]["status"] if start else 500
            if admin:
                self._admin(scope, status, elapsed)
            else:
                self._api(scope, status, start[0]["headers"] if start else (), elapsed)

    def _api(self, scope, status: int, headers, elapsed: float) -> None:
        # Filled in by the gateway once the route and identity are known; its parts are None on early errors.
        known = scope.get("localconnect") or {}
        error = request_id = None
        if status >= 400 or "request_id" not in known:  # headers are read only when they say something new
            for name, value in headers:
                if name == b"x-amzn-errortype":
                    error = value.decode("latin-1")
                elif name == b"x-amzn-requestid":
                    request_id = value.decode("latin-1")
        self.api_calls += 1
        self.record({"kind": "aws", "service": known.get("service") or "unknown",
                     "operation": known.get("operation") or "unknown", "status": status, "error": error,
                     "duration_ms": round(elapsed * 1000, 3), "account": known.get("account"),
                     "region": known.get("region"), "request_id": known.get("request_id") or request_id,
                     "method": scope.get("method"), "path": scope.get("path")})

    def _admin(self, scope, status: int, elapsed: float) -> None:
        method = scope.get("method")
        entry = {"kind": "admin", "service": "admin", "operation": f"{method} {scope.get('path')}",
                 "status": status, "error": None, "duration_ms": round(elapsed * 1000, 3), "account": None,
                 "region": None, "request_id": None, "method": method, "path": scope.get("path")}
        if method == "GET":
            # Admin reads are what a dashboard polls: printing them would drown the API calls, so they are
            # printed only at log level debug and not kept in the ring.
            if self.debug:
                self._print(entry, time.time())
            return
        self.record(entry)

    # --- recording and printing ---------------------------------------------------------------------------
    def record(self, entry: dict) -> None:
        now = time.time()
        self.seq += 1
        entry["seq"] = self.seq
        entry["time"] = now
        self.ring.append(entry)
        if not self.quiet:
            self._print(entry, now)

    def _print(self, entry: dict, now: float) -> None:
        stream = self._stream or sys.stdout
        try:
            stream.write((orjson.dumps(entry).decode() if self.json else self.line(entry, now)) + "\n")
        except (OSError, ValueError):  # stdout closed or a broken pipe (`| head`): stop printing, keep serving
            self.quiet = True
            return
        # A pipe is block-buffered: flush within FLUSH_SECONDS of a line rather than after each one, so whoever
        # tails the log sees a call at once and, under load, one write(2) carries many lines (measured: a flush
        # per line cost 7 µs a call, most of the log's cost).
        if not self._flush_pending:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                stream.flush()
                return
            self._flush_pending = True
            loop.call_later(FLUSH_SECONDS, self._flush, stream)

    def _flush(self, stream) -> None:
        self._flush_pending = False
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away or the stream was closed: the calls go on
            pass

    def line(self, entry: dict, now: float) -> str:
        second = int(now)
        if second != self._second:  # strftime once a second, not once a request
            self._second, self._stamp = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(second))
        stamp = f"{self._stamp}.{int((now - second) * 1000):03d}"
        status = f"{entry['status']} {entry['error']}" if entry["error"] else str(entry["status"])
        if entry["kind"] == "admin":
            return f"{stamp} ADMIN {entry['operation']} => {status} {entry['duration_ms']:.1f}ms"
        where = f"{entry['account'] or '-'} {entry['region'] or '-'}"
        return (f"{stamp} AWS {entry['service']}.{entry['operation']} => {status} {entry['duration_ms']:.1f}ms "
                f"{where} {entry['request_id'] or '-'}")

    # --- the admin route ----------------------------------------------------------------------------------
    def recent(self, since: Any = 0, limit: Any = None) -> dict:
        """Calls after ``since`` (a seq), oldest first, at most ``limit`` of the newest. Both may come from a
        query string; a value that is not a whole number of zero or more is a ValueError naming it."""
        since, limit = _count("since", since), _count("limit", limit)
        calls = [e for e in self.ring if e["seq"] > since] if since else list(self.ring)
        if limit is not None:
            calls = calls[-limit:] if limit else []
        return {"requests": calls, "last_seq": self.seq, "kept": self.ring.maxlen}


def _count(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit() and len(value) <= 18:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**18:
        return value
    raise ValueError(f"{name} must be a whole number of zero or more, not {value!r}")
