"""What the HTTP edge (src/localconnect/server.py) costs per request, next to uvicorn's own httptools protocol.

Feeds the same SDK-sized request through each protocol in process (a stub transport, a trivial ASGI app, no
sockets), ``--rounds`` times alternately, and prints CPU microseconds per request (process time, so other
load on a shared machine moves the numbers less than wall time would).

    python bench/edge_overhead.py [--requests 20000] [--rounds 8]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from localconnect.server import protocol_class
from localconnect.settings import Settings

BODY = b'{"MaxResults": 10}'
REQUEST = (b"POST /phone-number/list HTTP/1.1\r\nHost: 127.0.0.1:4599\r\nAccept-Encoding: identity\r\n"
           b"User-Agent: Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6 md/arch#x86_64 lang/python#3.11\r\n"
           b"X-Amz-Date: 20260101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/"
           b"us-east-1/connect/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + b"0" * 64 + b"\r\n"
           b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY))


async def app(scope, receive, send) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})


class StubTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = 0
        self.closing = False

    def write(self, data) -> None:
        self.written += len(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 4599), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def per_request_us(protocol, requests: int) -> float:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    config = uvicorn.Config(app, lifespan="off", log_level="warning", http=protocol)
    config.load()
    proto = config.http_protocol_class(config=config, server_state=ServerState(), app_state={}, _loop=loop)
    transport = StubTransport()
    proto.connection_made(transport)

    async def drive() -> None:
        for _ in range(requests):
            proto.data_received(REQUEST)
            await asyncio.sleep(0)  # the application task runs
            await asyncio.sleep(0)
    started = time.process_time()
    loop.run_until_complete(drive())
    elapsed = time.process_time() - started
    assert transport.written > requests * 20 and not transport.closing, "requests were not answered"
    loop.close()
    return elapsed / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    edge = protocol_class(Settings())
    plain, ours = [], []
    for _ in range(args.rounds):
        plain.append(per_request_us(HttpToolsProtocol, args.requests))
        ours.append(per_request_us(edge, args.requests))
    print(f"uvicorn httptools: median {statistics.median(plain):.1f} µs/request (min {min(plain):.1f})")
    print(f"localconnect edge: median {statistics.median(ours):.1f} µs/request (min {min(ours):.1f})")
    print(f"difference of medians: {statistics.median(ours) - statistics.median(plain):+.1f} µs/request")


if __name__ == "__main__":
    main()
