"""`make soak`: a bounded soak of hostile requests against a localconnect server it starts on 127.0.0.1.

The attack classes (bench/attacks.py, plus slow clients here) run one after another, each from ``--workers``
separate client processes over raw sockets, while a prober process asks GET /_localconnect/health every
20 ms. Prints a table per class — requests, statuses, non-JSON answers, 5xx, the slowest answer, the health
probe's slowest answer during the class — and the server's RSS and open file descriptors before and after,
then checks the bounds: no 5xx but 501, no non-JSON answer, slowest answer and probe under 100 ms, RSS growth
under 10 %. Exit status 1 when a bound is missed.

    python bench/soak.py [--requests 100000] [--workers 2] [--seed 1] [--store sqlite]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import attacks  # noqa: E402

SLOW = "slow clients"
JSON_TYPES = ("application/json", "application/x-amz-json-1.0")
REQUEST_TIMEOUT = 2.0   # the server's request_timeout_seconds in the soak: slow clients take seconds, not 30 s
BOUND_MS = 100.0
RSS_GROWTH = 0.10


# --- answers ------------------------------------------------------------------------------------------------

def parse(raw: bytes, head: bool) -> tuple[list[tuple[int, str, bytes]], bytes]:
    """Whole responses in ``raw`` as (status, content-type, body), and what is left."""
    out = []
    while True:
        top, sep, rest = raw.partition(b"\r\n\r\n")
        if not sep:
            return out, raw
        lines = top.decode("latin-1").split("\r\n")
        headers = dict((k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:]))
        length = 0 if head else int(headers.get("content-length", "0"))
        if len(rest) < length:
            return out, raw
        status = int(lines[0].split(" ", 2)[1])
        raw = rest[length:]
        if status >= 200:
            out.append((status, headers.get("content-type", ""), rest[:length]))


def is_json(ctype: str, body: bytes, head: bool) -> bool:
    if ctype not in JSON_TYPES:
        return False
    if head:
        return True
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False


def roundtrip(port: int, request: attacks.Request) -> tuple[list[tuple[int, str, bytes]], float, str | None]:
    """Send one attack on a new connection; the answers, the seconds until the last one, and any socket error."""
    started = time.perf_counter()
    raw, error, answers = b"", None, []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(request.data)
        except OSError as exc:  # refused before the whole request was sent (431, 413): read what was answered
            error = type(exc).__name__
        while len(answers) < request.answers:
            try:
                chunk = sock.recv(262144)
            except OSError as exc:
                error = error or type(exc).__name__
                break
            if not chunk:
                break
            raw += chunk
            answers, _ = parse(raw, request.head)
    return answers, time.perf_counter() - started, error


# --- a worker process: one class's share of requests --------------------------------------------------------

def worker(job: dict) -> dict:
    world = attacks.World(job["world"])
    make = attacks.CLASSES[job["class"]]
    rng = random.Random(job["seed"])
    statuses: Counter = Counter()
    non_json, server_errors, missing, errors = [], [], 0, Counter()
    slowest = (0.0, "")
    for _ in range(job["count"]):
        request = make(world, rng)
        answers, seconds, error = roundtrip(job["port"], request)
        if error:
            errors[error] += 1
        if len(answers) < request.answers:
            missing += 1
        if seconds > slowest[0]:
            slowest = (seconds, request.data[:160].decode("latin-1"))
        for status, ctype, body in answers:
            statuses[status] += 1
            if not is_json(ctype, body, request.head):
                non_json.append(f"{status} {ctype} {body[:80]!r} <- {request.data[:100]!r}")
            if status >= 500 and status != 501:
                server_errors.append(f"{status} {body[:120]!r} <- {request.data[:120]!r}")
    return {"statuses": dict(statuses), "non_json": non_json[:5], "non_json_count": len(non_json),
            "server_errors": server_errors[:5], "server_error_count": len(server_errors), "missing": missing,
            "socket_errors": dict(errors), "slowest": slowest}


async def _slow_connection(port: int, kind: str, hold: float, out: dict) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        out["refused"] += 1
        return
    opened = time.monotonic()
    first = {"headers": b"GET /instance HTTP/1.1\r\nHost: x\r\nX-Slow: ",
             "body": b"PUT /instance HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 90\r\n\r\n{",
             "chunked": b"PUT /instance HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n",
             "nothing": b""}[kind]
    writer.write(first)
    data = b""
    try:
        while time.monotonic() - opened < hold:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), 0.5)
            except asyncio.TimeoutError:
                if kind != "nothing":
                    writer.write(b"a")  # a byte now and then: every read is short, the request never ends
                continue
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    closed_after = time.monotonic() - opened
    writer.close()
    if closed_after >= hold:
        out["held"] += 1
        return
    out["closed_after"].append(closed_after)
    answers, _ = parse(data, False)
    for status, ctype, body in answers:
        out["statuses"][status] = out["statuses"].get(status, 0) + 1
        if not is_json(ctype, body, False):
            out["non_json"] += 1


def slow_worker(job: dict) -> dict:
    """``count`` slow connections, ``wave`` at a time, each held until the server closes it."""
    out = {"statuses": {}, "non_json": 0, "closed_after": [], "held": 0, "refused": 0}

    async def run() -> None:
        kinds = ["headers", "body", "chunked", "nothing"]
        left = job["count"]
        while left > 0:
            wave = min(left, job["wave"])
            await asyncio.gather(*(_slow_connection(job["port"], kinds[k % 4], job["hold"], out)
                                   for k in range(wave)))
            left -= wave
    asyncio.run(run())
    closed = out.pop("closed_after")
    late = max((c - job["timeout"] for c in closed), default=0.0)
    return {"statuses": out["statuses"], "non_json_count": out["non_json"], "non_json": [],
            "server_errors": [], "server_error_count": sum(v for k, v in out["statuses"].items()
                                                           if int(k) >= 500 and int(k) != 501),
            "missing": out["held"] + out["refused"], "socket_errors": {}, "closed": len(closed),
            "slowest": (max(late, 0.0), f"closed {min(closed, default=0):.2f}-{max(closed, default=0):.2f} s "
                                        f"after opening (request_timeout_seconds {job['timeout']:g})")}


# --- the prober ---------------------------------------------------------------------------------------------

def prober(port: int, stop_file: str) -> None:
    """GET /_localconnect/health every 20 ms on a new connection until stop_file exists; one line per probe."""
    request = b"GET /_localconnect/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    while not os.path.exists(stop_file):
        started = time.perf_counter()
        ok = False
        try:
            answers, _, _ = roundtrip(port, attacks.Request(request))
            ok = bool(answers) and answers[0][0] == 200
        except OSError:
            pass
        print(json.dumps([time.time(), (time.perf_counter() - started) * 1000, ok]), flush=True)
        time.sleep(0.02)


# --- the server's resources -----------------------------------------------------------------------------------

def resources(pid: int) -> dict:
    with open(f"/proc/{pid}/status") as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return {"rss_mb": rss_kb / 1024, "fds": len(os.listdir(f"/proc/{pid}/fd"))}


def build_world(url: str) -> dict:
    from localconnect.testing import admin_call, clients

    connect, sms = clients(url, access_key="AKIDSOAK")
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="soakworld",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)
    admin_call(url, "POST", "/clock", {"advance_seconds": 5})
    sources = [sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS", "VOICE"], NumberType="TOLL_FREE")
               for _ in range(2)]
    number = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=sources[0]["PhoneNumberArn"])
    admin_call(url, "POST", "/clock", {"advance_seconds": 5})
    return {"instance_id": instance["Id"], "instance_arn": instance["Arn"], "number_id": number["PhoneNumberId"],
            "number_arn": number["PhoneNumberArn"], "sms_id": sources[0]["PhoneNumberId"],
            "sms_arn": sources[0]["PhoneNumberArn"], "spare_arn": sources[1]["PhoneNumberArn"]}


# --- the run --------------------------------------------------------------------------------------------------

def run_class(name: str, jobs: list[dict]) -> dict:
    procs = [subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True) for _ in jobs]
    for proc, job in zip(procs, jobs, strict=True):
        proc.stdin.write(json.dumps({**job, "class": name}))
        proc.stdin.close()
    results = [json.loads(proc.stdout.read()) for proc in procs]
    for proc in procs:
        proc.wait()
    merged: dict = {"statuses": Counter(), "non_json": [], "non_json_count": 0, "server_errors": [],
                    "server_error_count": 0, "missing": 0, "socket_errors": Counter(), "slowest": (0.0, "")}
    for r in results:
        merged["statuses"].update({int(k): v for k, v in r["statuses"].items()})
        merged["socket_errors"].update(r["socket_errors"])
        for key in ("non_json", "server_errors"):
            merged[key] += r[key]
        for key in ("non_json_count", "server_error_count", "missing"):
            merged[key] += r[key]
        if r["slowest"][0] >= merged["slowest"][0]:
            merged["slowest"] = tuple(r["slowest"])
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000, help="requests in all (slow connections included)")
    parser.add_argument("--workers", type=int, default=2, help="client processes per class")
    parser.add_argument("--slow", type=int, default=2000, help="slow connections (of --requests), 1000 at a time")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=50, help="uncounted requests of each class first")
    parser.add_argument("--store", default="sqlite", help="sqlite (a temporary file) or a postgresql:// URL")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prober", nargs=2, metavar=("PORT", "STOP_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        job = json.loads(sys.stdin.read())
        print(json.dumps(slow_worker(job) if job["class"] == SLOW else worker(job)))
        return 0
    if args.prober:
        prober(int(args.prober[0]), args.prober[1])
        return 0
    return soak(args)


def soak(args) -> int:
    # Imported here: the worker and prober processes need none of localconnect.
    from localconnect.testing import ServerProcess

    scratch = tempfile.mkdtemp(prefix="localconnect-soak-")
    store = "sqlite:///" + os.path.join(scratch, "soak.db") if args.store == "sqlite" else args.store
    slow = min(args.slow, args.requests)
    per_class = (args.requests - slow) // len(attacks.CLASSES)
    with ServerProcess("--store", store, "--data-dir", scratch, "--request-timeout-seconds", str(REQUEST_TIMEOUT),
                       "--quiet") as server:
        port = int(server.url.rsplit(":", 1)[1])
        pid = server.proc.pid
        world = build_world(server.url)
        start = resources(pid)
        for index, name in enumerate(attacks.CLASSES):  # warm-up, not counted: first uses of each code path
            run_class(name, [{"port": port, "world": world, "count": args.warmup, "seed": 999_000 + index}])
        warm = resources(pid)
        stop_file = os.path.join(scratch, "stop")
        probe = subprocess.Popen([sys.executable, __file__, "--prober", str(port), stop_file], stdout=subprocess.PIPE,
                                 text=True)
        rows, spans = [], []
        names = list(attacks.CLASSES) + ([SLOW] if slow else [])
        for index, name in enumerate(names):
            began = time.time()
            if name == SLOW:
                jobs = [{"port": port, "count": slow // args.workers, "wave": 1000 // args.workers,
                         "hold": REQUEST_TIMEOUT + 5, "timeout": REQUEST_TIMEOUT}] * args.workers
            else:
                jobs = [{"port": port, "world": world, "count": per_class // args.workers,
                         "seed": args.seed * 1000 + index * 10 + w} for w in range(args.workers)]
            result = run_class(name, jobs)
            spans.append((name, began, time.time()))
            rows.append((name, sum(j["count"] for j in jobs), result))
        open(stop_file, "w").close()
        probes = [json.loads(line) for line in probe.stdout]
        probe.wait()
        end = resources(pid)
        fds_idle = _settled_fds(pid, start["fds"])
    print(_table(rows, spans, probes))
    print(f"\nserver RSS {start['rss_mb']:.1f} MB at start, {warm['rss_mb']:.1f} MB after the warm-up "
          f"({args.warmup} requests of each class), "
          f"{end['rss_mb']:.1f} MB at the end; open files {start['fds']} at start, {end['fds']} at the end, "
          f"{fds_idle} once idle")
    return _verdict(rows, probes, warm, end, start, fds_idle)


def _settled_fds(pid: int, baseline: int) -> int:
    """Open files once the last connections have been closed (the keep-alive and request timeouts)."""
    deadline = time.monotonic() + REQUEST_TIMEOUT + 6
    fds = resources(pid)["fds"]
    while fds > baseline and time.monotonic() < deadline:
        time.sleep(0.5)
        fds = resources(pid)["fds"]
    return fds


def _probe_stats(probes: list, began: float, ended: float) -> tuple[float, int]:
    window = [p for p in probes if began <= p[0] <= ended]
    return max((p[1] for p in window), default=0.0), sum(1 for p in window if not p[2])


def _table(rows, spans, probes) -> str:
    lines = ["| attack class | requests | statuses | non-JSON | 5xx | slowest answer | health probe max (n) |",
             "|---|---|---|---|---|---|---|"]
    for (name, count, r), (_, began, ended) in zip(rows, spans, strict=True):
        statuses = ", ".join(f"{s}: {n:,}" for s, n in sorted(r["statuses"].items()))
        worst, failed = _probe_stats(probes, began, ended)
        n = sum(1 for p in probes if began <= p[0] <= ended)
        slowest = (f"{r['slowest'][0] * 1000:.0f} ms late" if name == SLOW else f"{r['slowest'][0] * 1000:.1f} ms")
        fivexx = sum(v for k, v in r["statuses"].items() if k >= 500 and k != 501)
        lines.append(f"| {name} | {count:,} | {statuses} | {r['non_json_count']} | {fivexx} | {slowest} | "
                     f"{worst:.1f} ms ({n}{', ' + str(failed) + ' failed' if failed else ''}) |")
    return "\n".join(lines)


def _verdict(rows, probes, warm, end, start, fds_idle) -> int:
    problems = []
    for name, _, r in rows:
        if r["server_error_count"]:
            problems.append(f"{name}: {r['server_error_count']} 5xx other than 501, e.g. {r['server_errors'][:2]}")
        if r["non_json_count"]:
            problems.append(f"{name}: {r['non_json_count']} non-JSON answers, e.g. {r['non_json'][:2]}")
        if r["missing"]:
            problems.append(f"{name}: {r['missing']} requests without their answers (socket errors "
                            f"{dict(r['socket_errors'])})")
        if name != SLOW and r["slowest"][0] * 1000 > BOUND_MS:
            problems.append(f"{name}: slowest answer {r['slowest'][0] * 1000:.0f} ms: {r['slowest'][1]!r}")
        if name == SLOW and r["slowest"][0] > 1.0:
            problems.append(f"{name}: a slow connection closed {r['slowest'][0]:.1f} s after its deadline")
    worst = max((p[1] for p in probes), default=0.0)
    if worst > BOUND_MS or not all(p[2] for p in probes):
        problems.append(f"health probe: slowest {worst:.0f} ms, {sum(1 for p in probes if not p[2])} failed")
    if end["rss_mb"] > warm["rss_mb"] * (1 + RSS_GROWTH):
        problems.append(f"RSS grew {end['rss_mb'] / warm['rss_mb'] - 1:.0%} after the warm-up")
    if fds_idle > start["fds"]:
        problems.append(f"open files: {fds_idle} once idle, {start['fds']} at start")
    for problem in problems:
        print("MISSED:", problem)
    print("all bounds held" if not problems else f"{len(problems)} bound(s) missed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
