"""Load generator: drives one HTTP request template at a server over keep-alive connections, in its own process.

Run as ``python bench/load.py`` with a JSON job on stdin; prints one JSON result on stdout. It is a separate
process so that the client's CPU never competes with the server's event loop, and it speaks raw HTTP/1.1 on
asyncio streams because an SDK client (boto3) is slower than the server it is meant to saturate.

Job keys: url, method, path, body (str or null), headers (dict), values (list or null), unique (bool),
seconds, max_requests, connections, server_pid (int or null), collect (JSON member name or null).
In path and body, ``$I`` becomes the request's index and ``$V`` a value: ``values[i]`` when ``unique``
(each value used once, so the run ends when they run out), else ``values[i % len(values)]``.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from urllib.parse import urlsplit

ERROR_SAMPLES = 5


def _cpu_seconds(pid: int | None) -> float | None:
    """user+system CPU seconds of a process so far (Linux /proc), or None when it cannot be read."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()  # the command name may contain spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


class Requests:
    """Builds the bytes of request ``i`` from the job's template."""

    def __init__(self, job: dict, host: str):
        self.method, self.path, self.body = job["method"], job["path"], job.get("body")
        self.values = job.get("values")
        self.unique = bool(job.get("unique"))
        head = [f"Host: {host}"] + [f"{k}: {v}" for k, v in job.get("headers", {}).items()]
        self.head = "\r\n".join(head)
        self.limit = int(job["max_requests"])
        if self.unique:
            self.limit = min(self.limit, len(self.values or []))

    def build(self, i: int) -> bytes:
        path, body = self.path, self.body
        if self.values:
            value = self.values[i] if self.unique else self.values[i % len(self.values)]
            path = path.replace("$V", value)
            body = body.replace("$V", value) if body is not None else None
        path = path.replace("$I", str(i))
        if body is None:
            return f"{self.method} {path} HTTP/1.1\r\n{self.head}\r\n\r\n".encode()
        data = body.replace("$I", str(i)).encode()
        return f"{self.method} {path} HTTP/1.1\r\n{self.head}\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.index(b"\r\n", at + 2)
        return status, await reader.readexactly(int(lower[at + 17:end]))
    if b"\r\ntransfer-encoding: chunked" in lower:
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, b"".join(chunks)
            chunks.append(chunk[:-2])
    return status, b""


async def run(job: dict) -> dict:
    url = urlsplit(job["url"])
    host, port = url.hostname, url.port
    requests = Requests(job, f"{host}:{port}")
    collect = job.get("collect")
    latencies: list[float] = []  # seconds, 2xx only
    collected: list = []
    errors: list[str] = []
    counts = {"sent": 0, "ok": 0, "failed": 0}
    # Connect first, so connection set-up is not part of the measured window.
    conns = [await asyncio.open_connection(host, port) for _ in range(int(job["connections"]))]
    server_cpu0, client_cpu0 = _cpu_seconds(job.get("server_pid")), sum(os.times()[:2])
    start = time.perf_counter()
    deadline = start + float(job["seconds"])

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while counts["sent"] < requests.limit and time.perf_counter() < deadline:
            i = counts["sent"]
            counts["sent"] += 1
            t0 = time.perf_counter()
            try:
                writer.write(requests.build(i))
                status, body = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                counts["failed"] += 1
                if len(errors) < ERROR_SAMPLES:
                    errors.append(f"connection: {exc!r}")
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            if 200 <= status < 300:
                latencies.append(time.perf_counter() - t0)
                counts["ok"] += 1
                if collect:
                    collected.append(json.loads(body)[collect])
            else:
                counts["failed"] += 1
                if len(errors) < ERROR_SAMPLES:
                    errors.append(f"{status}: {body[:300].decode('utf-8', 'replace')}")
        writer.close()

    await asyncio.gather(*(worker(r, w) for r, w in conns))
    elapsed = time.perf_counter() - start
    server_cpu1, client_cpu1 = _cpu_seconds(job.get("server_pid")), sum(os.times()[:2])
    latencies.sort()
    server_cpu = None if server_cpu0 is None or server_cpu1 is None else server_cpu1 - server_cpu0
    return {
        "requests": counts["ok"] + counts["failed"],
        "ok": counts["ok"],
        "errors": counts["failed"],
        "elapsed_s": elapsed,
        "rps": counts["ok"] / elapsed if elapsed > 0 else 0.0,
        "p50_ms": None if not latencies else 1000 * _percentile(latencies, 0.50),
        "p99_ms": None if not latencies else 1000 * _percentile(latencies, 0.99),
        # Ended by the request cap (or by running out of unique values) before the time was up.
        "capped": counts["sent"] >= requests.limit and elapsed < float(job["seconds"]),
        "server_cpu": None if server_cpu is None else server_cpu / elapsed,
        # Server CPU time per successful request: unlike req/s, barely moved by other load on the machine.
        "server_us_per_req": None if server_cpu is None or not counts["ok"] else 1e6 * server_cpu / counts["ok"],
        "client_cpu": (client_cpu1 - client_cpu0) / elapsed,
        "error_samples": errors,
        "collected": collected,
    }


def main() -> None:
    job = json.load(sys.stdin)
    try:
        import uvloop  # the same loop the servers use; it roughly halves the client's cost per request
        result = uvloop.run(run(job))
    except ImportError:
        result = asyncio.run(run(job))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent reports it
        sys.exit(130)
