"""UpdatePhoneNumber (move a number to another instance) and UpdatePhoneNumberMetadata (its description).

Both put the number IN_PROGRESS for ``settle_seconds`` (spec 12.3). A move to a full instance is decided
when it is accepted, like a claim: the number stays where it was and shows FAILED with the reason until
its next successful update.
"""
from __future__ import annotations

from ...gateway.errors import InvalidParameterException
from ..registry import Call, operation
from . import instances, phone_numbers


def _updatable(call: Call, phone_number_id: str):
    row = phone_numbers.get(call, phone_number_id)                               # ResourceNotFound
    phone_numbers.ensure_settled(call, row)                                      # ResourceInUse
    if row["outcome"] == "FAILED":
        raise InvalidParameterException(
            f"Phone number {row['id']} was never claimed (its claim or import FAILED); claim or import it again.")
    return row


@operation("connect", "UpdatePhoneNumber")
def update_phone_number(call: Call, req: dict) -> dict:
    row = _updatable(call, req["PhoneNumberId"])
    target = phone_numbers.target_instance(call, req, required=True)
    target = instances.active(call, target["id"])                                # ResourceNotFound
    settles_at = call.now + call.settings.settle_seconds
    moving = target["id"] != row["instance_id"]
    if moving and phone_numbers.is_full(call, target):
        call.tx.execute("UPDATE phone_numbers SET failure_message = ?, settles_at = ? WHERE id = ?",
                        phone_numbers.LIMIT_MESSAGE, settles_at, row["id"])
    else:
        call.tx.execute("UPDATE phone_numbers SET instance_id = ?, target_arn = ?, failure_message = NULL, "
                        "settles_at = ?, contact_flow_id = NULL WHERE id = ?",
                        target["id"], target["arn"], settles_at, row["id"])
        if moving:
            phone_numbers.count_live(call, row["instance_id"], -1)
            phone_numbers.count_live(call, target["id"], +1)
    return {"PhoneNumberId": row["id"], "PhoneNumberArn": row["arn"]}


@operation("connect", "UpdatePhoneNumberMetadata")
def update_phone_number_metadata(call: Call, req: dict) -> None:
    row = _updatable(call, req["PhoneNumberId"])
    description = req.get("PhoneNumberDescription", row["description"])
    call.tx.execute("UPDATE phone_numbers SET description = ?, failure_message = NULL, settles_at = ? WHERE id = ?",
                    description, call.now + call.settings.settle_seconds, row["id"])
    return None
