"""The scale-shaped queries answer exactly what the plain definition answers: the lists (one indexed stream per
type and country, merged; prefixes as ranges; keyset pages) against a filter over every number, and End User
Messaging's DescribePhoneNumbers (filters in SQL, at most SCAN_LIMIT rows examined per call) against its filters
applied one number at a time."""
from __future__ import annotations

import itertools

import boto3
import pytest

from localconnect.services.connect.numbers import prefix_range
from localconnect.services.sms_voice import phone_numbers as sms_numbers
from localconnect.testing import mock_localconnect

REGION, ACCOUNT = "us-east-1", "123456789012"
CREDS = dict(region_name=REGION, aws_access_key_id="AKIDQUERIES", aws_secret_access_key="secret")
SEEDED = [  # (PhoneNumber, IsoCountryCode, NumberType): imported alternately into instances a and b
    ("+12065550001", "US", "LONG_CODE"), ("+12065550002", "US", "LONG_CODE"), ("+18885550003", "US", "TOLL_FREE"),
    ("+447700900004", "GB", "LONG_CODE"), ("+448005550005", "GB", "TOLL_FREE"), ("+12065550006", "US", "LONG_CODE"),
    ("+16045550007", "CA", "LONG_CODE"), ("+18775550008", "CA", "TOLL_FREE"), ("+447700900009", "GB", "LONG_CODE"),
    ("+12065550010", "US", "TEN_DLC"), ("+18885550011", "US", "TOLL_FREE"), ("+447700900012", "GB", "LONG_CODE"),
]


@pytest.fixture(scope="module")
def world():
    with mock_localconnect(settle_seconds=3600, instance_settle_seconds=0) as lc:
        connect, sms = boto3.client("connect", **CREDS), boto3.client("pinpoint-sms-voice-v2", **CREDS)
        lc.admin("POST", "/quotas", {"instances_per_region": 3, "phone_numbers_per_instance": 8})
        a, b, empty = (connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias=x,
                                               InboundCallsEnabled=True, OutboundCallsEnabled=True)["Id"]
                       for x in ("a", "b", "c"))
        ids = []
        for k, (number, country, kind) in enumerate(SEEDED):
            arn = lc._ok("POST", "/seed/sms-voice/phone-numbers", {
                "PhoneNumber": number, "IsoCountryCode": country, "NumberType": kind,
                "MessageType": "PROMOTIONAL" if k % 3 == 0 else "TRANSACTIONAL",
                "NumberCapabilities": ["SMS", "VOICE"] if k % 2 else ["VOICE"], "TwoWayEnabled": False,
                "Status": "PENDING" if k == 7 else "ACTIVE"})["PhoneNumberArn"]
            if k != 7:
                ids.append(connect.import_phone_number(InstanceId=(a, b)[k % 2], SourcePhoneNumberArn=arn)[
                    "PhoneNumberId"])
        for number in connect.search_available_phone_numbers(InstanceId=a, PhoneNumberCountryCode="US",
                                                             PhoneNumberType="UIFN", MaxResults=2)["AvailableNumbersList"]:
            ids.append(connect.claim_phone_number(InstanceId=a, PhoneNumber=number["PhoneNumber"])["PhoneNumberId"])
        lc.advance(3601)
        connect.release_phone_number(PhoneNumberId=ids.pop(0))   # released: never listed
        lc.admin("POST", "/quotas", {"instances_per_region": 3, "phone_numbers_per_instance": 1})
        failed = sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                          NumberCapabilities=["SMS"], NumberType="LONG_CODE")["PhoneNumberArn"]
        connect.import_phone_number(InstanceId=a, SourcePhoneNumberArn=failed)  # outcome FAILED: never listed
        lc.advance(3601)
        settling = sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="TOLL_FREE")["PhoneNumberArn"]
        lc.admin("POST", "/quotas", {"instances_per_region": 3, "phone_numbers_per_instance": 100})
        connect.import_phone_number(InstanceId=b, SourcePhoneNumberArn=settling)  # IN_PROGRESS for an hour
        listed = [connect.describe_phone_number(PhoneNumberId=i)["ClaimedPhoneNumberSummary"] for i in ids]
        yield {"connect": connect, "sms": sms, "a": a, "b": b, "empty": empty, "listed": listed}


def _pages(call, key: str, **request) -> tuple[list[dict], list[int]]:
    got, sizes, token = [], [], None
    for _ in range(100):
        page = call(**request, **({"NextToken": token} if token else {}))
        got += page[key]
        sizes.append(len(page[key]))
        token = page.get("NextToken")
        if not token:
            return got, sizes
    raise AssertionError("no end after 100 pages")


SCOPES = [None, "a", "b", "empty", "target:a"]
TYPES = [None, ["DID"], ["TOLL_FREE", "UIFN"], ["DID", "TOLL_FREE", "UIFN"]]
COUNTRIES = [None, ["US"], ["GB", "US"], ["CA"]]
PREFIXES = [None, "+44", "1206", "+1", "+9", "+18885550011"]


@pytest.mark.parametrize("scope", SCOPES)
def test_list_phone_numbers_v2_is_the_filter_over_every_number(world, scope):
    connect = world["connect"]
    for types, countries, prefix in itertools.product(TYPES, COUNTRIES, PREFIXES):
        request = {"MaxResults": 2}
        instance = None
        if scope is not None:
            instance = world[scope.split(":")[-1]]
            request["TargetArn" if scope.startswith("target:") else "InstanceId"] = (
                f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{instance}" if scope.startswith("target:") else instance)
        for name, value in (("PhoneNumberTypes", types), ("PhoneNumberCountryCodes", countries),
                            ("PhoneNumberPrefix", prefix)):
            if value:
                request[name] = value
        got, _ = _pages(connect.list_phone_numbers_v2, "ListPhoneNumbersSummaryList", **request)
        wanted = sorted(((n["PhoneNumber"], n["PhoneNumberId"]) for n in world["listed"]
                         if (instance is None or n["InstanceId"] == instance)
                         and (not types or n["PhoneNumberType"] in types)
                         and (not countries or n["PhoneNumberCountryCode"] in countries)
                         and (not prefix or n["PhoneNumber"].startswith("+" + prefix.lstrip("+")))))
        assert [(n["PhoneNumber"], n["PhoneNumberId"]) for n in got] == wanted, request


def test_list_phone_numbers_v1_maps_types_and_pages_the_same(world):
    connect = world["connect"]
    for instance, types in itertools.product(("a", "b", "empty"), (None, ["TOLL_FREE"], ["DID"], ["UIFN"])):
        request = {"InstanceId": world[instance], "MaxResults": 1, **({"PhoneNumberTypes": types} if types else {})}
        got, _ = _pages(connect.list_phone_numbers, "PhoneNumberSummaryList", **request)
        also = {"TOLL_FREE": {"UIFN", "THIRD_PARTY_TF"}, "DID": {"SHARED", "THIRD_PARTY_DID"}}
        wanted_types = None if not types else set(types) | set().union(*(also.get(t, set()) for t in types))
        wanted = sorted((n["PhoneNumber"], n["PhoneNumberId"]) for n in world["listed"]
                        if n["InstanceId"] == world[instance]
                        and (wanted_types is None or n["PhoneNumberType"] in wanted_types))
        assert [(n["PhoneNumber"], n["Id"]) for n in got] == wanted, request
        assert all(n["PhoneNumberType"] in ("TOLL_FREE", "DID", "SHORT_CODE") for n in got)


def test_prefix_ranges_hold_exactly_the_numbers_with_the_prefix():
    numbers = ["+1", "+12", "+1299", "+13", "+19", "+199", "+2", "+9", "+99", "+999", "12", "+1206555", "+120"]
    for prefix in ("+1", "+12", "+129", "+19", "+9", "+99", "+1206"):
        low, high = prefix_range(prefix)
        inside = [n for n in numbers if n >= low and (high is None or n < high)]
        assert inside == [n for n in numbers if n.startswith(prefix)], prefix


EUM_FILTERS = [
    [],
    [{"Name": "number-type", "Values": ["TOLL_FREE"]}],
    [{"Name": "number-type", "Values": ["TOLL_FREE", "TEN_DLC"]}],
    [{"Name": "iso-country-code", "Values": ["GB"]}, {"Name": "status", "Values": ["ACTIVE"]}],
    [{"Name": "status", "Values": ["PENDING"]}],
    [{"Name": "message-type", "Values": ["PROMOTIONAL"]}, {"Name": "number-capability", "Values": ["SMS"]}],
    [{"Name": "number-capability", "Values": ["SMS", "MMS"]}],
    [{"Name": "two-way-enabled", "Values": ["FALSE"]}, {"Name": "deletion-protection-enabled", "Values": ["x"]}],
    [{"Name": "two-way-enabled", "Values": ["true", "false"]}, {"Name": "opt-out-list-name", "Values": ["Default"]}],
    [{"Name": "message-type", "Values": ["MARKETING"]}],
]


@pytest.mark.parametrize("filters", EUM_FILTERS, ids=[str(f) for f in EUM_FILTERS])
def test_describe_phone_numbers_pages_are_the_filter_over_every_number(world, filters, monkeypatch):
    sms = world["sms"]
    everything, _ = _pages(sms.describe_phone_numbers, "PhoneNumbers", MaxResults=100)
    wanted = [n["PhoneNumberId"] for n in everything if sms_numbers._matches(n, filters)]
    monkeypatch.setattr(sms_numbers, "SCAN_LIMIT", 3)  # examine at most 3 numbers per call
    got, sizes = _pages(sms.describe_phone_numbers, "PhoneNumbers", Filters=filters, MaxResults=2)
    assert [n["PhoneNumberId"] for n in got] == wanted
    if not filters:  # every number matches: full pages, the scan limit never stops a page short
        assert sizes == [2] * (len(everything) // 2) + ([len(everything) % 2] if len(everything) % 2 else [])
    else:  # each call examined at most 3 numbers (of one number-type or country, when the filter names one)
        driving = next(([n for n in everything if n[member] == f["Values"][0]] for f in filters
                        for name, member in (("number-type", "NumberType"), ("iso-country-code", "IsoCountryCode"))
                        if f["Name"] == name and len(f["Values"]) == 1), everything)
        assert len(sizes) >= -(-len(driving) // 3)
        if len(wanted) < len(driving):  # sparse: some page came back short, with a NextToken to go on from
            assert min(sizes[:-1] or [0]) < 2
