"""Throttling in `aws` mode and from the config file (docs/behaviour.md §7), against servers of their own."""
from __future__ import annotations

import time

import pytest

from localconnect.testing import ServerProcess, admin_call, clients
from support import error_of


@pytest.fixture(scope="module")
def throttled(tmp_path_factory):
    config = tmp_path_factory.mktemp("throttle") / "lc.toml"
    config.write_text('throttle = "aws"\n[throttle_limits]\n"sms-voice:RequestPhoneNumber" = {rate = 0, burst = 1}\n')
    with ServerProcess("--store", "memory", "--config", str(config), "--instance-settle-seconds", "0") as server:
        yield server


@pytest.fixture
def fresh(throttled):
    admin_call(throttled.url, "POST", "/reset")  # also empties the buckets
    return throttled


def test_a_burst_gets_at_most_burst_plus_refill(fresh):
    no_retry, _ = clients(fresh.url, retries={"mode": "standard", "total_max_attempts": 1})
    outcomes = []
    start = time.monotonic()
    for _ in range(10):
        try:
            no_retry.list_instances()
            outcomes.append("ok")
        except no_retry.exceptions.ThrottlingException as err:
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 429
            assert err.response["Error"]["Message"] == "Rate exceeded"
            outcomes.append("throttled")
    elapsed = time.monotonic() - start
    allowed = 5 + int(elapsed * 2)  # burst 5, refilling at 2 per second
    assert outcomes.count("ok") <= allowed
    assert outcomes[:5] == ["ok"] * 5 and "throttled" in outcomes


def test_buckets_are_per_operation_and_region(fresh):
    east, _ = clients(fresh.url, retries={"mode": "standard", "total_max_attempts": 1})
    west, _ = clients(fresh.url, region="eu-west-2", retries={"mode": "standard", "total_max_attempts": 1})
    for _ in range(5):
        east.list_instances()
    code, status, _, _ = error_of(east.list_instances)
    assert (code, status) == ("ThrottlingException", 429)
    assert west.list_instances()["InstanceSummaryList"] == []  # another Region's bucket
    code, _, _, _ = error_of(east.describe_instance, InstanceId="nope")
    assert code == "ResourceNotFoundException"  # another operation's bucket


def test_create_instance_is_limited_to_one_per_ten_seconds_and_time_travel_refills(fresh):
    no_retry, _ = clients(fresh.url, retries={"mode": "standard", "total_max_attempts": 1})

    def create(alias):
        return no_retry.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias=alias,
                                        InboundCallsEnabled=True, OutboundCallsEnabled=True)
    assert create("one")["Id"]
    code, status, _, _ = error_of(create, "two")
    assert (code, status) == ("ThrottlingException", 429)
    admin_call(fresh.url, "POST", "/clock", {"advance_seconds": 10})  # the service clock refills the bucket
    assert create("two")["Id"]


def test_boto3_retries_recover(fresh):
    retrying, _ = clients(fresh.url, retries={"mode": "standard", "max_attempts": 10})
    results = [retrying.list_instances() for _ in range(9)]
    assert all(r["ResponseMetadata"]["HTTPStatusCode"] == 200 for r in results)
    assert sum(r["ResponseMetadata"]["RetryAttempts"] for r in results) >= 1


def test_config_file_limits_apply_to_end_user_messaging(fresh):
    _, sms = clients(fresh.url, retries={"mode": "standard", "total_max_attempts": 1})

    def request():
        return sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    assert request()["PhoneNumberId"]
    code, _, message, response = error_of(request)
    assert (code, message) == ("ThrottlingException", "Rate exceeded")
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.0"
    # Other End User Messaging operations are not throttled in aws mode (docs/behaviour.md §7)
    for _ in range(8):
        sms.describe_phone_numbers()
