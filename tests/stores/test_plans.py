"""The plan of every hot statement, held on SQLite with EXPLAIN QUERY PLAN (README, Scale).

Each API call below runs in process against a small store; every statement it sends is captured as executed and
explained. A statement that scans a whole table, or sorts what it reads (a temporary B-tree), costs in
proportion to the store: at a million numbers that is seconds. The lists must also seek straight to the page:
the keyset position and the prefix are index ranges, so a deep NextToken costs what the first page costs.
"""
from __future__ import annotations

import re

import boto3
import pytest

from localconnect.core.call import Call
from localconnect.rules import retention
from localconnect.services import pagination
from localconnect.testing import mock_localconnect

CREDS = dict(region_name="us-east-1", aws_access_key_id="AKIDPLANS", aws_secret_access_key="secret")
TABLES = ("phone_numbers", "sms_phone_numbers", "release_events", "idempotency", "instances", "tags",
          "instance_attributes", "partitions")


@pytest.fixture(scope="module")
def world():
    with mock_localconnect(settle_seconds=0, instance_settle_seconds=0) as lc:
        connect, sms = boto3.client("connect", **CREDS), boto3.client("pinpoint-sms-voice-v2", **CREDS)
        lc.admin("POST", "/quotas", {"account": "123456789012", "phone_numbers_per_instance": 6,
                                     "instances_per_region": 10})
        big, empty = (connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias=a,
                                              InboundCallsEnabled=True, OutboundCallsEnabled=True)["Id"]
                      for a in ("big", "empty"))
        ids = []
        for number_type, country in (("TOLL_FREE", "US"), ("LONG_CODE", "US"), ("LONG_CODE", "GB"),
                                     ("TOLL_FREE", "GB"), ("LONG_CODE", "US"), ("TOLL_FREE", "US"),
                                     ("LONG_CODE", "US")):  # the seventh import fails: the quota is 6
            source = sms.request_phone_number(IsoCountryCode=country, MessageType="TRANSACTIONAL",
                                              NumberCapabilities=["SMS", "VOICE"], NumberType=number_type)
            ids.append(connect.import_phone_number(InstanceId=big, SourcePhoneNumberArn=source["PhoneNumberArn"],
                                                   Tags={"team": "ops"}, ClientToken=source["PhoneNumberId"]))
        claimed = connect.search_available_phone_numbers(InstanceId=big, PhoneNumberCountryCode="US",
                                                         PhoneNumberType="DID", MaxResults=1)["AvailableNumbersList"]
        connect.release_phone_number(PhoneNumberId=ids[0]["PhoneNumberId"])
        lc.advance(1)
        yield {"lc": lc, "connect": connect, "sms": sms, "big": big, "empty": empty, "ids": ids,
               "inventory": claimed[0]["PhoneNumber"], "conn": lc.app.store._conn}


def plans(world, call, *args, **kwargs) -> list[tuple[str, list[str]]]:
    """(statement, plan lines) of every SELECT, UPDATE and DELETE on a data table that ``call`` ran."""
    conn, seen = world["conn"], []
    conn.set_trace_callback(seen.append)
    try:
        call(*args, **kwargs)
    finally:
        conn.set_trace_callback(None)
    out = []
    for sql in seen:
        if not re.match(r"\s*(SELECT|UPDATE|DELETE)", sql) or not re.search(rf"\b({'|'.join(TABLES)})\b", sql):
            continue
        out.append((sql, [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]))
    assert out, "the call ran no statement on a data table"
    return out


def assert_bounded(found: list[tuple[str, list[str]]]) -> None:
    """No statement reads a whole table or sorts what it read. Only a resource's own tags are sorted (at most
    the 50 or 200 a resource may have)."""
    for sql, lines in found:
        for line in lines:
            assert not re.match(rf"SCAN ({'|'.join(TABLES)})\b", line), (sql, lines)
            if "TEMP B-TREE" in line:
                assert re.search(r"FROM tags WHERE resource_arn = ", sql), (sql, lines)


def search_of(found, table: str) -> list[str]:
    """The SEARCH lines on ``table`` (its index and the constraints the index answers)."""
    return [line for _, lines in found for line in lines if line.startswith(f"SEARCH {table} ")]


LISTS = [  # (ListPhoneNumbersV2 arguments, the index each stream must seek, constraints it must answer)
    ({"InstanceId": "big"}, "phone_numbers_listed_instance", "instance_id=?"),
    ({"InstanceId": "empty"}, "phone_numbers_listed_instance", "instance_id=?"),
    ({}, "phone_numbers_listed", "account=? AND region=?"),
    ({"PhoneNumberTypes": ["TOLL_FREE"]}, "phone_numbers_listed_type", "account=? AND region=? AND number_type=?"),
    ({"PhoneNumberCountryCodes": ["GB"]}, "phone_numbers_listed_country", "account=? AND region=? AND country_code=?"),
    ({"PhoneNumberTypes": ["TOLL_FREE", "DID"], "PhoneNumberCountryCodes": ["US", "GB"]},
     "phone_numbers_listed_type_country", "account=? AND region=? AND number_type=? AND country_code=?"),
    ({"InstanceId": "empty", "PhoneNumberTypes": ["TOLL_FREE"]}, "phone_numbers_listed_instance_type",
     "instance_id=? AND number_type=?"),
    ({"InstanceId": "big", "PhoneNumberCountryCodes": ["US"]}, "phone_numbers_listed_instance_country",
     "instance_id=? AND country_code=?"),
    ({"TargetArn": "big", "PhoneNumberTypes": ["TOLL_FREE"], "PhoneNumberCountryCodes": ["US"]},
     "phone_numbers_listed_instance_type_country", "instance_id=? AND number_type=? AND country_code=?"),
]


@pytest.mark.parametrize("args, index, constraints", LISTS, ids=[str(a) for a, _, _ in LISTS])
def test_each_list_filter_seeks_its_own_index_in_list_order(world, args, index, constraints):
    request = dict(args)
    for key in ("InstanceId", "TargetArn"):
        if key in request:
            instance = world[request[key]]
            request[key] = (f"arn:aws:connect:us-east-1:123456789012:instance/{instance}" if key == "TargetArn"
                            else instance)
    found = plans(world, world["connect"].list_phone_numbers_v2, **request)
    assert_bounded(found)
    searches = search_of(found, "phone_numbers")
    streams = len(args.get("PhoneNumberTypes", [1])) * len(args.get("PhoneNumberCountryCodes", [1]))
    assert searches == [f"SEARCH phone_numbers USING INDEX {index} ({constraints})"] * streams


def test_a_next_token_and_a_prefix_are_index_ranges(world):
    """Page 1000 costs what page 1 costs: the position is a seek, not rows skipped one by one."""
    token = pagination.encode("phone-numbers-v2", ["+1206", "0"])
    found = plans(world, world["connect"].list_phone_numbers_v2, InstanceId=world["big"], NextToken=token,
                  PhoneNumberPrefix="+1")
    assert_bounded(found)
    assert search_of(found, "phone_numbers") == [
        "SEARCH phone_numbers USING INDEX phone_numbers_listed_instance (instance_id=? AND phone_number>? AND "
        "phone_number<?)"]


def test_list_phone_numbers_v1_maps_types_to_one_stream_each(world):
    # TOLL_FREE in v1 also finds UIFN and THIRD_PARTY_TF: three streams, each on the type index of the instance.
    found = plans(world, world["connect"].list_phone_numbers, InstanceId=world["big"], PhoneNumberTypes=["TOLL_FREE"])
    assert_bounded(found)
    assert search_of(found, "phone_numbers") == [
        "SEARCH phone_numbers USING INDEX phone_numbers_listed_instance_type (instance_id=? AND number_type=?)"] * 3


def test_search_and_claim_probe_each_candidate(world):
    """Whether a number is taken is one probe per candidate, never a read of every held number or event."""
    for call, kwargs in ((world["connect"].search_available_phone_numbers,
                          {"InstanceId": world["big"], "PhoneNumberCountryCode": "US", "PhoneNumberType": "DID",
                           "PhoneNumberPrefix": "+1206"}),
                         (world["connect"].claim_phone_number,
                          {"InstanceId": world["big"], "PhoneNumber": world["inventory"]})):
        found = plans(world, call, **kwargs)
        assert_bounded(found)
        held = [line for line in search_of(found, "phone_numbers") if "phone_number=?" in line]
        assert held and all("INDEX phone_numbers_listed (account=? AND region=? AND phone_number=?)" in line
                            for line in held), held
        assert any("release_events USING INDEX release_events_number (account=? AND region=? AND phone_number=?)"
                   in line for line in search_of(found, "release_events"))


EUM = [  # (DescribePhoneNumbers Filters, the index the scan walks)
    ([], "sms_phone_numbers_partition"),
    ([{"Name": "number-type", "Values": ["TOLL_FREE"]}], "sms_phone_numbers_type"),
    ([{"Name": "iso-country-code", "Values": ["GB"]}, {"Name": "status", "Values": ["ACTIVE"]}],
     "sms_phone_numbers_country"),
    ([{"Name": "message-type", "Values": ["PROMOTIONAL"]}, {"Name": "number-capability", "Values": ["SMS"]},
      {"Name": "two-way-enabled", "Values": ["false"]}], "sms_phone_numbers_partition"),
]


@pytest.mark.parametrize("filters, index", EUM, ids=[str(f) for f, _ in EUM])
def test_describe_phone_numbers_walks_one_index_in_order(world, filters, index):
    found = plans(world, world["sms"].describe_phone_numbers, Filters=filters, MaxResults=3)
    assert_bounded(found)
    assert search_of(found, "sms_phone_numbers") and all(
        f"INDEX {index} (account=? AND region=?" in line for line in search_of(found, "sms_phone_numbers"))


def test_writes_and_describes_use_keys(world):
    connect, sms = world["connect"], world["sms"]
    calls = [
        (connect.describe_phone_number, {"PhoneNumberId": world["ids"][1]["PhoneNumberId"]}),
        (connect.update_phone_number_metadata, {"PhoneNumberId": world["ids"][1]["PhoneNumberId"],
                                                "PhoneNumberDescription": "plans"}),
        (connect.list_tags_for_resource, {"resourceArn": world["ids"][1]["PhoneNumberArn"]}),
        (sms.request_phone_number, {"IsoCountryCode": "US", "MessageType": "TRANSACTIONAL",
                                    "NumberCapabilities": ["SMS"], "NumberType": "LONG_CODE"}),
        (connect.delete_instance, {"InstanceId": world["empty"]}),
    ]
    for call, kwargs in calls:
        assert_bounded(plans(world, call, **kwargs))
    world["empty"] = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="empty2",
                                             InboundCallsEnabled=True, OutboundCallsEnabled=True)["Id"]


def test_delete_instance_walks_its_numbers_by_index(world):
    connect = world["connect"]
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="doomed",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)["Id"]
    found = plans(world, connect.delete_instance, InstanceId=instance)
    assert_bounded(found)
    assert "SEARCH phone_numbers USING INDEX phone_numbers_of_instance (instance_id=?)" in search_of(
        found, "phone_numbers")


def test_retention_purges_seek_the_oldest_rows(world):
    lc = world["lc"]
    store = lc.app.store

    def purge(tx):
        call = Call(service="admin", operation="Retention", account="123456789012", region="us-east-1",
                    principal_arn="arn:aws:iam::123456789012:root", now=4e9, tx=tx, settings=lc.settings,
                    request_id="plans")
        world["purged"] = retention.purge(call, 0)  # limit 0: the statements run, nothing is deleted
    found = plans(world, store.run_sync, purge, write=True)
    assert_bounded(found)
    assert set(world["purged"]) == set(retention.kinds()) >= {"failed_phone_numbers", "idempotency",
                                                              "release_events", "released_sms_phone_numbers"}
    lines = [line for _, plan in found for line in plan]
    for expected in ("SEARCH phone_numbers USING INDEX phone_numbers_failed (account=? AND region=? AND settles_at<?)",
                     "SEARCH idempotency USING INDEX idempotency_age (account=? AND region=? AND created_at<?)",
                     "SEARCH release_events USING COVERING INDEX release_events_window (account=? AND region=? AND "
                     "released_at<?)",
                     "SEARCH sms_phone_numbers USING INDEX sms_phone_numbers_deleted (account=? AND region=? AND "
                     "deleted_at<?)"):
        assert expected in lines, lines
