"""Instance attributes: UpdateInstanceAttribute, DescribeInstanceAttribute, ListInstanceAttributes
(docs/behaviour.md §3.3). Terraform's aws_connect_instance sets them after CreateInstance and reads each one
back on every refresh.

Every attribute type of the model is a boolean held as "true"/"false". A new instance has AWS's defaults for
an instance created through the API; INBOUND_CALLS and OUTBOUND_CALLS are the instance's own columns, so
DescribeInstance's InboundCallsEnabled/OutboundCallsEnabled and these attributes are one value.
"""
from __future__ import annotations

from ...core.call import Call
from ...core.errors import InvalidRequestException
from .. import pagination
from ..authorization import resource
from ..registry import operation
from . import instances

# The model's InstanceAttributeType values, in its order (the order ListInstanceAttributes pages through).
DEFAULTS: dict[str, str] = {
    "INBOUND_CALLS": "true", "OUTBOUND_CALLS": "true", "CONTACTFLOW_LOGS": "false", "CONTACT_LENS": "true",
    "AUTO_RESOLVE_BEST_VOICES": "true", "USE_CUSTOM_TTS_VOICES": "false", "EARLY_MEDIA": "true",
    "MULTI_PARTY_CONFERENCE": "false", "AUTO_MUTE_AGENT_ON_HOLD": "false", "HIGH_VOLUME_OUTBOUND": "false",
    "ENHANCED_CONTACT_MONITORING": "false", "ENHANCED_CHAT_MONITORING": "false",
    "MULTI_PARTY_CHAT_CONFERENCE": "false", "MESSAGE_STREAMING": "false",
}
_ON_INSTANCE = {"INBOUND_CALLS": "inbound_calls_enabled", "OUTBOUND_CALLS": "outbound_calls_enabled"}


def values(call: Call, instance) -> dict[str, str]:
    """Every attribute of an instance (its row), defaults filled in."""
    stored = {r["attribute_type"]: r["value"] for r in call.tx.all(
        "SELECT attribute_type, value FROM instance_attributes WHERE instance_id = :id", id=instance["id"])}
    out = {}
    for kind, default in DEFAULTS.items():
        column = _ON_INSTANCE.get(kind)
        out[kind] = ("true" if instance[column] else "false") if column else stored.get(kind, default)
    return out


@instances.on_delete
def drop(call: Call, instance_id: str) -> None:
    call.tx.execute("DELETE FROM instance_attributes WHERE instance_id = :id", id=instance_id)


def _boolean(kind: str, value: str) -> str:
    word = value.strip().lower()
    if word not in ("true", "false"):
        raise InvalidRequestException(f"Invalid value for attribute {kind}: '{value}'. Use true or false.")
    return word


@operation("connect", "UpdateInstanceAttribute", iam=resource("InstanceId", "instance"))
def update_instance_attribute(call: Call, req: dict) -> None:
    instance = instances.get(call, req["InstanceId"])
    kind, value = req["AttributeType"], _boolean(req["AttributeType"], req["Value"])
    column = _ON_INSTANCE.get(kind)
    if column:
        instances.set_calls_enabled(call, instance["id"], column, value == "true")
    elif value == DEFAULTS[kind]:  # only values that differ from the default are kept (schema migration 4)
        call.tx.execute("DELETE FROM instance_attributes WHERE instance_id = :id AND attribute_type = :kind",
                        id=instance["id"], kind=kind)
    else:
        call.tx.execute("INSERT INTO instance_attributes (instance_id, attribute_type, account, region, value) "
                        "VALUES (:id, :kind, :account, :region, :value) "
                        "ON CONFLICT (instance_id, attribute_type) DO UPDATE SET value = excluded.value",
                        id=instance["id"], kind=kind, account=call.account, region=call.region, value=value)
    return None


@operation("connect", "DescribeInstanceAttribute", write=False, iam=resource("InstanceId", "instance"))
def describe_instance_attribute(call: Call, req: dict) -> dict:
    instance = instances.get(call, req["InstanceId"])
    kind = req["AttributeType"]
    return {"Attribute": {"AttributeType": kind, "Value": values(call, instance)[kind]}}


@operation("connect", "ListInstanceAttributes", write=False, iam=resource("InstanceId", "instance"))
def list_instance_attributes(call: Call, req: dict) -> dict:
    instance = instances.get(call, req["InstanceId"])
    limit = req.get("MaxResults") or 7
    after = pagination.decode("instance-attributes", req.get("NextToken"), InvalidRequestException, (str, str))
    if after is not None and (after[1] != instance["id"] or after[0] not in DEFAULTS):
        raise InvalidRequestException("The NextToken is not valid for this request.")
    kinds = list(DEFAULTS)
    start = kinds.index(after[0]) + 1 if after else 0
    every = values(call, instance)
    rows = [{"AttributeType": k, "Value": every[k]} for k in kinds[start:start + limit + 1]]
    page, token = pagination.page(rows, limit, lambda r: [r["AttributeType"], instance["id"]], "instance-attributes")
    return {"Attributes": page, "NextToken": token}
