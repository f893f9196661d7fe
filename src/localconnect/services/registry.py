"""The handler registry and the request context a handler receives. Handlers never see HTTP."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .. import clock
from ..settings import Settings
from ..store.engine import Tx


@dataclass
class Call:
    """One API call: who, where, when, and the open transaction."""
    service: str
    operation: str
    account: str
    region: str
    principal_arn: str
    now: float
    tx: Tx
    settings: Settings
    request_id: str
    # The account+Region's partitions row (quota overrides) when the call holds its lock, else None.
    partition: Any = None

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


def open_call(tx: Tx, settings: Settings, service: str, operation: str, account: str, region: str,
              principal_arn: str, request_id: str, partition: Any = None) -> Call:
    """A Call inside ``tx``, its ``now`` read from the service clock that every process shares."""
    return Call(service=service, operation=operation, account=account, region=region,
                principal_arn=principal_arn, now=clock.now(clock.offset(tx)), tx=tx, settings=settings,
                request_id=request_id, partition=partition)


Handler = Callable[[Call, dict], dict | None]


@dataclass(frozen=True)
class Registered:
    fn: Handler
    write: bool  # takes the account+Region lock for the whole transaction


HANDLERS: dict[tuple[str, str], Registered] = {}


def operation(service: str, name: str, *, write: bool = True) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``service``'s operation ``name`` (the model's name)."""
    def register(fn: Handler) -> Handler:
        key = (service, name)
        if key in HANDLERS:
            raise RuntimeError(f"two handlers for {service}:{name}")
        HANDLERS[key] = Registered(fn, write)
        return fn
    return register


def lookup(service: str, name: str) -> Registered | None:
    return HANDLERS.get((service, name))
