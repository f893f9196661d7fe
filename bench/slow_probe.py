"""Slow clients against any HTTP server: N connections that each send a partial request and then a byte every
2 s, while a separate process probes ``--probe-path`` 100 times; prints how the server treated the slow
connections and the probe's latency. Used to compare HTTP servers (README, "Hostile clients").

    python bench/slow_probe.py --port 4599 [--connections 1000] [--hold 12]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time


async def slow(port: int, hold: float, out: dict) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        out["refused"] += 1
        return
    opened = time.monotonic()
    writer.write(b"GET /instance HTTP/1.1\r\nHost: x\r\n")
    answer = b""
    while time.monotonic() - opened < hold:
        try:
            chunk = await asyncio.wait_for(reader.read(4096), 2.0)
        except asyncio.TimeoutError:
            writer.write(b"X")
            continue
        except OSError:
            chunk = b""
        if not chunk:
            out["closed_after"].append(time.monotonic() - opened)
            out["answers"][answer[:12].decode("latin-1") or "none"] += 1
            writer.close()
            return
        answer += chunk
    out["held"] += 1
    writer.close()


def probe(port: int, path: str, count: int) -> dict:
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    latencies, codes = [], {}
    for _ in range(count):
        started = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(request)
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
            code = data[9:12].decode() or "EOF"
        except OSError as exc:
            code = type(exc).__name__
        latencies.append((time.monotonic() - started) * 1000)
        codes[code] = codes.get(code, 0) + 1
        time.sleep(0.05)
    return {"codes": codes, "p50_ms": statistics.median(latencies), "max_ms": max(latencies)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--hold", type=float, default=12.0, help="seconds each slow connection tries to stay")
    parser.add_argument("--probe-path", default="/_localconnect/health")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(args.port, args.probe_path, 100)))
        return 0
    prober = subprocess.Popen([sys.executable, __file__, "--probe", "--port", str(args.port),
                               "--probe-path", args.probe_path], stdout=subprocess.PIPE, text=True)
    out: dict = {"refused": 0, "held": 0, "closed_after": [], "answers": {}}

    async def run() -> None:
        from collections import Counter
        out["answers"] = Counter()
        await asyncio.gather(*(slow(args.port, args.hold, out) for _ in range(args.connections)))
    asyncio.run(run())
    probed = json.loads(prober.stdout.read())
    prober.wait()
    closed = out.pop("closed_after")
    print(json.dumps({**out, "answers": dict(out["answers"]), "closed": len(closed),
                      "closed_after_s": [round(min(closed), 1), round(max(closed), 1)] if closed else None,
                      "probe": probed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
