"""Connect instances through boto3: CreateInstance, DescribeInstance, ListInstances, DeleteInstance
(docs/behaviour.md §3, §4), their quota, alias rules, pagination and ClientToken idempotency (docs/behaviour.md §6)."""
import base64
import datetime
import json
import re

import pytest

from support import error_of, make_instance

ACCOUNT = "123456789012"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
QUOTA_MESSAGE = "The quota of 2 Amazon Connect instances per Region has been reached for this account."


def create(connect, alias, **extra):
    return connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias=alias,
                                   InboundCallsEnabled=True, OutboundCallsEnabled=True, **extra)


def listed_ids(connect) -> list[str]:
    return [i["Id"] for i in connect.list_instances()["InstanceSummaryList"]]


def raise_instance_quota(lc, n, account=ACCOUNT, region="us-east-1"):
    status, body = lc.admin("POST", "/quotas", {"account": account, "region": region, "instances_per_region": n})
    assert status == 200, body
    assert body["instances_per_region"] == n


# --- lifecycle ------------------------------------------------------------------------------------------

def test_create_instance_returns_uuid_and_instance_arn(connect, lc):
    out = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="lifecycle",
                                  InboundCallsEnabled=True, OutboundCallsEnabled=False)
    assert re.fullmatch(UUID, out["Id"])
    assert out["Arn"] == f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/{out['Id']}"
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_describe_instance_is_creation_in_progress_then_active_with_every_member(connect, lc):
    before = lc.state()["now"]
    out = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="members-1",
                                  InboundCallsEnabled=True, OutboundCallsEnabled=False, Tags={"team": "ops"})
    instance = connect.describe_instance(InstanceId=out["Id"])["Instance"]
    assert instance["InstanceStatus"] == "CREATION_IN_PROGRESS"
    assert instance["Id"] == out["Id"]
    assert instance["Arn"] == out["Arn"]
    assert instance["IdentityManagementType"] == "CONNECT_MANAGED"
    assert instance["InstanceAlias"] == "members-1"
    assert isinstance(instance["CreatedTime"], datetime.datetime)
    assert instance["CreatedTime"].tzinfo is not None
    assert abs(instance["CreatedTime"].timestamp() - before) < 30
    assert re.fullmatch(rf"arn:aws:iam::{ACCOUNT}:role/aws-service-role/connect\.amazonaws\.com/"
                        r"AWSServiceRoleForAmazonConnect_\w+", instance["ServiceRole"])
    assert instance["InboundCallsEnabled"] is True
    assert instance["OutboundCallsEnabled"] is False
    assert instance["InstanceAccessUrl"] == "https://members-1.my.connect.aws/"
    assert instance["Tags"] == {"team": "ops"}
    assert "StatusReason" not in instance

    lc.advance(1)
    again = connect.describe_instance(InstanceId=out["Id"])["Instance"]
    assert again["InstanceStatus"] == "ACTIVE"
    assert again["CreatedTime"] == instance["CreatedTime"]
    assert again["ServiceRole"] == instance["ServiceRole"]


def test_describe_instance_accepts_the_instance_arn(connect, lc):
    out = make_instance(connect, lc, "byarn")
    assert connect.describe_instance(InstanceId=out["Arn"])["Instance"]["Id"] == out["Id"]


def test_list_instances_summary_matches_describe(connect, lc):
    out = make_instance(connect, lc, "summary")
    described = connect.describe_instance(InstanceId=out["Id"])["Instance"]
    [summary] = connect.list_instances()["InstanceSummaryList"]
    for key in ("Id", "Arn", "IdentityManagementType", "InstanceAlias", "CreatedTime", "ServiceRole",
                "InstanceStatus", "InboundCallsEnabled", "OutboundCallsEnabled", "InstanceAccessUrl"):
        assert summary[key] == described[key], key
    assert summary["InstanceStatus"] == "ACTIVE"
    assert "Tags" not in summary


def test_existing_directory_instance_with_directory_id(connect, lc):
    out = connect.create_instance(IdentityManagementType="EXISTING_DIRECTORY", DirectoryId="d-0123456789",
                                  InboundCallsEnabled=False, OutboundCallsEnabled=True)
    instance = connect.describe_instance(InstanceId=out["Id"])["Instance"]
    assert instance["IdentityManagementType"] == "EXISTING_DIRECTORY"
    assert "InstanceAlias" not in instance
    assert instance["InboundCallsEnabled"] is False


def test_delete_instance_then_describe_is_not_found(connect, lc):
    keep = make_instance(connect, lc, "keep")
    gone = make_instance(connect, lc, "gone")
    connect.delete_instance(InstanceId=gone["Id"])

    code, status, message, _ = error_of(connect.describe_instance, InstanceId=gone["Id"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Instance not found: {gone['Id']}"
    assert listed_ids(connect) == [keep["Id"]]
    # A second delete finds nothing either
    code, status, _, _ = error_of(connect.delete_instance, InstanceId=gone["Id"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert connect.describe_instance(InstanceId=keep["Id"])["Instance"]["InstanceStatus"] == "ACTIVE"


def test_describe_unknown_instance_is_not_found(connect, lc):
    code, status, message, _ = error_of(connect.describe_instance, InstanceId="00000000-0000-0000-0000-000000000000")
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == "Instance not found: 00000000-0000-0000-0000-000000000000"


# --- quota ----------------------------------------------------------------------------------------------

def test_third_instance_in_a_region_exceeds_the_quota_with_402(connect, lc):
    first, second = create(connect, "one"), create(connect, "two")
    code, status, message, _ = error_of(create, connect, "three")
    assert (code, status) == ("ServiceQuotaExceededException", 402)
    assert message == QUOTA_MESSAGE
    assert sorted(listed_ids(connect)) == sorted([first["Id"], second["Id"]])


def test_raising_the_instance_quota_through_admin_lets_the_third_through(connect, lc):
    create(connect, "one"), create(connect, "two")
    assert error_of(create, connect, "three")[:2] == ("ServiceQuotaExceededException", 402)
    raise_instance_quota(lc, 3)
    third = create(connect, "three")
    assert third["Id"] in listed_ids(connect)
    code, status, message, _ = error_of(create, connect, "four")
    assert (code, status) == ("ServiceQuotaExceededException", 402)
    assert message == "The quota of 3 Amazon Connect instances per Region has been reached for this account."
    assert len(listed_ids(connect)) == 3


def test_deleting_an_instance_frees_its_quota_slot(connect, lc):
    first = create(connect, "one")
    create(connect, "two")
    connect.delete_instance(InstanceId=first["Id"])
    assert create(connect, "three")["Id"] in listed_ids(connect)


# --- alias and identity rules -----------------------------------------------------------------------------

def test_alias_is_unique_case_insensitively(connect, lc):
    first = create(connect, "Support")
    code, status, message, _ = error_of(create, connect, "sUPPORT")
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == "Instance alias is already in use: sUPPORT"
    assert listed_ids(connect) == [first["Id"]]


def test_alias_is_free_again_after_delete(connect, lc):
    first = create(connect, "reuse")
    connect.delete_instance(InstanceId=first["Id"])
    second = create(connect, "REUSE")
    assert second["Id"] != first["Id"]
    assert connect.describe_instance(InstanceId=second["Id"])["Instance"]["InstanceAlias"] == "REUSE"


def test_existing_directory_without_directory_id_is_invalid_request(connect, lc):
    code, status, message, _ = error_of(connect.create_instance, IdentityManagementType="EXISTING_DIRECTORY",
                                        InboundCallsEnabled=True, OutboundCallsEnabled=True)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == "DirectoryId is required when IdentityManagementType is EXISTING_DIRECTORY."
    assert listed_ids(connect) == []


def test_connect_managed_without_alias_is_invalid_request(connect, lc):
    code, status, message, _ = error_of(connect.create_instance, IdentityManagementType="CONNECT_MANAGED",
                                        InboundCallsEnabled=True, OutboundCallsEnabled=True)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == "InstanceAlias is required when IdentityManagementType is CONNECT_MANAGED."
    assert listed_ids(connect) == []


def test_connect_managed_with_directory_id_is_invalid_request(connect, lc):
    code, status, message, _ = error_of(create, connect, "withdir", DirectoryId="d-0123456789")
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == "DirectoryId cannot be used when IdentityManagementType is CONNECT_MANAGED."
    assert listed_ids(connect) == []


# --- ListInstances pagination ------------------------------------------------------------------------------

def test_list_instances_pages_with_next_token_only_while_more_remain(connect, lc):
    raise_instance_quota(lc, 5)
    made = [create(connect, f"page{n}")["Id"] for n in range(5)]

    first = connect.list_instances(MaxResults=2)
    second = connect.list_instances(MaxResults=2, NextToken=first["NextToken"])
    third = connect.list_instances(MaxResults=2, NextToken=second["NextToken"])
    assert [len(p["InstanceSummaryList"]) for p in (first, second, third)] == [2, 2, 1]
    assert "NextToken" in first and "NextToken" in second
    assert "NextToken" not in third
    seen = [i["Id"] for p in (first, second, third) for i in p["InstanceSummaryList"]]
    assert seen == made  # creation order, each exactly once

    # An exact fit: no token when the page ends with the last instance
    assert "NextToken" not in connect.list_instances(MaxResults=5)
    assert "NextToken" not in connect.list_instances()  # default page size 10


def test_list_instances_paginator_returns_every_instance_exactly_once(connect, lc):
    raise_instance_quota(lc, 7)
    made = [create(connect, f"pag{n}")["Id"] for n in range(7)]
    pages = list(connect.get_paginator("list_instances").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["InstanceSummaryList"]) for p in pages] == [2, 2, 2, 1]
    ids = [i["Id"] for p in pages for i in p["InstanceSummaryList"]]
    assert ids == made
    built = connect.get_paginator("list_instances").paginate(PaginationConfig={"PageSize": 3}).build_full_result()
    assert [i["Id"] for i in built["InstanceSummaryList"]] == made


def test_next_token_survives_deleting_the_last_instance_of_the_page(connect, lc):
    raise_instance_quota(lc, 5)
    made = [create(connect, f"del{n}")["Id"] for n in range(5)]
    first = connect.list_instances(MaxResults=2)
    connect.delete_instance(InstanceId=made[1])
    rest = connect.list_instances(MaxResults=10, NextToken=first["NextToken"])
    assert [i["Id"] for i in rest["InstanceSummaryList"]] == made[2:]


def test_garbage_next_token_is_invalid_request(connect, lc):
    make_instance(connect, lc, "tok")
    for token in ("garbage", "not a token at all!", "eyJrIjoxfQ"):
        code, status, message, _ = error_of(connect.list_instances, MaxResults=2, NextToken=token)
        assert (code, status) == ("InvalidRequestException", 400), token
        assert message == "The NextToken is not valid for this request."


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("position", [[], [{"a": 1}, [1]], ["x"], ["x", "y"]],
                         ids=["empty", "objects", "short", "wrong-types"])
def test_tampered_next_token_is_invalid_request_not_a_server_error(connect, lc, position):
    """A NextToken that decodes but whose position was altered is still just an invalid token (400)."""
    once = lc.clients(retries={"total_max_attempts": 1})[0]  # a 500 would otherwise be retried with backoff
    raise_instance_quota(lc, 3)
    for n in range(3):
        create(connect, f"tamper{n}")
    real = connect.list_instances(MaxResults=1)["NextToken"]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
        forged = _b64({**decoded, "p": position})
    except (ValueError, TypeError):  # the token format is not base64 JSON any more: any made-up token will do
        forged = _b64({"p": position})
    code, status, message, _ = error_of(once.list_instances, MaxResults=1, NextToken=forged)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == "The NextToken is not valid for this request."


# --- idempotency ----------------------------------------------------------------------------------------

def test_create_instance_same_client_token_same_params_returns_same_instance(connect, lc):
    first = create(connect, "idem", ClientToken="token-1")
    again = create(connect, "idem", ClientToken="token-1")
    assert (again["Id"], again["Arn"]) == (first["Id"], first["Arn"])
    assert listed_ids(connect) == [first["Id"]]


def test_create_instance_same_client_token_other_params_is_idempotency_exception(connect, lc):
    first = create(connect, "idem", ClientToken="token-2")
    code, status, message, _ = error_of(
        connect.create_instance, ClientToken="token-2", IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="idem", InboundCallsEnabled=True, OutboundCallsEnabled=False)
    assert (code, status) == ("IdempotencyException", 409)
    assert message == "Idempotency token token-2 was already used with different parameters for CreateInstance."
    assert listed_ids(connect) == [first["Id"]]
    assert connect.describe_instance(InstanceId=first["Id"])["Instance"]["OutboundCallsEnabled"] is True


def test_create_instance_replay_after_delete_returns_the_stored_response(connect, lc):
    """Spec 12.6: the stored 200 is replayed even when the resource has moved on; nothing new is made."""
    first = create(connect, "moved", ClientToken="token-3")
    connect.delete_instance(InstanceId=first["Id"])
    again = create(connect, "moved", ClientToken="token-3")
    assert again["Id"] == first["Id"]
    assert listed_ids(connect) == []


def test_failed_create_instance_is_not_remembered_for_its_token(connect, lc):
    """Errors are not stored: a retry with the same token re-executes (docs/behaviour.md §6)."""
    create(connect, "one"), create(connect, "two")
    assert error_of(create, connect, "three", ClientToken="token-4")[:2] == ("ServiceQuotaExceededException", 402)
    raise_instance_quota(lc, 3)
    third = create(connect, "three", ClientToken="token-4")
    assert third["Id"] in listed_ids(connect)
    assert create(connect, "three", ClientToken="token-4")["Id"] == third["Id"]
