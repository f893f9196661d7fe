"""The admin API under /_localconnect/: health, reset, clock, seeding, quotas, support case, state (spec 12.9).

Answers are JSON; errors are ``{"error": {"code", "message"}}`` with a 4xx status, never a stack trace.
"""
from __future__ import annotations

import hmac
import json
import logging
import random
from typing import Any, Awaitable, Callable

from .. import __version__, clock
from ..asgi import BodyTooLarge, read_body, respond
from ..gateway import validation
from ..rules import quotas, release_rule
from ..rules.faults import FaultError, FaultInjector
from ..rules.throttling import Throttler
from ..services import registry
from ..services.sms_voice import phone_numbers as sms_numbers
from ..settings import Settings
from ..store.engine import Store, Tx

log = logging.getLogger("localconnect.admin")
PREFIX = "/_localconnect"


class AdminError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


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
        offset = tx.one("SELECT offset_seconds FROM service_clock WHERE id = 1")["offset_seconds"]
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
        return 200, await self._in_partition(data, "SeedPhoneNumber", lambda call: _seed(call, data))

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
        return 200, await self.store.run(lambda tx: _state(tx, self.settings), write=False)


_SEED_SHAPE = "PhoneNumberInformation"


def _seed(call: registry.Call, data: dict) -> dict:
    """Create an End User Messaging number of any type and status, checked against PhoneNumberInformation."""
    from ..gateway import catalog

    known = {"account", "region", "PhoneNumber", "NumberType", "Status", "IsoCountryCode", "MessageType",
             "NumberCapabilities", "TwoWayEnabled", "TwoWayChannelArn", "TwoWayChannelRole",
             "SelfManagedOptOutsEnabled", "OptOutListName", "InternationalSendingEnabled",
             "DeletionProtectionEnabled", "RegistrationId", "MonthlyLeasingPrice", "Tags"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise AdminError(400, "InvalidParameterException", f"unknown seed fields: {', '.join(unknown)}")
    number_type = data.get("NumberType", "LONG_CODE")
    country = data.get("IsoCountryCode", "US")
    tags = data.get("Tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise AdminError(400, "InvalidParameterException", "Tags must be an object of string keys and values")
    info = {
        "PhoneNumberArn": call.arn("sms-voice", "phone-number/phone-" + "0" * 32),
        "PhoneNumber": data.get("PhoneNumber") or _seed_number(call, country, number_type),
        "Status": data.get("Status", "ACTIVE"),
        "IsoCountryCode": country,
        "MessageType": data.get("MessageType", "TRANSACTIONAL"),
        "NumberCapabilities": data.get("NumberCapabilities", ["SMS", "VOICE"]),
        "NumberType": number_type,
        "MonthlyLeasingPrice": data.get("MonthlyLeasingPrice", sms_numbers.PRICES.get(number_type, "1.00")),
        "TwoWayEnabled": data.get("TwoWayEnabled", False),
        "SelfManagedOptOutsEnabled": data.get("SelfManagedOptOutsEnabled", False),
        "OptOutListName": data.get("OptOutListName", sms_numbers.DEFAULT_OPT_OUT_LIST),
        "DeletionProtectionEnabled": data.get("DeletionProtectionEnabled", False),
        "CreatedTimestamp": call.now,
    }
    for key in ("TwoWayChannelArn", "TwoWayChannelRole", "InternationalSendingEnabled", "RegistrationId"):
        if data.get(key) is not None:
            info[key] = data[key]
    shape = catalog.service(catalog.SMS_VOICE).model.shape_for(_SEED_SHAPE)
    failures = validation.validate(shape, info)
    if failures:
        raise AdminError(400, "ValidationException", validation.coral_message(failures))
    if call.tx.one("SELECT 1 FROM sms_phone_numbers WHERE account = ? AND region = ? AND phone_number = ? "
                   "AND status <> 'DELETED'", call.account, call.region, info["PhoneNumber"]):
        raise AdminError(400, "ConflictException",
                         f"PhoneNumber {info['PhoneNumber']} already exists in {call.account} {call.region}")
    row = sms_numbers.insert(
        call, phone_number=info["PhoneNumber"], number_type=number_type, status_=info["Status"], active_at=None,
        iso_country_code=country, message_type=info["MessageType"], capabilities=info["NumberCapabilities"],
        opt_out_list_name=info["OptOutListName"], two_way_enabled=info["TwoWayEnabled"],
        two_way_channel_arn=info.get("TwoWayChannelArn"), two_way_channel_role=info.get("TwoWayChannelRole"),
        self_managed_opt_outs_enabled=info["SelfManagedOptOutsEnabled"],
        international_sending_enabled=bool(info.get("InternationalSendingEnabled")),
        deletion_protection_enabled=info["DeletionProtectionEnabled"], registration_id=info.get("RegistrationId"),
        monthly_leasing_price=info["MonthlyLeasingPrice"], tags=tags)
    return sms_numbers.information(call, row, with_tags=True)


def _seed_number(call: registry.Call, country: str, number_type: str) -> str:
    if number_type == "SHORT_CODE":
        for _ in range(50):
            candidate = str(random.Random().randrange(200000, 999999))
            if call.tx.one("SELECT 1 FROM sms_phone_numbers WHERE account = ? AND region = ? AND phone_number = ?",
                           call.account, call.region, candidate) is None:
                return candidate
    if country in sms_numbers.COUNTRIES and number_type in sms_numbers.COUNTRIES[country][1]:
        return sms_numbers.new_phone_number(call, country, number_type)
    if country in sms_numbers.COUNTRIES:
        return sms_numbers.new_phone_number(call, country, "LONG_CODE")
    raise AdminError(400, "InvalidParameterException",
                     f"give PhoneNumber: localconnect has no number range for {country}")


def _state(tx: Tx, settings: Settings) -> dict:
    """A read-only JSON view of everything, per account and Region, with the release window's state."""
    partitions: dict[tuple[str, str], dict] = {}

    def part(account: str, region: str) -> dict:
        return partitions.setdefault((account, region), {
            "account": account, "region": region, "instances": [], "phone_numbers": [],
            "sms_voice_phone_numbers": []})

    offset = tx.one("SELECT offset_seconds FROM service_clock WHERE id = 1")["offset_seconds"]
    now = clock.now(offset)
    for row in tx.all("SELECT account, region FROM partitions ORDER BY account, region"):
        part(row["account"], row["region"])
    for row in tx.all("SELECT account, region, id, arn, instance_alias, active_at, live_numbers FROM instances "
                      "ORDER BY created_time"):
        part(row["account"], row["region"])["instances"].append(
            {"Id": row["id"], "Arn": row["arn"], "InstanceAlias": row["instance_alias"],
             "InstanceStatus": "ACTIVE" if now >= row["active_at"] else "CREATION_IN_PROGRESS",
             "PhoneNumbersHeld": row["live_numbers"]})
    for row in tx.all("SELECT account, region, id, phone_number, instance_id, outcome, settles_at, "
                      "source_phone_number_arn FROM phone_numbers ORDER BY created_at"):
        part(row["account"], row["region"])["phone_numbers"].append(
            {"PhoneNumberId": row["id"], "PhoneNumber": row["phone_number"], "InstanceId": row["instance_id"],
             "Status": "IN_PROGRESS" if now < row["settles_at"] else row["outcome"],
             "SourcePhoneNumberArn": row["source_phone_number_arn"]})
    for row in tx.all("SELECT account, region, id, phone_number, status, active_at, number_type "
                      "FROM sms_phone_numbers ORDER BY created_timestamp"):
        shown = "ACTIVE" if row["status"] == "PENDING" and row["active_at"] is not None and now >= row["active_at"] \
            else row["status"]
        part(row["account"], row["region"])["sms_voice_phone_numbers"].append(
            {"PhoneNumberId": row["id"], "PhoneNumber": row["phone_number"], "Status": shown,
             "NumberType": row["number_type"]})
    for (account, region), p in partitions.items():
        q = tx.one("SELECT phone_numbers_per_instance AS q FROM partitions WHERE account = ? AND region = ?",
                   account, region)
        quota = settings.phone_numbers_per_instance if q is None or q["q"] is None else int(q["q"])
        events = [r["released_at"] for r in tx.all(
            "SELECT released_at FROM release_events WHERE account = ? AND region = ?", account, region)]
        window = release_rule.evaluate(events, now, quota, settings.release_allowance_percent,
                                       settings.release_window_days)
        p["release_window"] = {"events_in_window": window.events_in_window, "allowance": window.allowance,
                               "blocked": window.blocked, "lifts_at": window.lifts_at,
                               "window_days": settings.release_window_days}
        p["phone_numbers_per_instance"] = quota
    return {"now": now, "offset_seconds": offset, "partitions": list(partitions.values())}
