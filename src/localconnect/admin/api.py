"""The admin API under /_localconnect/: health, reset, clock, seeding, quotas, support case, state (docs/behaviour.md §9).

Answers are JSON; errors are ``{"error": {"code", "message"}}`` with a 4xx status, never a stack trace.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import re
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

from .. import __version__, clock
from ..asgi import BodyTooLarge, read_body, respond
from ..core.call import Call
from ..requestlog import RequestLog
from ..rules import quotas, release_rule
from ..rules.faults import FaultError, FaultInjector
from ..rules.throttling import Throttler
from ..services import registry
from ..settings import Settings
from ..store.engine import Store, Tx
from . import dashboard, seeding, state
from .errors import AdminError

log = logging.getLogger("localconnect.admin")
PREFIX = "/_localconnect"


def _json(status: int, payload: Any) -> tuple[int, list, bytes]:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return status, [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())], body


# Bounds every admin body is held to before any route sees it (routes add their own, tighter ones).
MAX_STRING_CHARS = 4096
MAX_DEPTH = 8
INT64 = (-(2 ** 63), 2 ** 63 - 1)
MAX_CLOCK_SECONDS = clock.MAX_OFFSET_SECONDS  # the clock moves at most 100 years either way
MAX_QUOTA = 10 ** 6


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")  # Python's json would accept NaN and Infinity


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 reads as inf
        raise ValueError(f"{text} is out of range")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("duplicate key " + next(k for k in data if sum(1 for p, _ in pairs if p == k) > 1))
    return data


def _check_values(value: Any, depth: int = 0) -> None:
    """Refuse what no admin input needs and a store cannot hold: deep nesting, integers beyond 64 bits,
    strings with NUL or a lone surrogate, and overlong strings."""
    if depth > MAX_DEPTH:
        raise AdminError(400, "SerializationException", f"The request body is nested deeper than {MAX_DEPTH}")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, depth + 1)
            _check_values(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_values(item, depth + 1)
    elif isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
        raise AdminError(400, "InvalidParameterException", f"{value} is outside the 64-bit integer range")
    elif isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            raise AdminError(400, "InvalidParameterException",
                             f"strings must be at most {MAX_STRING_CHARS} characters")
        if "\x00" in value:
            raise AdminError(400, "InvalidParameterException", "strings must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise AdminError(400, "InvalidParameterException",
                             "strings must not contain unpaired surrogates") from None


def _object(body: bytes) -> dict:
    if not body.strip():
        return {}
    try:
        data = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float,
                          object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        raise AdminError(400, "SerializationException", f"The request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise AdminError(400, "SerializationException", "The request body must be a JSON object")
    _check_values(data)
    return data


def _number(data: dict, key: str, *, minimum: float, maximum: float, integer: bool = False) -> float | int | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise AdminError(400, "InvalidParameterException", f"{key} must be {'an integer' if integer else 'a number'}")
    if not (math.isfinite(value) and minimum <= value <= maximum):
        raise AdminError(400, "InvalidParameterException", f"{key} must be from {minimum:.0f} to {maximum:.0f}")
    return value


LOOPBACK = ("127.", "localhost", "::1")
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+){1,3}-[0-9]{1,2}")


def _event_loop() -> str:
    """"uvloop" or "asyncio": the loop serving this request (``localconnect serve`` takes uvloop where installed)."""
    return type(asyncio.get_running_loop()).__module__.partition(".")[0]


class Admin:
    def __init__(self, settings: Settings, store: Store, faults: FaultInjector, throttler: Throttler,
                 requests: RequestLog | None = None, service_clock: clock.Clock | None = None):
        self.settings = settings
        # The gateway's view of the clock, for the steps it runs before a transaction: kept current here.
        self.service_clock = service_clock or clock.Clock()
        self.store = store
        self.faults = faults
        self.throttler = throttler
        self.requests = requests or RequestLog(0, quiet=True)
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
            ("GET", "/requests"): self.recent_requests,
            ("GET", "/"): self.index,
        }
        self.routes.update(dashboard.routes(self))  # the dashboard's JSON reads

    async def __call__(self, scope, receive, send) -> None:
        path = scope["path"][len(PREFIX):] or "/"
        if await dashboard.page(scope, path, send):  # the page and its files hold no state: no token needed
            return
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
            data = _object(body)
            if scope["method"] == "GET":  # GET /requests?since=N: the query string, as a browser sends it
                data = {**dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))), **data}
            status, payload = await handler(data)
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
        # Bytes, not str: compare_digest refuses non-ASCII str, and any header value must just be a 401.
        sent = dict(scope["headers"]).get(b"authorization", b"")
        if not hmac.compare_digest(sent, f"Bearer {self.settings.admin_token}".encode()):
            raise AdminError(401, "UnauthorizedException", "The admin API needs 'Authorization: Bearer <admin_token>'")

    def _where(self, data: dict) -> tuple[str, str]:
        account = data.get("account", self.settings.default_account)
        region = data.get("region", self.settings.default_region)
        if not (isinstance(account, str) and len(account) == 12 and account.isdigit()):
            raise AdminError(400, "InvalidParameterException", "account must be a 12-digit string")
        if not (isinstance(region, str) and REGION_NAME.fullmatch(region)):
            raise AdminError(400, "InvalidParameterException", "region must be a Region name such as us-east-1")
        return account, region

    async def _in_partition(self, data: dict, operation: str, fn: Callable[[Call], Any]) -> Any:
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
                     "schema_version": self.store.schema_version(), "event_loop": _event_loop(),
                     **self.store.stats()}

    async def reset(self, data: dict):
        account = data.get("account")
        if account is not None:
            self._where({"account": account})
        self.store.reset(account)
        if account is None:
            self.service_clock.seen(0.0)  # a full reset puts the service clock back to the wall clock
        if account is None:
            self.faults.clear()
            self.throttler.reset()
        return 200, {"reset": account or "all"}

    def _clock_now(self, tx: Tx) -> dict:
        offset = clock.offset(tx)
        return {"now": self.service_clock.seen(offset), "offset_seconds": offset}

    async def get_clock(self, data: dict):
        return 200, await self.store.run(self._clock_now, write=False)

    async def set_clock(self, data: dict):
        advance = _number(data, "advance_seconds", minimum=0, maximum=MAX_CLOCK_SECONDS)
        offset = _number(data, "offset_seconds", minimum=-MAX_CLOCK_SECONDS, maximum=MAX_CLOCK_SECONDS)
        if (advance is None) == (offset is None):
            raise AdminError(400, "InvalidParameterException", "give exactly one of advance_seconds, offset_seconds")

        def go(tx: Tx):
            # clock refuses, inside the write, an offset that is not finite or beyond 100 years; advances that
            # add up past it are refused here with the same 400.
            try:
                if advance is not None:
                    clock.advance(tx, advance)
                else:
                    clock.set_offset(tx, offset)
            except ValueError:
                raise AdminError(400, "InvalidParameterException",
                                 "the clock offset must stay within 100 years of the wall clock") from None
            return self._clock_now(tx)
        return 200, await self.store.run(go, write=True)

    async def seed_sms_number(self, data: dict):
        return 200, await self._in_partition(data, "SeedPhoneNumber", lambda call: seeding.seed(call, data))

    async def get_quotas(self, data: dict):
        def go(tx: Tx):
            return {"defaults": {"phone_numbers_per_instance": self.settings.phone_numbers_per_instance,
                                 "instances_per_region": self.settings.instances_per_region},
                    "overrides": quotas.overrides(tx)}
        return 200, await self.store.run(go, write=False)

    async def set_quotas(self, data: dict):
        values = {key: _number(data, key, minimum=0, maximum=MAX_QUOTA, integer=True)
                  for key in ("phone_numbers_per_instance", "instances_per_region")}
        if all(v is None for v in values.values()):
            raise AdminError(400, "InvalidParameterException",
                             "give phone_numbers_per_instance and/or instances_per_region")

        def go(call: Call):
            for key, value in values.items():
                if value is not None:
                    quotas.set_override(call, key, value)
            return {"account": call.account, "region": call.region,
                    "phone_numbers_per_instance": quotas.phone_numbers_per_instance(call),
                    "instances_per_region": quotas.instances_per_region(call)}
        return 200, await self._in_partition(data, "SetQuotas", go)

    async def support_case(self, data: dict):
        def go(call: Call):
            n = release_rule.clear(call)
            return {"account": call.account, "region": call.region, "release_events_cleared": n}
        return 200, await self._in_partition(data, "SupportCase", go)

    async def list_faults(self, data: dict):
        return 200, {"faults": self.faults.describe()}

    async def add_fault(self, data: dict):
        count, operation = data.get("count"), data.get("operation")
        if isinstance(count, int) and not isinstance(count, bool) and count > MAX_QUOTA:
            raise AdminError(400, "InvalidParameterException", f"count must be at most {MAX_QUOTA}")
        if isinstance(operation, str) and len(operation) > 128:
            raise AdminError(400, "InvalidParameterException", "operation must be at most 128 characters")
        try:
            fault = self.faults.add(data)
        except FaultError as exc:
            raise AdminError(400, "InvalidParameterException", str(exc)) from None
        return 200, fault.describe()

    async def clear_faults(self, data: dict):
        return 200, {"cleared": self.faults.clear()}

    async def state(self, data: dict):
        return 200, await self.store.run(lambda tx: state.view(tx, self.settings, data), write=False)

    async def recent_requests(self, data: dict):
        try:
            return 200, self.requests.recent(data.get("since", 0), data.get("limit"))
        except ValueError as exc:
            raise AdminError(400, "InvalidParameterException", str(exc)) from None

    async def index(self, data: dict):
        """GET / and GET /_localconnect/: where to look, for whoever points a browser or curl at the server."""
        return 200, {"service": "localconnect", "version": __version__, "dashboard": f"{PREFIX}/ui/",
                     "admin": sorted(f"{method} {PREFIX}{path}" for method, path in self.routes if path != "/"),
                     "aws": "Amazon Connect (restJson1) and End User Messaging SMS/voice v2 (awsJson1_0) on this "
                            "same endpoint: point an AWS SDK's endpoint_url here"}
