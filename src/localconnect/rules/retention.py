"""Retention: rows that no answer can show any more are deleted, so a store under steady use stops growing.

What goes, and when (each owner of a table registers its own purge with ``@purger``, keeping its SQL its own):

* ClientToken records, ``idempotency_hours`` after the first success (an older one already counts as absent);
* numbers whose claim or import ended FAILED, ``failed_retention_hours`` after they settled (they answer 404);
* release events older than both the release window and the claim cooldown (no rule reads them);
* released (DELETED) End User Messaging numbers, ``release_window_days`` after their release.

No background job: the write calls of an account+Region do it, already holding that partition's lock. One write
call in ``EVERY`` (per process) deletes at most ``BATCH`` rows of each kind, oldest first, so no call pauses for
long and the store drains ``BATCH / EVERY`` rows of each kind per write, many more than one write adds.
Retention reads "now" like everything else: a row deleted because it was past its window stays deleted if the
clock is later set back.
"""
from __future__ import annotations

import itertools
from typing import Callable

from ..core.call import Call

# Measured on a 1M-number SQLite store (README, Scale): deleting 100 ClientToken records takes 3.3 ms of CPU,
# 100 FAILED numbers with their tags 7 ms; a sweep with nothing to delete (an index probe per kind) 0.05-0.1 ms.
# So a batch of 50, one write in 4: a call that sweeps pauses a few milliseconds at most, and the store drains
# 12 rows of each kind per write, where a write adds at most one or two.
EVERY = 4
BATCH = 50

Purge = Callable[[Call, int], int]
_PURGERS: list[tuple[str, Purge]] = []
_writes = itertools.count()


def purger(name: str) -> Callable[[Purge], Purge]:
    """Register ``fn(call, limit) -> rows deleted``: deletes at most ``limit`` expired rows of ``call``'s
    account+Region, oldest first, together with what hangs off them (tags)."""
    def register(fn: Purge) -> Purge:
        if any(existing == name for existing, _ in _PURGERS):
            raise RuntimeError(f"two retention purges named {name}")
        _PURGERS.append((name, fn))
        return fn
    return register


def delete_oldest(call: Call, table: str, column: str, before: float, limit: int) -> int:
    """For an append-only table keyed by a time column: delete this partition's rows with ``column <= before``,
    oldest first, about ``limit`` at a time (rows stamped with the same instant go together, so a batch never
    splits them). ``table`` and ``column`` come from the table's owner module, never from input."""
    row = call.tx.one(f"SELECT MAX({column}) AS upto FROM (SELECT {column} FROM {table} WHERE account = :account "
                      f"AND region = :region AND {column} <= :before ORDER BY {column} LIMIT :limit) AS oldest",
                      account=call.account, region=call.region, before=before, limit=limit)
    if row is None or row["upto"] is None:
        return 0
    return call.tx.execute(f"DELETE FROM {table} WHERE account = :account AND region = :region "
                           f"AND {column} <= :upto", account=call.account, region=call.region, upto=row["upto"])


def kinds() -> list[str]:
    return [name for name, _ in _PURGERS]


def sweep(call: Call) -> dict[str, int] | None:
    """Run by every write call inside its transaction, after it took its partition's lock: one call in
    ``EVERY`` purges a batch. Returns what it deleted, None when it was not this call's turn."""
    if next(_writes) % EVERY:
        return None
    return purge(call, BATCH)


def purge(call: Call, limit: int) -> dict[str, int]:
    """At most ``limit`` rows of each kind, for ``call``'s account+Region (the caller holds its lock)."""
    return {name: fn(call, limit) for name, fn in _PURGERS}
