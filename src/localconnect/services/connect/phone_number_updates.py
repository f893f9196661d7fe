"""UpdatePhoneNumber (move a number to another instance) and UpdatePhoneNumberMetadata (its description).

Both put the number IN_PROGRESS for ``settle_seconds`` (docs/behaviour.md §3). A move to a full instance is decided
when it is accepted, like a claim: the number stays where it was and shows FAILED with the reason until
its next successful update.
"""
from __future__ import annotations

from ...core.call import Call
from ...core.errors import InvalidParameterException
from ..authorization import resource
from ..registry import operation
from . import instances, number_history, numbers, phone_numbers


def _updatable(call: Call, phone_number_id: str):
    row = numbers.get(call, phone_number_id)                               # ResourceNotFound
    phone_numbers.ensure_settled(call, row)                                      # ResourceInUse
    if row["outcome"] == "FAILED":
        raise InvalidParameterException(
            f"Phone number {row['id']} was never claimed (its claim or import FAILED); claim or import it again.")
    return row


@operation("connect", "UpdatePhoneNumber", iam=resource("PhoneNumberId", "phone-number"))
def update_phone_number(call: Call, req: dict) -> dict:
    row = _updatable(call, req["PhoneNumberId"])
    target = phone_numbers.target_instance(call, req, required=True)
    target = instances.active(call, target["id"])                                # ResourceNotFound
    settles_at = call.now + call.settings.settle_seconds
    moving = target["id"] != row["instance_id"]
    if moving and phone_numbers.is_full(call, target):
        numbers.update(call, row["id"], failure_message=phone_numbers.LIMIT_MESSAGE, settles_at=settles_at)
        number_history.record(call, row["id"], number_history.MOVE_REFUSED, instance_id=target["id"],
                              detail=phone_numbers.LIMIT_MESSAGE)
    else:
        numbers.update(call, row["id"], instance_id=target["id"], target_arn=target["arn"], failure_message=None,
                       settles_at=settles_at)
        if moving:
            instances.count_live(call, row["instance_id"], -1)
            instances.count_live(call, target["id"], +1)
        number_history.record(call, row["id"], number_history.UPDATE, instance_id=target["id"],
                              detail=f"from instance {row['instance_id']}" if moving else None)
    return {"PhoneNumberId": row["id"], "PhoneNumberArn": row["arn"]}


@operation("connect", "UpdatePhoneNumberMetadata", iam=resource("PhoneNumberId", "phone-number"))
def update_phone_number_metadata(call: Call, req: dict) -> None:
    row = _updatable(call, req["PhoneNumberId"])
    description = req.get("PhoneNumberDescription", row["description"])
    numbers.update(call, row["id"], description=description, failure_message=None,
                   settles_at=call.now + call.settings.settle_seconds)
    number_history.record(call, row["id"], number_history.METADATA, detail=description)
    return None
