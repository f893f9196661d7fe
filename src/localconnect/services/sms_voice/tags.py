"""End User Messaging TagResource, UntagResource, ListTagsForResource (tags as [{Key, Value}] lists)."""
from __future__ import annotations

from ...core import arns
from ...core.call import Call
from ...core.errors import ResourceNotFoundException, ServiceQuotaExceededException
from .. import tagging
from ..authorization import tagging_of
from ..registry import operation
from . import phone_numbers

MAX_TAGS = 200


def resource(call: Call, arn: str) -> str:
    row = phone_numbers.find(call, arn) if arn.startswith("arn:") else None
    if row is None or row["status"] == "DELETED":
        parsed = arns.parse(arn)
        kind = parsed.path[0] if parsed else "phone-number"
        raise ResourceNotFoundException(f"Resource {arn} not found.", ResourceType=kind, ResourceId=arn)
    return row["arn"]


@operation("sms-voice", "TagResource", iam=tagging_of("ResourceArn", tags_member="Tags"))
def tag_resource(call: Call, req: dict) -> dict:
    arn = resource(call, req["ResourceArn"])
    tags = tagging.as_dict(req["Tags"])
    if tagging.count_after(call, arn, tags) > MAX_TAGS:
        raise ServiceQuotaExceededException(f"A resource can have at most {MAX_TAGS} tags.",
                                            Reason="TAGS_PER_RESOURCE")
    tagging.put(call, arn, tags)
    return {}


@operation("sms-voice", "UntagResource", iam=tagging_of("ResourceArn", keys_member="TagKeys"))
def untag_resource(call: Call, req: dict) -> dict:
    tagging.remove(call, resource(call, req["ResourceArn"]), req["TagKeys"])
    return {}


@operation("sms-voice", "ListTagsForResource", write=False, iam=tagging_of("ResourceArn"))
def list_tags_for_resource(call: Call, req: dict) -> dict:
    arn = resource(call, req["ResourceArn"])
    return {"ResourceArn": arn, "Tags": tagging.as_list(tagging.get(call, arn))}
