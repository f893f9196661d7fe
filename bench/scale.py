"""`make bench-scale NUMBERS=N`: what every operation costs at N numbers against what it costs at 1k, per store.

Loads a small store (``--small``, 1k) and a large one (``--numbers``) of each kind (a temporary SQLite file, a
PostgreSQL schema made for the run) with bench/scale_load.py, checks each through the API (describe, list, a
ClientToken replay, release and re-import, the live-number count against the quota), then times each operation
of bench/scale_ops.py in process — the whole ASGI app: routing, parsing, the transaction, serializing — ``--calls``
calls per measurement, ``--rounds`` rounds, the two sizes one after the other for each operation in alternating
order. Prints op | small | large | ratio of the median milliseconds per call, and the ratio of this process's
CPU time per call (on a shared machine it moves less than elapsed time; it leaves out PostgreSQL's own work).
With ``--rss`` it then serves each large store from a server process and reports the server's peak RSS over one
call of each operation.
Everything it makes (files, schemas, servers) is removed at the end, also on Ctrl-C.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from urllib.parse import unquote

import scale_load
import scale_ops
from scale_ops import Fixture, Op, Request

from localconnect.app import App
from localconnect.services.connect.inventory import catalogue
from localconnect.settings import load as load_settings
from localconnect.store.engine import PostgresStore, SQLiteStore
from localconnect.testing import postgres as pg


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--numbers", type=int, default=100_000, help="numbers in the large store (default 100,000)")
    p.add_argument("--small", type=int, default=1_000, help="numbers in the small store (default 1,000)")
    p.add_argument("--accounts", type=int, default=1,
                   help="spread the large store's numbers over this many accounts (the first one is measured)")
    p.add_argument("--stores", default=None,
                   help="sqlite,postgresql (default: both when --postgres or LOCALCONNECT_TEST_POSTGRES_URL is set)")
    p.add_argument("--postgres", default=os.environ.get("LOCALCONNECT_TEST_POSTGRES_URL"),
                   help="PostgreSQL database to make a schema in (default $LOCALCONNECT_TEST_POSTGRES_URL)")
    p.add_argument("--rounds", type=int, default=5, help="rounds; medians are reported (default 5)")
    p.add_argument("--calls", type=int, default=10, help="calls per operation per round (default 10)")
    p.add_argument("--ops", default="", help="only operations whose name contains this text")
    p.add_argument("--rss", action="store_true", help="also measure a server's peak RSS per call on the large store")
    p.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    args = p.parse_args(argv)
    args.stores = (args.stores or ("sqlite,postgresql" if args.postgres else "sqlite")).split(",")
    if "postgresql" in args.stores and not args.postgres:
        p.error("postgresql needs --postgres URL or LOCALCONNECT_TEST_POSTGRES_URL")
    return args


class Driver:
    """Calls the ASGI app in this process and times each call (server side only: no client, no socket)."""

    def __init__(self, app: App):
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.cpu = 0.0

    def call(self, req: Request) -> tuple[int, bytes, float]:
        cpu = time.process_time()
        status, body, elapsed = self.loop.run_until_complete(self._call(req))
        self.cpu = time.process_time() - cpu  # this process's CPU for the call (not PostgreSQL's)
        return status, body, elapsed

    async def _call(self, req: Request):
        sent: list[dict] = []

        async def receive():
            return {"type": "http.request", "body": req.body, "more_body": False}

        async def send(message):
            sent.append(message)
        path, _, query = req.path.partition("?")
        scope = {"type": "http", "method": req.method, "path": unquote(path), "raw_path": path.encode(),
                 "query_string": query.encode(), "headers": req.headers, "http_version": "1.1",
                 "scheme": "http", "server": ("127.0.0.1", 4599), "client": ("127.0.0.1", 50000)}
        started = time.perf_counter()
        await self.app(scope, receive, send)
        elapsed = time.perf_counter() - started
        return sent[0]["status"], sent[1].get("body", b""), elapsed

    def ok(self, req: Request) -> dict:
        status, body, _ = self.call(req)
        if status != 200:
            raise RuntimeError(f"{req.name} {req.path}: {status} {body[:300]!r}")
        return json.loads(body or b"{}")

    def close(self):
        self.loop.close()


class Sized:
    """One loaded store of one size, served in process."""

    def __init__(self, kind: str, numbers: int, location: str, reopen, parts: list):
        self.kind, self.numbers, self.location, self.reopen = kind, numbers, location, reopen
        self.store = reopen()
        settings = load_settings({"store": "memory", "quiet": True, "settle_seconds": 0,
                                  "instance_settle_seconds": 0}, environ={})
        self.app = App(settings, store=self.store)
        self.driver = Driver(self.app)
        part = parts[0]
        keep = len(part.samples) // 4  # kept apart from the reads' samples: UpdatePhoneNumber moves them
        moves = part.samples[-keep:]
        del part.samples[-keep:]
        self.fx = Fixture(part, random.Random(numbers), inventory=list(catalogue("US", "DID")), moves=moves)

    def close(self):
        self.driver.close()
        self.store.close()


def verify(s: Sized) -> None:
    """The loaded rows are what the API writes: the API reads, replays, releases, re-imports and counts them."""
    fx, d = s.fx, s.driver
    sample = fx.part.samples.pop()
    got = d.ok(fx.connect("DescribePhoneNumber", PhoneNumberId=sample["id"]))["ClaimedPhoneNumberSummary"]
    assert (got["PhoneNumberStatus"], got["Tags"], got["SourcePhoneNumberArn"], got["InstanceId"]) == (
        {"Status": "CLAIMED"}, {"team": "ops"}, sample["source"], fx.instance("big")), got
    small = fx.part.instances["small_b"]
    page = d.ok(fx.connect("ListPhoneNumbersV2", InstanceId=small["id"]))
    listed = page["ListPhoneNumbersSummaryList"]
    assert len(listed) == min(100, small["count"]) and bool(page.get("NextToken")) == (small["count"] > 100)
    assert [n["PhoneNumber"] for n in listed] == sorted(n["PhoneNumber"] for n in listed)
    replay = d.ok(fx.connect("ImportPhoneNumber", ClientToken=sample["token"], **sample["params"]))
    assert replay["PhoneNumberId"] == sample["id"], replay  # the stored ClientToken answer
    d.ok(fx.connect("ReleasePhoneNumber", PhoneNumberId=sample["id"]))
    assert d.call(fx.connect("DescribePhoneNumber", PhoneNumberId=sample["id"]))[0] == 404
    again = d.ok(fx.connect("ImportPhoneNumber", InstanceId=fx.instance("big"), SourcePhoneNumberArn=sample["source"]))
    assert d.ok(fx.connect("DescribePhoneNumber", PhoneNumberId=again["PhoneNumberId"]))[
        "ClaimedPhoneNumberSummary"]["PhoneNumberStatus"] == {"Status": "CLAIMED"}
    # The live-number count the load wrote is the quota check's: at quota = count the instance is full.
    for quota, expected in ((small["count"], "FAILED"), (small["count"] + 1, "CLAIMED")):
        d.ok(scale_ops.Request("POST", "/_localconnect/quotas", [(b"host", b"localhost")], json.dumps(
            {"account": fx.account, "region": scale_ops.REGION, "phone_numbers_per_instance": quota}).encode(), "q"))
        made = d.ok(fx.connect("ImportPhoneNumber", InstanceId=small["id"],
                               SourcePhoneNumberArn=fx.part.spare_sources.pop()))
        status = d.ok(fx.connect("DescribePhoneNumber", PhoneNumberId=made["PhoneNumberId"]))[
            "ClaimedPhoneNumberSummary"]["PhoneNumberStatus"]["Status"]
        assert status == expected, (quota, status)
    small["count"] += 1
    d.ok(scale_ops.Request("POST", "/_localconnect/quotas", [(b"host", b"localhost")], json.dumps(
        {"account": fx.account, "region": scale_ops.REGION, "phone_numbers_per_instance": 1_000_000}).encode(), "q"))


def measure_op(s: Sized, op: Op, calls: int) -> tuple[list[float], list[float], list[str]]:
    """Seconds per call of one measurement (elapsed, and this process's CPU), and error samples."""
    times, cpus, errors = [], [], []
    if op.page is not None:
        token = None
        for _ in range(calls):
            status, body, elapsed = s.driver.call(op.page(s.fx, token))
            token = json.loads(body).get("NextToken") if status == 200 else None
            times.append(elapsed)
            cpus.append(s.driver.cpu)
            if status != 200:
                errors.append(f"{status} {body[:200]!r}")
        return times, cpus, errors
    if op.keep:
        s.fx.made[op.name] = []
    for req in op.make(s.fx, calls):
        status, body, elapsed = s.driver.call(req)
        times.append(elapsed)
        cpus.append(s.driver.cpu)
        if status != 200:
            errors.append(f"{status} {body[:200]!r}")
        elif op.keep:
            s.fx.made[op.name].append(scale_ops.kept(op, req, json.loads(body)))
    return times, cpus, errors


def measure(sizes: list[Sized], ops: list[Op], rounds: int, calls: int) -> dict:
    """op -> size -> per-round medians (ms). Each operation runs on both sizes back to back, in alternating
    order from round to round, so both see the same load on the machine."""
    out: dict[str, dict] = {op.name: {s.numbers: [] for s in sizes} | {("cpu", s.numbers): [] for s in sizes}
                            for op in ops}
    for r in range(-1, rounds):  # round -1 warms up (connections, caches, prepared statements) untimed
        started = time.monotonic()
        for op in ops:
            for s in (sizes if r % 2 == 0 else sizes[::-1]):
                if "failed" in out[op.name]:
                    continue
                gc.collect()  # a collection owed by the previous measurement is not this one's
                times, cpus, errors = measure_op(s, op, calls if r >= 0 else 2)
                if errors:  # reported in the table; the other operations are still measured
                    out[op.name]["failed"] = f"at {s.numbers:,}: {errors[0][:160]}"
                    print(f"  {op.name} failed {out[op.name]['failed']}", flush=True)
                    continue
                if r >= 0:
                    out[op.name][s.numbers].append(1000 * statistics.median(times))
                    out[op.name][("cpu", s.numbers)].append(1000 * statistics.median(cpus))
        print(f"  round {r + 1}/{rounds}{' (warm-up)' if r < 0 else ''}: {time.monotonic() - started:.0f} s",
              flush=True)
    return out


def table(kind: str, sizes: list[Sized], results: dict, args) -> list[dict]:
    small, large = sizes[0].numbers, sizes[1].numbers
    rows = []
    print(f"\n{kind}: median ms per call, {args.rounds} rounds x {args.calls} calls; large store over "
          f"{args.accounts} account(s)")
    print(f"{'operation':<40} {_size(small):>9} {_size(large):>9} {'ratio':>7}   {'CPU ratio':>9}")
    for name, by_size in results.items():
        if "failed" in by_size:
            rows.append({"operation": name, "failed": by_size["failed"]})
            print(f"{name:<40} FAILED {by_size['failed']}")
            continue
        a, b = statistics.median(by_size[small]), statistics.median(by_size[large])
        cpu = statistics.median(by_size[("cpu", large)]) / max(statistics.median(by_size[("cpu", small)]), 1e-6)
        rows.append({"operation": name, "small_ms": a, "large_ms": b, "ratio": b / a, "cpu_ratio": cpu})
        print(f"{name:<40} {a:>9.2f} {b:>9.2f} {b / a:>6.2f}x   {cpu:>8.2f}x{'  <-- over 2x' if b / a > 2 else ''}")
    worst = max((r for r in rows if "ratio" in r), key=lambda r: r["ratio"])
    print(f"worst ratio: {worst['ratio']:.2f}x ({worst['operation']})")
    return rows


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else (
        f"{n // 1000}k" if n % 1000 == 0 else str(n))


def peak_rss(s: Sized, ops: list[Op]) -> dict:
    """Serve the large store from a server process; its peak RSS (VmHWM, reset before each call) per operation."""
    import http.client

    from localconnect.testing import ServerProcess
    s.close()
    server = ServerProcess("--store", s.location, "--settle-seconds", "0", "--instance-settle-seconds", "0",
                           "--quiet", env={"LOCALCONNECT_QUIET": "true"})
    server.start()
    out = {}
    try:
        host, port = server.url.split("//", 1)[1].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=300)
        status_file = f"/proc/{server.proc.pid}/status"

        def hwm() -> int:
            with open(status_file) as f:
                return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) // 1024
        out["(idle after start)"] = hwm()
        for op in ops:
            reqs = [op.page(s.fx, None)] if op.page else op.make(s.fx, 1)
            with open(f"/proc/{server.proc.pid}/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM to the current RSS
            for req in reqs:
                headers = {k.decode(): v.decode() for k, v in req.headers}
                conn.request(req.method, req.path, body=req.body, headers=headers)
                response = conn.getresponse()
                body = response.read()
                if op.keep and response.status == 200:
                    s.fx.made.setdefault(op.name, []).append(scale_ops.kept(op, req, json.loads(body)))
            out[op.name] = hwm()
        conn.close()
    finally:
        server.stop()
    return out


def run_store(kind: str, args, ops: list[Op], tmp: str) -> dict:
    schemas: list[str] = []
    sizes: list[Sized] = []
    try:
        for n, accounts in ((args.small, 1), (args.numbers, args.accounts)):
            if kind == "sqlite":
                path = os.path.join(tmp, f"{kind}-{n}.db")
                location = "sqlite:///" + path
                loader = SQLiteStore(path, cache_mb=1024)  # a big cache for the load only

                def reopen(path=path):
                    return SQLiteStore(path)
            else:
                schemas.append(pg.create_schema(args.postgres, "lc_scale_"))
                location = pg.schema_url(args.postgres, schemas[-1])
                loader = PostgresStore(location, threads=1)

                def reopen(location=location):
                    return PostgresStore(location)
            print(f"{kind}: loading {n:,} numbers over {accounts} account(s)", flush=True)
            parts = scale_load.load(loader, n, accounts=accounts, progress=lambda m: print(m, flush=True))
            loader.close()
            if kind == "sqlite":
                print(f"    file: {os.path.getsize(path) / 2**20:,.0f} MB", flush=True)
            sized = Sized(kind, n, location, reopen, parts)
            sizes.append(sized)
            verify(sized)
        print(f"{kind}: both stores verified through the API; measuring", flush=True)
        results = measure(sizes, ops, args.rounds, args.calls)
        rows = table(kind, sizes, results, args)
        rss = None
        if args.rss:
            rss = peak_rss(sizes[1], ops)
            top = max(rss.items(), key=lambda kv: kv[1])
            print(f"server peak RSS per call on the {_size(args.numbers)} store: max {top[1]} MB ({top[0]}); "
                  + ", ".join(f"{k} {v}" for k, v in rss.items()))
        return {"rows": rows, "rss_mb": rss}
    finally:
        for s in sizes:
            try:
                s.close()
            except Exception:  # closed already (peak_rss), or never opened
                pass
        for schema in schemas:
            pg.drop_schema(args.postgres, schema)


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: the finally blocks clean up
    ops = scale_ops.selected(args.ops)
    tmp = tempfile.mkdtemp(prefix="localconnect-scale-")
    started = time.monotonic()
    out = {"numbers": args.numbers, "small": args.small, "accounts": args.accounts, "stores": {}}
    try:
        for kind in args.stores:
            out["stores"][kind] = run_store(kind, args, ops, tmp)
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ntotal {time.monotonic() - started:.0f} s; command: python bench/scale.py "
          + " ".join(sys.argv[1:] if argv is None else argv))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    bad = [r for res in out["stores"].values() for r in res["rows"] if "failed" in r or r["ratio"] > 2]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
