"""The one source of time: wall time plus an offset that the admin API moves (docs/behaviour.md §1).

The offset lives in the store (table ``service_clock``) so that every server process sharing a database
agrees on "now"; each transaction reads it once and hands the result to the handler as ``Call.now``.
Steps that run before any transaction (SigV4's time check, throttling) use ``Clock.now()``: the offset as
this process last read or wrote it, so they never open a transaction of their own.
"""
from __future__ import annotations

import math
import time

from .core.units import DAY

# The offset stays within ±100 years: every timestamp the API shows stays a finite, printable date.
MAX_OFFSET_SECONDS = 100 * 366 * DAY


def now(offset_seconds: float) -> float:
    return time.time() + offset_seconds


def offset(tx) -> float:
    """The admin-set offset, read inside a transaction (it is shared through the store)."""
    return tx.one("SELECT offset_seconds FROM service_clock WHERE id = 1")["offset_seconds"]


def set_offset(tx, seconds: float) -> float:
    if not math.isfinite(seconds) or abs(seconds) > MAX_OFFSET_SECONDS:
        raise ValueError(f"clock offset must be finite and within ±{MAX_OFFSET_SECONDS:.0f} seconds")
    tx.execute("UPDATE service_clock SET offset_seconds = :seconds WHERE id = 1", seconds=seconds)
    return seconds


def advance(tx, seconds: float) -> float:
    return set_offset(tx, offset(tx) + seconds)


class Clock:
    """This process's view of the service clock, for the steps before a transaction."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def seen(self, offset_seconds: float) -> float:
        """Record the offset a transaction read; returns the service time it gives."""
        self.offset = offset_seconds
        return time.time() + offset_seconds
