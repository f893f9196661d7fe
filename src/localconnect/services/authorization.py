"""What each operation presents to IAM (docs/behaviour.md §7): builders that an operation names in its
``@operation(..., iam=...)`` declaration, and the evaluation of those checks against the caller's identity
policies. Evaluated inside the call's transaction, because aws:ResourceTag needs the resource's current tags.
A principal without policies is allowed everything."""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

from ..core import arns
from ..core.call import Call
from ..core.errors import AccessDeniedException
from ..rules import iam
from . import tagging

Check = tuple[str, str, dict]  # (action, resource ARN, condition keys)
Declaration = Callable[[Call, dict], Iterable[Check]]

# The IAM service prefix of each of our service keys.
_PREFIX = {"connect": "connect", "sms-voice": "sms-voice"}


def action(call: Call) -> str:
    return f"{_PREFIX[call.service]}:{call.operation}"


def _request_tags(tags: dict | list | None) -> dict:
    keys: dict = {f"aws:RequestTag/{k}": v for k, v in tagging.as_dict(tags).items()}
    keys["aws:TagKeys"] = list(tagging.as_dict(tags))
    return keys


def _resource_tags(call: Call, arn: str) -> dict:
    return {f"aws:ResourceTag/{k}": v for k, v in tagging.get(call, arn).items()}


def _arn_of(call: Call, value: str, kind: str) -> str:
    """A member holding an id or an ARN, as the resource ARN IAM sees."""
    if value.startswith("arn:"):
        return value
    if kind == "instance":
        value = arns.instance_id_of(value)
    return call.arn(_PREFIX[call.service], f"{kind}/{value}")


# --- declarations ---------------------------------------------------------------------------------------

def unscoped(tags_member: str | None = None) -> Declaration:
    """List, search and create operations support no resource-level permissions: Resource must be "*"."""
    def checks(call: Call, req: dict) -> Iterator[Check]:
        yield action(call), "*", _request_tags(req.get(tags_member)) if tags_member else {}
    return checks


def resource(member: str, kind: str, *, with_tags: bool = True) -> Declaration:
    """The resource an id-or-ARN member names, with its tags as aws:ResourceTag/ keys."""
    def checks(call: Call, req: dict) -> Iterator[Check]:
        values = req.get(member)
        for value in values if isinstance(values, list) else [values]:
            arn = _arn_of(call, value, kind)
            yield action(call), arn, _resource_tags(call, arn) if with_tags else {}
    return checks


def claim_or_import(*, source_member: str | None = None) -> Declaration:
    """Claim and Import: the target instance (InstanceId or TargetArn) with the request's tags; Import also
    needs sms-voice:DescribePhoneNumbers on its source number."""
    def checks(call: Call, req: dict) -> Iterator[Check]:
        target = req.get("TargetArn") or _arn_of(call, req.get("InstanceId") or "*", "instance")
        keys = {**_request_tags(req.get("Tags")), "connect:InstanceId": target.rsplit("/", 1)[-1]}
        yield action(call), target, keys
        if source_member:
            yield "sms-voice:DescribePhoneNumbers", req[source_member], {}
    return checks


def tagging_of(arn_member: str, tags_member: str | None = None, keys_member: str | None = None) -> Declaration:
    """Tag operations of either service: the resource's tags, plus the tags being added or the keys removed."""
    def checks(call: Call, req: dict) -> Iterator[Check]:
        arn = req[arn_member]
        keys = _resource_tags(call, arn)
        if tags_member and req.get(tags_member) is not None:
            keys.update(_request_tags(req[tags_member]))
        elif keys_member and req.get(keys_member) is not None:
            keys["aws:TagKeys"] = list(req[keys_member])
        yield action(call), arn, keys
    return checks


def either(member: str, when_present: Declaration, otherwise: Declaration) -> Declaration:
    """One declaration when ``member`` is in the request, another when it is not."""
    def checks(call: Call, req: dict) -> Iterable[Check]:
        return (when_present if req.get(member) else otherwise)(call, req)
    return checks


# --- evaluation -----------------------------------------------------------------------------------------

def authorize(call: Call, policies: tuple[dict, ...], checks: Iterable[Check]) -> None:
    """Raise AccessDeniedException unless every check of this call is allowed."""
    if not policies:
        return
    base = {"aws:PrincipalArn": call.principal_arn, "aws:RequestedRegion": call.region}
    for act, arn, keys in checks:
        decision = iam.evaluate(list(policies), act, arn, {**base, **keys})
        if decision != iam.ALLOW:
            why = ("with an explicit deny in an identity-based policy" if decision == iam.EXPLICIT_DENY
                   else f"because no identity-based policy allows the {act} action")
            raise AccessDeniedException(f"User: {call.principal_arn} is not authorized to perform: {act} "
                                        f"on resource: {arn} {why}")
