"""Contact flows: CreateContactFlow, DescribeContactFlow, ListContactFlows, UpdateContactFlowContent,
UpdateContactFlowName, DeleteContactFlow (docs/behaviour.md §12). The ``contact_flows`` table is this module's.

Every new instance gets AWS's default and sample flows (default_flows.py). A flow's content is checked as flow
language (flow_language.py) unless the flow is SAVED, as AWS validates only what it publishes.
"""
from __future__ import annotations

import hashlib
import uuid
from typing import Iterator

from ...core import arns
from ...core.call import Call
from ...core.errors import (
    ContactFlowNotPublishedException,
    DuplicateResourceException,
    InvalidContactFlowException,
    InvalidParameterException,
    InvalidRequestException,
    ResourceNotFoundException,
)
from .. import authorization, pagination, tagging
from ..authorization import resource
from ..registry import operation
from . import default_flows, flow_language, instances, numbers

_COLUMNS = ("id, instance_id, arn, name, flow_type, state, status, description, content, is_default, created_at, "
            "last_modified_time, last_modified_region")
_SAVED_ALIAS = ":$SAVED"


# --- the table ------------------------------------------------------------------------------------------

def flow_arn(instance_arn: str, flow_id: str) -> str:
    return f"{instance_arn}/contact-flow/{flow_id}"


def _flow_id(call: Call, instance_id: str, value: str) -> str | None:
    """ContactFlowId members take the id or the flow's ARN (of this instance, account and Region)."""
    if not value.startswith("arn:"):
        return value
    parsed = arns.parse(value)
    if parsed is None or parsed.service != "connect" or parsed.region != call.region or parsed.account != call.account:
        return None
    path = parsed.path
    if len(path) != 4 or path[0] != "instance" or path[2] != "contact-flow" or path[1] != instance_id:
        return None
    return path[3]


def find(call: Call, instance_id: str, flow_id: str):
    """A flow of an instance (its id, not ARN), or None."""
    return call.tx.one(f"SELECT {_COLUMNS} FROM contact_flows WHERE id = :id AND instance_id = :instance_id",
                       id=flow_id, instance_id=instance_id)


def find_by_arn(call: Call, arn: str):
    """The flow an exact ARN names in this account and Region, or None (TagResource and friends)."""
    parsed = arns.parse(arn)
    if (parsed is None or parsed.service != "connect" or parsed.region != call.region
            or parsed.account != call.account or len(parsed.path) != 4 or parsed.path[0] != "instance"):
        return None
    row = find(call, parsed.path[1], parsed.path[3])
    return row if row is not None and row["arn"] == arn else None


def get(call: Call, instance, value: str):
    """The flow a ContactFlowId member names (id, ARN, optionally with the :$SAVED alias), or 404."""
    plain = value[:-len(_SAVED_ALIAS)] if value.endswith(_SAVED_ALIAS) else value
    flow_id = _flow_id(call, instance["id"], plain)
    row = find(call, instance["id"], flow_id) if flow_id else None
    if row is None:
        raise ResourceNotFoundException(f"Contact flow not found: {value}")
    return row


def _name_taken(call: Call, instance_id: str, name: str, other_than: str | None = None) -> bool:
    row = call.tx.one("SELECT id FROM contact_flows WHERE instance_id = :instance_id AND name = :name",
                      instance_id=instance_id, name=name)
    return row is not None and row["id"] != other_than


def _insert(call: Call, instance, *, name: str, flow_type: str, status: str, description: str | None,
            content: str, is_default: bool, created_at: float | None = None) -> str:
    flow_id = str(uuid.uuid4())
    call.tx.insert("contact_flows", id=flow_id, instance_id=instance["id"], account=call.account,
                   region=call.region, arn=flow_arn(instance["arn"], flow_id), name=name, flow_type=flow_type,
                   state="ACTIVE", status=status, description=description, content=content,
                   is_default=int(is_default), created_at=call.now if created_at is None else created_at,
                   last_modified_time=call.now, last_modified_region=call.region)
    return flow_id


def _touch(call: Call, flow_id: str, **columns) -> None:
    columns.update(last_modified_time=call.now, last_modified_region=call.region)
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    call.tx.execute(f"UPDATE contact_flows SET {assignments} WHERE id = :flow_id", flow_id=flow_id, **columns)


@instances.on_create
def create_defaults(call: Call, instance) -> None:
    # A microsecond apart, so ListContactFlows (creation order) lists them in the order of DEFAULT_FLOWS.
    for position, (name, flow_type) in enumerate(default_flows.DEFAULT_FLOWS):
        _insert(call, instance, name=name, flow_type=flow_type, status="PUBLISHED", description=None,
                content=default_flows.content(name, flow_type), is_default=True,
                created_at=call.now + position * 1e-6)


@instances.on_delete
def drop(call: Call, instance_id: str) -> None:
    for row in call.tx.all("SELECT arn FROM contact_flows WHERE instance_id = :id", id=instance_id):
        tagging.drop(call, row["arn"])
    call.tx.execute("DELETE FROM contact_flows WHERE instance_id = :id", id=instance_id)


# --- checks and shapes ----------------------------------------------------------------------------------

def _check_content(content: str, status: str) -> None:
    if status == "SAVED":  # AWS validates content when it is published, not when it is saved
        return
    found = flow_language.problems(content)
    if found:
        raise InvalidContactFlowException("The flow is not valid.", problems=found)


def sha256(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def flow_checks(call: Call, req: dict) -> Iterator[authorization.Check]:
    """IAM: the flow's own ARN (instance/{id}/contact-flow/{id}), with its tags."""
    instance_id = arns.instance_id_of(req["InstanceId"])
    value = req["ContactFlowId"]
    value = value[:-len(_SAVED_ALIAS)] if value.endswith(_SAVED_ALIAS) else value
    arn = value if value.startswith("arn:") else flow_arn(call.arn("connect", f"instance/{instance_id}"), value)
    yield authorization.action(call), arn, {f"aws:ResourceTag/{k}": v for k, v in tagging.get(call, arn).items()}


def _summary(row) -> dict:
    return {"Id": row["id"], "Arn": row["arn"], "Name": row["name"], "ContactFlowType": row["flow_type"],
            "ContactFlowState": row["state"], "ContactFlowStatus": row["status"]}


# --- operations -----------------------------------------------------------------------------------------

@operation("connect", "CreateContactFlow", iam=resource("InstanceId", "instance"))
def create_contact_flow(call: Call, req: dict) -> dict:
    instance = instances.get(call, req["InstanceId"])                          # ResourceNotFound
    status = req.get("Status") or "PUBLISHED"
    _check_content(req["Content"], status)                                     # InvalidContactFlow
    if _name_taken(call, instance["id"], req["Name"]):                         # DuplicateResource
        raise DuplicateResourceException(f"A flow named '{req['Name']}' already exists in this instance.")
    flow_id = _insert(call, instance, name=req["Name"], flow_type=req["Type"], status=status,
                      description=req.get("Description"), content=req["Content"], is_default=False)
    arn = flow_arn(instance["arn"], flow_id)
    tagging.put(call, arn, req.get("Tags"))
    return {"ContactFlowId": flow_id, "ContactFlowArn": arn, "FlowContentSha256": sha256(req["Content"])}


@operation("connect", "DescribeContactFlow", write=False, iam=flow_checks)
def describe_contact_flow(call: Call, req: dict) -> dict:
    instance = instances.get(call, req["InstanceId"])
    row = get(call, instance, req["ContactFlowId"])
    if row["status"] == "SAVED" and not req["ContactFlowId"].endswith(_SAVED_ALIAS):
        raise ContactFlowNotPublishedException(
            f"Contact flow {row['id']} has not been published; describe {row['id']}{_SAVED_ALIAS} for its saved content.")
    return {"ContactFlow": {
        "Arn": row["arn"], "Id": row["id"], "Name": row["name"], "Type": row["flow_type"], "State": row["state"],
        "Status": row["status"], "Description": row["description"],
        "Content": row["content"], "Tags": tagging.get(call, row["arn"]) or None,
        "FlowContentSha256": sha256(row["content"]), "LastModifiedTime": row["last_modified_time"],
        "LastModifiedRegion": row["last_modified_region"]}}


@operation("connect", "ListContactFlows", write=False, iam=resource("InstanceId", "instance"))
def list_contact_flows(call: Call, req: dict) -> dict:
    instance = instances.get(call, req["InstanceId"])
    limit = req.get("MaxResults") or 100
    after = pagination.decode("contact-flows", req.get("NextToken"), InvalidParameterException,
                              (pagination.NUMBER, str))
    clause, keyset = pagination.after_clause("created_at", "id", after)
    sql = f"SELECT {_COLUMNS} FROM contact_flows WHERE instance_id = :instance_id"
    params: dict = {"instance_id": instance["id"], "limit": limit + 1}
    types = sorted(set(req.get("ContactFlowTypes") or []))
    if types:
        names = [f"type_{i}" for i in range(len(types))]
        sql += f" AND flow_type IN ({', '.join(':' + n for n in names)})"
        params.update(zip(names, types, strict=True))
    rows = call.tx.all(sql + clause + " ORDER BY created_at, id LIMIT :limit", **params, **keyset)
    page, token = pagination.page(rows, limit, lambda r: [r["created_at"], r["id"]], "contact-flows")
    return {"ContactFlowSummaryList": [_summary(r) for r in page], "NextToken": token}


@operation("connect", "UpdateContactFlowContent", iam=flow_checks)
def update_contact_flow_content(call: Call, req: dict) -> None:
    instance = instances.get(call, req["InstanceId"])
    row = get(call, instance, req["ContactFlowId"])
    _check_content(req["Content"], row["status"])
    _touch(call, row["id"], content=req["Content"])
    return None


@operation("connect", "UpdateContactFlowName", iam=flow_checks)
def update_contact_flow_name(call: Call, req: dict) -> None:
    instance = instances.get(call, req["InstanceId"])
    row = get(call, instance, req["ContactFlowId"])
    name = req.get("Name", row["name"])
    if name != row["name"] and _name_taken(call, instance["id"], name, other_than=row["id"]):
        raise DuplicateResourceException(f"A flow named '{name}' already exists in this instance.")
    _touch(call, row["id"], name=name, description=req.get("Description", row["description"]))
    return None


@operation("connect", "DeleteContactFlow", iam=flow_checks)
def delete_contact_flow(call: Call, req: dict) -> None:
    instance = instances.get(call, req["InstanceId"])
    row = get(call, instance, req["ContactFlowId"])
    if row["is_default"] and row["name"].startswith("Default "):
        raise InvalidRequestException(f"Flow {row['id']} ({row['name']}) is a default flow of the instance; "
                                      "default flows cannot be deleted.")
    in_use = numbers.with_contact_flow(call, row["id"], limit=3)
    if in_use:
        raise InvalidRequestException(
            f"Flow {row['id']} is associated with phone number {', '.join(in_use)}; disassociate it "
            "(DisassociatePhoneNumberContactFlow) before deleting the flow.")
    tagging.drop(call, row["arn"])
    call.tx.execute("DELETE FROM contact_flows WHERE id = :id", id=row["id"])
    return None
