"""IAM authorization of one call (spec 9, 12.7): the actions, resource ARNs and condition keys each operation
presents, evaluated against the caller's identity policies inside the call's transaction (aws:ResourceTag needs
the resource's current tags). A principal without policies is allowed everything."""
from __future__ import annotations

from typing import Callable, Iterator

from ..gateway.errors import AccessDeniedException
from ..rules import iam
from . import tagging
from .connect import instances
from .registry import Call

Check = tuple[str, str, dict]  # (action, resource ARN, condition keys)


def _request_tags(tags: dict | list | None) -> dict:
    if isinstance(tags, list):  # End User Messaging: [{Key, Value}]
        tags = {t["Key"]: t["Value"] for t in tags}
    tags = tags or {}
    keys: dict = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    keys["aws:TagKeys"] = list(tags)
    return keys


def _resource_tags(call: Call, arn: str) -> dict:
    return {f"aws:ResourceTag/{k}": v for k, v in tagging.get(call, arn).items()}


def _instance_arn(call: Call, instance_id: str | None, target_arn: str | None = None) -> str:
    if target_arn:
        return target_arn
    if instance_id and instance_id.startswith("arn:"):
        return instance_id
    return call.arn("connect", f"instance/{instances.instance_id_of(instance_id or '*')}")


def _phone_number_arn(call: Call, value: str) -> str:
    return value if value.startswith("arn:") else call.arn("connect", f"phone-number/{value}")


def _sms_number_arn(call: Call, value: str) -> str:
    return value if value.startswith("arn:") else call.arn("sms-voice", f"phone-number/{value}")


def _tagging_check(call: Call, action: str, arn: str, added, removed: list | None) -> Check:
    """Tag operations of either service: the resource's tags, plus the tags being added or the keys removed."""
    keys = _resource_tags(call, arn)
    if added is not None:
        keys.update(_request_tags(added))
    elif removed is not None:
        keys["aws:TagKeys"] = list(removed)
    return action, arn, keys


def _connect_checks(call: Call, req: dict) -> Iterator[Check]:
    op, action = call.operation, f"connect:{call.operation}"
    if op in ("ImportPhoneNumber", "ClaimPhoneNumber"):
        arn = _instance_arn(call, req.get("InstanceId"), req.get("TargetArn"))
        keys = {**_request_tags(req.get("Tags")), "connect:InstanceId": arn.rsplit("/", 1)[-1]}
        yield action, arn, keys
        if op == "ImportPhoneNumber":  # the dependent action on the source number (spec 9)
            yield "sms-voice:DescribePhoneNumbers", req["SourcePhoneNumberArn"], {}
    elif op in ("DescribePhoneNumber", "ReleasePhoneNumber", "UpdatePhoneNumber", "UpdatePhoneNumberMetadata"):
        arn = _phone_number_arn(call, req["PhoneNumberId"])
        yield action, arn, _resource_tags(call, arn)
    elif op in ("DescribeInstance", "DeleteInstance"):
        arn = _instance_arn(call, req["InstanceId"])
        yield action, arn, _resource_tags(call, arn)
    elif op == "ListPhoneNumbers":
        yield action, _instance_arn(call, req["InstanceId"]), {}
    elif op == "CreateInstance":
        yield action, "*", _request_tags(req.get("Tags"))
    elif op in ("TagResource", "UntagResource", "ListTagsForResource"):
        yield _tagging_check(call, action, req["resourceArn"], req.get("tags"), req.get("tagKeys"))
    else:  # List and search operations support no resource-level permissions: Resource must be "*"
        yield action, "*", {}


def _sms_checks(call: Call, req: dict) -> Iterator[Check]:
    op, action = call.operation, f"sms-voice:{call.operation}"
    if op == "RequestPhoneNumber":
        yield action, "*", _request_tags(req.get("Tags"))
    elif op == "DescribePhoneNumbers" and req.get("PhoneNumberIds"):
        for value in req["PhoneNumberIds"]:
            arn = _sms_number_arn(call, value)
            yield action, arn, _resource_tags(call, arn)
    elif op in ("UpdatePhoneNumber", "ReleasePhoneNumber"):
        arn = _sms_number_arn(call, req["PhoneNumberId"])
        yield action, arn, _resource_tags(call, arn)
    elif op in ("TagResource", "UntagResource", "ListTagsForResource"):
        yield _tagging_check(call, action, req["ResourceArn"], req.get("Tags"), req.get("TagKeys"))
    else:
        yield action, "*", {}


_CHECKS: dict[str, Callable[[Call, dict], Iterator[Check]]] = {"connect": _connect_checks,
                                                                 "sms-voice": _sms_checks}


def authorize(call: Call, policies: tuple[dict, ...], req: dict) -> None:
    """Raise AccessDeniedException unless every check of this call is allowed."""
    if not policies:
        return
    base = {"aws:PrincipalArn": call.principal_arn, "aws:RequestedRegion": call.region}
    for action, resource, keys in _CHECKS[call.service](call, req):
        decision = iam.evaluate(list(policies), action, resource, {**base, **keys})
        if decision != iam.ALLOW:
            why = ("with an explicit deny in an identity-based policy" if decision == iam.EXPLICIT_DENY
                   else f"because no identity-based policy allows the {action} action")
            raise AccessDeniedException(f"User: {call.principal_arn} is not authorized to perform: {action} "
                                        f"on resource: {resource} {why}")
