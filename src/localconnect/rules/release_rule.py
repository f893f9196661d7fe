"""The 200 % / rolling-180-day release rule (docs/behaviour.md §4), as small pieces over the release_events table.

A release event is a CLAIMED number released (by ReleasePhoneNumber or with its instance), or a claim or
import that ended FAILED (``failed_counts_as_release``). Claim and Import are refused while the events in
the window reach the allowance. Callers hold the account+Region lock, so check and write are atomic.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.call import Call
from ..core.errors import LimitExceededException
from ..core.units import DAY
from . import quotas, retention

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
        # An allowance of 0 (quota 0) is never lifted by time: no event's ageing out opens a slot.
        lifts_at = recent[k] + window_days * DAY if k < len(recent) else None
    return WindowState(len(recent), limit, blocked, start, lifts_at)


def state(call: Call) -> WindowState:
    s = call.settings
    rows = call.tx.all("SELECT released_at FROM release_events WHERE account = :account AND region = :region "
                       "AND released_at > :since", account=call.account, region=call.region,
                       since=call.now - s.release_window_days * DAY)
    return evaluate([r["released_at"] for r in rows], call.now, quotas.phone_numbers_per_instance(call),
                    s.release_allowance_percent, s.release_window_days)


def window_events(call: Call, limit: int) -> list:
    """The events ``state`` counts, oldest first (the first ``limit``: those that free slots soonest), with the
    number and the cause (ReleasePhoneNumber, DeleteInstance, FAILED): the dashboard's chart of the window."""
    return call.tx.all("SELECT released_at, phone_number_id, phone_number, source_phone_number_arn, cause "
                       "FROM release_events WHERE account = :account AND region = :region AND released_at > :since "
                       "AND released_at <= :now ORDER BY released_at, phone_number_id LIMIT :limit",
                       account=call.account, region=call.region, now=call.now, limit=limit,
                       since=call.now - call.settings.release_window_days * DAY)


def events_of_number(call: Call, phone_number: str, limit: int) -> list:
    """The release events of one E.164 number here, newest first: its past lives, for a number's history."""
    return call.tx.all("SELECT released_at, phone_number_id, phone_number, source_phone_number_arn, cause "
                       "FROM release_events WHERE account = :account AND region = :region "
                       "AND phone_number = :phone_number ORDER BY released_at DESC LIMIT :limit",
                       account=call.account, region=call.region, phone_number=phone_number, limit=limit)


def ensure_not_blocked(call: Call) -> None:
    """``state(call).blocked``, counting no further than the allowance: Claim and Import read at most that many
    index entries (and hold none), however many releases the window holds."""
    s = call.settings
    limit = allowance(quotas.phone_numbers_per_instance(call), s.release_allowance_percent)
    counted = call.tx.one("SELECT COUNT(*) AS n FROM (SELECT 1 FROM release_events WHERE account = :account "
                          "AND region = :region AND released_at > :since AND released_at <= :now LIMIT :limit) "
                          "AS counted", account=call.account, region=call.region, now=call.now, limit=limit,
                          since=call.now - s.release_window_days * DAY)["n"]
    if counted >= limit:
        raise LimitExceededException(BLOCKED_MESSAGE)


def record(call: Call, at: float, phone_number_id: str, phone_number: str, source_arn: str | None, cause: str) -> None:
    call.tx.insert("release_events", account=call.account, region=call.region, released_at=at,
                   phone_number_id=phone_number_id, phone_number=phone_number, source_phone_number_arn=source_arn,
                   cause=cause)


def recent_claimed_releases(call: Call, since: float) -> list[str]:
    """Inventory numbers released (not FAILED) since ``since``: they are cooling down."""
    rows = call.tx.all("SELECT phone_number FROM release_events WHERE account = :account AND region = :region "
                       "AND released_at > :since AND source_phone_number_arn IS NULL AND cause <> 'FAILED'",
                       account=call.account, region=call.region, since=since)
    return [r["phone_number"] for r in rows]


def cooling_among(call: Call, since: float, phone_numbers: list[str]) -> set[str]:
    """Which of these inventory numbers were released (not FAILED) since ``since``: one index probe per number,
    for SearchAvailablePhoneNumbers and ClaimPhoneNumber, whatever the number of events."""
    if not phone_numbers:
        return set()
    names = {f"n{i}": number for i, number in enumerate(phone_numbers)}
    # By number, not by time: the window may hold any number of events, the candidates are a few dozen.
    table = "release_events INDEXED BY release_events_number" if call.tx.dialect == "sqlite" else "release_events"
    rows = call.tx.all(f"SELECT phone_number FROM {table} WHERE account = :account "
                       f"AND region = :region AND phone_number IN ({', '.join(':' + n for n in names)}) "
                       "AND released_at > :since AND source_phone_number_arn IS NULL AND cause <> 'FAILED'",
                       account=call.account, region=call.region, since=since, **names)
    return {r["phone_number"] for r in rows}


@retention.purger("release_events")
def purge(call: Call, limit: int) -> int:
    """Events older than both the release window and the claim cooldown (no rule reads them), oldest first,
    about ``limit`` at a time (events stamped with the same instant go together)."""
    s = call.settings
    before = call.now - max(s.release_window_days, s.claim_cooldown_days) * DAY
    return retention.delete_oldest(call, "release_events", "released_at", before, limit)


def clear(call: Call) -> int:
    """A support case: forget this account+Region's release events."""
    return call.tx.execute("DELETE FROM release_events WHERE account = :account AND region = :region",
                           account=call.account, region=call.region)
