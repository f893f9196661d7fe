"""Token buckets per account, Region and operation (docs/behaviour.md §7), against the service clock.

Buckets live in the server process: several processes sharing a store each throttle on their own, so the
account's effective rate is the configured rate times the number of processes.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

# The published defaults (docs/behaviour.md §7): 2 requests/s with a burst of 5 for every Connect API, except instance
# creation and deletion. End User Messaging is not throttled unless configured (docs/behaviour.md §7).
AWS_DEFAULT = (2.0, 5.0)
AWS_OVERRIDES: dict[str, tuple[float, float]] = {
    "connect:CreateInstance": (0.1, 1.0),
    "connect:DeleteInstance": (0.1, 1.0),
}


@dataclass
class TokenBucket:
    rate: float       # tokens per second
    burst: float      # capacity
    tokens: float
    updated: float    # service-clock time of the last refill

    def take(self, now: float) -> bool:
        """Refill for the time since the last call (none if the clock went backwards), then take one token."""
        if now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = max(self.updated, now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Throttler:
    def __init__(self, mode: str, limits: dict[str, tuple[float, float]] | None = None):
        """mode "off" throttles nothing unless ``limits`` names an operation; "aws" applies the AWS defaults
        to Connect, with ``limits`` ("connect:ImportPhoneNumber" -> (rate, burst)) taking precedence."""
        self.mode = mode
        self.limits = dict(limits or {})
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def limit_for(self, action: str) -> tuple[float, float] | None:
        if action in self.limits:
            return self.limits[action]
        if self.mode == "aws" and action.startswith("connect:"):
            return AWS_OVERRIDES.get(action, AWS_DEFAULT)
        return None

    def allow(self, account: str, region: str, action: str, now: float) -> bool:
        limit = self.limit_for(action)
        if limit is None:
            return True
        key = (account, region, action)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(limit[0], limit[1], limit[1], now)
            return bucket.take(now)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
