"""Loads N Connect numbers into a store through the store layer, writing exactly the rows the API writes.

Per number: its End User Messaging source (an ACTIVE number, as RequestPhoneNumber writes it), the Connect number
(as ImportPhoneNumber writes it, settled and CLAIMED), one tag on it, and the ImportPhoneNumber ClientToken record
(the fingerprint and answer the gateway stores). Per account: four instances holding 90 % / 5 % / 5 % / none,
each instance's live-number count, a quota override high enough for them, and spare ACTIVE sources for the
bench's imports. Numbers: 80 % US DIDs (+12…), 15 % US toll-free (+1888…), 5 % GB DIDs (+4474…), so toll-free
numbers sort after most of the partition, as they do in a real one.

Fast: rows go in with executemany (SQLite) or COPY (PostgreSQL) in transactions of ``BATCH`` numbers, into
tables whose secondary indexes are dropped for the load and then built again from their own DDL (building an
index by sorting is far faster than a million random inserts into it). The store is otherwise untouched: same
schema, same rows.
"""
from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass, field

from localconnect.rules.idempotency import fingerprint
from localconnect.store.engine import Store, Tx

REGION = "us-east-1"
BATCH = 50_000
TABLES = ("sms_phone_numbers", "phone_numbers", "tags", "idempotency")
INSTANCES = ("big", "small_a", "small_b", "empty")
SPARE_SOURCES = 400  # ACTIVE sources nobody imported yet: what the bench's ImportPhoneNumber calls take

SMS_COLUMNS = ("id", "account", "region", "arn", "phone_number", "status", "active_at", "iso_country_code",
               "message_type", "number_capabilities", "number_type", "monthly_leasing_price", "two_way_enabled",
               "two_way_channel_arn", "two_way_channel_role", "self_managed_opt_outs_enabled", "opt_out_list_name",
               "international_sending_enabled", "deletion_protection_enabled", "pool_id", "registration_id",
               "created_timestamp", "deleted_at")
NUMBER_COLUMNS = ("id", "account", "region", "arn", "phone_number", "country_code", "number_type", "description",
                  "target_arn", "instance_id", "source_phone_number_arn", "outcome", "failure_message", "settles_at",
                  "created_at")
TAG_COLUMNS = ("resource_arn", "tag_key", "tag_value", "account", "region", "position")
IDEMPOTENCY_COLUMNS = ("account", "region", "operation", "client_token", "fingerprint", "response", "created_at")
PRICE = {"LONG_CODE": "1.00", "TOLL_FREE": "2.00"}


@dataclass
class Partition:
    """What the bench needs to know of one loaded account+Region."""
    account: str
    instances: dict[str, dict] = field(default_factory=dict)   # name -> {"id", "arn", "count"}
    samples: list[dict] = field(default_factory=list)           # loaded numbers of the big instance
    spare_sources: list[str] = field(default_factory=list)      # ACTIVE EUM ARNs not imported
    middle: list | None = None                                  # (phone_number, id) halfway through the big one
    count: int = 0


def _kind(i: int) -> tuple[str, str, str, str]:
    """(E.164, ISO country, EUM type, Connect type) of the i-th number of a partition."""
    k = i % 20
    if k < 16:
        return f"+12{i:09d}", "US", "LONG_CODE", "DID"
    if k < 19:
        return f"+1888{i:07d}", "US", "TOLL_FREE", "TOLL_FREE"
    return f"+4474{i:08d}", "GB", "LONG_CODE", "DID"


def _sms_row(account: str, number: str, country: str, sms_type: str, created: float, rng: random.Random):
    sms_id = f"phone-{rng.getrandbits(128):032x}"
    arn = f"arn:aws:sms-voice:{REGION}:{account}:phone-number/{sms_id}"
    return arn, (sms_id, account, REGION, arn, number, "ACTIVE", None, country, "TRANSACTIONAL",
                 json.dumps(["SMS", "VOICE"]), sms_type, PRICE[sms_type], 0, None, None, 0, "Default", 0, 0, None,
                 None, created, None)


def _instance_rows(tx: Tx, account: str, now: float, counts: dict[str, int]) -> dict[str, dict]:
    out = {}
    for k, name in enumerate(INSTANCES):
        instance_id = str(uuid.uuid4())
        arn = f"arn:aws:connect:{REGION}:{account}:instance/{instance_id}"
        tx.insert("instances", id=instance_id, account=account, region=REGION, arn=arn,
                  identity_management_type="CONNECT_MANAGED", instance_alias=f"scale-{name}",
                  alias_key=f"scale-{name}", directory_id=None, inbound_calls_enabled=1, outbound_calls_enabled=1,
                  created_time=now - 10_000 + k, active_at=now - 10_000 + k,
                  service_role=f"arn:aws:iam::{account}:role/aws-service-role/connect.amazonaws.com/"
                               f"AWSServiceRoleForAmazonConnect_{uuid.uuid4().hex[:20]}",
                  instance_access_url=f"https://scale-{name}.my.connect.aws/", live_numbers=counts[name])
        out[name] = {"id": instance_id, "arn": arn, "count": counts[name]}
    return out


def _secondary_indexes(tx: Tx) -> list[tuple[str, str]]:
    """(name, DDL) of every index on the loaded tables that a constraint does not own."""
    names = ", ".join(f"'{t}'" for t in TABLES)
    if tx.dialect == "sqlite":
        rows = tx.all(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({names}) "
                      "AND sql IS NOT NULL")
        return [(r["name"], r["sql"]) for r in rows]
    rows = tx.all(f"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                  f"AND tablename IN ({names}) AND indexname NOT IN "
                  "(SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace)")
    return [(r["indexname"], r["indexdef"]) for r in rows]


def load(store: Store, numbers: int, accounts: int = 1, seed: int = 7, progress=print) -> list[Partition]:
    """Load ``numbers`` numbers, spread evenly over ``accounts`` accounts, into an empty store."""
    rng = random.Random(seed)
    now = time.time()
    started = time.monotonic()
    indexes = store.run_sync(_secondary_indexes, write=False)
    store.run_sync(lambda tx: [tx.execute(f"DROP INDEX {name}") for name, _ in indexes], write=True)
    partitions = []
    for a in range(accounts):
        account = f"{210000000000 + a}"
        per = numbers // accounts + (1 if a < numbers % accounts else 0)
        partitions.append(_load_partition(store, account, per, now, rng))
        if accounts > 1 and (a + 1) % 10 == 0:
            progress(f"    {a + 1}/{accounts} accounts, {time.monotonic() - started:.0f} s")
    progress(f"    rows in {time.monotonic() - started:.0f} s; building {len(indexes)} indexes")
    for _, ddl in indexes:
        store.run_sync(lambda tx, ddl=ddl: tx.execute(ddl), write=True)
    store.run_sync(lambda tx: tx.execute("ANALYZE") if tx.dialect == "postgresql" else None, write=True)
    progress(f"    loaded {numbers:,} numbers in {time.monotonic() - started:.0f} s")
    return partitions


def _load_partition(store: Store, account: str, count: int, now: float, rng: random.Random) -> Partition:
    # Which instance each number goes to: 90 / 5 / 5 %, drawn independently of the number's type.
    homes = ["big" if x < 90 else "small_a" if x < 95 else "small_b" for x in (rng.randrange(100) for _ in range(count))]
    counts = {name: homes.count(name) for name in INSTANCES}
    part = Partition(account=account, count=count)

    def first(tx: Tx) -> None:
        tx.execute("INSERT INTO partitions (account, region, phone_numbers_per_instance, instances_per_region) "
                   "VALUES (:account, :region, 1000000, 1000)", account=account, region=REGION)
        part.instances.update(_instance_rows(tx, account, now, counts))
        spare = []
        for s in range(SPARE_SOURCES):  # numbers of their own range: never one of the loaded ones
            arn, row = _sms_row(account, f"+1299{s:07d}", "US", "LONG_CODE", now - 20_000 + s * 1e-3, rng)
            spare.append(row)
            part.spare_sources.append(arn)
        tx.insert_many("sms_phone_numbers", SMS_COLUMNS, spare)
    store.run_sync(first, write=True)

    big_seen = 0
    for start in range(0, count, BATCH):
        sms_rows, number_rows, tag_rows, token_rows = [], [], [], []
        for i in range(start, min(count, start + BATCH)):
            number, country, sms_type, connect_type = _kind(i)
            created = now - 10_000 + i * 1e-3  # oldest first, as if imported one after the other
            source_arn, sms_row = _sms_row(account, number, country, sms_type, created, rng)
            sms_rows.append(sms_row)
            home = part.instances[homes[i]]
            number_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            arn = f"arn:aws:connect:{REGION}:{account}:phone-number/{number_id}"
            number_rows.append((number_id, account, REGION, arn, number, country, connect_type, None, home["arn"],
                                home["id"], source_arn, "CLAIMED", None, created, created))
            tag_rows.append((arn, "team", "ops", account, REGION, 1))
            params = {"InstanceId": home["id"], "SourcePhoneNumberArn": source_arn, "Tags": {"team": "ops"}}
            token = f"scale-{number_id}"
            token_rows.append((account, REGION, "ImportPhoneNumber", token, fingerprint(params, "ClientToken"),
                               json.dumps({"PhoneNumberId": number_id, "PhoneNumberArn": arn}, separators=(",", ":")),
                               created))
            if homes[i] == "big":
                big_seen += 1
                if len(part.samples) < 2000 and rng.random() < 4000 / max(count, 1):
                    part.samples.append({"id": number_id, "arn": arn, "phone_number": number, "source": source_arn,
                                         "token": token, "params": params})
                if part.middle is None and big_seen >= counts["big"] // 2 and connect_type == "DID":
                    part.middle = [number, number_id]

        batch = (("sms_phone_numbers", SMS_COLUMNS, sms_rows), ("phone_numbers", NUMBER_COLUMNS, number_rows),
                 ("tags", TAG_COLUMNS, tag_rows), ("idempotency", IDEMPOTENCY_COLUMNS, token_rows))
        store.run_sync(lambda tx, batch=batch: [tx.insert_many(*table) for table in batch], write=True)
    return part
