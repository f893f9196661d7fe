"""Connect instances: CreateInstance, DescribeInstance, ListInstances, DeleteInstance (spec 4.2, 7.4).

Status is derived from the clock (CREATION_IN_PROGRESS until ``active_at``), so no background job runs
and every process agrees on it.
"""
from __future__ import annotations

import uuid

from ...gateway.errors import InvalidRequestException, ResourceNotFoundException, ServiceQuotaExceededException
from ...rules import quotas
from .. import pagination, tagging
from ..registry import Call, operation
from . import phone_numbers

_COLUMNS = ("id, arn, identity_management_type, instance_alias, directory_id, inbound_calls_enabled, "
            "outbound_calls_enabled, created_time, active_at, service_role, instance_access_url, live_numbers")


def instance_id_of(value: str) -> str:
    """InstanceId members take the id; the instance ARN is accepted too (spec 2)."""
    if value.startswith("arn:") and ":instance/" in value:
        return value.split(":instance/", 1)[1].split("/", 1)[0]
    return value


def find(call: Call, instance_id: str):
    return call.tx.one(f"SELECT {_COLUMNS} FROM instances WHERE id = ? AND account = ? AND region = ?",
                       instance_id_of(instance_id), call.account, call.region)


def get(call: Call, instance_id: str):
    row = find(call, instance_id)
    if row is None:
        raise ResourceNotFoundException(f"Instance not found: {instance_id}")
    return row


def active(call: Call, instance_id: str):
    """The instance, or ResourceNotFoundException when unknown here or not yet ACTIVE (spec 12.2 step 3)."""
    row = find(call, instance_id)
    if row is None or status(call, row) != "ACTIVE":
        raise ResourceNotFoundException(f"Instance not found or not active: {instance_id}")
    return row


def status(call: Call, row) -> str:
    return "ACTIVE" if call.now >= row["active_at"] else "CREATION_IN_PROGRESS"


def _summary(call: Call, row) -> dict:
    return {
        "Id": row["id"],
        "Arn": row["arn"],
        "IdentityManagementType": row["identity_management_type"],
        "InstanceAlias": row["instance_alias"],
        "CreatedTime": row["created_time"],
        "ServiceRole": row["service_role"],
        "InstanceStatus": status(call, row),
        "InboundCallsEnabled": bool(row["inbound_calls_enabled"]),
        "OutboundCallsEnabled": bool(row["outbound_calls_enabled"]),
        "InstanceAccessUrl": row["instance_access_url"],
    }


@operation("connect", "CreateInstance")
def create_instance(call: Call, req: dict) -> dict:
    kind = req["IdentityManagementType"]
    alias = req.get("InstanceAlias")
    directory_id = req.get("DirectoryId")
    if kind == "EXISTING_DIRECTORY":
        if directory_id is None:
            raise InvalidRequestException("DirectoryId is required when IdentityManagementType is EXISTING_DIRECTORY.")
    else:
        if alias is None:
            raise InvalidRequestException(f"InstanceAlias is required when IdentityManagementType is {kind}.")
        if directory_id is not None:
            raise InvalidRequestException(f"DirectoryId cannot be used when IdentityManagementType is {kind}.")
    limit = quotas.instances_per_region(call)
    # Count no further than the quota: the answer is the same and an account with many instances stays fast.
    count = call.tx.one("SELECT COUNT(*) AS n FROM (SELECT 1 FROM instances WHERE account = ? AND region = ? "
                        "LIMIT ?) AS capped", call.account, call.region, limit)["n"]
    if count >= limit:
        raise ServiceQuotaExceededException(
            f"The quota of {limit} Amazon Connect instances per Region has been reached for this account.")
    alias_key = alias.lower() if alias else None
    if alias_key and call.tx.one("SELECT 1 FROM instances WHERE account = ? AND region = ? AND alias_key = ?",
                                 call.account, call.region, alias_key):
        raise InvalidRequestException(f"Instance alias is already in use: {alias}")
    instance_id = str(uuid.uuid4())
    arn = call.arn("connect", f"instance/{instance_id}")
    role = (f"arn:aws:iam::{call.account}:role/aws-service-role/connect.amazonaws.com/"
            f"AWSServiceRoleForAmazonConnect_{uuid.uuid4().hex[:20]}")
    url = f"https://{alias or directory_id}.my.connect.aws/"
    call.tx.execute(
        "INSERT INTO instances (id, account, region, arn, identity_management_type, instance_alias, alias_key, "
        "directory_id, inbound_calls_enabled, outbound_calls_enabled, created_time, active_at, service_role, "
        "instance_access_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        instance_id, call.account, call.region, arn, kind, alias, alias_key, directory_id,
        int(req["InboundCallsEnabled"]), int(req["OutboundCallsEnabled"]), call.now,
        call.now + call.settings.instance_settle_seconds, role, url)
    tagging.put(call, arn, req.get("Tags"))
    return {"Id": instance_id, "Arn": arn}


@operation("connect", "DescribeInstance", write=False)
def describe_instance(call: Call, req: dict) -> dict:
    row = get(call, req["InstanceId"])
    instance = _summary(call, row)
    tags = tagging.get(call, row["arn"])
    instance["Tags"] = tags or None
    return {"Instance": instance}


@operation("connect", "ListInstances", write=False)
def list_instances(call: Call, req: dict) -> dict:
    limit = req.get("MaxResults") or 10
    after = pagination.decode("instances", req.get("NextToken"), InvalidRequestException,
                              (pagination.NUMBER, str))
    sql = f"SELECT {_COLUMNS} FROM instances WHERE account = ? AND region = ?"
    params: list = [call.account, call.region]
    if after is not None:
        sql += " AND (created_time > ? OR (created_time = ? AND id > ?))"
        params += [after[0], after[0], after[1]]
    rows = call.tx.all(sql + " ORDER BY created_time, id LIMIT ?", *params, limit + 1)
    rows, token = pagination.page(rows, limit, lambda r: [r["created_time"], r["id"]], "instances")
    return {"InstanceSummaryList": [_summary(call, r) for r in rows], "NextToken": token}


@operation("connect", "DeleteInstance")
def delete_instance(call: Call, req: dict) -> None:
    row = get(call, req["InstanceId"])
    phone_numbers.release_all_of_instance(call, row["id"])
    tagging.drop(call, row["arn"])
    call.tx.execute("DELETE FROM instances WHERE id = ?", row["id"])
    return None
