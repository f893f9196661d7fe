"""`python bench/retention_week.py`: a store under steady traffic, simulated day by day with the service clock,
first without retention (what a store did before it), then with it: the store stops growing.

Every simulated hour, through the API in process (SQLite file store, as `make serve` runs it): ``--per-hour``
imports into an instance (each with a ClientToken, as the SDKs send), the release of the previous hour's imports,
a tenth as many imports into a full instance (they end FAILED), and a tenth as many End User Messaging numbers
requested and released; then the clock moves one hour. Prints, per day, the rows of each table and the store's
size: the pages holding data and the file (SQLite reuses freed pages but never gives the file back).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time

from localconnect.app import App
from localconnect.rules import retention
from localconnect.settings import load as load_settings
from localconnect.store.engine import SQLiteStore

ACCOUNT, REGION = "123456789012", "us-east-1"
TABLES = ("idempotency", "phone_numbers", "release_events", "sms_phone_numbers", "tags")


class Client:
    """JSON calls to the app in process (no socket), raising on anything but 200."""

    def __init__(self, app: App):
        self.app, self.loop, self.n = app, asyncio.new_event_loop(), 0

    def call(self, method: str, path: str, body: dict | None = None, target: str | None = None) -> dict:
        return self.loop.run_until_complete(self._call(method, path, body, target))

    async def _call(self, method, path, body, target):
        service = "sms-voice" if target else "connect"
        headers = [(b"authorization", f"AWS4-HMAC-SHA256 Credential={ACCOUNT}/20260101/{REGION}/{service}/"
                                      "aws4_request, SignedHeaders=host, Signature=0".encode()),
                   (b"host", b"localhost"),
                   (b"content-type", b"application/x-amz-json-1.0" if target else b"application/json")]
        if target:
            headers.append((b"x-amz-target", f"PinpointSMSVoiceV2.{target}".encode()))
        data = json.dumps(body or {}).encode()
        sent = []

        async def receive():
            return {"type": "http.request", "body": data, "more_body": False}

        async def send(message):
            sent.append(message)
        await self.app({"type": "http", "method": method, "path": path, "raw_path": path.encode(),
                        "query_string": b"", "headers": headers}, receive, send)
        if sent[0]["status"] != 200:
            raise RuntimeError(f"{method} {path} {target}: {sent[0]['status']} {sent[1]['body'][:300]!r}")
        self.n += 1
        return json.loads(sent[1].get("body") or b"{}")

    def token(self) -> str:
        return f"t{self.n}-{os.urandom(6).hex()}"


def sizes(store: SQLiteStore) -> dict:
    def read(tx):
        rows = {t: tx.one(f"SELECT COUNT(*) AS n FROM {t}")["n"] for t in TABLES}
        page = tx.one("PRAGMA page_size")[0]
        used = tx.one("PRAGMA page_count")[0] - tx.one("PRAGMA freelist_count")[0]
        return rows, used * page / 2**20
    rows, data_mb = store.run_sync(read, write=False)
    store.run_sync(lambda tx: tx.one("PRAGMA wal_checkpoint(TRUNCATE)"), write=False)
    return {"rows": rows, "data_mb": data_mb, "file_mb": os.path.getsize(store.description[len("sqlite:///"):]) / 2**20}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=7, help="days without retention, then as many with it (default 7)")
    p.add_argument("--per-hour", type=int, default=100, help="imports (and releases) per simulated hour")
    p.add_argument("--window-days", type=float, default=180,
                   help="release_window_days and claim_cooldown_days (default 180: release events outlive the run)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="localconnect-retention-") as tmp:
        store = SQLiteStore(os.path.join(tmp, "week.db"))
        settings = load_settings({"store": "memory", "quiet": True, "settle_seconds": 0, "instance_settle_seconds": 0,
                                  "release_allowance_percent": 1e9, "release_window_days": args.window_days,
                                  "claim_cooldown_days": args.window_days}, environ={})
        app = App(settings, store=store)
        c = Client(app)
        started = time.monotonic()
        full_size = args.per_hour // 10 + 1
        c.call("POST", "/_localconnect/quotas", {"phone_numbers_per_instance": args.per_hour + full_size})
        main_id, full_id = (c.call("PUT", "/instance", {"IdentityManagementType": "CONNECT_MANAGED",
                                                         "InstanceAlias": a, "InboundCallsEnabled": True,
                                                         "OutboundCallsEnabled": True})["Id"] for a in ("main", "full"))

        def request() -> str:
            return c.call("POST", "/", {"IsoCountryCode": "US", "MessageType": "TRANSACTIONAL",
                                        "NumberCapabilities": ["SMS", "VOICE"], "NumberType": "LONG_CODE",
                                        "ClientToken": c.token()}, "RequestPhoneNumber")["PhoneNumberArn"]
        pool = [request() for _ in range(args.per_hour + full_size + 1)]
        for arn in pool[:args.per_hour + full_size]:  # the full instance: at the quota from now on
            c.call("POST", "/phone-number/import", {"InstanceId": full_id, "SourcePhoneNumberArn": arn})
        sources = [request() for _ in range(args.per_hour)]
        held: list[str] = []
        print(f"{'day':>4} {'retention':>9} " + " ".join(f"{t:>17}" for t in TABLES) + f" {'data MB':>8} {'file MB':>8}")
        every = retention.EVERY
        for day in range(1, 2 * args.days + 1):
            retention.EVERY = every if day > args.days else 10**12  # first week: (nearly) never
            for _ in range(24):
                for number_id in held:
                    c.call("DELETE", f"/phone-number/{number_id}")
                held = [c.call("POST", "/phone-number/import", {"InstanceId": main_id, "SourcePhoneNumberArn": arn,
                                                                "Tags": {"team": "ops"}, "ClientToken": c.token()}
                               )["PhoneNumberId"] for arn in sources]
                for _ in range(args.per_hour // 10):
                    c.call("POST", "/phone-number/import", {"InstanceId": full_id, "SourcePhoneNumberArn": pool[-1],
                                                            "Tags": {"team": "x"}, "ClientToken": c.token()})
                    number = request()
                    c.call("POST", "/", {"PhoneNumberId": number}, "ReleasePhoneNumber")
                c.call("POST", "/_localconnect/clock", {"advance_seconds": 3600})
            s = sizes(store)
            print(f"{day:>4} {'on' if day > args.days else 'off':>9} " + " ".join(f"{s['rows'][t]:>17,}" for t in TABLES)
                  + f" {s['data_mb']:>8.1f} {s['file_mb']:>8.1f}", flush=True)
        retention.EVERY = every
        print(f"{c.n:,} calls in {time.monotonic() - started:.0f} s; command: python bench/retention_week.py "
              + " ".join(sys.argv[1:] if argv is None else argv))
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
