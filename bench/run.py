"""`make bench`: localconnect's throughput and latency per operation, next to bare-ASGI baselines on the same stack.

Starts localconnect and two baseline servers on 127.0.0.1, drives each operation from a separate load-generator
process for ``--seconds`` (or until ``--max-requests``), ``--rounds`` times, and prints medians and ratios:
reads against the bare ASGI app, writes against the ASGI app that commits one SQLite row per request.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import workload

from localconnect.testing import ServerProcess

BASELINES = str(Path(__file__).with_name("baselines.py"))
BARE, SQLITE = "ASGI bare", "ASGI + SQLite insert"
READS = ("DescribeInstance", "DescribePhoneNumber", "ListPhoneNumbersV2")
WRITES = ("CreateInstance", "ImportPhoneNumber")
# Order within a round: each baseline runs right before the operations it is compared with, so a pair shares
# whatever else the (shared, noisy) machine is doing at that moment.
ORDER = (BARE, *READS, SQLITE, *WRITES)
BASELINE_OF = {**{op: BARE for op in READS}, **{op: SQLITE for op in WRITES}}


class Baseline:
    """A baseline app (bench/baselines.py) under uvicorn in a child process on 127.0.0.1, stopped by its pid."""

    def __init__(self, *args: str):
        self.args = args
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> "Baseline":
        self.proc = subprocess.Popen([sys.executable, BASELINES, *self.args], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        lines = []
        for line in self.proc.stdout:
            lines.append(line)
            if " listening on " in line:
                self.url = line.split(" listening on ", 1)[1].split()[0]
                # Keep reading its output so the server never blocks on a full pipe.
                threading.Thread(target=self._drain, daemon=True).start()
                return self
        raise RuntimeError(f"baseline {self.args[0]} did not start:\n" + "".join(lines))

    def _drain(self) -> None:
        for _ in self.proc.stdout:
            pass

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5.0, help="length of each measurement (default 5)")
    p.add_argument("--rounds", type=int, default=3, help="measurements per operation; medians are reported")
    p.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    p.add_argument("--max-requests", type=int, default=100_000, help="hard cap on requests per measurement")
    p.add_argument("--store", default="sqlite",
                   help="localconnect store: sqlite (file in a temp dir, default), memory, postgresql://...")
    p.add_argument("--read-numbers", type=int, default=100,
                   help="imported numbers on the instance the reads look at (default 100)")
    p.add_argument("--client-tokens", action="store_true",
                   help="send a unique ClientToken with each write, as the AWS SDKs do (default: none)")
    p.add_argument("--request-log", choices=("text", "json", "quiet"), default="text",
                   help="localconnect's request log: text (its default), json, or quiet (none printed), to "
                        "measure what printing a line per call costs")
    p.add_argument("--json", metavar="FILE", help="also write every result to FILE as JSON")
    return p.parse_args(argv)


def measure(server, job: dict, args) -> dict:
    return workload.drive(server.url, job, seconds=args.seconds, max_requests=args.max_requests,
                          connections=args.connections, server_pid=server.proc.pid)


def run_rounds(args, lc: ServerProcess, bare: Baseline, sqlite: Baseline) -> dict[str, list[dict]]:
    base = random.randrange(10**11, 9 * 10**11)  # this run's made-up accounts: base for reads, base+1+r for writes
    reads_account = str(base)
    fixture = workload.read_fixture(lc.url, reads_account, args.read_numbers, args.connections)
    jobs = workload.read_jobs(reads_account, fixture)
    # Each baseline gets the request of the operations it is compared with: a GET for reads, a JSON PUT for writes.
    baseline_jobs = {BARE: jobs["DescribeInstance"], SQLITE: workload.create_instance_job(reads_account)}
    results: dict[str, list[dict]] = {name: [] for name in ORDER}

    def record(name: str, result: dict) -> None:
        result.pop("collected", None)
        results[name].append(result)
        early = "  (ended early at the request cap)" if result["capped"] else ""
        print(f"  {name:<22} {result['rps']:>9,.0f} req/s  p50 {fmt(result['p50_ms'])} ms  "
              f"errors {result['errors']}{early}", flush=True)

    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}", flush=True)
        record(BARE, measure(bare, baseline_jobs[BARE], args))
        for op in READS:
            record(op, measure(lc, jobs[op], args))
        record(SQLITE, measure(sqlite, baseline_jobs[SQLITE], args))
        # Writes go to a fresh account each round, so every round starts from the same per-account state
        # (CreateInstance counts the account's instances, imports count the instance's numbers).
        account = str(base + 1 + r)
        workload.prepare_account(lc.url, account)
        target = workload.create_instance(lc.url, account, "imports")
        created = measure(lc, workload.create_instance_job(account, args.client_tokens), args)
        record("CreateInstance", created)
        # Seeding is untimed but not free (one durable write per number), so it is sized from the write rate
        # just measured, with some room; if the imports outrun it, their measurement ends early (flagged) and
        # still gives a rate over most of the window.
        count = min(args.max_requests, int(created["rps"] * args.seconds * 1.25) + 200)
        arns = workload.setup_drive(lc.url, workload.seed_numbers_job(account, count), count, args.connections)
        record("ImportPhoneNumber", measure(lc, workload.import_job(account, target, arns, args.client_tokens), args))
    return results


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def median_of(rounds: list[dict], key: str) -> float | None:
    values = [x[key] for x in rounds if x[key] is not None]
    return statistics.median(values) if values else None


def summarize(results: dict[str, list[dict]]) -> dict[str, dict]:
    summary = {}
    for name, rounds in results.items():
        rps = [x["rps"] for x in rounds]
        s = summary[name] = {key: median_of(rounds, key)
                             for key in ("rps", "p50_ms", "p99_ms", "server_cpu", "server_us_per_req", "client_cpu")}
        s["spread"] = (max(rps) - min(rps)) / s["rps"] if s["rps"] else None
        s["requests"] = sum(x["requests"] for x in rounds)
        s["errors"] = sum(x["errors"] for x in rounds)
        s["capped"] = any(x["capped"] for x in rounds)
        if name in BASELINE_OF:
            # The median of per-round ratios: each round's pair ran back to back under the same noise.
            base = results[BASELINE_OF[name]]
            s["ratio"] = statistics.median(x["rps"] / b["rps"] if b["rps"] else 0.0 for x, b in zip(rounds, base, strict=True))
            s["baseline"] = BASELINE_OF[name]
    return summary


def redact(store: str) -> str:
    # postgresql://user:secret@host/db -> postgresql://user:***@host/db, for the table and the JSON file
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", store)


def print_table(summary: dict[str, dict], args) -> None:
    print()
    print(f"localconnect bench: {args.rounds} round(s) x {args.seconds:g} s per row, {args.connections} connections, "
          f"store {redact(args.store)}, {os.cpu_count()} CPUs; medians over rounds")
    header = (f"{'operation':<22} {'req/s':>9} {'spread':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7} "
              f"{'srv CPU':>8} {'µs/req':>7} {'cli CPU':>8}  vs baseline")
    print(header)
    print("-" * len(header))
    for name in ORDER:
        s = summary[name]
        ratio = f"{s['ratio']:.2f} x {'bare' if s['baseline'] == BARE else 'sqlite insert'}" if "ratio" in s else ""
        print(f"{name:<22} {s['rps']:>9,.0f} {pct(s['spread']):>7} {fmt(s['p50_ms']):>7} {fmt(s['p99_ms']):>7} "
              f"{s['errors']:>7} {pct(s['server_cpu']):>8} {fmt(s['server_us_per_req'], '.0f'):>7} "
              f"{pct(s['client_cpu']):>8}  {ratio}{'  (ended early at the request cap)' if s['capped'] else ''}")
    print("spread: (max - min) / median of req/s over rounds. srv CPU, cli CPU: share of one core used by the "
          "server and by the load generator;\na server well under 100% was held back by the disk (fsync) or by "
          "other load on the machine. µs/req: server CPU time per 2xx response.\n"
          "vs baseline: median over rounds of req/s / the baseline's req/s in the same round.")


def check(summary: dict[str, dict], lc: ServerProcess, results: dict[str, list[dict]]) -> int:
    bad = [name for name, s in summary.items() if s["errors"] * 2 > s["requests"] or s["rps"] == 0]
    for name in bad:
        samples = [e for r in results[name] for e in r["error_samples"]][:5]
        print(f"FAILED: most {name} requests errored ({summary[name]['errors']} of {summary[name]['requests']}); "
              f"e.g. {samples}", file=sys.stderr)
    if bad:
        print("localconnect output (last 40 lines):\n" + "".join(lc.output[-40:]), file=sys.stderr)
    elif any(s["errors"] for s in summary.values()):
        print("note: some requests errored; see error_samples in --json output", file=sys.stderr)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, so the finally below stops every server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    servers: list = []
    with tempfile.TemporaryDirectory(prefix="localconnect-bench-") as tmp:
        try:
            lc = ServerProcess("--store", args.store, "--data-dir", str(Path(tmp, "localconnect")),
                               "--instance-settle-seconds", "0", "--settle-seconds", "0",
                               *(["--quiet"] if args.request_log == "quiet" else ["--log-format", args.request_log]))
            # Only the flags above configure it: a LOCALCONNECT_THROTTLE or _AUTH in the caller's
            # environment would otherwise turn measured requests into 429s or 403s.
            lc.env = {k: v for k, v in lc.env.items() if not k.startswith("LOCALCONNECT_")}
            bare, sqlite = Baseline("bare"), Baseline("sqlite", str(Path(tmp, "baseline.db")))
            for server in (lc, bare, sqlite):
                servers.append(server)
                server.start()
            results = run_rounds(args, lc, bare, sqlite)
            summary = summarize(results)
            print_table(summary, args)
            print(f"total time {time.monotonic() - started:.0f} s")
            if args.json:
                config = {**vars(args), "store": redact(args.store)}
                Path(args.json).write_text(json.dumps(
                    {"config": config, "cpus": os.cpu_count(), "summary": summary, "rounds": results}, indent=2))
            return check(summary, lc, results)
        except KeyboardInterrupt:
            print("interrupted; stopping the servers", file=sys.stderr)
            return 130
        finally:
            for server in reversed(servers):
                try:
                    server.stop()
                except Exception as exc:  # keep stopping the others
                    print(f"could not stop a server: {exc!r}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
