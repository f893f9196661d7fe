"""Fault injection (docs/behaviour.md §7): make the next N calls, or a fraction of calls, of an operation fail.

Faults are drawn before the operation's transaction starts, so an injected error never leaves anything
written and an SDK retry with the same ClientToken then runs for real. They live in the server process
that received the admin call (like throttling buckets).
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

ERRORS = ("InternalServiceException", "ThrottlingException", "AccessDeniedException")


class FaultError(ValueError):
    pass


@dataclass
class Fault:
    operation: str            # "connect:ImportPhoneNumber" or "sms-voice:RequestPhoneNumber"
    error: str
    count: int | None = None  # remaining calls to fail
    rate: float | None = None
    account: str | None = None
    injected: int = 0

    def describe(self) -> dict:
        return {"operation": self.operation, "error": self.error, "count": self.count, "rate": self.rate,
                "account": self.account, "injected": self.injected}


@dataclass
class FaultInjector:
    faults: list[Fault] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, spec: dict) -> Fault:
        """Validate an admin request ({"operation", "error", "count" | "rate", "account"?}) and add the fault."""
        unknown = sorted(set(spec) - {"operation", "error", "count", "rate", "account"})
        if unknown:
            raise FaultError(f"unknown fault fields: {', '.join(unknown)}")
        operation, error = spec.get("operation"), spec.get("error")
        if not isinstance(operation, str) or ":" not in operation:
            raise FaultError('operation must look like "connect:ImportPhoneNumber"')
        if error not in ERRORS:
            raise FaultError(f"error must be one of {', '.join(ERRORS)}")
        count, rate = spec.get("count"), spec.get("rate")
        if (count is None) == (rate is None):
            raise FaultError("give exactly one of count, rate")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise FaultError("count must be a whole number of at least 1")
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1):
            raise FaultError("rate must be a number from 0.0 to 1.0")
        account = spec.get("account")
        if account is not None and not (isinstance(account, str) and len(account) == 12 and account.isdigit()):
            raise FaultError("account must be a 12-digit string")
        fault = Fault(operation, error, count, None if rate is None else float(rate), account)
        with self._lock:
            self.faults.append(fault)
        return fault

    def draw(self, operation: str, account: str) -> str | None:
        """The error this call must fail with, or None. Spends one of a counted fault's calls."""
        if not self.faults:  # the common case costs one attribute read
            return None
        with self._lock:
            for fault in self.faults:
                if fault.operation != operation or fault.account not in (None, account):
                    continue
                if fault.count is not None:
                    fault.count -= 1
                    fault.injected += 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault.error
                if self.rng.random() < fault.rate:
                    fault.injected += 1
                    return fault.error
        return None

    def describe(self) -> list[dict]:
        with self._lock:
            return [f.describe() for f in self.faults]

    def clear(self) -> int:
        with self._lock:
            n = len(self.faults)
            self.faults.clear()
            return n
