"""Baseline ASGI apps the benchmark compares localconnect with, and a launcher that serves one of them.

``python bench/baselines.py bare`` or ``python bench/baselines.py sqlite DB_PATH`` serves the app on
127.0.0.1, on a free port, with the stack ``localconnect serve`` uses (uvicorn, uvloop, httptools, one
worker, no access log), and prints ``... listening on http://HOST:PORT`` once it accepts connections.
"""
from __future__ import annotations

import json
import sqlite3
import sys
import time

_ID = "8a8a8a8a-1111-2222-3333-444455556666"
_ARN = f"arn:aws:connect:us-east-1:123456789012:instance/{_ID}"


def _describe_instance_output() -> dict:
    # Shaped like localconnect's DescribeInstance output, so both serialize a document of the same size.
    return {"Instance": {
        "Id": _ID, "Arn": _ARN, "IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "bench",
        "CreatedTime": time.time(), "InstanceStatus": "ACTIVE", "InboundCallsEnabled": True,
        "OutboundCallsEnabled": True, "InstanceAccessUrl": "https://bench.my.connect.aws/",
        "ServiceRole": "arn:aws:iam::123456789012:role/aws-service-role/connect.amazonaws.com/"
                       "AWSServiceRoleForAmazonConnect_0123456789abcdef0123"}}


async def _read_json(receive):
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return json.loads(body) if body else None


async def _respond(send, document: dict) -> None:
    body = json.dumps(document, separators=(",", ":")).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def bare(scope, receive, send) -> None:
    """Read the body, parse it as JSON if there is one, answer a DescribeInstance-sized JSON document."""
    await _read_json(receive)
    await _respond(send, _describe_instance_output())


class SQLiteInsert:
    """``bare`` plus one durable row per request: the floor under any write that must be on disk before its 200.

    Same pragmas as localconnect's SQLite store (WAL, synchronous=FULL, BEGIN IMMEDIATE), and the commit runs
    on the event loop thread as localconnect's does, so the fsync blocks the loop in both.
    """

    def __init__(self, path: str):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT, created REAL)")

    async def __call__(self, scope, receive, send) -> None:
        request = await _read_json(receive)
        self.conn.execute("BEGIN IMMEDIATE")
        cursor = self.conn.execute("INSERT INTO rows (body, created) VALUES (?, ?)",
                                   (json.dumps(request), time.time()))
        self.conn.execute("COMMIT")
        await _respond(send, {"Id": str(cursor.lastrowid), "Arn": _ARN})


def main(argv: list[str]) -> int:
    import uvicorn

    if argv[:1] == ["bare"]:
        app = bare
    elif argv[:1] == ["sqlite"] and len(argv) == 2:
        app = SQLiteInsert(argv[1])
    else:
        print("usage: baselines.py bare | sqlite DB_PATH", file=sys.stderr)
        return 2

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started:
                host, port = self.servers[0].sockets[0].getsockname()[:2]
                print(f"baseline {argv[0]} listening on http://{host}:{port}", flush=True)

    config = uvicorn.Config(app, host="127.0.0.1", port=0, loop="uvloop", http="httptools", workers=1,
                            access_log=False, log_level="warning", lifespan="off", server_header=False)
    Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
