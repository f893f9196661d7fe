"""The operation registry: each operation declares, in one place, its handler, whether it writes, and what it
presents to IAM. The gateway finds operations here and nowhere else. Handlers never see HTTP."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .. import clock
from ..core.call import Call
from ..settings import Settings
from ..store.engine import Tx
from . import authorization

Handler = Callable[[Call, dict], dict | None]


@dataclass(frozen=True)
class Registered:
    service: str
    name: str
    fn: Handler
    write: bool  # takes the account+Region lock for the whole transaction
    iam: authorization.Declaration | None

    def authorize(self, call: Call, policies: tuple[dict, ...], req: dict) -> None:
        if self.iam is None:  # verify() refuses to start a server with such an operation
            raise RuntimeError(f"{self.service}:{self.name} has no IAM declaration")
        authorization.authorize(call, policies, self.iam(call, req))


HANDLERS: dict[tuple[str, str], Registered] = {}


def operation(service: str, name: str, *, write: bool = True,
              iam: authorization.Declaration | None = None) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``service``'s operation ``name`` (the model's name), with what it
    presents to IAM (see services/authorization.py). ``iam`` is required: verify() refuses to start without."""
    def register(fn: Handler) -> Handler:
        key = (service, name)
        if key in HANDLERS:
            raise RuntimeError(f"two handlers for {service}:{name}")
        HANDLERS[key] = Registered(service, name, fn, write, iam)
        return fn
    return register


def lookup(service: str, name: str) -> Registered | None:
    return HANDLERS.get((service, name))


class RegistryError(RuntimeError):
    pass


def verify(operations_of: Callable[[str], set[str]]) -> None:
    """Refuse to serve an operation that would escape IAM (no declaration) or that no model knows."""
    undeclared = sorted(f"{r.service}:{r.name}" for r in HANDLERS.values() if r.iam is None)
    if undeclared:
        raise RegistryError("operations registered without an IAM declaration (give @operation(..., iam=...)): "
                            + ", ".join(undeclared))
    unknown = sorted(f"{r.service}:{r.name}" for r in HANDLERS.values() if r.name not in operations_of(r.service))
    if unknown:
        raise RegistryError("operations registered that the service models do not have: " + ", ".join(unknown))


def open_call(tx: Tx, settings: Settings, service: str, operation: str, account: str, region: str,
              principal_arn: str, request_id: str, partition=None) -> Call:
    """A Call inside ``tx``, its ``now`` read from the service clock that every process shares."""
    return Call(service=service, operation=operation, account=account, region=region,
                principal_arn=principal_arn, now=clock.now(clock.offset(tx)), tx=tx, settings=settings,
                request_id=request_id, partition=partition)
