"""Connect instances: CreateInstance, DescribeInstance, ListInstances, DeleteInstance (docs/behaviour.md §3).

Status is derived from the clock (CREATION_IN_PROGRESS until ``active_at``), so no background job runs
and every process agrees on it.
"""
from __future__ import annotations

import uuid
from typing import Callable

from ...core import arns
from ...core.call import Call
from ...core.errors import InvalidRequestException, ResourceNotFoundException, ServiceQuotaExceededException
from ...rules import quotas
from .. import pagination, tagging
from ..authorization import resource, unscoped
from ..registry import operation
from . import numbers

_COLUMNS = ("id, arn, identity_management_type, instance_alias, directory_id, inbound_calls_enabled, "
            "outbound_calls_enabled, created_time, active_at, service_role, instance_access_url, live_numbers")


# Modules that keep rows per instance register here what DeleteInstance must remove with it; instances.py
# cannot import them (they import it), and the instance's numbers go first, through numbers.remove.
_ON_DELETE: list[Callable[[Call, str], None]] = []


def on_delete(fn: Callable[[Call, str], None]) -> Callable[[Call, str], None]:
    _ON_DELETE.append(fn)
    return fn


# Likewise what a new instance starts with in other modules (the default contact flows): given the new row.
_ON_CREATE: list[Callable[[Call, object], None]] = []


def on_create(fn: Callable[[Call, object], None]) -> Callable[[Call, object], None]:
    _ON_CREATE.append(fn)
    return fn


def find(call: Call, instance_id: str):
    """InstanceId members take the id or the instance ARN (docs/behaviour.md §10)."""
    return call.tx.one(f"SELECT {_COLUMNS} FROM instances WHERE id = :id AND account = :account AND region = :region",
                       id=arns.instance_id_of(instance_id), account=call.account, region=call.region)


def get(call: Call, instance_id: str):
    row = find(call, instance_id)
    if row is None:
        raise ResourceNotFoundException(f"Instance not found: {instance_id}")
    return row


def active(call: Call, instance_id: str):
    """The instance, or ResourceNotFoundException when unknown here or not yet ACTIVE (docs/behaviour.md §2 step 3)."""
    row = find(call, instance_id)
    if row is None or status(call, row) != "ACTIVE":
        raise ResourceNotFoundException(f"Instance not found or not active: {instance_id}")
    return row


def status(call: Call, row) -> str:
    return "ACTIVE" if call.now >= row["active_at"] else "CREATION_IN_PROGRESS"


def count_live(call: Call, instance_id: str, delta: int) -> None:
    """Keep instances.live_numbers exact: every change of a live number's instance goes through here."""
    call.tx.execute("UPDATE instances SET live_numbers = live_numbers + :delta WHERE id = :id",
                    delta=delta, id=instance_id)


def set_calls_enabled(call: Call, instance_id: str, column: str, enabled: bool) -> None:
    """INBOUND_CALLS / OUTBOUND_CALLS, changed through UpdateInstanceAttribute."""
    if column not in ("inbound_calls_enabled", "outbound_calls_enabled"):
        raise ValueError(column)
    call.tx.execute(f"UPDATE instances SET {column} = :enabled WHERE id = :id", enabled=int(enabled), id=instance_id)



# --- the admin state view and the dashboard ------------------------------------------------------------------

def state_totals(call: Call) -> tuple[int, int]:
    """(instances, live numbers they hold) in this account+Region, from the exact per-instance counts."""
    row = call.tx.one("SELECT COUNT(*) AS n, SUM(live_numbers) AS live FROM instances WHERE account = :account "
                      "AND region = :region", account=call.account, region=call.region)
    return int(row["n"]), int(row["live"] or 0)


def state_page(call: Call, *, instance_id: str | None, status: str | None, after: list | None, limit: int) -> list:
    """Up to ``limit`` instances after ``after`` in (created_time, id) order; one instance, or one status."""
    sql = f"SELECT {_COLUMNS} FROM instances WHERE account = :account AND region = :region"
    params: dict = {"account": call.account, "region": call.region, "now": call.now, "limit": limit}
    if instance_id is not None:
        sql += " AND id = :id"
        params["id"] = instance_id
    if status is not None:
        sql += " AND active_at <= :now" if status == "ACTIVE" else " AND active_at > :now"
    clause, keyset = pagination.after_clause("created_time", "id", after)
    return call.tx.all(sql + clause + " ORDER BY created_time, id LIMIT :limit", **params, **keyset)


def partition_of(tx, instance_id: str):
    """The (account, region) row of an instance id in any partition, or None: the state view's instance filter."""
    return tx.one("SELECT account, region FROM instances WHERE id = :id", id=instance_id)


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


@operation("connect", "CreateInstance", iam=unscoped("Tags"))
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
    count = call.tx.one("SELECT COUNT(*) AS n FROM (SELECT 1 FROM instances WHERE account = :account "
                        "AND region = :region LIMIT :limit) AS capped",
                        account=call.account, region=call.region, limit=limit)["n"]
    if count >= limit:
        raise ServiceQuotaExceededException(
            f"The quota of {limit} Amazon Connect instances per Region has been reached for this account.")
    alias_key = alias.lower() if alias else None
    if alias_key and call.tx.one("SELECT 1 FROM instances WHERE account = :account AND region = :region "
                                 "AND alias_key = :alias_key", account=call.account, region=call.region,
                                 alias_key=alias_key):
        raise InvalidRequestException(f"Instance alias is already in use: {alias}")
    instance_id = str(uuid.uuid4())
    arn = call.arn("connect", f"instance/{instance_id}")
    role = (f"arn:aws:iam::{call.account}:role/aws-service-role/connect.amazonaws.com/"
            f"AWSServiceRoleForAmazonConnect_{uuid.uuid4().hex[:20]}")
    url = f"https://{alias or directory_id}.my.connect.aws/"
    call.tx.insert(
        "instances", id=instance_id, account=call.account, region=call.region, arn=arn,
        identity_management_type=kind, instance_alias=alias, alias_key=alias_key, directory_id=directory_id,
        inbound_calls_enabled=int(req["InboundCallsEnabled"]), outbound_calls_enabled=int(req["OutboundCallsEnabled"]),
        created_time=call.now, active_at=call.now + call.settings.instance_settle_seconds, service_role=role,
        instance_access_url=url)
    tagging.put(call, arn, req.get("Tags"))
    if _ON_CREATE:
        row = find(call, instance_id)
        for start in _ON_CREATE:
            start(call, row)
    return {"Id": instance_id, "Arn": arn}


@operation("connect", "DescribeInstance", write=False, iam=resource("InstanceId", "instance"))
def describe_instance(call: Call, req: dict) -> dict:
    row = get(call, req["InstanceId"])
    instance = _summary(call, row)
    tags = tagging.get(call, row["arn"])
    instance["Tags"] = tags or None
    return {"Instance": instance}


@operation("connect", "ListInstances", write=False, iam=unscoped())
def list_instances(call: Call, req: dict) -> dict:
    limit = req.get("MaxResults") or 10
    after = pagination.decode("instances", req.get("NextToken"), InvalidRequestException,
                              (pagination.NUMBER, str))
    clause, keyset = pagination.after_clause("created_time", "id", after)
    rows = call.tx.all(f"SELECT {_COLUMNS} FROM instances WHERE account = :account AND region = :region{clause} "
                       "ORDER BY created_time, id LIMIT :limit", account=call.account, region=call.region,
                       limit=limit + 1, **keyset)
    rows, token = pagination.page(rows, limit, lambda r: [r["created_time"], r["id"]], "instances")
    return {"InstanceSummaryList": [_summary(call, r) for r in rows], "NextToken": token}


@operation("connect", "DeleteInstance", iam=resource("InstanceId", "instance"))
def delete_instance(call: Call, req: dict) -> None:
    row = get(call, req["InstanceId"])
    for number in numbers.of_instance(call, row["id"]):  # its numbers are released with it (§3)
        numbers.remove(call, number, "DeleteInstance")
    for forget in _ON_DELETE:  # what other modules keep per instance (attributes, flows, ...)
        forget(call, row["id"])
    tagging.drop(call, row["arn"])
    call.tx.execute("DELETE FROM instances WHERE id = :id", id=row["id"])
    return None
