"""Retention (rules/retention.py): rows no answer can show any more are deleted, in bounded batches, by the write
calls of their own account+Region — and nothing an answer can still show is touched."""
from __future__ import annotations

import boto3
import pytest

from localconnect.core.call import Call
from localconnect.core.units import DAY, HOUR
from localconnect.rules import idempotency, retention
from localconnect.testing import mock_localconnect

ACCOUNT, REGION = "123456789012", "us-east-1"
CREDS = dict(region_name=REGION, aws_access_key_id="AKIDRETENTION", aws_secret_access_key="secret")


@pytest.fixture
def lc():
    with mock_localconnect(settle_seconds=0, instance_settle_seconds=0) as lc:
        yield lc


def clients():
    return boto3.client("connect", **CREDS), boto3.client("pinpoint-sms-voice-v2", **CREDS)


def count(lc, table: str, where: str = "1 = 1") -> int:
    return lc.app.store.run_sync(lambda tx: tx.one(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}")["n"],
                                 write=False)


def purge(lc, limit: int = 1000, account: str = ACCOUNT) -> dict[str, int]:
    """What a write call's sweep does, for one account+Region, now."""
    def run(tx):
        now = lc.app.gateway.clock.seen(tx.one("SELECT offset_seconds FROM service_clock WHERE id = 1")["offset_seconds"])
        tx.lock_partition(account, REGION)
        call = Call(service="test", operation="Retention", account=account, region=REGION,
                    principal_arn=f"arn:aws:iam::{account}:root", now=now, tx=tx, settings=lc.settings,
                    request_id="retention")
        return retention.purge(call, limit)
    return lc.app.store.run_sync(run, write=True)


def source(sms, **extra) -> str:
    return sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL", NumberCapabilities=["SMS"],
                                    NumberType="LONG_CODE", **extra)["PhoneNumberArn"]


def test_each_kind_goes_once_past_its_window_and_nothing_else_does(lc):
    connect, sms = clients()
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="keep",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)["Id"]
    live = connect.import_phone_number(InstanceId=instance, SourcePhoneNumberArn=source(sms), Tags={"k": "live"},
                                       ClientToken="live")
    failed = connect.import_phone_number(InstanceId=instance, SourcePhoneNumberArn=source(sms), Tags={"k": "gone"},
                                         ClientToken="failed")  # the instance is full: FAILED, a release event
    deleted = sms.release_phone_number(PhoneNumberId=source(sms))["PhoneNumberId"]
    assert purge(lc) == dict.fromkeys(retention.kinds(), 0)  # nothing is old yet

    lc.advance(24 * HOUR)  # failed_retention_hours and idempotency_hours (24) have passed
    fresh = connect.create_instance(IdentityManagementType="EXISTING_DIRECTORY", DirectoryId="d-1234567890",
                                    InboundCallsEnabled=True, OutboundCallsEnabled=True, ClientToken="fresh")
    got = purge(lc)
    assert (got["failed_phone_numbers"], got["idempotency"], got["release_events"],
            got["released_sms_phone_numbers"]) == (1, 6, 0, 0)  # tokens: CreateInstance, 3 requests, 2 imports
    assert count(lc, "phone_numbers") == 1 and count(lc, "tags", f"resource_arn = '{failed['PhoneNumberArn']}'") == 0
    assert connect.describe_phone_number(PhoneNumberId=live["PhoneNumberId"])["ClaimedPhoneNumberSummary"][
        "Tags"] == {"k": "live"}
    assert count(lc, "idempotency") == 1  # the fresh token stays, and replays
    assert connect.create_instance(IdentityManagementType="EXISTING_DIRECTORY", DirectoryId="d-1234567890",
                                   InboundCallsEnabled=True, OutboundCallsEnabled=True,
                                   ClientToken="fresh")["Id"] == fresh["Id"]
    assert count(lc, "release_events") == 1 and count(lc, "sms_phone_numbers", "status = 'DELETED'") == 1

    lc.advance(180 * DAY)  # the release window and the claim cooldown (180 days) have passed
    got = purge(lc)
    assert (got["release_events"], got["released_sms_phone_numbers"]) == (1, 1)
    assert count(lc, "release_events") == 0 and count(lc, "sms_phone_numbers", f"id = '{deleted}'") == 0
    # Still there: the live number, its source, the instances.
    assert connect.describe_phone_number(PhoneNumberId=live["PhoneNumberId"])["ClaimedPhoneNumberSummary"][
        "PhoneNumberStatus"] == {"Status": "CLAIMED"}
    assert count(lc, "sms_phone_numbers") == 2 and count(lc, "instances") == 2


def test_release_events_stay_while_a_cooldown_still_reads_them(lc):
    connect, _ = clients()
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 10})
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="cool",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)["Id"]
    number = connect.search_available_phone_numbers(InstanceId=instance, PhoneNumberCountryCode="US",
                                                    PhoneNumberType="DID", MaxResults=1)["AvailableNumbersList"][0]
    claimed = connect.claim_phone_number(InstanceId=instance, PhoneNumber=number["PhoneNumber"])
    connect.release_phone_number(PhoneNumberId=claimed["PhoneNumberId"])
    lc.app.settings.claim_cooldown_days = 365  # the cooldown outlasts the release window
    try:
        lc.advance(200 * DAY)
        assert purge(lc)["release_events"] == 0
        code = None
        try:
            connect.claim_phone_number(InstanceId=instance, PhoneNumber=number["PhoneNumber"])
        except connect.exceptions.InvalidParameterException as err:
            code = err.response["Error"]["Message"]
        assert code == f"Phone number not available: {number['PhoneNumber']}"  # still cooling down
        lc.advance(166 * DAY)
        assert purge(lc)["release_events"] == 1
    finally:
        lc.app.settings.claim_cooldown_days = 180


def test_a_purge_deletes_at_most_its_batch_oldest_first(lc):
    def remember(tx):
        tx.lock_partition(ACCOUNT, REGION)
        for i in range(250):
            call = Call(service="connect", operation="ImportPhoneNumber", account=ACCOUNT, region=REGION,
                        principal_arn="p", now=1000.0 + i, tx=tx, settings=lc.settings, request_id="r")
            idempotency.remember(call, f"t{i:03d}", "{}", {})
    lc.app.store.run_sync(remember, write=True)
    assert purge(lc, limit=100)["idempotency"] == 100
    left = lc.app.store.run_sync(lambda tx: [r["client_token"] for r in tx.all(
        "SELECT client_token FROM idempotency ORDER BY client_token")], write=False)
    assert left == [f"t{i:03d}" for i in range(100, 250)]
    assert purge(lc, limit=100, account="111122223333")["idempotency"] == 0  # another partition's sweep: none


def test_write_calls_sweep_their_partition_one_call_in_every(lc):
    connect, sms = clients()
    for i in range(30):  # 30 records of RequestPhoneNumber ClientTokens
        source(sms, ClientToken=f"old-{i}")
    lc.advance(25 * HOUR)
    assert count(lc, "idempotency") == 30
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="sweep",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)["Id"]
    for _ in range(retention.EVERY - 1):  # with the CreateInstance: EVERY consecutive writes, so one sweep
        connect.tag_resource(resourceArn=f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{instance}", tags={"a": "b"})
    assert count(lc, "idempotency", "client_token LIKE 'old-%'") == 0
    assert count(lc, "idempotency") == 1  # CreateInstance's own token (boto3 sends one), not yet old


def test_reads_never_sweep(lc, monkeypatch):
    connect, _ = clients()
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="reads",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)["Id"]
    swept = []
    monkeypatch.setattr(retention, "purge", lambda call, limit: swept.append(call.operation) or {})
    for _ in range(retention.EVERY * 2):
        connect.describe_instance(InstanceId=instance)
        connect.list_phone_numbers_v2(InstanceId=instance)
    assert swept == []
    for _ in range(retention.EVERY * 2):
        connect.tag_resource(resourceArn=f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{instance}", tags={"a": "b"})
    assert swept == ["TagResource", "TagResource"]  # one write call in EVERY, with its batch
