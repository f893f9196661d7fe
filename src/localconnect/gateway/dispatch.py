"""The path of one AWS request: route, identify, parse, validate, run the handler in one transaction
(with idempotency around it), serialize. Any failure becomes an AWS-shaped JSON error."""
from __future__ import annotations

import itertools
import logging
import uuid
from typing import Any

from .. import clock
from ..asgi import BodyTooLarge, header_map, read_body, respond
from ..rules import idempotency
from ..rules.faults import FaultInjector
from ..rules.throttling import Throttler
from ..services import authorization, registry
from ..settings import Settings
from ..store.engine import Store, Tx
from . import catalog, errors, parsing, routing, serializing, signing, validation
from .catalog import Operation
from .identity import Identity, identify, load_credentials

log = logging.getLogger("localconnect.gateway")


_ID_PREFIX = str(uuid.uuid4())[:24]  # random per process: ids stay unique across the processes of one store
_ID_COUNTER = itertools.count()


def _request_id() -> str:
    """A UUID-shaped request id (x-amzn-RequestId), without the cost of uuid4 on every request."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER) % 16**12:012x}"


class Gateway:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.credentials = load_credentials(settings.credentials_file)
        self.throttler = Throttler(settings.throttle, {
            action: (float(limit.get("rate", 0)), float(limit.get("burst", 1)))
            for action, limit in settings.throttle_limits.items()})
        self.faults = FaultInjector()
        # Load both models now, not on the first request.
        catalog.service(catalog.CONNECT)
        catalog.service(catalog.SMS_VOICE)

    async def __call__(self, scope, receive, send) -> None:
        request_id = _request_id()
        service_key: str | None = None
        try:
            headers = header_map(scope)
            # Known before the body is read, so even a 413 is answered in the right protocol's form.
            service_key = catalog.SMS_VOICE if "x-amz-target" in headers else catalog.CONNECT
            try:
                body = await read_body(receive, self.settings.max_body_bytes)
            except BodyTooLarge:
                raise errors.RequestEntityTooLargeException(
                    f"Request body exceeds the maximum of {self.settings.max_body_bytes} bytes") from None
            query = scope.get("query_string", b"")
            target = headers.get("x-amz-target")
            if target is not None:
                op = self._target(target)
                params_of = lambda: parsing.parse_json_protocol(op, body)  # noqa: E731
            else:
                raw_path = scope.get("raw_path") or scope["path"].encode()
                raw_path = raw_path.split(b"?", 1)[0].decode("latin-1")
                match = routing.match_rest(catalog.CONNECT, scope["method"], raw_path)
                if match.operation is None:
                    raise errors.UnknownOperationException(
                        f"No operation matches {scope['method']} {raw_path}")
                op = match.operation
                params_of = lambda: parsing.parse_rest(op, match.labels, query, headers, body)  # noqa: E731
            handler = registry.lookup(op.service, op.name)
            if handler is None:
                raise errors.NotImplementedOperation(
                    f"{op.service}:{op.name} is in the AWS model but not emulated by localconnect")
            if self.settings.auth == "sigv4":
                await self._verify_signature(scope, query, body)
            identity = identify(headers, query, self.settings, self.credentials)
            params = params_of()
            failures = validation.validate(op.input_shape, params)
            if failures:
                raise _validation_error(op, failures)
            fault = self.faults.draw(f"{op.service}:{op.name}", identity.account)
            if fault is not None:
                raise _injected(op, fault)
            output = await self.store.run(
                lambda tx: self._execute(tx, op, handler, identity, params, request_id), handler.write)
            status, out_headers, out_body = serializing.success(op, request_id, output)
        except errors.ApiError as err:
            status, out_headers, out_body = serializing.error(service_key, request_id, err)
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            internal = (errors.InternalServerException if service_key == catalog.SMS_VOICE
                        else errors.InternalServiceException)
            err = internal("An internal error occurred. Request id: " + request_id)
            status, out_headers, out_body = serializing.error(service_key, request_id, err)
        await respond(send, status, out_headers, out_body)

    async def _verify_signature(self, scope, query: bytes, body: bytes) -> None:
        """auth = sigv4: recompute the signature with the key's secret, against the service clock."""
        offset = await self.store.run(clock.offset, write=False)
        raw_path = (scope.get("raw_path") or scope["path"].encode()).split(b"?", 1)[0].decode("latin-1")

        def secret_for(access_key: str) -> str | None:
            known = self.credentials.get(access_key)
            return known.secret if known else None
        signing.verify(scope["method"], raw_path, query, scope["headers"], body, secret_for, clock.now(offset))

    @staticmethod
    def _target(target: str) -> Operation:
        svc, op = routing.match_target(target)
        if op is None:
            err = errors.UnknownOperationException(f"Unknown operation: {target}")
            err.status = 400  # awsJson1_0 answers an unknown target with 400
            raise err
        return op

    def _execute(self, tx: Tx, op: Operation, handler: registry.Registered, identity: Identity,
                 params: dict[str, Any], request_id: str) -> dict | None:
        # Lock first, then read the clock: a call that waited for the lock must not see the events of the
        # calls before it as "in the future" (they were written with a later now than its own).
        partition = tx.lock_partition(identity.account, identity.region) if handler.write else None
        call = registry.open_call(tx, self.settings, op.service, op.name, identity.account, identity.region,
                                  identity.principal_arn, request_id, partition)
        if not self.throttler.allow(call.account, call.region, f"{op.service}:{op.name}", call.now):
            raise errors.ThrottlingException("Rate exceeded")
        if self.settings.auth == "sigv4":
            authorization.authorize(call, identity.policies, params)
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
    cls = errors.InvalidRequestException if op.validation_error == "InvalidRequestException" \
        else errors.InvalidParameterException
    return cls(message)
