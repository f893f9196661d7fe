"""What a connection leaves behind once it is closed: nothing for the garbage collector, and the server on the
event loop the soak was measured on.

Each connection that ended as garbage in a reference cycle (~20 objects) waited for a collection; with 1,000 slow
clients those collections took 20-50 ms each and held the event loop (make soak). So the server is run here in
this process, on a thread, exactly as ``localconnect serve`` configures it, and the collector is asked what the
connections left.
"""
from __future__ import annotations

import gc
import importlib.util
import json
import socket
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn
from rawhttp import exchange

from localconnect import server as edge
from localconnect.app import App
from localconnect.settings import load
from localconnect.startup import resolve_store

TIMEOUT = 0.5
BODY = b'{"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "cycles"}'
HEAD = b"PUT /instance HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
# How a connection can end, each with a request the application never ran or one it did.
ENDINGS = {
    "short body, 408": HEAD + b"Content-Length: %d\r\n\r\n%s" % (len(BODY) + 10, BODY),
    "unfinished chunked body, 408": HEAD + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n" % (len(BODY), BODY),
    "partial headers, 408": b"GET /instance HTTP/1.1\r\nHost: x\r\nX-Amz-Date: 2024",
    "nothing sent": b"",
    "a complete request, then idle": b"GET /_localconnect/health HTTP/1.1\r\nHost: x\r\n\r\n",
    "pipelined, the second unfinished": (b"GET /_localconnect/health HTTP/1.1\r\nHost: x\r\n\r\n" + HEAD +
                                         b"Content-Length: 500\r\n\r\n{"),
    "malformed, 400": b"GET / HTTP/1.1\r\nHost: x\r\nBad\x01Header: y\r\n\r\n",
}


@pytest.fixture(scope="module")
def threaded():
    """``localconnect serve``'s configuration (server.config) on a thread of this process, 127.0.0.1."""
    settings = resolve_store(load({"store": "memory", "quiet": True, "request_timeout_seconds": TIMEOUT}, environ={}))
    config = edge.config(App(settings), settings)
    gc.unfreeze()  # config() freezes what the server process has built; here that would be the whole test run
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the threaded server did not start"
    server.url = "http://127.0.0.1:%d" % sock.getsockname()[1]
    yield server
    server.should_exit = True
    thread.join(10)


def _protocols_in_cycles() -> list:
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return [o for o in gc.garbage if isinstance(o, edge.EdgeProtocol)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_closed_connections_are_freed_without_the_collector(threaded):
    gc.collect()
    gc.disable()  # so that what the connections leave in cycles is still there to be found
    try:
        with ThreadPoolExecutor(len(ENDINGS) * 3) as pool:
            answers = list(pool.map(lambda data: exchange(threaded.url, data, wait=TIMEOUT + 5),
                                    [data for data in ENDINGS.values() for _ in range(3)]))
        assert all(a.closed for a in answers), "every connection is closed by the server within its deadline"
        deadline = time.monotonic() + 5
        while threaded.server_state.connections and time.monotonic() < deadline:  # connection_lost has run
            time.sleep(0.05)
        assert not threaded.server_state.connections
        leaked = _protocols_in_cycles()
    finally:
        gc.enable()
    assert leaked == [], f"{len(leaked)} closed connections were left in reference cycles"


def test_serve_runs_on_uvloop_where_installed(edge):
    """``localconnect serve`` (the ``edge`` server is one) on the loop make soak and make bench measure."""
    with urllib.request.urlopen(edge.url + "/_localconnect/health", timeout=10) as answer:
        health = json.loads(answer.read())
    assert health["event_loop"] == ("uvloop" if importlib.util.find_spec("uvloop") else "asyncio")
