"""The HTTP edge: uvicorn's httptools protocol, held to what a hostile or broken client may cost.

uvicorn has no deadline for a request that never finishes arriving and no bound on open connections, and
answers malformed HTTP with a plain-text 400. This protocol adds, per connection:

* a deadline (``request_timeout_seconds``) whenever the server is waiting on the client: from the moment
  the connection opens or its previous response ends until the next request has fully arrived, and while
  the client does not read its response. A request that misses it is answered 408 (if any of it arrived)
  and the connection closed; an idle connection is just closed (uvicorn's 5 s keep-alive usually first).
  One sweep per server checks the deadlines, every ``min(0.5 s, timeout / 4)``.
* the application runs only once a request's body is complete (or has passed ``max_body_bytes``, for the
  413), so a truncated body never reaches a handler, and nothing is written for a request that never ends.
* at most ``max_connections`` open connections: a new one past the limit closes the connection that has
  waited longest on its client (idle, or a request still arriving); only when every connection has a
  request inside the application is the new one closed instead. So slow clients cannot lock others out.
* request line and headers bounded to ``MAX_HEADER_BYTES`` (431), and every protocol-level refusal
  (malformed HTTP, oversize headers, timeout) answered as AWS-shaped JSON, like the gateway's errors.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import resource
import time
from typing import Any

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .core.errors import ApiError
from .gateway import catalog, serializing
from .gateway.dispatch import new_request_id
from .settings import Settings

log = logging.getLogger("localconnect.server")

# Request line plus headers. SDK requests carry 1-2 KB; 64 KiB leaves room for any real client.
MAX_HEADER_BYTES = 64 * 1024
# Expired connections answered per turn of the event loop.
SWEEP_BATCH = 16
# How long a refused connection is still read (and its data dropped) before it is closed.
LINGER_SECONDS = 1.0
# Body pieces per read of a connection. Each chunk of a chunked body is a Python call (~1.4 µs): a 1 MiB body in
# 1-byte chunks held the event loop for over a second (measured); 4,096 in one 256 KiB read is ~6 ms. Real
# clients' chunks are kilobytes.
MAX_PIECES_PER_READ = 4096


def _nothing() -> None:
    pass


def _edge_error(code: str, status: int) -> type[ApiError]:
    return type(code, (ApiError,), {"code": code, "status": status})


BadRequestException = _edge_error("BadRequestException", 400)
RequestTimeoutException = _edge_error("RequestTimeoutException", 408)
RequestHeaderFieldsTooLargeException = _edge_error("RequestHeaderFieldsTooLargeException", 431)


class Edge:
    """What every connection of one server shares: the limits and the connections that may be evicted."""

    def __init__(self, request_timeout: float, max_connections: int, max_body_bytes: int):
        self.request_timeout = request_timeout
        self.max_connections = max_connections
        self.max_body_bytes = max_body_bytes
        self.live: set[EdgeProtocol] = set()
        # Connections waiting on their client, oldest first (dicts keep insertion order).
        self.waiting: dict[EdgeProtocol, None] = {}
        self.evicted = 0
        self.refused = 0
        self._warned_at = 0.0
        # Deadlines are checked by one sweep per server rather than a timer per request: setting a float
        # per request costs nothing, and a connection is closed at most ``tick`` after its deadline.
        self.tick = min(0.5, request_timeout / 4)
        self._sweep_handle: asyncio.TimerHandle | None = None

    def watch(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._sweep_handle is None:
            self._sweep_handle = loop.call_later(self.tick, self._sweep, loop)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        due = [c for c in self.live if c.deadline is not None and c.deadline <= now]
        for conn in due[:SWEEP_BATCH]:
            conn.expired()
        # 1,000 connections opened together expire together: answering them all in one go held the event loop
        # for ~50 ms (measured); in batches, other connections' events run in between.
        if len(due) > SWEEP_BATCH:
            self._sweep_handle = loop.call_soon(self._sweep, loop)  # type: ignore[assignment]
        else:
            self._sweep_handle = loop.call_later(self.tick, self._sweep, loop)

    def warn(self, message: str) -> None:
        now = time.monotonic()
        if now - self._warned_at > 10:  # once per 10 s, so a flood cannot flood the log too
            self._warned_at = now
            log.warning("%s (evicted %d, refused %d so far)", message, self.evicted, self.refused)


class EdgeProtocol(HttpToolsProtocol):
    edge: Edge  # set on the per-server subclass made by protocol_class()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline: float | None = None  # loop time by which the client must have sent the request
        self._partial = False       # between the first byte of a request and its end
        self._in_headers = True     # waiting for (the rest of) a request line and headers
        self._header_bytes = 0      # raw bytes received in that state: bounds a header still arriving
        self._too_large = False
        self._pieces = 0            # body pieces (chunks) the parser handed over in the current read
        self._too_many_pieces = False
        self._request_bytes = 0     # bytes of the request now arriving (408 or silent close)
        self._deferred: tuple[Any, Any] | None = None  # (cycle, app) waiting for its body
        self._started: Any = None   # the cycle whose application task runs
        self._closed = False
        self._evictable = False     # in edge.waiting: no request of it is inside the application
        self._draining = False      # refused: the answer is written, the client's remaining bytes are dropped

    # --- connections --------------------------------------------------------------------------------
    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        edge = self.edge
        if len(edge.live) >= edge.max_connections:
            if edge.waiting:
                oldest = next(iter(edge.waiting))
                edge.evicted += 1
                edge.warn(f"max_connections ({edge.max_connections}) reached: closing the connection that "
                          "waited longest on its client")
                oldest._close()
            else:
                edge.refused += 1
                edge.warn(f"max_connections ({edge.max_connections}) reached and every connection is busy: "
                          "refusing a new one")
                self._close()
                return
        edge.live.add(self)
        edge.watch(self.loop)
        self._refresh()

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()
        super().connection_lost(exc)
        # A request cycle points back at its connection (cycle.on_response); uvicorn breaks that loop when the
        # application finishes. A request the application never ran (its body never completed, or it was queued
        # behind another) would keep the loop, and every such connection (~20 objects) would wait for the
        # garbage collector: 1,000 slow clients made full collections of 20-50 ms (measured, make soak).
        unstarted = [cycle for cycle, _ in self.pipeline]
        if self._deferred is not None:
            unstarted.append(self._deferred[0])
        for cycle in unstarted:
            cycle.on_response = _nothing
        self.pipeline.clear()
        self._deferred = None

    def _forget(self) -> None:
        self._closed = True
        self.edge.live.discard(self)
        self.edge.waiting.pop(self, None)
        self.deadline = None

    def _close(self) -> None:
        self._forget()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # --- the deadline ---------------------------------------------------------------------------------
    def _busy(self) -> bool:
        """A request is inside the application (or queued behind one): the server, not the client, owes."""
        started = self._started
        return bool(self.pipeline) or (started is not None and not started.response_complete)

    def _refresh(self) -> None:
        """Called after every event: arm the deadline while the server waits on the client, and keep the
        eviction order (connections go to the back of it when they become idle)."""
        if self._closed:
            return
        busy = self._busy()
        if self._partial or not busy or self.flow.write_paused:
            if self.deadline is None:
                self.deadline = self.loop.time() + self.edge.request_timeout
        else:
            self.deadline = None
        if busy == self._evictable:
            self._evictable = not busy
            if busy:
                self.edge.waiting.pop(self, None)
            else:
                self.edge.waiting[self] = None

    def expired(self) -> None:
        self.deadline = None
        if self._closed:
            return
        if self._draining:
            self._close()
        elif (self._partial or self._request_bytes) and not self._busy():
            self._refuse(RequestTimeoutException(
                f"The request did not arrive completely within request_timeout_seconds "
                f"({self.edge.request_timeout:g} s)"))
        else:
            self._close()

    # --- reading ----------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._closed or self._draining:
            return  # after a refusal: the rest of what the client sends is read and dropped
        self._unset_keepalive_if_required()
        if self._in_headers:
            self._header_bytes += len(data)
        self._request_bytes += len(data)
        self._pieces = 0
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # no protocol upgrades here (ws = none): the request was served as plain HTTP
        except httptools.HttpParserError as exc:
            if self._too_large or (self._in_headers and self._header_bytes > MAX_HEADER_BYTES):
                self._refuse(RequestHeaderFieldsTooLargeException(
                    f"The request line and headers exceed {MAX_HEADER_BYTES} bytes"))
            elif self._too_many_pieces:
                self._refuse(BadRequestException(
                    f"The chunked body comes in chunks too small to read: more than {MAX_PIECES_PER_READ} in "
                    "one read of the connection"))
            else:
                self._malformed(exc)
            return
        if self._in_headers and self._header_bytes > MAX_HEADER_BYTES:
            self._refuse(RequestHeaderFieldsTooLargeException(
                f"The request line and headers exceed {MAX_HEADER_BYTES} bytes"))
            return
        self._refresh()

    def _malformed(self, exc: Exception) -> None:
        cause = exc.__cause__ or exc.__context__
        detail = str(exc) if cause is None else "a request line or header that cannot be read"
        if self._busy():
            # A response is being produced for an earlier request on this connection: end after it.
            self.cycle.keep_alive = False
            self._closed = True
            return
        self._refuse(BadRequestException(f"Malformed HTTP request: {detail}"))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._partial = True

    def on_headers_complete(self) -> None:
        self._in_headers = False
        # The raw count can only overstate a request's headers (it includes any body bytes read with them),
        # so the exact size is computed only when it says they may be too large. (A request whose headers
        # arrive in the same read as the end of the one before is counted from its next read: bounded by one
        # read, 256 KiB.)
        if self._header_bytes > MAX_HEADER_BYTES and len(self.url) + sum(
                len(name) + len(value) + 4 for name, value in self.headers) > MAX_HEADER_BYTES:
            self._too_large = True
            raise ValueError("request headers too large")  # ends parsing: httptools raises HttpParserError
        self._header_bytes = 0
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._pieces += 1
        if self._pieces > MAX_PIECES_PER_READ:
            self._too_many_pieces = True
            raise ValueError("body in too many pieces")  # ends parsing: httptools raises HttpParserError
        super().on_body(body)
        if self._deferred is not None:
            # uvicorn pauses reading past 64 KiB until the application reads; it will not read until the
            # body is complete, so keep reading (the body is bounded by max_body_bytes below).
            if self.flow.read_paused:
                self.flow.resume_reading()
            if len(self._deferred[0].body) > self.edge.max_body_bytes:
                self._release()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._partial = False
        self._in_headers = True
        self._header_bytes = 0
        self._request_bytes = 0
        if self._deferred is not None and self._deferred[0] is self.cycle:
            self._release()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._refresh()

    # --- running the application ---------------------------------------------------------------------
    def _start_asgi_task(self, cycle, app) -> None:
        if cycle.more_body and not cycle.response_complete:
            # The body is still arriving: hold the application back until it is all here.
            if cycle.waiting_for_100_continue and not self.transport.is_closing():
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                cycle.waiting_for_100_continue = False
            self._deferred = (cycle, app)
            self.flow.resume_reading()
            return
        self._run(cycle, app)

    def _release(self) -> None:
        cycle, app = self._deferred  # type: ignore[misc]
        self._deferred = None
        self._run(cycle, app)

    def _run(self, cycle, app) -> None:
        self._started = cycle
        super()._start_asgi_task(cycle, app)
        self._refresh()

    # --- writing ----------------------------------------------------------------------------------------
    def pause_writing(self) -> None:
        super().pause_writing()
        self._refresh()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._refresh()

    def send_400_response(self, msg: str) -> None:  # uvicorn's own refusals, answered in JSON as well
        self._refuse(BadRequestException(msg))

    def _refuse(self, err: ApiError) -> None:
        """Answer a request the application never saw with an AWS-shaped JSON error, and close."""
        if self._closed:
            return
        headers = self.headers or []
        service = catalog.SMS_VOICE if any(name.lower() == b"x-amz-target" for name, _ in headers) \
            else catalog.CONNECT
        status, out_headers, body = serializing.error(service, new_request_id(), err)
        head = [STATUS_LINE[status]]
        for name, value in out_headers:
            head += [name, b": ", value, b"\r\n"]
        head.append(b"connection: close\r\n\r\n")
        transport = self.transport
        if transport is None or transport.is_closing():
            self._close()
            return
        transport.write(b"".join(head) + body)
        try:
            can_linger = transport.can_write_eof()
        except NotImplementedError:
            can_linger = False
        if not can_linger:
            self._close()
            return
        # Closing at once, with the client's unread bytes still arriving, makes the kernel send a reset that can
        # destroy the answer before the client reads it (measured: 60 of 1,500 408s lost in the soak). So end
        # the writing side, drop what still comes for up to LINGER_SECONDS, then close.
        transport.write_eof()
        self._draining = True
        self.deadline = self.loop.time() + LINGER_SECONDS


# File descriptors kept for the store, logs and the listening socket, beyond one per connection.
FD_RESERVE = 128


def connection_room(wanted: int) -> int:
    """Raise the soft open-files limit so ``wanted`` connections fit (many systems start at 1024); the
    connections that fit when the hard limit is lower."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < need:
        log.warning("max_connections %d lowered to %d: the open-files limit is %d", wanted,
                    max(1, soft - FD_RESERVE), soft)
        return max(1, soft - FD_RESERVE)
    return wanted


def protocol_class(settings: Settings) -> type[EdgeProtocol]:
    """A protocol class bound to one server's limits (uvicorn builds one protocol per connection)."""
    edge = Edge(settings.request_timeout_seconds, connection_room(settings.max_connections), settings.max_body_bytes)
    return type("LocalConnectProtocol", (EdgeProtocol,), {"edge": edge})


def config(app, settings: Settings) -> uvicorn.Config:
    # Everything built so far (the botocore models and endpoint data above all: ~78,000 objects, loaded by the
    # Gateway at start) lives as long as the server. Left to the collector, every full collection walks it and
    # holds the event loop 50-100 ms (measured: gc.collect() with the app loaded); frozen, a full collection
    # only walks what requests allocate.
    gc.collect()
    gc.freeze()
    # loop="auto": uvloop where installed (uvicorn[standard] brings it, not on Windows), taken by Server.run. On
    # asyncio's own loop a connection cost the server ~3x the CPU to open and close; 1,000 slow clients opening
    # together held it ~80 ms and the health probe waited 90-210 ms (make soak; 27 ms on uvloop).
    return uvicorn.Config(app, host=settings.host, port=settings.port, log_level=settings.log_level,
                          access_log=False, lifespan="on", server_header=False, loop="auto",
                          http=protocol_class(settings), ws="none")
