"""End User Messaging TagResource, UntagResource, ListTagsForResource (tags as [{Key, Value}] lists)."""
from __future__ import annotations

from ...gateway.errors import ResourceNotFoundException, ServiceQuotaExceededException
from .. import tagging
from ..registry import Call, operation
from . import phone_numbers

MAX_TAGS = 200


def resource(call: Call, arn: str) -> str:
    row = phone_numbers.find(call, arn) if arn.startswith(call.arn("sms-voice", "phone-number/")) else None
    if row is None or row["status"] == "DELETED":
        kind = arn.split(":")[5].split("/")[0] if arn.count(":") >= 5 else "phone-number"
        raise ResourceNotFoundException(f"Resource {arn} not found.", ResourceType=kind, ResourceId=arn)
    return row["arn"]


@operation("sms-voice", "TagResource")
def tag_resource(call: Call, req: dict) -> dict:
    arn = resource(call, req["ResourceArn"])
    tags = {t["Key"]: t["Value"] for t in req["Tags"]}
    if tagging.count_after(call, arn, tags) > MAX_TAGS:
        raise ServiceQuotaExceededException(f"A resource can have at most {MAX_TAGS} tags.",
                                            Reason="TAGS_PER_RESOURCE")
    tagging.put(call, arn, tags)
    return {}


@operation("sms-voice", "UntagResource")
def untag_resource(call: Call, req: dict) -> dict:
    tagging.remove(call, resource(call, req["ResourceArn"]), req["TagKeys"])
    return {}


@operation("sms-voice", "ListTagsForResource", write=False)
def list_tags_for_resource(call: Call, req: dict) -> dict:
    arn = resource(call, req["ResourceArn"])
    return {"ResourceArn": arn, "Tags": [{"Key": k, "Value": v} for k, v in tagging.get(call, arn).items()]}
