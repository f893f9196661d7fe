"""Quotas in force for an account+Region: the admin API's override (partitions row) or the setting."""
from __future__ import annotations

from ..core.call import Call

COLUMNS = ("phone_numbers_per_instance", "instances_per_region")


def _override(call: Call, column: str) -> int | None:
    row = call.partition  # read when the call took the lock; a read-only call looks it up
    if row is None:
        row = call.tx.one(f"SELECT {column} FROM partitions WHERE account = :account AND region = :region",
                          account=call.account, region=call.region)
    return None if row is None or row[column] is None else int(row[column])


def phone_numbers_per_instance(call: Call) -> int:
    value = _override(call, "phone_numbers_per_instance")
    return call.settings.phone_numbers_per_instance if value is None else value


def instances_per_region(call: Call) -> int:
    value = _override(call, "instances_per_region")
    return call.settings.instances_per_region if value is None else value


def set_override(call: Call, column: str, value: int) -> None:
    """The admin API's override for this account+Region (the caller holds its lock)."""
    if column not in COLUMNS:
        raise ValueError(column)
    call.tx.execute(f"UPDATE partitions SET {column} = :value WHERE account = :account AND region = :region",
                    value=value, account=call.account, region=call.region)
    call.partition = None  # read the new value back, not the row cached when the lock was taken


def overrides(tx) -> list[dict]:
    rows = tx.all("SELECT account, region, phone_numbers_per_instance, instances_per_region FROM partitions "
                  "WHERE phone_numbers_per_instance IS NOT NULL OR instances_per_region IS NOT NULL "
                  "ORDER BY account, region")
    return [dict(r) for r in rows]
