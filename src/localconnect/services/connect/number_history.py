"""The ``phone_number_history`` table: a Connect number's updates (UpdatePhoneNumber moves, refused moves,
UpdatePhoneNumberMetadata), which the dashboard shows in a number's history. When it was accepted and settled
comes from the number itself, when it was released from the release events: this table holds what neither does.
"""
from __future__ import annotations

from ...core.call import Call
from ...core.units import DAY
from ...rules import retention

UPDATE = "UpdatePhoneNumber"
MOVE_REFUSED = "UpdatePhoneNumber refused"
METADATA = "UpdatePhoneNumberMetadata"


def record(call: Call, phone_number_id: str, event: str, *, instance_id: str | None = None,
           detail: str | None = None) -> None:
    call.tx.insert("phone_number_history", account=call.account, region=call.region, phone_number_id=phone_number_id,
                   at=call.now, event=event, instance_id=instance_id, detail=detail)


def of_number(call: Call, phone_number_id: str, limit: int) -> list:
    """The number's updates, newest first, at most ``limit``."""
    return call.tx.all("SELECT at, event, instance_id, detail FROM phone_number_history "
                       "WHERE phone_number_id = :id AND account = :account AND region = :region "
                       "ORDER BY at DESC LIMIT :limit", id=phone_number_id, account=call.account,
                       region=call.region, limit=limit)


@retention.purger("phone_number_history")
def purge(call: Call, limit: int) -> int:
    """Updates older than the release window (the history shown is that of the window the dashboard charts),
    oldest first, about ``limit`` at a time (updates stamped with the same instant go together)."""
    before = call.now - call.settings.release_window_days * DAY
    return retention.delete_oldest(call, "phone_number_history", "at", before, limit)
