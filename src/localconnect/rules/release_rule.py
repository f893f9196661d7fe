"""The 200 % / rolling-180-day release rule (spec 8.3, 12.4), as small pieces over the release_events table.

A release event is a CLAIMED number released (by ReleasePhoneNumber or with its instance), or a claim or
import that ended FAILED (``failed_counts_as_release``). Claim and Import are refused while the events in
the window reach the allowance. Callers hold the account+Region lock, so check and write are atomic.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..gateway.errors import LimitExceededException
from ..services.registry import Call
from . import quotas

DAY = 86400.0
BLOCKED_MESSAGE = "The allowed limit for the resource has been exceeded."


@dataclass
class WindowState:
    events_in_window: int
    allowance: int
    blocked: bool
    window_start: float
    lifts_at: float | None  # when enough events age out to allow one more claim/import


def allowance(quota: int, percent: float) -> int:
    return math.floor(quota * percent / 100.0 + 1e-9)


def evaluate(event_times: list[float], now: float, quota: int, percent: float, window_days: float) -> WindowState:
    """Pure: the window's state given the release events' times (any order)."""
    start = now - window_days * DAY
    recent = sorted(t for t in event_times if start < t <= now)
    limit = allowance(quota, percent)
    blocked = len(recent) >= limit
    lifts_at = None
    if blocked:
        # One slot opens when len(recent) - k < limit, i.e. after the (len - limit + 1)-th oldest ages out.
        k = len(recent) - limit  # 0-based index of the event whose ageing-out frees a slot
        lifts_at = recent[k] + window_days * DAY if recent else None
    return WindowState(len(recent), limit, blocked, start, lifts_at)


def state(call: Call) -> WindowState:
    s = call.settings
    rows = call.tx.all("SELECT released_at FROM release_events WHERE account = ? AND region = ? AND released_at > ?",
                       call.account, call.region, call.now - s.release_window_days * DAY)
    return evaluate([r["released_at"] for r in rows], call.now, quotas.phone_numbers_per_instance(call),
                    s.release_allowance_percent, s.release_window_days)


def ensure_not_blocked(call: Call) -> None:
    if state(call).blocked:
        raise LimitExceededException(BLOCKED_MESSAGE)


def record(call: Call, at: float, phone_number_id: str, phone_number: str, source_arn: str | None, cause: str) -> None:
    call.tx.execute("INSERT INTO release_events (account, region, released_at, phone_number_id, phone_number, "
                    "source_phone_number_arn, cause) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    call.account, call.region, at, phone_number_id, phone_number, source_arn, cause)
