"""The path of one AWS request, as named steps over one ``Request``: read, route, authenticate, throttle,
parse and validate, inject faults, execute (one transaction: lock, clock, IAM, idempotency, handler),
serialize. Any failure becomes an AWS-shaped error in the protocol of the service addressed."""
from __future__ import annotations

import itertools
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from .. import clock
from ..asgi import BodyTooLarge, header_map, raw_path, read_body, respond
from ..core import errors
from ..core.call import Call
from ..rules import idempotency, retention
from ..rules.faults import FaultInjector
from ..rules.throttling import Throttler
from ..services import registry
from ..settings import Settings
from ..store.engine import Store, Tx
from . import catalog, parsing, routing, serializing, signing, validation
from .catalog import Operation
from .identity import Identity, Scope, check_region, identify, load_credentials, scope_of, service_regions

log = logging.getLogger("localconnect.gateway")


_ID_PREFIX = str(uuid.uuid4())[:24]  # random per process: ids stay unique across the processes of one store
_ID_COUNTER = itertools.count()


def new_request_id() -> str:
    """A UUID-shaped request id (x-amzn-RequestId), without the cost of uuid4 on every request; the HTTP edge's
    own refusals (server.py) take theirs from here too."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER) % 16**12:012x}"


@dataclass
class Request:
    """What the steps know of one request; each field is computed once."""
    method: str
    raw_path: str        # still percent-encoded, without the query: SDKs encode ARNs inside labels
    query: bytes
    headers: dict[str, str]
    raw_headers: list[tuple[bytes, bytes]]
    request_id: str = field(default_factory=new_request_id)
    service_key: str = catalog.CONNECT  # whose error form to answer in, known before the body is read
    body: bytes = b""
    op: Operation | None = None
    labels: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] | None = None  # awsQuery names its operation in the body, so routing parses it
    identity: Identity | None = None

    @classmethod
    def of(cls, scope) -> "Request":
        raw = raw_path(scope)
        headers = header_map(scope)
        return cls(method=scope["method"], raw_path=raw, query=scope.get("query_string", b""), headers=headers,
                   raw_headers=scope["headers"], service_key=_service_addressed(scope["method"], raw, headers))


class Gateway:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.clock = clock.Clock()
        self.credentials = load_credentials(settings.credentials_file)
        self.throttler = Throttler(settings.throttle, {
            action: (float(limit.get("rate", 0)), float(limit.get("burst", 1)))
            for action, limit in settings.throttle_limits.items()})
        self.faults = FaultInjector()
        # Load the models and the Regions now, not on the first request, and refuse to serve an operation
        # without an IAM declaration.
        registry.verify(lambda key: set(catalog.service(key).operations))
        for key in (catalog.CONNECT, catalog.SMS_VOICE, catalog.STS):
            service_regions(catalog.service(key).model.service_name)

    async def __call__(self, scope, receive, send) -> None:
        req = Request.of(scope)
        started = time.perf_counter()
        try:
            await self.read(req, receive)
            handler = self.route(req)
            self.authenticate(req)
            self.throttle(req)
            params = self.parse(req)
            self.inject_fault(req)
            output = await self.store.run(lambda tx: self.execute(tx, req, handler, params), handler.write)
            status, out_headers, out_body = serializing.success(req.op, req.request_id, output)
        except errors.ApiError as err:
            status, out_headers, out_body = serializing.error(req.service_key, req.request_id, err)
        except Exception:
            log.exception("unhandled error in request %s", req.request_id)
            internal = (errors.InternalServerException if req.service_key == catalog.SMS_VOICE
                        else errors.InternalServiceException)
            err = internal("An internal error occurred. Request id: " + req.request_id)
            status, out_headers, out_body = serializing.error(req.service_key, req.request_id, err)
        # For the request log (app.py): what this request was, as far as the steps got.
        scope["localconnect"] = {
            "service": req.op.service if req.op else req.service_key,
            "operation": req.op.name if req.op else None,
            "account": req.identity.account if req.identity else None,
            "region": req.identity.region if req.identity else None,
            "request_id": req.request_id, "seconds": time.perf_counter() - started}
        await respond(send, status, out_headers, out_body)

    # --- the steps ----------------------------------------------------------------------------------------
    async def read(self, req: Request, receive) -> None:
        try:
            req.body = await read_body(receive, self.settings.max_body_bytes)
        except BodyTooLarge:
            raise errors.RequestEntityTooLargeException(
                f"Request body exceeds the maximum of {self.settings.max_body_bytes} bytes") from None

    def route(self, req: Request) -> registry.Registered:
        target = req.headers.get("x-amz-target")
        if target is not None:
            req.op = routing.match_json_target(req.method, req.raw_path, target)
        elif req.service_key == catalog.STS:
            req.op, req.params = parsing.parse_query_protocol(req.body)
        else:
            match = routing.match_rest(catalog.CONNECT, req.method, req.raw_path)
            if match.operation is None:
                raise errors.UnknownOperationException(f"No operation matches {req.method} {req.raw_path}")
            req.op, req.labels = match.operation, match.labels
        handler = registry.lookup(req.op.service, req.op.name)
        if handler is None:
            raise errors.NotImplementedOperation(
                f"{req.op.service}:{req.op.name} is in the AWS model but not emulated by localconnect")
        return handler

    def authenticate(self, req: Request) -> None:
        """Who is calling, in which Region: the credential scope, verified under ``auth = sigv4``."""
        svc = catalog.service(req.op.service)
        if self.settings.auth == "sigv4":
            try:
                verified = signing.verify(req.method, req.raw_path, req.query, req.raw_headers, req.body,
                                          self._secret_for, self.clock.now())
            except errors.ApiError as err:
                if req.op.service != catalog.STS or err.code not in errors.STS_AUTHENTICATION:
                    raise
                raise errors.STS_AUTHENTICATION[err.code](err.message) from None
            scope = Scope(verified.access_key, verified.region, verified.service)
            if scope.service != svc.model.signing_name:
                raise errors.InvalidSignatureException(
                    f"Credential should be scoped to correct service: '{svc.model.signing_name}'.")
        else:
            scope = scope_of(req.headers, req.query)
        if scope is not None:
            check_region(svc.model.service_name, scope.region, self.settings)
        req.identity = identify(scope.access_key if scope else None, scope.region if scope else None,
                                self.settings, self.credentials)

    def throttle(self, req: Request) -> None:
        """Before any lock: a throttled write must not wait for, or hold, the account+Region's lock."""
        who = req.identity
        if not self.throttler.allow(who.account, who.region, f"{req.op.service}:{req.op.name}", self.clock.now()):
            raise errors.ThrottlingException("Rate exceeded")

    def parse(self, req: Request) -> dict[str, Any]:
        op = req.op
        if req.params is not None:
            params = req.params
        elif req.headers.get("x-amz-target") is not None:
            params = parsing.parse_json_protocol(op, req.body)
        else:
            params = parsing.parse_rest(op, req.labels, req.query, req.headers, req.body)
        failures = validation.validate(op.input_shape, params)
        if failures:
            raise _validation_error(op, failures)
        return params

    def inject_fault(self, req: Request) -> None:
        """Drawn before the transaction, so an injected error never leaves anything written."""
        fault = self.faults.draw(f"{req.op.service}:{req.op.name}", req.identity.account)
        if fault is not None:
            raise _injected(req.op, fault)

    def execute(self, tx: Tx, req: Request, handler: registry.Registered, params: dict[str, Any]) -> dict | None:
        op, who = req.op, req.identity
        # Lock first, then read the clock: a call that waited for the lock must not see the events of the
        # calls before it as "in the future" (they were written with a later now than its own).
        partition = tx.lock_partition(who.account, who.region) if handler.write else None
        now = self.clock.seen(clock.offset(tx))
        call = Call(service=op.service, operation=op.name, account=who.account, region=who.region,
                    principal_arn=who.principal_arn, now=now, tx=tx, settings=self.settings,
                    request_id=req.request_id, partition=partition)
        if self.settings.auth == "sigv4":
            handler.authorize(call, who.policies, params)
        if handler.write:  # this partition's expired rows, a small batch now and then (rules/retention.py)
            retention.sweep(call)
        token = params.get(op.idempotency_member) if op.idempotency_member else None
        if token is None:
            return handler.fn(call, params)
        print_ = idempotency.fingerprint(params, op.idempotency_member)
        stored = idempotency.replay(call, token, print_)
        if stored is not None:
            return stored
        output = handler.fn(call, params)
        idempotency.remember(call, token, print_, output)
        return output

    def _secret_for(self, access_key: str) -> str | None:
        known = self.credentials.get(access_key)
        return known.secret if known else None


def _service_addressed(method: str, raw_path: str, headers: dict[str, str]) -> str:
    """Which service's protocol a request speaks, from what every SDK sends: awsJson1_0 names its target in a
    header; awsQuery (STS) is a form POST to /, a path no Connect operation has; the rest is restJson1."""
    if "x-amz-target" in headers:
        return catalog.SMS_VOICE
    if (method == "POST" and raw_path == "/"
            and headers.get("content-type", "").startswith("application/x-www-form-urlencoded")):
        return catalog.STS
    return catalog.CONNECT


def _injected(op: Operation, code: str) -> errors.ApiError:
    """An error the admin API asked for, in the operation's service's own terms."""
    if code == "InternalServiceException" and op.service == catalog.SMS_VOICE:
        code = "InternalServerException"
    cls = getattr(errors, code)
    message = {"ThrottlingException": "Rate exceeded",
               "AccessDeniedException": f"Access denied (injected fault on {op.service}:{op.name})"}.get(
        code, f"An internal error occurred (injected fault on {op.service}:{op.name})")
    return cls(message)


def _validation_error(op: Operation, failures: list[validation.Failure]) -> errors.ApiError:
    message = validation.coral_message(failures)
    if op.service == catalog.SMS_VOICE:
        return errors.ValidationException(
            message, Reason="FIELD_VALIDATION_FAILED",
            Fields=[{"Name": f.member, "Message": f.message()} for f in failures])
    cls = {"InvalidRequestException": errors.InvalidRequestException,
           "ValidationError": errors.ValidationError}.get(op.validation_error, errors.InvalidParameterException)
    return cls(message)
