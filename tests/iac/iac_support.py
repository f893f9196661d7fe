"""What the Terraform AWS provider and CloudFormation handlers are built on, re-enacted for boto3 clients:
terraform-plugin-sdk's ``retry.StateChangeConf`` (the waiters), the provider's "not found" rule, and a recorder
of the calls a sequence makes, so tests can assert them call for call.

Time: where the tools sleep between polls, these move localconnect's service clock by the same amount
(``lc.advance``), so a two-minute waiter runs in milliseconds and still sees every status it would see.
"""
from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from botocore.exceptions import ClientError


class NotFound(Exception):
    """retry.NotFoundError: what a provider's find function returns for "gone"."""


class UnexpectedState(Exception):
    pass


class WaitTimeout(Exception):
    pass


def error_code(exc: BaseException) -> str | None:
    return exc.response["Error"]["Code"] if isinstance(exc, ClientError) else None


def unique_id() -> str:
    """terraform-plugin-sdk's id.UniqueId(): "terraform-" and a timestamp-ordered suffix (CreateInstance's token)."""
    return "terraform-" + datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f") + uuid.uuid4().hex[:6]


@dataclass
class StateChangeConf:
    """retry.StateChangeConf.WaitForStateContext: refresh until the state is in ``target``; a state in neither
    ``pending`` nor ``target`` is an error; a missing resource (refresh returns None) is success when ``target`` is
    empty (the "deleted" waiters) and an error after ``not_found_checks`` refreshes otherwise. Between refreshes
    the SDK sleeps 100 ms, doubling up to 10 s: here the service clock moves instead."""
    pending: list[str]
    target: list[str]
    refresh: Callable[[], tuple[Any, str]]
    timeout: float
    not_found_checks: int = 20
    delay: float = 0.0
    waited: list[float] = field(default_factory=list)

    def wait(self, lc) -> Any:
        elapsed, interval, not_found = 0.0, 0.1, 0
        if self.delay:
            lc.advance(self.delay)
            elapsed += self.delay
        while True:
            result, state = self.refresh()
            if result is None:
                if not self.target:
                    return None
                not_found += 1
                if not_found > self.not_found_checks:
                    raise NotFound(f"couldn't find resource (21 retries); last state {state!r}")
            elif state in self.target:
                return result
            elif state not in self.pending:
                raise UnexpectedState(f"unexpected state '{state}', wanted target '{', '.join(self.target)}'")
            if elapsed >= self.timeout:
                raise WaitTimeout(f"timeout while waiting for state to become '{', '.join(self.target)}'")
            lc.advance(interval)
            self.waited.append(interval)
            elapsed += interval
            interval = min(interval * 2, 10.0)


@contextlib.contextmanager
def recorded(*clients) -> Iterator[list[tuple[str, dict]]]:
    """The (operation, parameters) of every call the clients make inside the block, as the caller passed them."""
    calls: list[tuple[str, dict]] = []

    def note(params, model, **_):
        calls.append((model.name, dict(params)))

    for client in clients:
        client.meta.events.register("before-parameter-build", note)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-parameter-build", note)


def names(calls: list[tuple[str, dict]]) -> list[str]:
    return [name for name, _ in calls]
