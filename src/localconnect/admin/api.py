"""The admin API under /_localconnect/: health, reset, clock, seeding, quotas, support case, state (spec 12.9).

Answers are JSON; errors are ``{"error": {"code", "message"}}`` with a 4xx status, never a stack trace.
"""
from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Awaitable, Callable

from .. import __version__, clock
from ..asgi import BodyTooLarge, read_body, respond
from ..rules import quotas
from ..rules.faults import FaultError, FaultInjector
from ..rules.throttling import Throttler
from ..services import registry
from ..settings import Settings
from ..store.engine import Store, Tx
from . import seeding, state
from .errors import AdminError

log = logging.getLogger("localconnect.admin")
PREFIX = "/_localconnect"


def _json(status: int, payload: Any) -> tuple[int, list, bytes]:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return status, [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())], body


def _object(body: bytes) -> dict:
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise AdminError(400, "SerializationException", f"The request body is not valid JSON: {exc!r}") from None
    if not isinstance(data, dict):
        raise AdminError(400, "SerializationException", "The request body must be a JSON object")
    return data


def _number(data: dict, key: str, *, minimum: float | None = None, integer: bool = False) -> float | int | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise AdminError(400, "InvalidParameterException", f"{key} must be {'an integer' if integer else 'a number'}")
    if minimum is not None and value < minimum:
        raise AdminError(400, "InvalidParameterException", f"{key} must be at least {minimum}")
    return value


LOOPBACK = ("127.", "localhost", "::1")


class Admin:
    def __init__(self, settings: Settings, store: Store, faults: FaultInjector, throttler: Throttler):
        self.settings = settings
        self.store = store
        self.faults = faults
        self.throttler = throttler
        # Beyond loopback anyone on the network could reset or time-travel the server: require the token.
        self.token_required = not settings.host.startswith(LOOPBACK)
        self.routes: dict[tuple[str, str], Callable[[dict], Awaitable[tuple[int, Any]]]] = {
            ("GET", "/health"): self.health,
            ("POST", "/reset"): self.reset,
            ("GET", "/clock"): self.get_clock,
            ("POST", "/clock"): self.set_clock,
            ("POST", "/seed/sms-voice/phone-numbers"): self.seed_sms_number,
            ("GET", "/quotas"): self.get_quotas,
            ("POST", "/quotas"): self.set_quotas,
            ("POST", "/support-case"): self.support_case,
            ("GET", "/state"): self.state,
            ("GET", "/faults"): self.list_faults,
            ("POST", "/faults"): self.add_fault,
            ("DELETE", "/faults"): self.clear_faults,
        }

    async def __call__(self, scope, receive, send) -> None:
        path = scope["path"][len(PREFIX):] or "/"
        try:
            if self.token_required:
                self._check_token(scope)
            handler = self.routes.get((scope["method"], path.rstrip("/") or "/"))
            if handler is None:
                known = any(p == path.rstrip("/") for _, p in self.routes)
                raise AdminError(405 if known else 404, "UnknownOperationException",
                                 f"No admin operation {scope['method']} {scope['path']}")
            try:
                body = await read_body(receive, self.settings.max_body_bytes)
            except BodyTooLarge:
                raise AdminError(413, "RequestEntityTooLargeException", "Request body too large") from None
            status, payload = await handler(_object(body))
            response = _json(status, payload)
        except AdminError as err:
            response = _json(err.status, {"error": {"code": err.code, "message": err.message}})
        except Exception:
            log.exception("admin request failed")
            response = _json(500, {"error": {"code": "InternalFailure", "message": "admin request failed"}})
        await respond(send, *response)

    # --- helpers ----------------------------------------------------------------------------------------
    def _check_token(self, scope) -> None:
        if not self.settings.admin_token:
            raise AdminError(403, "AccessDeniedException",
                             "The admin API is disabled on a non-loopback address until admin_token is set")
        sent = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        if not hmac.compare_digest(sent, f"Bearer {self.settings.admin_token}"):
            raise AdminError(401, "UnauthorizedException", "The admin API needs 'Authorization: Bearer <admin_token>'")

    def _where(self, data: dict) -> tuple[str, str]:
        account = data.get("account", self.settings.default_account)
        region = data.get("region", self.settings.default_region)
        if not (isinstance(account, str) and len(account) == 12 and account.isdigit()):
            raise AdminError(400, "InvalidParameterException", "account must be a 12-digit string")
        if not (isinstance(region, str) and region):
            raise AdminError(400, "InvalidParameterException", "region must be a Region name")
        return account, region

    async def _in_partition(self, data: dict, operation: str, fn: Callable[[registry.Call], Any]) -> Any:
        account, region = self._where(data)

        def go(tx: Tx):
            tx.lock_partition(account, region)  # before the clock is read, as in the gateway
            # No cached partition row: set_quotas changes it and reads the new values back.
            return fn(registry.open_call(tx, self.settings, "admin", operation, account, region,
                                         f"arn:aws:iam::{account}:root", "admin"))
        return await self.store.run(go, write=True)

    # --- routes -----------------------------------------------------------------------------------------
    async def health(self, data: dict):
        return 200, {"status": "ok", "version": __version__, "store": self.store.kind,
                     "schema_version": self.store.schema_version(), **self.store.stats()}

    async def reset(self, data: dict):
        account = data.get("account")
        if account is not None:
            self._where({"account": account})
        self.store.reset(account)
        if account is None:
            self.faults.clear()
            self.throttler.reset()
        return 200, {"reset": account or "all"}

    def _clock_now(self, tx: Tx) -> dict:
        offset = clock.offset(tx)
        return {"now": clock.now(offset), "offset_seconds": offset}

    async def get_clock(self, data: dict):
        return 200, await self.store.run(self._clock_now, write=False)

    async def set_clock(self, data: dict):
        advance = _number(data, "advance_seconds", minimum=0)
        offset = _number(data, "offset_seconds")
        if (advance is None) == (offset is None):
            raise AdminError(400, "InvalidParameterException", "give exactly one of advance_seconds, offset_seconds")

        def go(tx: Tx):
            if advance is not None:
                tx.execute("UPDATE service_clock SET offset_seconds = offset_seconds + ? WHERE id = 1", advance)
            else:
                tx.execute("UPDATE service_clock SET offset_seconds = ? WHERE id = 1", offset)
            return self._clock_now(tx)
        return 200, await self.store.run(go, write=True)

    async def seed_sms_number(self, data: dict):
        return 200, await self._in_partition(data, "SeedPhoneNumber", lambda call: seeding.seed(call, data))

    async def get_quotas(self, data: dict):
        def go(tx: Tx):
            rows = tx.all("SELECT account, region, phone_numbers_per_instance, instances_per_region FROM partitions "
                          "WHERE phone_numbers_per_instance IS NOT NULL OR instances_per_region IS NOT NULL "
                          "ORDER BY account, region")
            return {"defaults": {"phone_numbers_per_instance": self.settings.phone_numbers_per_instance,
                                 "instances_per_region": self.settings.instances_per_region},
                    "overrides": [dict(r) for r in rows]}
        return 200, await self.store.run(go, write=False)

    async def set_quotas(self, data: dict):
        values = {key: _number(data, key, minimum=0, integer=True)
                  for key in ("phone_numbers_per_instance", "instances_per_region")}
        if all(v is None for v in values.values()):
            raise AdminError(400, "InvalidParameterException",
                             "give phone_numbers_per_instance and/or instances_per_region")

        def go(call: registry.Call):
            for key, value in values.items():
                if value is not None:
                    call.tx.execute(f"UPDATE partitions SET {key} = ? WHERE account = ? AND region = ?",
                                    value, call.account, call.region)
            return {"account": call.account, "region": call.region,
                    "phone_numbers_per_instance": quotas.phone_numbers_per_instance(call),
                    "instances_per_region": quotas.instances_per_region(call)}
        return 200, await self._in_partition(data, "SetQuotas", go)

    async def support_case(self, data: dict):
        def go(call: registry.Call):
            n = call.tx.execute("DELETE FROM release_events WHERE account = ? AND region = ?", call.account, call.region)
            return {"account": call.account, "region": call.region, "release_events_cleared": n}
        return 200, await self._in_partition(data, "SupportCase", go)

    async def list_faults(self, data: dict):
        return 200, {"faults": self.faults.describe()}

    async def add_fault(self, data: dict):
        try:
            fault = self.faults.add(data)
        except FaultError as exc:
            raise AdminError(400, "InvalidParameterException", str(exc)) from None
        return 200, fault.describe()

    async def clear_faults(self, data: dict):
        return 200, {"cleared": self.faults.clear()}

    async def state(self, data: dict):
        return 200, await self.store.run(lambda tx: state.view(tx, self.settings), write=False)
