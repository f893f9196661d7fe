"""SearchAvailablePhoneNumbers, ClaimPhoneNumber, UpdatePhoneNumber, UpdatePhoneNumberMetadata through boto3."""
from __future__ import annotations

import pytest

from support import error_of, make_instance

DAY = 86400


def _search(connect, instance_id, **kw):
    kw.setdefault("PhoneNumberCountryCode", "US")
    kw.setdefault("PhoneNumberType", "DID")
    return connect.search_available_phone_numbers(InstanceId=instance_id, **kw)


def _status(connect, number_id):
    return connect.describe_phone_number(PhoneNumberId=number_id)["ClaimedPhoneNumberSummary"]["PhoneNumberStatus"]


def test_search_is_deterministic_paginated_and_filtered(connect, lc):
    instance = make_instance(connect, lc)
    first = _search(connect, instance["Id"], MaxResults=10)
    assert len(first["AvailableNumbersList"]) == 10 and first["NextToken"]
    assert first == {**_search(connect, instance["Id"], MaxResults=10), "ResponseMetadata": first["ResponseMetadata"]}
    assert all(n["PhoneNumber"].startswith("+1") and n["PhoneNumberCountryCode"] == "US"
               and n["PhoneNumberType"] == "DID" for n in first["AvailableNumbersList"])
    paginator = connect.get_paginator("search_available_phone_numbers")
    pages = list(paginator.paginate(InstanceId=instance["Id"], PhoneNumberCountryCode="US", PhoneNumberType="TOLL_FREE",
                                    PhoneNumberPrefix="+1833"))
    numbers = [n["PhoneNumber"] for p in pages for n in p["AvailableNumbersList"]]
    assert len(numbers) == len(set(numbers)) == 100 and all(n.startswith("+1833") for n in numbers)
    assert "NextToken" not in pages[-1]
    by_arn = connect.search_available_phone_numbers(TargetArn=instance["Arn"], PhoneNumberCountryCode="GB",
                                                    PhoneNumberType="DID", MaxResults=1)
    assert by_arn["AvailableNumbersList"][0]["PhoneNumber"].startswith("+44")
    # A country/type with no inventory answers an empty list, as AWS does where none are available
    assert _search(connect, instance["Id"], PhoneNumberCountryCode="VA")["AvailableNumbersList"] == []


@pytest.mark.parametrize("kwargs,message", [
    ({}, "Specify either InstanceId or TargetArn."),
    ({"InstanceId": "X", "TargetArn": "arn:aws:connect:us-east-1:123456789012:instance/X"},
     "Specify either InstanceId or TargetArn, not both."),
])
def test_search_needs_exactly_one_target(connect, lc, kwargs, message):
    code, status, got, _ = error_of(connect.search_available_phone_numbers, PhoneNumberCountryCode="US",
                                    PhoneNumberType="DID", **kwargs)
    assert (code, status, got) == ("InvalidParameterException", 400, message)


def test_claim_settles_and_leaves_the_inventory(connect, lc):
    instance = make_instance(connect, lc)
    number = _search(connect, instance["Id"], MaxResults=1)["AvailableNumbersList"][0]["PhoneNumber"]
    out = connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=number, PhoneNumberDescription="main",
                                     Tags={"team": "ops"})
    summary = connect.describe_phone_number(PhoneNumberId=out["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
    assert summary["PhoneNumberStatus"] == {"Status": "IN_PROGRESS"}
    assert "SourcePhoneNumberArn" not in summary and summary["Tags"] == {"team": "ops"}
    assert number not in [n["PhoneNumber"] for n in _search(connect, instance["Id"])["AvailableNumbersList"]]
    lc.advance(1)
    assert _status(connect, out["PhoneNumberId"]) == {"Status": "CLAIMED"}
    code, status, message, _ = error_of(connect.claim_phone_number, InstanceId=instance["Id"], PhoneNumber=number)
    assert (code, status, message) == ("InvalidParameterException", 400, f"Phone number not available: {number}")


def test_claim_errors(connect, lc):
    instance = make_instance(connect, lc)
    code, status, message, _ = error_of(connect.claim_phone_number, InstanceId=instance["Id"],
                                        PhoneNumber="+19999999999")
    assert (code, status, message) == ("InvalidParameterException", 400, "Phone number not available: +19999999999")
    code, status, _, _ = error_of(connect.claim_phone_number, InstanceId="00000000-0000-4000-8000-000000000000",
                                  PhoneNumber="+12065550100")
    assert (code, status) == ("ResourceNotFoundException", 404)
    code, status, message, _ = error_of(connect.claim_phone_number, InstanceId=instance["Id"], PhoneNumber="12065550100")
    assert (code, status) == ("InvalidParameterException", 400) and "at 'phoneNumber'" in message
    assert all(p["phone_numbers"] == [] for p in lc.state()["partitions"])


def test_released_claimed_numbers_cool_down(connect, lc):
    instance = make_instance(connect, lc)
    number = _search(connect, instance["Id"], MaxResults=1)["AvailableNumbersList"][0]["PhoneNumber"]
    out = connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=number)
    lc.advance(1)
    connect.release_phone_number(PhoneNumberId=out["PhoneNumberId"])
    assert number not in [n["PhoneNumber"] for n in _search(connect, instance["Id"])["AvailableNumbersList"]]
    code, _, message, _ = error_of(connect.claim_phone_number, InstanceId=instance["Id"], PhoneNumber=number)
    assert (code, message) == ("InvalidParameterException", f"Phone number not available: {number}")
    lc.advance(180 * DAY)
    assert _search(connect, instance["Id"], MaxResults=1)["AvailableNumbersList"][0]["PhoneNumber"] == number
    assert connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=number)["PhoneNumberId"]


def test_claim_is_idempotent(connect, lc):
    instance = make_instance(connect, lc)
    number = _search(connect, instance["Id"], MaxResults=1)["AvailableNumbersList"][0]["PhoneNumber"]
    a = connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=number, ClientToken="c-1")
    b = connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=number, ClientToken="c-1")
    assert a["PhoneNumberId"] == b["PhoneNumberId"]
    code, status, _, _ = error_of(connect.claim_phone_number, InstanceId=instance["Id"], PhoneNumber=number,
                                  ClientToken="c-1", PhoneNumberDescription="other")
    assert (code, status) == ("IdempotencyException", 409)


def test_claim_into_a_full_instance_fails_after_acceptance(connect, lc):
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    instance = make_instance(connect, lc)
    numbers = [n["PhoneNumber"] for n in _search(connect, instance["Id"], MaxResults=2)["AvailableNumbersList"]]
    ok = connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=numbers[0])
    full = connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=numbers[1])
    lc.advance(1)
    assert _status(connect, ok["PhoneNumberId"]) == {"Status": "CLAIMED"}
    assert _status(connect, full["PhoneNumberId"]) == {
        "Status": "FAILED", "Message": "The phone number limit for the target has been reached."}
    # A FAILED claim does not hold the number: it is back in the inventory at once.
    assert numbers[1] in [n["PhoneNumber"] for n in _search(connect, instance["Id"])["AvailableNumbersList"]]


def test_update_moves_a_number_between_instances(connect, lc):
    a = make_instance(connect, lc, alias="a")
    b = make_instance(connect, lc, alias="b")
    number = _search(connect, a["Id"], MaxResults=1)["AvailableNumbersList"][0]["PhoneNumber"]
    out = connect.claim_phone_number(InstanceId=a["Id"], PhoneNumber=number)
    code, status, _, response = error_of(connect.update_phone_number, PhoneNumberId=out["PhoneNumberId"],
                                         InstanceId=b["Id"])
    assert (code, status, response["ResourceType"]) == ("ResourceInUseException", 409, "PHONE_NUMBER")
    lc.advance(1)
    moved = connect.update_phone_number(PhoneNumberId=out["PhoneNumberId"], TargetArn=b["Arn"])
    assert moved["PhoneNumberId"] == out["PhoneNumberId"] and moved["PhoneNumberArn"] == out["PhoneNumberArn"]
    assert _status(connect, out["PhoneNumberId"]) == {"Status": "IN_PROGRESS"}
    lc.advance(1)
    summary = connect.describe_phone_number(PhoneNumberId=out["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
    assert (summary["InstanceId"], summary["TargetArn"], summary["PhoneNumberStatus"]) == (
        b["Id"], b["Arn"], {"Status": "CLAIMED"})
    assert [n["PhoneNumber"] for n in connect.list_phone_numbers_v2(InstanceId=b["Id"])["ListPhoneNumbersSummaryList"]] \
        == [number]
    assert connect.list_phone_numbers_v2(InstanceId=a["Id"])["ListPhoneNumbersSummaryList"] == []
    held = {i["InstanceAlias"]: i["PhoneNumbersHeld"] for i in lc.state()["partitions"][0]["instances"]}
    assert held == {"a": 0, "b": 1}
    connect.release_phone_number(PhoneNumberId=out["PhoneNumberId"])
    held = {i["InstanceAlias"]: i["PhoneNumbersHeld"] for i in lc.state()["partitions"][0]["instances"]}
    assert held == {"a": 0, "b": 0}


def test_update_to_a_full_instance_fails_and_the_number_stays(connect, lc):
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    a = make_instance(connect, lc, alias="a")
    b = make_instance(connect, lc, alias="b")
    numbers = [n["PhoneNumber"] for n in _search(connect, a["Id"], MaxResults=2)["AvailableNumbersList"]]
    mine = connect.claim_phone_number(InstanceId=a["Id"], PhoneNumber=numbers[0])
    connect.claim_phone_number(InstanceId=b["Id"], PhoneNumber=numbers[1])
    lc.advance(1)
    connect.update_phone_number(PhoneNumberId=mine["PhoneNumberId"], InstanceId=b["Id"], ClientToken="move-1")
    lc.advance(1)
    summary = connect.describe_phone_number(PhoneNumberId=mine["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
    assert summary["InstanceId"] == a["Id"]
    assert summary["PhoneNumberStatus"] == {"Status": "FAILED",
                                            "Message": "The phone number limit for the target has been reached."}
    shown = {n["PhoneNumberId"]: n["Status"] for n in lc.state()["partitions"][0]["phone_numbers"]}
    assert shown[mine["PhoneNumberId"]] == "FAILED"  # the admin view agrees with DescribePhoneNumber
    # The same token and parameters replay; a later successful update clears the failure.
    assert connect.update_phone_number(PhoneNumberId=mine["PhoneNumberId"], InstanceId=b["Id"],
                                       ClientToken="move-1")["PhoneNumberId"] == mine["PhoneNumberId"]
    connect.update_phone_number_metadata(PhoneNumberId=mine["PhoneNumberId"], PhoneNumberDescription="still here")
    lc.advance(1)
    assert _status(connect, mine["PhoneNumberId"]) == {"Status": "CLAIMED"}


def test_update_metadata(connect, lc):
    instance = make_instance(connect, lc)
    number = _search(connect, instance["Id"], MaxResults=1)["AvailableNumbersList"][0]["PhoneNumber"]
    out = connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=number)
    code, status, _, _ = error_of(connect.update_phone_number_metadata, PhoneNumberId=out["PhoneNumberId"],
                                  PhoneNumberDescription="x")
    assert (code, status) == ("ResourceInUseException", 409)
    lc.advance(1)
    connect.update_phone_number_metadata(PhoneNumberId=out["PhoneNumberArn"], PhoneNumberDescription="new words",
                                         ClientToken="meta-1")
    assert _status(connect, out["PhoneNumberId"]) == {"Status": "IN_PROGRESS"}
    lc.advance(1)
    summary = connect.describe_phone_number(PhoneNumberId=out["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
    assert summary["PhoneNumberDescription"] == "new words"
    code, status, _, _ = error_of(connect.update_phone_number_metadata, PhoneNumberId=out["PhoneNumberId"],
                                  PhoneNumberDescription="other words", ClientToken="meta-1")
    assert (code, status) == ("IdempotencyException", 409)
    code, status, _, _ = error_of(connect.update_phone_number_metadata,
                                  PhoneNumberId="00000000-0000-4000-8000-000000000000", PhoneNumberDescription="x")
    assert (code, status) == ("ResourceNotFoundException", 404)
