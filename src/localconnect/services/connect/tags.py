"""Connect TagResource, UntagResource, ListTagsForResource on instances and phone numbers."""
from __future__ import annotations

import re

from ...gateway.errors import InvalidParameterException, ResourceNotFoundException
from .. import tagging
from ..registry import Call, operation
from . import instances, phone_numbers

MAX_TAGS = 50
_ARN = re.compile(r"^arn:aws:connect:([a-z0-9-]+):(\d{12}):(.+)$")


def resource(call: Call, arn: str) -> str:
    """The ARN of an existing taggable resource here, or the error AWS gives."""
    match = _ARN.match(arn)
    if not match:
        raise InvalidParameterException(f"resourceArn is not a valid Amazon Connect ARN: {arn}")
    region, account, rest = match.groups()
    found = None
    if region == call.region and account == call.account:
        if rest.startswith("instance/") and rest.count("/") == 1:
            found = instances.find(call, rest.split("/", 1)[1])
        elif rest.startswith("phone-number/") and rest.count("/") == 1:
            found = phone_numbers.find(call, rest.split("/", 1)[1])
        # Legacy phone-number ARNs (instance/{id}/phone-number/{id}) cannot be tagged (spec 2).
    if found is None or found["arn"] != arn:
        raise ResourceNotFoundException(f"Resource not found: {arn}")
    return found["arn"]


@operation("connect", "TagResource")
def tag_resource(call: Call, req: dict) -> None:
    arn = resource(call, req["resourceArn"])
    if tagging.count_after(call, arn, req["tags"]) > MAX_TAGS:
        raise InvalidParameterException(f"A resource can have at most {MAX_TAGS} tags.")
    tagging.put(call, arn, req["tags"])
    return None


@operation("connect", "UntagResource")
def untag_resource(call: Call, req: dict) -> None:
    tagging.remove(call, resource(call, req["resourceArn"]), req["tagKeys"])
    return None


@operation("connect", "ListTagsForResource", write=False)
def list_tags_for_resource(call: Call, req: dict) -> dict:
    return {"tags": tagging.get(call, resource(call, req["resourceArn"]))}
