"""ARNs: the one place they are built and taken apart (botocore's ArnParser does the splitting).

Connect members that take an id accept the resource's ARN as well, and the ARN must name this account and
Region; these helpers give the id, or None when the ARN is of another kind, account or Region.
"""
from __future__ import annotations

from dataclasses import dataclass

from botocore.utils import ArnParser, InvalidArnException

_PARSER = ArnParser()


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str  # everything after the fifth colon, e.g. "instance/abc" or "phone-number/xyz"

    @property
    def path(self) -> list[str]:
        return self.resource.split("/")


def build(service: str, region: str, account: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def parse(value: str) -> Arn | None:
    """The parts of an ARN, or None when ``value`` is not one (an account that is neither empty nor 12 digits
    included: botocore's parser only splits)."""
    if not value.startswith("arn:"):
        return None
    try:
        parts = _PARSER.parse_arn(value)
    except InvalidArnException:
        return None
    if parts["account"] and not (len(parts["account"]) == 12 and parts["account"].isdigit()):
        return None
    return Arn(parts["partition"], parts["service"], parts["region"], parts["account"], parts["resource"])


def resource_id(value: str, service: str, kind: str, region: str, account: str) -> str | None:
    """The id in ``arn:aws:{service}:{region}:{account}:{kind}/{id}``; None for any other ARN."""
    arn = parse(value)
    if arn is None or arn.service != service or arn.region != region or arn.account != account:
        return None
    path = arn.path
    return path[1] if len(path) == 2 and path[0] == kind and path[1] else None


def id_or_arn(value: str, service: str, kind: str, region: str, account: str) -> str | None:
    """A member that takes an id or an ARN: the id itself, or the id inside an ARN of this account and Region."""
    return resource_id(value, service, kind, region, account) if value.startswith("arn:") else value


def instance_id_of(value: str) -> str:
    """InstanceId members take the id or the instance ARN (its first path element after ``instance/``)."""
    arn = parse(value)
    if arn is not None and arn.path[0] == "instance" and len(arn.path) >= 2:
        return arn.path[1]
    return value
