"""The 200 % / rolling-180-day release rule through boto3 (docs/behaviour.md §4), including the API reference's own
example, run in seconds with the admin clock."""
from __future__ import annotations

from support import error_of, import_settled, make_instance, request_number

DAY = 86400


def _window(lc) -> dict:
    return lc.state()["partitions"][0]["release_window"]


def _claim_n(connect, lc, instance_id, n) -> list[dict]:
    """Claim n numbers from the inventory (searching as a user would) and let them settle."""
    claimed = []
    while len(claimed) < n:
        page = connect.search_available_phone_numbers(InstanceId=instance_id, PhoneNumberCountryCode="US",
                                                      PhoneNumberType="DID", MaxResults=10)["AvailableNumbersList"]
        for entry in page[: n - len(claimed)]:
            claimed.append(connect.claim_phone_number(InstanceId=instance_id, PhoneNumber=entry["PhoneNumber"]))
    lc.advance(1)
    return claimed


def _release_all(connect, lc, numbers) -> None:
    for number in numbers:
        connect.release_phone_number(PhoneNumberId=number["PhoneNumberId"])
        lc.advance(1)  # one second between releases, so the events age out one at a time


def test_the_documented_example_quota_99(connect, sms, lc):
    """Quota 99, 99 claimed; release 99, claim 99, release 99 → claims and imports are refused; 180 days after
    the oldest release the block lifts by exactly one slot at a time."""
    no_retry, _ = lc.clients(retries={"total_max_attempts": 1, "mode": "standard"})
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 99})
    instance = make_instance(connect, lc)
    first = _claim_n(connect, lc, instance["Id"], 99)
    _release_all(connect, lc, first)
    second = _claim_n(connect, lc, instance["Id"], 99)
    _release_all(connect, lc, second)
    window = _window(lc)
    assert (window["events_in_window"], window["allowance"], window["blocked"]) == (198, 198, True)

    free = connect.search_available_phone_numbers(InstanceId=instance["Id"], PhoneNumberCountryCode="US",
                                                  PhoneNumberType="DID", MaxResults=2)["AvailableNumbersList"]
    code, status, message, _ = error_of(no_retry.claim_phone_number, InstanceId=instance["Id"],
                                        PhoneNumber=free[0]["PhoneNumber"])
    assert (code, status, message) == ("LimitExceededException", 429,
                                       "The allowed limit for the resource has been exceeded.")
    source = request_number(sms)
    code, status, _, _ = error_of(no_retry.import_phone_number, InstanceId=instance["Id"],
                                  SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, status) == ("LimitExceededException", 429)
    assert all(p["phone_numbers"] == [] for p in lc.state()["partitions"])  # nothing written

    # Travel to just after the oldest release's 180th day: exactly one event has aged out.
    lifts_at = window["lifts_at"]
    lc.advance(lifts_at - lc.state()["now"] + 0.05)
    assert _window(lc)["events_in_window"] == 197 and not _window(lc)["blocked"]
    one = no_retry.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=free[0]["PhoneNumber"])
    lc.advance(0.6)
    no_retry.release_phone_number(PhoneNumberId=one["PhoneNumberId"])  # uses the freed slot again
    assert _window(lc)["blocked"]
    code, _, _, _ = error_of(no_retry.claim_phone_number, InstanceId=instance["Id"], PhoneNumber=free[1]["PhoneNumber"])
    assert code == "LimitExceededException"
    lc.advance(1)  # the next-oldest release ages out: one more slot
    assert _window(lc)["events_in_window"] == 197
    imported = import_settled(no_retry, lc, instance["Id"], source["PhoneNumberArn"])
    assert imported["PhoneNumberId"]


def test_support_case_lifts_the_block(connect, sms, lc):
    no_retry, _ = lc.clients(retries={"total_max_attempts": 1, "mode": "standard"})
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    instance = make_instance(connect, lc)
    for _ in range(2):
        _release_all(connect, lc, _claim_n(connect, lc, instance["Id"], 1))
    assert _window(lc)["blocked"]
    code, _, _, _ = error_of(no_retry.import_phone_number, InstanceId=instance["Id"],
                             SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"])
    assert code == "LimitExceededException"
    status, body = lc.admin("POST", "/support-case", {"account": "123456789012", "region": "us-east-1"})
    assert (status, body["release_events_cleared"]) == (200, 2)
    assert not _window(lc)["blocked"]
    assert _claim_n(connect, lc, instance["Id"], 1)


def test_the_rule_is_per_account_and_region(connect, sms, lc):
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    instance = make_instance(connect, lc)
    for _ in range(2):
        _release_all(connect, lc, _claim_n(connect, lc, instance["Id"], 1))
    assert _window(lc)["blocked"]
    west, west_sms = lc.clients(region="us-west-2")
    west_instance = make_instance(west, lc, alias="west")
    assert _claim_n(west, lc, west_instance["Id"], 1)  # another Region: its own window and default quota


def test_failed_claims_count_as_releases(connect, sms, lc):
    no_retry, _ = lc.clients(retries={"total_max_attempts": 1, "mode": "standard"})
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    instance = make_instance(connect, lc)
    _claim_n(connect, lc, instance["Id"], 1)  # the instance is now full
    failed = [connect.import_phone_number(InstanceId=instance["Id"],
                                          SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"])
              for _ in range(2)]
    lc.advance(1)
    assert [connect.describe_phone_number(PhoneNumberId=f["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
            ["PhoneNumberStatus"]["Status"] for f in failed] == ["FAILED", "FAILED"]
    assert _window(lc)["events_in_window"] == 2 and _window(lc)["blocked"]
    code, _, _, _ = error_of(no_retry.import_phone_number, InstanceId=instance["Id"],
                             SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"])
    assert code == "LimitExceededException"


def test_quota_change_mid_window_moves_the_allowance(connect, lc):
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    instance = make_instance(connect, lc)
    for _ in range(2):
        _release_all(connect, lc, _claim_n(connect, lc, instance["Id"], 1))
    assert _window(lc)["blocked"]
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 2})  # a quota increase: allowance 4
    assert _window(lc)["allowance"] == 4 and not _window(lc)["blocked"]
    assert _claim_n(connect, lc, instance["Id"], 1)


def test_quotas_admin_api(lc):
    status, body = lc.admin("GET", "/quotas")
    assert status == 200 and body["defaults"] == {"phone_numbers_per_instance": 5, "instances_per_region": 2}
    status, body = lc.admin("POST", "/quotas", {"account": "111122223333", "region": "eu-west-1",
                                                "phone_numbers_per_instance": 7})
    assert status == 200 and body == {"account": "111122223333", "region": "eu-west-1",
                                      "phone_numbers_per_instance": 7, "instances_per_region": 2}
    assert lc.admin("GET", "/quotas")[1]["overrides"] == [
        {"account": "111122223333", "region": "eu-west-1", "phone_numbers_per_instance": 7,
         "instances_per_region": None}]
    for bad in ({}, {"phone_numbers_per_instance": -1}, {"phone_numbers_per_instance": "5"},
                {"account": "12", "phone_numbers_per_instance": 1}):
        status, body = lc.admin("POST", "/quotas", bad)
        assert status == 400 and body["error"]["code"] == "InvalidParameterException"
