"""Connect TagResource, UntagResource, ListTagsForResource on instances, phone numbers and contact flows."""
from __future__ import annotations

from ...core import arns
from ...core.call import Call
from ...core.errors import InvalidParameterException, ResourceNotFoundException
from .. import tagging
from ..authorization import tagging_of
from ..registry import operation
from . import contact_flows, instances, numbers

MAX_TAGS = 50


def resource(call: Call, arn: str) -> str:
    """The ARN of an existing taggable resource here, or the error AWS gives."""
    parsed = arns.parse(arn)
    if parsed is None or parsed.service != "connect":
        raise InvalidParameterException(f"resourceArn is not a valid Amazon Connect ARN: {arn}")
    found = None
    if parsed.region == call.region and parsed.account == call.account and len(parsed.path) == 2:
        kind, resource_id = parsed.path
        if kind == "instance":
            found = instances.find(call, resource_id)
        elif kind == "phone-number":
            found = numbers.find(call, resource_id)
        # Legacy phone-number ARNs (instance/{id}/phone-number/{id}) cannot be tagged (docs/behaviour.md §10).
    elif len(parsed.path) == 4 and parsed.path[2] == "contact-flow":
        found = contact_flows.find_by_arn(call, arn)
    if found is None or found["arn"] != arn:
        raise ResourceNotFoundException(f"Resource not found: {arn}")
    return found["arn"]


@operation("connect", "TagResource", iam=tagging_of("resourceArn", tags_member="tags"))
def tag_resource(call: Call, req: dict) -> None:
    arn = resource(call, req["resourceArn"])
    if tagging.count_after(call, arn, req["tags"]) > MAX_TAGS:
        raise InvalidParameterException(f"A resource can have at most {MAX_TAGS} tags.")
    tagging.put(call, arn, req["tags"])
    return None


@operation("connect", "UntagResource", iam=tagging_of("resourceArn", keys_member="tagKeys"))
def untag_resource(call: Call, req: dict) -> None:
    tagging.remove(call, resource(call, req["resourceArn"]), req["tagKeys"])
    return None


@operation("connect", "ListTagsForResource", write=False, iam=tagging_of("resourceArn"))
def list_tags_for_resource(call: Call, req: dict) -> dict:
    return {"tags": tagging.get(call, resource(call, req["resourceArn"]))}
