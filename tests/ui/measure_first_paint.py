"""The dashboard and the state view with a million numbers: `python tests/ui/measure_first_paint.py [--numbers N]`.

Loads N Connect numbers (with their End User Messaging sources, tags and ClientToken records) into a temporary
SQLite file with bench/scale_load.py, serves it, then prints the median time of each state-view call the page
makes, and, in Debian's chromium, the page's first contentful paint and the moment each view's data is on screen.
Not part of `make test` (the load takes a few minutes); the README quotes its output.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_load  # noqa: E402
from browsing import ARGS, CHROMIUM  # noqa: E402

from localconnect.store.engine import SQLiteStore  # noqa: E402
from localconnect.testing import ServerProcess  # noqa: E402

CALLS = [
    ("summaries (the overview)", "/state?lists=none&max_results=1000"),
    ("default page (100 rows)", "/state"),
    ("numbers, 50 per page", "/state?lists=phone_numbers&max_results=50&account={account}"),
    ("numbers, page 2", "/state?lists=phone_numbers&max_results=50&account={account}&next_token={token}"),
    ("numbers of an instance", "/state?lists=phone_numbers&max_results=50&instance={instance}"),
    ("numbers FAILED", "/state?lists=phone_numbers&max_results=50&status=FAILED&account={account}"),
    ("numbers IN_PROGRESS", "/state?lists=phone_numbers&max_results=50&status=IN_PROGRESS&account={account}"),
    ("numbers CLAIMED TOLL_FREE", "/state?lists=phone_numbers&max_results=50&status=CLAIMED&type=TOLL_FREE"
                                  "&account={account}"),
    ("numbers GB, prefix +4474", "/state?lists=phone_numbers&max_results=50&country=GB&prefix=%2B4474"
                                 "&account={account}"),
    ("End User Messaging, ACTIVE", "/state?lists=sms_voice_phone_numbers&max_results=50&status=ACTIVE"
                                   "&account={account}"),
    ("release window (chart)", "/ui/api/window?account={account}&region=us-east-1"),
    ("a number's detail", "/ui/api/number?account={account}&region=us-east-1&id={number}"),
]


def get(url: str) -> tuple[float, dict]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as answer:
        body = answer.read()
    return (time.perf_counter() - started) * 1000, json.loads(body)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--numbers", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--keep", metavar="PATH", help="keep the loaded store at PATH, and reuse it when it exists")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="localconnect-paint-"))
    try:
        path = Path(args.keep) if args.keep else work / "localconnect.db"
        if not path.exists():
            store = SQLiteStore(str(path))
            started = time.perf_counter()
            scale_load.load(store, args.numbers, progress=lambda *a: None)
            store.close()
            print(f"loaded {args.numbers:,} numbers in {time.perf_counter() - started:.0f} s "
                  f"({path.stat().st_size >> 20} MiB)")
        with ServerProcess("--store", f"sqlite:///{path}", "--data-dir", str(work)) as server:
            base = server.url + "/_localconnect"
            summary = get(base + "/state?lists=none")[1]["partitions"][0]
            account = summary["account"]
            first = get(base + f"/state?lists=phone_numbers&max_results=50&account={account}")[1]
            instances = get(base + f"/state?lists=instances&account={account}")[1]["partitions"][0]["instances"]
            values = {"account": account, "token": first["next_token"],
                      "instance": max(instances, key=lambda i: i["PhoneNumbersHeld"])["Id"],
                      "number": first["partitions"][0]["phone_numbers"][0]["PhoneNumberId"]}
            print(f"{summary['counts']['phone_numbers']['CLAIMED']:,} CLAIMED numbers in {account} us-east-1")
            print("\n| call | median ms | max ms | bytes |\n|---|---|---|---|")
            for name, path_ in CALLS:
                url = base + path_.format(**values)
                times, size = [], 0
                for _ in range(args.repeat):
                    ms, out = get(url)
                    times.append(ms)
                    size = len(json.dumps(out))
                print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} | {size:,} |")
            paint(server.url)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def paint(url: str) -> None:
    from playwright.sync_api import sync_playwright

    views = [("overview", "[data-testid=claim-state]"), ("numbers", "[data-testid=numbers] tbody tr"),
             ("window", "#window-chart canvas"), ("eum", "[data-testid=eum] tbody tr")]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print("\n| view | first contentful paint ms | data on screen ms |\n|---|---|---|")
        for view, ready in views:
            fcp, shown = [], []
            for _ in range(5):
                context = browser.new_context(viewport={"width": 1280, "height": 860})
                page = context.new_page()
                page.goto(f"{url}/_localconnect/ui/#{view}")
                shown.append(page.wait_for_function(
                    f"() => document.querySelector({json.dumps(ready)})?.getClientRects().length "
                    "&& performance.now()", polling="raf", timeout=30_000).json_value())
                fcp.append(page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime"))
                context.close()
            print(f"| {view} | {statistics.median(fcp):.0f} | {statistics.median(shown):.0f} |")
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
