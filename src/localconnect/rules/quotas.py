"""Quotas in force for an account+Region: the admin API's override (partitions row) or the setting."""
from __future__ import annotations

from ..services.registry import Call


def _override(call: Call, column: str) -> int | None:
    row = call.partition  # read when the call took the lock; a read-only call looks it up
    if row is None:
        row = call.tx.one(f"SELECT {column} FROM partitions WHERE account = ? AND region = ?",
                          call.account, call.region)
    return None if row is None or row[column] is None else int(row[column])


def phone_numbers_per_instance(call: Call) -> int:
    value = _override(call, "phone_numbers_per_instance")
    return call.settings.phone_numbers_per_instance if value is None else value


def instances_per_region(call: Call) -> int:
    value = _override(call, "instances_per_region")
    return call.settings.instances_per_region if value is None else value
