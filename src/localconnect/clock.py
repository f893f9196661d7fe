"""The one source of time: wall time plus an offset that the admin API moves (spec 12.1).

The offset lives in the store (table service_clock) so that every server process sharing a database
agrees on "now"; each transaction reads it once and hands the result to the handler as ``Call.now``.
"""
from __future__ import annotations

import time


def wall() -> float:
    return time.time()


def now(offset_seconds: float) -> float:
    return time.time() + offset_seconds


def offset(tx) -> float:
    """The admin-set offset, read inside a transaction (it is shared through the store)."""
    return tx.one("SELECT offset_seconds FROM service_clock WHERE id = 1")["offset_seconds"]
