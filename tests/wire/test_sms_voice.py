"""End User Messaging SMS/voice v2 (``pinpoint-sms-voice-v2``, awsJson1_0) phone numbers through boto3
(docs/behaviour.md §5, §6): RequestPhoneNumber, DescribePhoneNumbers, UpdatePhoneNumber,
ReleasePhoneNumber, tags, the admin seeding of numbers and the account/Region partitioning."""
from __future__ import annotations

import datetime
import re

import pytest

from localconnect.testing import ServerProcess, admin_call, clients
from support import error_of, make_instance, request_number, seed_number

ACCOUNT = "123456789012"
NUMBER_ARN = re.compile(r"^arn:aws:sms-voice:us-east-1:123456789012:phone-number/(phone-[0-9a-f]{32})$")
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
ABSENT_ID = "phone-" + "0" * 32


def ids_of(numbers: list[dict]) -> list[str]:
    return [n["PhoneNumberId"] for n in numbers]


def listed_ids(sms, **kwargs) -> list[str]:
    """Every number DescribePhoneNumbers lists (all pages) with the given arguments."""
    pages = sms.get_paginator("describe_phone_numbers").paginate(**kwargs)
    return [n["PhoneNumberId"] for page in pages for n in page["PhoneNumbers"]]


# --- RequestPhoneNumber ---------------------------------------------------------------------------------

def test_request_phone_number_output_members(sms, lc):
    out = request_number(sms, "TOLL_FREE", Tags=[{"Key": "team", "Value": "ops"}, {"Key": "cost", "Value": ""}])
    match = NUMBER_ARN.match(out["PhoneNumberArn"])
    assert match, out["PhoneNumberArn"]
    assert out["PhoneNumberId"] == match.group(1)
    assert E164.match(out["PhoneNumber"]), out["PhoneNumber"]
    assert out["PhoneNumber"].startswith("+1")
    assert out["Status"] == "ACTIVE"
    assert out["IsoCountryCode"] == "US"
    assert out["MessageType"] == "TRANSACTIONAL"
    assert out["NumberCapabilities"] == ["SMS", "VOICE"]
    assert out["NumberType"] == "TOLL_FREE"
    assert out["MonthlyLeasingPrice"] == "2.00"
    assert out["OptOutListName"] == "Default"
    assert out["TwoWayEnabled"] is False
    assert out["SelfManagedOptOutsEnabled"] is False
    assert out["DeletionProtectionEnabled"] is False
    assert isinstance(out["CreatedTimestamp"], datetime.datetime)
    assert out["CreatedTimestamp"].tzinfo is not None
    assert abs(out["CreatedTimestamp"].timestamp() - lc.state()["now"]) < 60  # the service clock's time
    assert out["Tags"] == [{"Key": "team", "Value": "ops"}, {"Key": "cost", "Value": ""}]
    assert "PoolId" not in out and "TwoWayChannelArn" not in out  # null members are omitted
    assert out["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.0"


@pytest.mark.parametrize("number_type, country, price, prefix", [
    ("LONG_CODE", "US", "1.00", "+1"),
    ("SIMULATOR", "US", "0.00", "+1"),
    ("TEN_DLC", "US", "2.00", "+1"),
    ("LONG_CODE", "GB", "1.00", "+44"),
    ("TOLL_FREE", "AU", "2.00", "+61"),
])
def test_request_phone_number_types_and_countries(sms, number_type, country, price, prefix):
    out = request_number(sms, number_type, country)
    assert (out["NumberType"], out["IsoCountryCode"], out["Status"]) == (number_type, country, "ACTIVE")
    assert out["MonthlyLeasingPrice"] == price
    assert out["PhoneNumber"].startswith(prefix) and E164.match(out["PhoneNumber"])
    assert out["Tags"] == []


def test_request_phone_number_flags(sms):
    out = request_number(sms, "LONG_CODE", DeletionProtectionEnabled=True, InternationalSendingEnabled=True)
    assert out["DeletionProtectionEnabled"] is True
    assert out["InternationalSendingEnabled"] is True
    described = sms.describe_phone_numbers(PhoneNumberIds=[out["PhoneNumberId"]])["PhoneNumbers"][0]
    assert described["DeletionProtectionEnabled"] is True
    assert described["InternationalSendingEnabled"] is True


def test_simulator_needs_transactional(sms, lc):
    code, status, message, response = error_of(
        sms.request_phone_number, IsoCountryCode="US", MessageType="PROMOTIONAL", NumberCapabilities=["SMS"],
        NumberType="SIMULATOR")
    assert (code, status) == ("ValidationException", 400)
    assert message == "SIMULATOR numbers require MessageType TRANSACTIONAL."
    assert response["Reason"] == "INVALID_PARAMETER"
    assert response["Fields"] == [{"Name": "MessageType", "Message": message}]
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []


@pytest.mark.parametrize("number_type, country", [("TEN_DLC", "GB"), ("TOLL_FREE", "DE"), ("LONG_CODE", "ZZ"),
                                                  ("SIMULATOR", "CA")])
def test_unsupported_country_or_type_is_a_validation_error(sms, number_type, country):
    code, status, message, response = error_of(request_number, sms, number_type, country)
    assert (code, status) == ("ValidationException", 400)
    assert message == f"NumberType {number_type} cannot be requested in IsoCountryCode {country}."
    assert response["Reason"] == "INVALID_PARAMETER"
    assert response["Fields"][0]["Name"] == "NumberType"
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []


def test_short_code_cannot_be_requested(sms):
    # SHORT_CODE is not in RequestPhoneNumber's NumberType enum: the model's validation refuses it (docs/behaviour.md §5)
    code, status, message, response = error_of(request_number, sms, "SHORT_CODE")
    assert (code, status) == ("ValidationException", 400)
    assert "at 'numberType' failed to satisfy constraint: Member must satisfy enum value set" in message
    assert response["Reason"] == "FIELD_VALIDATION_FAILED"
    assert response["Fields"][0]["Name"] == "NumberType"


def test_pool_id_is_not_found(sms):
    code, status, message, response = error_of(request_number, sms, "LONG_CODE", PoolId="pool-0123456789")
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert message == "Pool pool-0123456789 not found."
    assert (response["ResourceType"], response["ResourceId"]) == ("pool", "pool-0123456789")
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []


def test_opt_out_list_other_than_default_is_not_found(sms):
    code, status, message, response = error_of(request_number, sms, "LONG_CODE", OptOutListName="Marketing")
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert message == "Opt-out list Marketing not found."
    assert (response["ResourceType"], response["ResourceId"]) == ("opt-out-list", "Marketing")
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []
    # naming the default list explicitly works
    assert request_number(sms, "LONG_CODE", OptOutListName="Default")["OptOutListName"] == "Default"


def test_client_token_same_parameters_replays(sms):
    first = request_number(sms, "TOLL_FREE", ClientToken="token-1", Tags=[{"Key": "a", "Value": "b"}])
    again = request_number(sms, "TOLL_FREE", ClientToken="token-1", Tags=[{"Key": "a", "Value": "b"}])
    for member in ("PhoneNumberId", "PhoneNumberArn", "PhoneNumber", "CreatedTimestamp", "Tags"):
        assert again[member] == first[member]
    assert listed_ids(sms) == [first["PhoneNumberId"]]
    # another token makes another number
    other = request_number(sms, "TOLL_FREE", ClientToken="token-2", Tags=[{"Key": "a", "Value": "b"}])
    assert other["PhoneNumberId"] != first["PhoneNumberId"]
    assert sorted(listed_ids(sms)) == sorted([first["PhoneNumberId"], other["PhoneNumberId"]])


def test_client_token_other_parameters_conflict(sms):
    first = request_number(sms, "TOLL_FREE", ClientToken="token-1")
    code, status, message, response = error_of(request_number, sms, "LONG_CODE", ClientToken="token-1")
    assert (code, status) == ("ConflictException", 400)
    assert message == "The ClientToken was already used with different parameters."
    assert response["Reason"] == "RESOURCE_ALREADY_EXISTS"
    assert listed_ids(sms) == [first["PhoneNumberId"]]


def test_client_token_replay_after_release_returns_the_stored_response(sms):
    first = request_number(sms, "LONG_CODE", ClientToken="token-r")
    sms.release_phone_number(PhoneNumberId=first["PhoneNumberId"])
    again = request_number(sms, "LONG_CODE", ClientToken="token-r")
    assert again["PhoneNumberId"] == first["PhoneNumberId"]
    assert again["Status"] == "ACTIVE"  # the stored response, byte for byte (docs/behaviour.md §6)
    assert listed_ids(sms) == []


def test_toll_free_is_pending_until_activation():
    """Its own server: the shared one runs with eum_activation_seconds 0."""
    server = ServerProcess("--store", "memory", "--eum-activation-seconds", "60")
    server.start()
    try:
        _, sms = clients(server.url)
        toll_free = request_number(sms, "TOLL_FREE")
        ten_dlc = request_number(sms, "TEN_DLC")
        long_code = request_number(sms, "LONG_CODE")
        simulator = request_number(sms, "SIMULATOR")
        assert (toll_free["Status"], ten_dlc["Status"]) == ("PENDING", "PENDING")
        assert (long_code["Status"], simulator["Status"]) == ("ACTIVE", "ACTIVE")
        pending = sms.describe_phone_numbers(Filters=[{"Name": "status", "Values": ["PENDING"]}])["PhoneNumbers"]
        assert sorted(ids_of(pending)) == sorted([toll_free["PhoneNumberId"], ten_dlc["PhoneNumberId"]])

        # a PENDING number cannot be changed yet
        code, status, message, response = error_of(sms.update_phone_number, PhoneNumberId=toll_free["PhoneNumberId"],
                                                    DeletionProtectionEnabled=True)
        assert (code, status, response["Reason"]) == ("ConflictException", 400, "RESOURCE_NOT_ACTIVE")
        assert message == f"Phone number {toll_free['PhoneNumberId']} is PENDING, not ACTIVE."

        status, _ = admin_call(server.url, "POST", "/clock", {"advance_seconds": 30})
        assert status == 200
        assert sms.describe_phone_numbers(PhoneNumberIds=[toll_free["PhoneNumberId"]])["PhoneNumbers"][0][
            "Status"] == "PENDING"

        status, _ = admin_call(server.url, "POST", "/clock", {"advance_seconds": 31})
        assert status == 200
        now = sms.describe_phone_numbers(PhoneNumberIds=[toll_free["PhoneNumberId"], ten_dlc["PhoneNumberId"]])
        assert [n["Status"] for n in now["PhoneNumbers"]] == ["ACTIVE", "ACTIVE"]
        assert sms.describe_phone_numbers(Filters=[{"Name": "status", "Values": ["PENDING"]}])["PhoneNumbers"] == []
        active = sms.describe_phone_numbers(Filters=[{"Name": "status", "Values": ["ACTIVE"]}])["PhoneNumbers"]
        assert len(active) == 4
        updated = sms.update_phone_number(PhoneNumberId=toll_free["PhoneNumberId"], DeletionProtectionEnabled=True)
        assert updated["DeletionProtectionEnabled"] is True
    finally:
        server.stop()


# --- DescribePhoneNumbers -------------------------------------------------------------------------------

def test_describe_by_id_and_by_arn(sms):
    out = request_number(sms, "TOLL_FREE", Tags=[{"Key": "k", "Value": "v"}])
    by_id = sms.describe_phone_numbers(PhoneNumberIds=[out["PhoneNumberId"]])
    by_arn = sms.describe_phone_numbers(PhoneNumberIds=[out["PhoneNumberArn"]])
    assert by_id["PhoneNumbers"] == by_arn["PhoneNumbers"]
    assert "NextToken" not in by_id
    info = by_id["PhoneNumbers"][0]
    for member in ("PhoneNumberArn", "PhoneNumberId", "PhoneNumber", "Status", "IsoCountryCode", "MessageType",
                   "NumberCapabilities", "NumberType", "MonthlyLeasingPrice", "TwoWayEnabled",
                   "SelfManagedOptOutsEnabled", "OptOutListName", "DeletionProtectionEnabled", "CreatedTimestamp"):
        assert info[member] == out[member], member
    assert "Tags" not in info  # PhoneNumberInformation has no Tags


def test_describe_several_ids_keeps_the_order_asked(sms):
    a, b, c = (request_number(sms, "LONG_CODE") for _ in range(3))
    asked = [c["PhoneNumberId"], a["PhoneNumberArn"], b["PhoneNumberId"]]
    got = sms.describe_phone_numbers(PhoneNumberIds=asked)["PhoneNumbers"]
    assert ids_of(got) == [c["PhoneNumberId"], a["PhoneNumberId"], b["PhoneNumberId"]]


def test_describe_unknown_id_is_not_found(sms):
    known = request_number(sms, "LONG_CODE")
    code, status, message, response = error_of(sms.describe_phone_numbers,
                                               PhoneNumberIds=[known["PhoneNumberId"], ABSENT_ID])
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert message == f"Phone number {ABSENT_ID} not found."
    assert (response["ResourceType"], response["ResourceId"]) == ("phone-number", ABSENT_ID)
    # an ARN of another account does not find the number either
    foreign = known["PhoneNumberArn"].replace(ACCOUNT, "111122223333")
    code, status, _, response = error_of(sms.describe_phone_numbers, PhoneNumberIds=[foreign])
    assert (code, status, response["ResourceId"]) == ("ResourceNotFoundException", 400, foreign)


def test_describe_more_than_five_ids_is_a_validation_error(sms):
    code, status, message, response = error_of(sms.describe_phone_numbers,
                                               PhoneNumberIds=[f"phone-{i:032x}" for i in range(6)])
    assert (code, status) == ("ValidationException", 400)
    assert "at 'phoneNumberIds' failed to satisfy constraint: Member must have length less than or equal to 5" \
        in message
    assert response["Reason"] == "FIELD_VALIDATION_FAILED"


def test_describe_ids_and_owner_together_is_a_validation_error(sms):
    out = request_number(sms, "LONG_CODE")
    code, status, message, response = error_of(sms.describe_phone_numbers, PhoneNumberIds=[out["PhoneNumberId"]],
                                               Owner="SELF")
    assert (code, status) == ("ValidationException", 400)
    assert message == "PhoneNumberIds and Owner cannot be used together."
    assert response["Reason"] == "PARAMETERS_CANNOT_BE_USED_TOGETHER"
    assert ids_of(sms.describe_phone_numbers(Owner="SELF")["PhoneNumbers"]) == [out["PhoneNumberId"]]
    assert sms.describe_phone_numbers(Owner="SHARED")["PhoneNumbers"] == []


def test_describe_filters(sms, lc):
    toll_free = request_number(sms, "TOLL_FREE")
    long_code = request_number(sms, "LONG_CODE")
    british = request_number(sms, "LONG_CODE", "GB")
    protected = request_number(sms, "TEN_DLC", DeletionProtectionEnabled=True)
    pending = seed_number(lc, NumberType="TOLL_FREE", Status="PENDING")
    every = {n["PhoneNumberId"] for n in (toll_free, long_code, british, protected, pending)}

    def ids(*filters):
        return set(listed_ids(sms, Filters=[{"Name": n, "Values": v} for n, v in filters]))

    assert ids() == every
    assert ids(("number-type", ["TOLL_FREE"])) == {toll_free["PhoneNumberId"], pending["PhoneNumberId"]}
    assert ids(("number-type", ["LONG_CODE", "TEN_DLC"])) == {long_code["PhoneNumberId"], british["PhoneNumberId"],
                                                             protected["PhoneNumberId"]}
    assert ids(("status", ["PENDING"])) == {pending["PhoneNumberId"]}
    assert ids(("status", ["ACTIVE"])) == every - {pending["PhoneNumberId"]}
    assert ids(("iso-country-code", ["GB"])) == {british["PhoneNumberId"]}
    assert ids(("iso-country-code", ["US"])) == every - {british["PhoneNumberId"]}
    assert ids(("deletion-protection-enabled", ["true"])) == {protected["PhoneNumberId"]}
    assert ids(("deletion-protection-enabled", ["false"])) == every - {protected["PhoneNumberId"]}
    # filters combine with AND
    assert ids(("number-type", ["TOLL_FREE"]), ("status", ["ACTIVE"])) == {toll_free["PhoneNumberId"]}
    assert ids(("iso-country-code", ["GB"]), ("number-type", ["TOLL_FREE"])) == set()
    # filters also apply to PhoneNumberIds
    got = sms.describe_phone_numbers(PhoneNumberIds=[toll_free["PhoneNumberId"], long_code["PhoneNumberId"]],
                                     Filters=[{"Name": "number-type", "Values": ["LONG_CODE"]}])["PhoneNumbers"]
    assert ids_of(got) == [long_code["PhoneNumberId"]]


def test_describe_unknown_filter_name_is_a_validation_error(sms):
    code, status, message, response = error_of(sms.describe_phone_numbers,
                                               Filters=[{"Name": "colour", "Values": ["blue"]}])
    assert (code, status) == ("ValidationException", 400)
    assert "Member must satisfy enum value set" in message and "'colour'" in message
    assert response["Reason"] == "FIELD_VALIDATION_FAILED"
    assert response["Fields"][0]["Name"] == "Filters"


def test_describe_pagination_by_hand(sms):
    made = [request_number(sms, "LONG_CODE")["PhoneNumberId"] for _ in range(7)]
    seen: list[str] = []
    pages = []
    kwargs: dict = {"MaxResults": 3}
    while True:
        page = sms.describe_phone_numbers(**kwargs)
        pages.append(len(page["PhoneNumbers"]))
        seen += ids_of(page["PhoneNumbers"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == [3, 3, 1]
    assert seen == made  # creation order, each exactly once
    # an exact multiple gives no empty trailing page and no token on the last one
    first = sms.describe_phone_numbers(MaxResults=7)
    assert ids_of(first["PhoneNumbers"]) == made and "NextToken" not in first


def test_describe_paginator_lists_each_number_once(sms, lc):
    made = {request_number(sms, "LONG_CODE")["PhoneNumberId"] for _ in range(5)}
    made |= {seed_number(lc, NumberType="SHORT_CODE")["PhoneNumberId"] for _ in range(4)}
    pages = list(sms.get_paginator("describe_phone_numbers").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["PhoneNumbers"]) for p in pages] == [2, 2, 2, 2, 1]
    assert ["NextToken" in p for p in pages] == [True, True, True, True, False]
    listed = [n["PhoneNumberId"] for p in pages for n in p["PhoneNumbers"]]
    assert len(listed) == len(set(listed)) == 9
    assert set(listed) == made
    # MaxItems with a resume token
    first = sms.get_paginator("describe_phone_numbers").paginate(
        PaginationConfig={"PageSize": 2, "MaxItems": 3}).build_full_result()
    assert len(first["PhoneNumbers"]) == 3
    rest = sms.get_paginator("describe_phone_numbers").paginate(
        PaginationConfig={"PageSize": 2, "StartingToken": first["NextToken"]}).build_full_result()
    assert ids_of(first["PhoneNumbers"]) + ids_of(rest["PhoneNumbers"]) == listed


def test_describe_bad_next_token_is_a_validation_error(sms):
    code, status, message, response = error_of(sms.describe_phone_numbers, NextToken="not-a-token")
    assert (code, status) == ("ValidationException", 400)
    assert message == "The NextToken is not valid for this request."
    assert response["Reason"] == "INVALID_NEXT_TOKEN"


def test_deleted_numbers_are_not_listed(sms, lc):
    keep = request_number(sms, "LONG_CODE")
    gone = request_number(sms, "LONG_CODE")
    seeded_deleted = seed_number(lc, NumberType="LONG_CODE", Status="DELETED")
    sms.release_phone_number(PhoneNumberId=gone["PhoneNumberId"])
    assert listed_ids(sms) == [keep["PhoneNumberId"]]
    assert listed_ids(sms, Filters=[{"Name": "status", "Values": ["DELETED"]}]) == []
    for number_id in (gone["PhoneNumberId"], seeded_deleted["PhoneNumberId"]):
        code, status, _, response = error_of(sms.describe_phone_numbers, PhoneNumberIds=[number_id])
        assert (code, status, response["ResourceId"]) == ("ResourceNotFoundException", 400, number_id)


# --- UpdatePhoneNumber ----------------------------------------------------------------------------------

def test_update_flags_persist(sms):
    out = request_number(sms, "TOLL_FREE")
    number_id = out["PhoneNumberId"]
    channel = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"
    updated = sms.update_phone_number(PhoneNumberId=number_id, DeletionProtectionEnabled=True,
                                      SelfManagedOptOutsEnabled=True, InternationalSendingEnabled=True,
                                      TwoWayEnabled=True, TwoWayChannelArn=channel)
    assert updated["PhoneNumberId"] == number_id and updated["PhoneNumberArn"] == out["PhoneNumberArn"]
    for member in ("DeletionProtectionEnabled", "SelfManagedOptOutsEnabled", "InternationalSendingEnabled",
                   "TwoWayEnabled"):
        assert updated[member] is True, member
    assert updated["TwoWayChannelArn"] == channel
    info = sms.describe_phone_numbers(PhoneNumberIds=[out["PhoneNumberArn"]])["PhoneNumbers"][0]
    for member in ("DeletionProtectionEnabled", "SelfManagedOptOutsEnabled", "InternationalSendingEnabled",
                   "TwoWayEnabled"):
        assert info[member] is True, member
    assert info["TwoWayChannelArn"] == channel
    assert info["Status"] == "ACTIVE" and info["PhoneNumber"] == out["PhoneNumber"]

    # only the members given change
    again = sms.update_phone_number(PhoneNumberId=out["PhoneNumberArn"], SelfManagedOptOutsEnabled=False)
    assert again["SelfManagedOptOutsEnabled"] is False
    assert again["DeletionProtectionEnabled"] is True and again["TwoWayEnabled"] is True
    info = sms.describe_phone_numbers(PhoneNumberIds=[number_id])["PhoneNumbers"][0]
    assert (info["SelfManagedOptOutsEnabled"], info["DeletionProtectionEnabled"]) == (False, True)
    filtered = listed_ids(sms, Filters=[{"Name": "two-way-channel-arn", "Values": [channel]},
                                        {"Name": "two-way-enabled", "Values": ["true"]}])
    assert filtered == [number_id]


def test_update_two_way_needs_a_channel(sms):
    out = request_number(sms, "LONG_CODE")
    code, status, message, response = error_of(sms.update_phone_number, PhoneNumberId=out["PhoneNumberId"],
                                               TwoWayEnabled=True)
    assert (code, status) == ("ValidationException", 400)
    assert message == "TwoWayChannelArn is required to enable two-way messaging."
    assert response["Reason"] == "TWO_WAY_CHANNEL_NOT_PRESENT"
    assert sms.describe_phone_numbers(PhoneNumberIds=[out["PhoneNumberId"]])["PhoneNumbers"][0][
        "TwoWayEnabled"] is False


def test_update_unknown_number_is_not_found(sms):
    code, status, message, response = error_of(sms.update_phone_number, PhoneNumberId=ABSENT_ID,
                                               DeletionProtectionEnabled=True)
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert (response["ResourceType"], response["ResourceId"]) == ("phone-number", ABSENT_ID)


# --- ReleasePhoneNumber ---------------------------------------------------------------------------------

def test_release_deletes(sms):
    out = request_number(sms, "TOLL_FREE", Tags=[{"Key": "a", "Value": "b"}])
    released = sms.release_phone_number(PhoneNumberId=out["PhoneNumberArn"])
    assert released["Status"] == "DELETED"
    assert (released["PhoneNumberId"], released["PhoneNumberArn"], released["PhoneNumber"]) == \
        (out["PhoneNumberId"], out["PhoneNumberArn"], out["PhoneNumber"])
    assert released["NumberType"] == "TOLL_FREE"
    code, status, message, response = error_of(sms.describe_phone_numbers, PhoneNumberIds=[out["PhoneNumberId"]])
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert message == f"Phone number {out['PhoneNumberId']} not found."
    assert (response["ResourceType"], response["ResourceId"]) == ("phone-number", out["PhoneNumberId"])
    # releasing again, updating or tagging the deleted number: not found
    for call, kwargs in ((sms.release_phone_number, {"PhoneNumberId": out["PhoneNumberId"]}),
                         (sms.update_phone_number, {"PhoneNumberId": out["PhoneNumberId"],
                                                    "DeletionProtectionEnabled": True}),
                         (sms.list_tags_for_resource, {"ResourceArn": out["PhoneNumberArn"]})):
        code, status, _, _ = error_of(call, **kwargs)
        assert (code, status) == ("ResourceNotFoundException", 400)


def test_release_with_deletion_protection_conflicts(sms):
    out = request_number(sms, "LONG_CODE", DeletionProtectionEnabled=True)
    code, status, message, response = error_of(sms.release_phone_number, PhoneNumberId=out["PhoneNumberId"])
    assert (code, status) == ("ConflictException", 400)
    assert message == f"Phone number {out['PhoneNumberId']} has deletion protection enabled."
    assert response["Reason"] == "DELETION_PROTECTION_ENABLED"
    assert (response["ResourceType"], response["ResourceId"]) == ("phone-number", out["PhoneNumberId"])
    info = sms.describe_phone_numbers(PhoneNumberIds=[out["PhoneNumberId"]])["PhoneNumbers"][0]
    assert info["Status"] == "ACTIVE" and info["DeletionProtectionEnabled"] is True
    # switching protection off lets it go
    sms.update_phone_number(PhoneNumberId=out["PhoneNumberId"], DeletionProtectionEnabled=False)
    assert sms.release_phone_number(PhoneNumberId=out["PhoneNumberId"])["Status"] == "DELETED"


def test_release_of_a_number_imported_into_connect(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms, "TOLL_FREE")
    imported = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"])

    def refused():
        code, status, message, response = error_of(sms.release_phone_number, PhoneNumberId=source["PhoneNumberId"])
        assert (code, status) == ("ConflictException", 400)
        assert response["Reason"] == "RESOURCE_DELETION_NOT_ALLOWED"
        assert message == (f"Phone number {source['PhoneNumberId']} is imported into Amazon Connect; "
                           "release it there first.")
        info = sms.describe_phone_numbers(PhoneNumberIds=[source["PhoneNumberId"]])["PhoneNumbers"][0]
        assert info["Status"] == "ACTIVE"

    refused()  # while the import is IN_PROGRESS
    lc.advance(1)
    summary = connect.describe_phone_number(PhoneNumberId=imported["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
    assert summary["PhoneNumberStatus"]["Status"] == "CLAIMED"
    refused()  # and once CLAIMED

    connect.release_phone_number(PhoneNumberId=imported["PhoneNumberId"])
    released = sms.release_phone_number(PhoneNumberId=source["PhoneNumberId"])
    assert released["Status"] == "DELETED"
    code, status, _, _ = error_of(sms.describe_phone_numbers, PhoneNumberIds=[source["PhoneNumberId"]])
    assert (code, status) == ("ResourceNotFoundException", 400)
    # a deleted source cannot be imported again
    code, status, _, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                  SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, status) == ("ResourceNotFoundException", 404)


# --- tags -----------------------------------------------------------------------------------------------

def test_tags_round_trip(sms):
    out = request_number(sms, "LONG_CODE", Tags=[{"Key": "team", "Value": "ops"}])
    arn = out["PhoneNumberArn"]
    listed = sms.list_tags_for_resource(ResourceArn=arn)
    assert listed["ResourceArn"] == arn
    assert listed["Tags"] == [{"Key": "team", "Value": "ops"}]

    sms.tag_resource(ResourceArn=arn, Tags=[{"Key": "cost", "Value": "42"}, {"Key": "team", "Value": "sales"}])
    tags = sms.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("cost", "42"), ("team", "sales")]

    sms.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert sms.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "cost", "Value": "42"}]
    sms.untag_resource(ResourceArn=arn, TagKeys=["cost"])
    assert sms.list_tags_for_resource(ResourceArn=arn)["Tags"] == []


@pytest.mark.parametrize("arn", [
    "arn:aws:sms-voice:us-east-1:123456789012:phone-number/" + ABSENT_ID,
    "arn:aws:sms-voice:eu-west-1:123456789012:phone-number/" + ABSENT_ID,
    "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef",
])
def test_tags_of_unknown_resource_are_not_found(sms, arn):
    for call, kwargs in ((sms.list_tags_for_resource, {}),
                         (sms.tag_resource, {"Tags": [{"Key": "a", "Value": "b"}]}),
                         (sms.untag_resource, {"TagKeys": ["a"]})):
        code, status, message, response = error_of(call, ResourceArn=arn, **kwargs)
        assert (code, status) == ("ResourceNotFoundException", 400)
        assert message == f"Resource {arn} not found."
        assert response["ResourceId"] == arn


def test_tags_of_another_regions_number_are_not_found(lc):
    _, sms_us = lc.clients()
    _, sms_eu = lc.clients(region="eu-west-1")
    arn = request_number(sms_us, "LONG_CODE")["PhoneNumberArn"]
    code, status, _, _ = error_of(sms_eu.list_tags_for_resource, ResourceArn=arn)
    assert (code, status) == ("ResourceNotFoundException", 400)


# --- admin seeding --------------------------------------------------------------------------------------

def test_seed_short_code(sms, lc):
    seeded = seed_number(lc, NumberType="SHORT_CODE", Status="ACTIVE", IsoCountryCode="US")
    assert NUMBER_ARN.match(seeded["PhoneNumberArn"])
    assert seeded["NumberType"] == "SHORT_CODE" and seeded["Status"] == "ACTIVE"
    assert re.fullmatch(r"\d{5,6}", seeded["PhoneNumber"]), seeded["PhoneNumber"]
    info = sms.describe_phone_numbers(PhoneNumberIds=[seeded["PhoneNumberId"]])["PhoneNumbers"][0]
    assert (info["PhoneNumberArn"], info["PhoneNumber"], info["NumberType"], info["Status"], info["IsoCountryCode"]) \
        == (seeded["PhoneNumberArn"], seeded["PhoneNumber"], "SHORT_CODE", "ACTIVE", "US")
    assert info["MonthlyLeasingPrice"] == "995.00"
    assert listed_ids(sms, Filters=[{"Name": "number-type", "Values": ["SHORT_CODE"]}]) == [seeded["PhoneNumberId"]]


@pytest.mark.parametrize("status", ["PENDING", "ASSOCIATING", "DISASSOCIATING", "ACTIVE"])
def test_seed_any_status(sms, lc, status):
    seeded = seed_number(lc, NumberType="TEN_DLC", Status=status, PhoneNumber="+14255550123",
                         Tags={"seeded": "yes"})
    assert seeded["PhoneNumber"] == "+14255550123"
    info = sms.describe_phone_numbers(PhoneNumberIds=[seeded["PhoneNumberId"]])["PhoneNumbers"][0]
    assert (info["Status"], info["NumberType"], info["PhoneNumber"]) == (status, "TEN_DLC", "+14255550123")
    assert listed_ids(sms, Filters=[{"Name": "status", "Values": [status]}]) == [seeded["PhoneNumberId"]]
    assert sms.list_tags_for_resource(ResourceArn=seeded["PhoneNumberArn"])["Tags"] == \
        [{"Key": "seeded", "Value": "yes"}]


@pytest.mark.parametrize("body, code, fragment", [
    ({"NumberType": "NOPE"}, "ValidationException", "at 'numberType' failed to satisfy constraint"),
    ({"Status": "SLEEPING"}, "ValidationException", "at 'status' failed to satisfy constraint"),
    ({"NumberCapabilities": ["FAX"]}, "ValidationException", "at 'numberCapabilities'"),
    ({"PhoneNumber": "not a number"}, "ValidationException", "at 'phoneNumber'"),
    ({"Colour": "blue"}, "InvalidParameterException", "unknown seed fields: Colour"),
    ({"account": "12"}, "InvalidParameterException", "account must be a 12-digit string"),
    ({"Tags": [{"Key": "a", "Value": "b"}]}, "InvalidParameterException", "Tags must be an object"),
])
def test_seed_rejects_bad_input(sms, lc, body, code, fragment):
    status, answer = lc.admin("POST", "/seed/sms-voice/phone-numbers", body)
    assert status == 400, answer
    assert set(answer) == {"error"}
    assert answer["error"]["code"] == code
    assert fragment in answer["error"]["message"]
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []


def test_seeded_numbers_belong_to_their_account_and_region(lc):
    _, sms_default = lc.clients()
    _, sms_other_us = lc.clients(access_key="111122223333")
    _, sms_other_eu = lc.clients(region="eu-west-1", access_key="111122223333")
    seeded = seed_number(lc, NumberType="SHORT_CODE", account="111122223333", region="eu-west-1")
    assert seeded["PhoneNumberArn"] == \
        f"arn:aws:sms-voice:eu-west-1:111122223333:phone-number/{seeded['PhoneNumberId']}"
    assert ids_of(sms_other_eu.describe_phone_numbers()["PhoneNumbers"]) == [seeded["PhoneNumberId"]]
    assert ids_of(sms_other_eu.describe_phone_numbers(PhoneNumberIds=[seeded["PhoneNumberArn"]])["PhoneNumbers"]) \
        == [seeded["PhoneNumberId"]]
    assert sms_default.describe_phone_numbers()["PhoneNumbers"] == []
    assert sms_other_us.describe_phone_numbers()["PhoneNumbers"] == []
    for client in (sms_default, sms_other_us):
        code, status, _, _ = error_of(client.describe_phone_numbers, PhoneNumberIds=[seeded["PhoneNumberId"]])
        assert (code, status) == ("ResourceNotFoundException", 400)


# --- partitioning ---------------------------------------------------------------------------------------

def test_numbers_are_partitioned_by_account_and_region(lc):
    _, sms_us = lc.clients()
    _, sms_eu = lc.clients(region="eu-west-1")
    _, sms_other = lc.clients(access_key="111122223333")
    us = request_number(sms_us, "LONG_CODE")
    eu = request_number(sms_eu, "LONG_CODE", "GB")
    other = request_number(sms_other, "LONG_CODE")
    assert eu["PhoneNumberArn"] == f"arn:aws:sms-voice:eu-west-1:123456789012:phone-number/{eu['PhoneNumberId']}"
    assert other["PhoneNumberArn"].startswith("arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-")

    assert ids_of(sms_us.describe_phone_numbers()["PhoneNumbers"]) == [us["PhoneNumberId"]]
    assert ids_of(sms_eu.describe_phone_numbers()["PhoneNumbers"]) == [eu["PhoneNumberId"]]
    assert ids_of(sms_other.describe_phone_numbers()["PhoneNumbers"]) == [other["PhoneNumberId"]]

    for client, foreign in ((sms_eu, us), (sms_us, eu), (sms_us, other), (sms_other, us)):
        for ref in (foreign["PhoneNumberId"], foreign["PhoneNumberArn"]):
            code, status, _, _ = error_of(client.describe_phone_numbers, PhoneNumberIds=[ref])
            assert (code, status) == ("ResourceNotFoundException", 400)
        code, status, _, _ = error_of(client.release_phone_number, PhoneNumberId=foreign["PhoneNumberId"])
        assert (code, status) == ("ResourceNotFoundException", 400)
    # nothing was released by the foreign attempts
    assert sms_us.describe_phone_numbers(PhoneNumberIds=[us["PhoneNumberId"]])["PhoneNumbers"][0]["Status"] == "ACTIVE"

    # the ClientToken is per account and Region too
    a = request_number(sms_us, "LONG_CODE", ClientToken="shared-token")
    b = request_number(sms_eu, "LONG_CODE", ClientToken="shared-token")
    assert a["PhoneNumberId"] != b["PhoneNumberId"]


def test_outputs_carry_only_the_members_their_operation_models(sms, lc):
    """Update and Release answer with their own output shapes, not the whole PhoneNumberInformation."""
    number = request_number(sms, "LONG_CODE", DeletionProtectionEnabled=False)
    updated = sms.update_phone_number(PhoneNumberId=number["PhoneNumberId"], SelfManagedOptOutsEnabled=True)
    assert "PoolId" not in updated and "Tags" not in updated and updated["SelfManagedOptOutsEnabled"] is True
    released = sms.release_phone_number(PhoneNumberId=number["PhoneNumberId"])
    assert released["Status"] == "DELETED"
    assert not {"DeletionProtectionEnabled", "InternationalSendingEnabled", "PoolId"} & set(released)
