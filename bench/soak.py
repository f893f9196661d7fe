"""`make soak`: a bounded soak of hostile requests against a localconnect server it starts on 127.0.0.1.

The attack classes (bench/attacks.py, plus slow clients here) run one after another, each from ``--workers``
separate client processes over raw sockets, while a prober process asks GET /_localconnect/health every
20 ms. Prints a table per class — requests, statuses, non-JSON answers, 5xx, the slowest answer, the health
probe's slowest answer during the class — and the server's RSS and open file descriptors before and after,
then checks the bounds: no 5xx but 501, no non-JSON answer, slowest answer and probe under 100 ms, the event loop
never held 50 ms, RSS growth under 10 %. Exit status 1 when a bound is missed.

    python bench/soak.py [--requests 100000] [--workers 2] [--seed 1] [--store sqlite]
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
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
BOUND_MS = 100.0        # every answer and every health probe
HOLD_MS = 50.0          # CPU the server may spend without returning to its event loop
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
    latencies = []
    for _ in range(job["count"]):
        request = make(world, rng)
        answers, seconds, error = roundtrip(job["port"], request)
        latencies.append(seconds)
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
            "socket_errors": dict(errors), "slowest": slowest, "latencies": latencies}


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
                chunk = await asyncio.wait_for(reader.read(65536), 1.0)
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
    if kind != "nothing" and not any(status == 408 for status, _, _ in answers):
        out["unanswered"] += 1  # it had sent part of a request: the 408 should have reached it
    for status, ctype, body in answers:
        out["statuses"][status] = out["statuses"].get(status, 0) + 1
        if not is_json(ctype, body, False):
            out["non_json"] += 1


def slow_worker(job: dict) -> dict:
    """``count`` slow connections, ``wave`` at a time, each held until the server closes it."""
    out = {"statuses": {}, "non_json": 0, "closed_after": [], "held": 0, "refused": 0, "unanswered": 0}

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
            "missing": out["held"] + out["refused"] + out["unanswered"], "socket_errors": {}, "closed": len(closed),
            "latencies": [],
            "slowest": (max(late, 0.0), f"closed {min(closed, default=0):.2f}-{max(closed, default=0):.2f} s "
                                        f"after opening (request_timeout_seconds {job['timeout']:g})")}


# --- the prober ---------------------------------------------------------------------------------------------

def prober(port: int, stop_file: str, out_file: str) -> None:
    """GET /_localconnect/health every 20 ms on a new connection until stop_file exists; one line per probe
    in out_file (a file, not a pipe nobody reads until the end)."""
    request = b"GET /_localconnect/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    out = open(out_file, "w")
    while not os.path.exists(stop_file):
        started = time.perf_counter()
        ok = False
        try:
            answers, _, _ = roundtrip(port, attacks.Request(request))
            ok = bool(answers) and answers[0][0] == 200
        except Exception as exc:  # noqa: BLE001 - a failed probe is a data point, never the prober's end
            print(f"probe failed: {exc!r}", file=sys.stderr)
        out.write(json.dumps([time.time(), (time.perf_counter() - started) * 1000, ok]) + "\n")
        out.flush()
        time.sleep(0.02)
    out.close()


# --- the server, with a monitor of its event loop ----------------------------------------------------------

def serve_monitored(argv: list[str], stall_file: str) -> int:
    """``localconnect serve`` with a 5 ms tick on its event loop: every gap over 20 ms is written to stall_file
    as [time, gap ms, CPU ms of the loop's thread during the gap]. A gap mostly off CPU is the machine running something
    else; a gap on CPU is the server itself holding the loop."""
    import uvicorn

    from localconnect import cli

    original = uvicorn.Server.startup

    async def startup(self, sockets=None):
        await original(self, sockets=sockets)
        loop = asyncio.get_running_loop()
        out = open(stall_file, "w")
        last = [loop.time(), time.thread_time()]  # CPU of the event loop's own thread

        def tick() -> None:
            now, cpu = loop.time(), time.thread_time()
            if now - last[0] > 0.02:
                out.write(json.dumps([time.time(), (now - last[0]) * 1000, (cpu - last[1]) * 1000]) + "\n")
                out.flush()
            last[:] = [now, cpu]
            loop.call_later(0.005, tick)
        loop.call_later(0.005, tick)
        collecting: list[float] = []

        def on_gc(phase: str, info: dict) -> None:
            """Collections over 5 ms, as [time, "gc", generation, ms, CPU ms, objects freed]."""
            if phase == "start":
                collecting[:] = [time.perf_counter(), time.thread_time()]
            elif collecting and (spent := (time.perf_counter() - collecting[0]) * 1000) > 5:
                out.write(json.dumps([time.time(), "gc", info["generation"], spent,
                                      (time.thread_time() - collecting[1]) * 1000, info["collected"]]) + "\n")
        gc.callbacks.append(on_gc)
    uvicorn.Server.startup = startup
    return cli.main(argv)


@contextlib.contextmanager
def scratch_store(store: str, scratch: str):
    """A store of the soak's own: a SQLite file in ``scratch``, or a new schema on the PostgreSQL database of the
    URL given, dropped afterwards (so the soak neither reads nor changes what that database holds)."""
    if store == "sqlite":
        yield "sqlite:///" + os.path.join(scratch, "soak.db")
        return
    from localconnect.testing import postgres

    with postgres.scratch_schema(store, "lc_soak_") as url:
        yield url


def start_server(args: list[str], stall_file: str):
    from localconnect.testing import ServerProcess

    class Monitored(ServerProcess):
        def start(self):
            import threading
            self.proc = subprocess.Popen([sys.executable, __file__, "--serve", stall_file, "serve", *self.args],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env)
            for line in self.proc.stdout:
                self.output.append(line)
                if " listening on " in line:
                    self.url = line.split(" listening on ", 1)[1].split()[0]
                    threading.Thread(target=self._drain, daemon=True).start()
                    return self
            self.stop()
            raise RuntimeError("localconnect did not start:\n" + "".join(self.output))
    return Monitored(*args)


# --- the server's resources -----------------------------------------------------------------------------------

def resources(pid: int) -> dict:
    with open(f"/proc/{pid}/status") as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return {"rss_mb": rss_kb / 1024, "fds": len(os.listdir(f"/proc/{pid}/fd")), "cpu_s": cpu_seconds(pid)}


def cpu_seconds(pid: int) -> float:
    """The server's user+system CPU so far: its work per request, whatever else the machine is doing."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
                    "server_error_count": 0, "missing": 0, "socket_errors": Counter(), "slowest": (0.0, ""),
                    "latencies": []}
    for r in results:
        merged["latencies"] += r["latencies"]
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
    parser.add_argument("--store", default="sqlite",
                        help="sqlite (a temporary file) or a postgresql:// URL (the soak works in a schema of its own "
                             "there and drops it afterwards)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prober", nargs=3, metavar=("PORT", "STOP_FILE", "OUT_FILE"), help=argparse.SUPPRESS)
    if sys.argv[1:2] == ["--serve"]:
        return serve_monitored(sys.argv[3:], sys.argv[2])
    args = parser.parse_args()
    if args.worker:
        job = json.loads(sys.stdin.read())
        print(json.dumps(slow_worker(job) if job["class"] == SLOW else worker(job)))
        return 0
    if args.prober:
        prober(int(args.prober[0]), args.prober[1], args.prober[2])
        return 0
    return soak(args)


def soak(args) -> int:
    scratch = tempfile.mkdtemp(prefix="localconnect-soak-")
    stall_file = os.path.join(scratch, "stalls.jsonl")
    slow = min(args.slow, args.requests)
    per_class = (args.requests - slow) // len(attacks.CLASSES)
    with scratch_store(args.store, scratch) as store, start_server(
            ["--store", store, "--data-dir", scratch, "--request-timeout-seconds", str(REQUEST_TIMEOUT), "--quiet"],
            stall_file) as server:
        port = int(server.url.rsplit(":", 1)[1])
        pid = server.proc.pid
        world = build_world(server.url)
        load_before = os.getloadavg()[0]
        start = {**resources(pid), "store_connections": _store_connections(server.url)}
        for index, name in enumerate(attacks.CLASSES):  # warm-up, not counted: first uses of each code path
            run_class(name, [{"port": port, "world": world, "count": args.warmup, "seed": 999_000 + index}])
        if slow:  # and one wave of slow connections: the memory 1,000 open connections take, taken once
            run_class(SLOW, [{"port": port, "count": 1000, "wave": 1000, "hold": REQUEST_TIMEOUT + 5,
                              "timeout": REQUEST_TIMEOUT}])
        warm = resources(pid)
        stop_file, probe_file = os.path.join(scratch, "stop"), os.path.join(scratch, "probes.jsonl")
        probe = subprocess.Popen([sys.executable, __file__, "--prober", str(port), stop_file, probe_file])
        rows, spans = [], []
        names = list(attacks.CLASSES) + ([SLOW] if slow else [])
        for index, name in enumerate(names):
            began, cpu = time.time(), cpu_seconds(pid)
            if name == SLOW:
                jobs = [{"port": port, "count": slow // args.workers, "wave": 1000 // args.workers,
                         "hold": REQUEST_TIMEOUT + 5, "timeout": REQUEST_TIMEOUT}] * args.workers
            else:
                jobs = [{"port": port, "world": world, "count": per_class // args.workers,
                         "seed": args.seed * 1000 + index * 10 + w} for w in range(args.workers)]
            result = run_class(name, jobs)
            spans.append((name, began, time.time()))
            result["server_cpu_s"] = cpu_seconds(pid) - cpu
            result["rss_mb"] = resources(pid)["rss_mb"]
            rows.append((name, sum(j["count"] for j in jobs), result))
        open(stop_file, "w").close()
        probe.wait()
        with open(probe_file) as f:
            probes = [json.loads(line) for line in f]
        with open(stall_file) as f:
            entries = [json.loads(line) for line in f]
        stalls = [e for e in entries if e[1] != "gc"]
        collections = [e for e in entries if e[1] == "gc"]
        end = resources(pid)
        # A PostgreSQL store opens one connection per worker thread as load first needs it: files, but no leak.
        pool = _store_connections(server.url) - start["store_connections"]
        fds_idle = _settled_fds(pid, start["fds"] + pool)
    print(_table(rows, spans, probes, stalls))
    print(f"\n{sum(c for _, c, _ in rows):,} requests in {spans[-1][2] - spans[0][1]:.0f} s; machine load average "
          f"(1 min, {os.cpu_count()} CPUs) {load_before:.1f} at start, {os.getloadavg()[0]:.1f} at the end")
    print(f"\nserver RSS {start['rss_mb']:.1f} MB at start, {warm['rss_mb']:.1f} MB after the warm-up "
          f"({args.warmup} requests of each class and 1,000 slow connections), "
          f"{end['rss_mb']:.1f} MB at the end; open files {start['fds']} at start, {end['fds']} at the end, "
          f"{fds_idle} once idle" + (f" (the store opened {pool} more database connection(s))" if pool else ""))
    longest_gc = max(collections, key=lambda c: c[3], default=None)
    print(f"garbage collections over 5 ms: {len(collections)}" + (
        f", the longest {longest_gc[3]:.0f} ms ({longest_gc[4]:.0f} ms on CPU, generation {longest_gc[2]}, "
        f"{longest_gc[5]:,} objects freed)" if longest_gc else ""))
    held = max((g[2] for g in stalls), default=0.0)
    print(f"longest the server held its event loop (CPU time within one gap of its 5 ms tick): {held:.0f} ms; "
          f"gaps over 20 ms: {len(stalls)}, the longest {max((g[1] for g in stalls), default=0):.0f} ms")
    return _verdict(rows, probes, warm, end, start, fds_idle, pool, held)


def _store_connections(url: str) -> int:
    """The store's open database connections, as /_localconnect/health reports them (PostgreSQL; 0 for SQLite,
    whose files are open from the start)."""
    from localconnect.testing import admin_call

    return admin_call(url, "GET", "/health")[1].get("connections", 0)


def _settled_fds(pid: int, baseline: int) -> int:
    """Open files once the last connections have been closed (the keep-alive and request timeouts)."""
    deadline = time.monotonic() + REQUEST_TIMEOUT + 6
    fds = resources(pid)["fds"]
    while fds > baseline and time.monotonic() < deadline:
        time.sleep(0.5)
        fds = resources(pid)["fds"]
    return fds


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _table(rows, spans, probes, stalls) -> str:
    lines = ["| attack class | requests | statuses | non-JSON | 5xx | answer p99 / slowest | health probe p99 / max (n) "
             "| server CPU per request | event loop: longest gap (on CPU) | RSS after |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for (name, count, r), (_, began, ended) in zip(rows, spans, strict=True):
        statuses = ", ".join(f"{s}: {n:,}" for s, n in sorted(r["statuses"].items()))
        window = [p for p in probes if began <= p[0] <= ended]
        failed = sum(1 for p in window if not p[2])
        probe = (f"{_percentile([p[1] for p in window], 0.99):.1f} / {max((p[1] for p in window), default=0):.1f} ms "
                 f"({len(window)}{', ' + str(failed) + ' failed' if failed else ''})")
        if name == SLOW:
            answer = f"closed ≤ {r['slowest'][0] * 1000:.0f} ms after the deadline"
        else:
            answer = f"{_percentile(r['latencies'], 0.99) * 1000:.1f} / {r['slowest'][0] * 1000:.1f} ms"
        fivexx = sum(v for k, v in r["statuses"].items() if k >= 500 and k != 501)
        cpu = f"{r['server_cpu_s'] / max(count, 1) * 1e6:,.0f} µs"
        gaps = [g for g in stalls if began <= g[0] <= ended]
        gap = max(gaps, key=lambda g: g[1], default=[0, 0, 0])
        on_cpu = max((g[2] for g in gaps), default=0)
        loop = f"{gap[1]:.0f} ms ({gap[2]:.0f} ms); most on CPU {on_cpu:.0f} ms"
        lines.append(f"| {name} | {count:,} | {statuses} | {r['non_json_count']} | {fivexx} | {answer} | {probe} "
                     f"| {cpu} | {loop} | {r['rss_mb']:.1f} MB |")
    return "\n".join(lines)


def _verdict(rows, probes, warm, end, start, fds_idle, pool, held) -> int:
    problems = []
    if held > HOLD_MS:
        problems.append(f"the server held its event loop for {held:.0f} ms (bound {HOLD_MS:.0f} ms)")
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
    if fds_idle > start["fds"] + pool:
        problems.append(f"open files: {fds_idle} once idle, {start['fds']} at start"
                        + (f" and {pool} database connections opened since" if pool else ""))
    for problem in problems:
        print("MISSED:", problem)
    print("all bounds held" if not problems else f"{len(problems)} bound(s) missed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
