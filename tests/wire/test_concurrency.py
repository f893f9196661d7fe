"""Rules that must hold under concurrency, on every store (docs/behaviour.md §2, §3, §6): racing requests from
many client threads against one server."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

from localconnect.testing import clients
from support import connect_numbers, make_instance, request_number

N = 20


def _racing_client(lc):
    connect, _ = clients(lc.url, retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=N)
    return connect


def _outcome(fn):
    try:
        return fn()
    except ClientError as err:
        return err.response["Error"]["Code"]


def _race(fn, n=N):
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda i: _outcome(lambda: fn(i)), range(n)))



def test_concurrent_imports_of_one_source_number_let_exactly_one_through(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms)
    racing = _racing_client(lc)
    results = _race(lambda i: racing.import_phone_number(InstanceId=instance["Id"],
                                                         SourcePhoneNumberArn=source["PhoneNumberArn"]))
    wins = [r for r in results if isinstance(r, dict)]
    assert len(wins) == 1
    assert sorted(r for r in results if isinstance(r, str)) == ["InvalidParameterException"] * (N - 1)
    assert [n["PhoneNumberId"] for n in connect_numbers(lc)] == [wins[0]["PhoneNumberId"]]


def test_concurrent_imports_with_one_token_create_one_number(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms)
    racing = _racing_client(lc)
    results = _race(lambda i: racing.import_phone_number(InstanceId=instance["Id"], ClientToken="one-token",
                                                         SourcePhoneNumberArn=source["PhoneNumberArn"]))
    assert all(isinstance(r, dict) for r in results), results
    ids = {r["PhoneNumberId"] for r in results}
    assert len(ids) == 1
    assert [n["PhoneNumberId"] for n in connect_numbers(lc)] == list(ids)


def test_racing_for_the_last_free_slot_never_exceeds_the_quota(connect, sms, lc):
    instance = make_instance(connect, lc)
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 3})
    for _ in range(2):
        connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"])
    sources = [request_number(sms)["PhoneNumberArn"] for _ in range(10)]
    racing = _racing_client(lc)
    results = _race(lambda i: racing.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=sources[i]),
                    n=10)
    # The outcome is decided at acceptance: one takes the last slot; the rest end FAILED, and each FAILED one
    # counts as a release (failed_counts_as_release), so after 6 (200 % of 3) the rule refuses the others.
    accepted = [r for r in results if isinstance(r, dict)]
    assert sorted(r for r in results if not isinstance(r, dict)) == ["LimitExceededException"] * 3, results
    lc.advance(1)
    statuses = [connect.describe_phone_number(PhoneNumberId=r["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
                ["PhoneNumberStatus"]["Status"] for r in accepted]
    assert sorted(statuses) == ["CLAIMED"] + ["FAILED"] * 6
    listed = connect.list_phone_numbers_v2(InstanceId=instance["Id"])["ListPhoneNumbersSummaryList"]
    assert len(listed) == 3
    assert lc.state()["partitions"][0]["instances"][0]["PhoneNumbersHeld"] == 3
