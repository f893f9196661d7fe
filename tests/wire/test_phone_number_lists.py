"""ListPhoneNumbersV2 and ListPhoneNumbers (v1) through boto3: scope, filters, pagination, the v1 legacy form."""
from __future__ import annotations

import pytest

from support import error_of, import_settled, make_instance, request_number


@pytest.fixture
def two_instances(connect, sms, lc):
    """Instance a: two US DIDs claimed, one US UIFN claimed, one toll-free import; instance b: one GB DID."""
    a = make_instance(connect, lc, alias="a")
    b = make_instance(connect, lc, alias="b")
    held = {}
    for country, kind, target in (("US", "DID", a), ("US", "DID", a), ("US", "UIFN", a), ("GB", "DID", b)):
        number = next(n["PhoneNumber"] for n in connect.search_available_phone_numbers(
            InstanceId=target["Id"], PhoneNumberCountryCode=country, PhoneNumberType=kind,
            MaxResults=10)["AvailableNumbersList"] if n["PhoneNumber"] not in held)
        held[number] = connect.claim_phone_number(InstanceId=target["Id"], PhoneNumber=number)["PhoneNumberId"]
    source = request_number(sms, "TOLL_FREE")
    imported = import_settled(connect, lc, a["Id"], source["PhoneNumberArn"], PhoneNumberDescription="imported")
    held[source["PhoneNumber"]] = imported["PhoneNumberId"]
    return a, b, held, source


def _numbers(pages, key="ListPhoneNumbersSummaryList"):
    return [n for page in pages for n in page[key]]


def test_v2_by_instance_by_target_and_whole_region(connect, two_instances):
    a, b, held, source = two_instances
    by_id = connect.list_phone_numbers_v2(InstanceId=a["Id"])["ListPhoneNumbersSummaryList"]
    assert sorted(n["PhoneNumber"] for n in by_id) == sorted(p for p in held if not p.startswith("+44"))
    assert connect.list_phone_numbers_v2(TargetArn=a["Arn"])["ListPhoneNumbersSummaryList"] == by_id
    everything = connect.list_phone_numbers_v2()["ListPhoneNumbersSummaryList"]
    assert sorted(n["PhoneNumberId"] for n in everything) == sorted(held.values())
    entry = next(n for n in by_id if n["PhoneNumber"] == source["PhoneNumber"])
    assert entry == {"PhoneNumberId": held[source["PhoneNumber"]], "PhoneNumberArn": entry["PhoneNumberArn"],
                     "PhoneNumber": source["PhoneNumber"], "PhoneNumberCountryCode": "US",
                     "PhoneNumberType": "TOLL_FREE", "TargetArn": a["Arn"], "InstanceId": a["Id"],
                     "PhoneNumberDescription": "imported", "SourcePhoneNumberArn": source["PhoneNumberArn"]}


def test_v2_filters(connect, two_instances):
    a, b, held, _ = two_instances
    def listed(**kw):
        return sorted(n["PhoneNumber"] for n in connect.list_phone_numbers_v2(**kw)["ListPhoneNumbersSummaryList"])
    assert listed(PhoneNumberCountryCodes=["GB"]) == [p for p in held if p.startswith("+44")]
    assert listed(PhoneNumberTypes=["UIFN", "TOLL_FREE"]) == sorted(p for p in held if p.startswith(("+800", "+1888")))
    assert listed(PhoneNumberPrefix="+1206") == sorted(p for p in held if p.startswith("+1206"))
    assert listed(PhoneNumberPrefix="1206") == listed(PhoneNumberPrefix="+1206")  # the + is implied
    assert listed(InstanceId=b["Id"], PhoneNumberCountryCodes=["US"]) == []


def test_v2_pagination_terminates_and_sees_each_number_once(connect, two_instances):
    _, _, held, _ = two_instances
    first = connect.list_phone_numbers_v2(MaxResults=2)
    assert len(first["ListPhoneNumbersSummaryList"]) == 2 and first["NextToken"]
    pages = list(connect.get_paginator("list_phone_numbers_v2").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["ListPhoneNumbersSummaryList"]) for p in pages] == [2, 2, 1]
    assert "NextToken" not in pages[-1]
    assert sorted(n["PhoneNumberId"] for n in _numbers(pages)) == sorted(held.values())
    code, status, _, _ = error_of(connect.list_phone_numbers_v2, NextToken="not-a-token")
    assert (code, status) == ("InvalidParameterException", 400)


def test_v2_scope_errors(connect, two_instances):
    a, _, _, _ = two_instances
    code, status, _, _ = error_of(connect.list_phone_numbers_v2, InstanceId="00000000-0000-4000-8000-000000000000")
    assert (code, status) == ("ResourceNotFoundException", 404)
    code, status, message, _ = error_of(connect.list_phone_numbers_v2, InstanceId=a["Id"], TargetArn=a["Arn"])
    assert (code, status, message) == ("InvalidParameterException", 400,
                                       "Specify either InstanceId or TargetArn, not both.")


def test_v1_legacy_arns_type_mapping_filters_and_pages(connect, two_instances):
    a, _, held, _ = two_instances
    pages = list(connect.get_paginator("list_phone_numbers").paginate(InstanceId=a["Id"],
                                                                      PaginationConfig={"PageSize": 3}))
    assert [len(p["PhoneNumberSummaryList"]) for p in pages] == [3, 1]
    entries = _numbers(pages, "PhoneNumberSummaryList")
    for entry in entries:
        assert entry["Arn"] == f"arn:aws:connect:us-east-1:123456789012:instance/{a['Id']}/phone-number/{entry['Id']}"
        assert set(entry) == {"Id", "Arn", "PhoneNumber", "PhoneNumberType", "PhoneNumberCountryCode"}
    types = {e["PhoneNumber"]: e["PhoneNumberType"] for e in entries}
    uifn = next(p for p in held if p.startswith("+800"))
    assert types[uifn] == "TOLL_FREE"  # v1 reports UIFN as TOLL_FREE (docs/behaviour.md §3)
    toll_free = connect.list_phone_numbers(InstanceId=a["Id"], PhoneNumberTypes=["TOLL_FREE"])
    assert sorted(e["PhoneNumber"] for e in toll_free["PhoneNumberSummaryList"]) == sorted(
        p for p in types if types[p] == "TOLL_FREE")
    # A legacy ARN cannot be tagged (docs/behaviour.md §10)
    code, status, _, _ = error_of(connect.tag_resource, resourceArn=entries[0]["Arn"], tags={"k": "v"})
    assert (code, status) == ("ResourceNotFoundException", 404)
    code, status, _, _ = error_of(connect.list_phone_numbers, InstanceId=a["Id"], NextToken="nope")
    assert (code, status) == ("InvalidRequestException", 400)
