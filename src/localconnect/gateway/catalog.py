"""The botocore service models, loaded once, and what the gateway needs of each operation.

Everything protocol-shaped is read from here: routes, member locations, constraints, error statuses,
which member is the idempotency token. Nothing about phone numbers lives in the gateway.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

CONNECT = "connect"
SMS_VOICE = "sms-voice"

# service key -> botocore service name
_MODEL_NAMES = {CONNECT: "connect", SMS_VOICE: "pinpoint-sms-voice-v2"}


@dataclass
class ErrorInfo:
    status: int
    members: tuple[str, ...]


@dataclass
class Operation:
    service: str
    name: str
    model: OperationModel
    input_shape: Shape | None
    # The error a failed constraint becomes: spec 5 / 12.8.
    validation_error: str
    idempotency_member: str | None
    # restJson1 member locations: member name -> wire name
    uri_members: dict[str, str] = field(default_factory=dict)
    query_members: dict[str, str] = field(default_factory=dict)
    header_members: dict[str, str] = field(default_factory=dict)
    body_members: dict[str, str] = field(default_factory=dict)
    method: str = "POST"
    request_uri: str = "/"
    # The output shape's members: handlers may return a shared description (e.g. PhoneNumberInformation) and
    # the serializer keeps what this operation's output models.
    output_members: frozenset[str] = frozenset()


@dataclass
class Service:
    key: str
    model: ServiceModel
    protocol: str  # "rest-json" | "json"
    operations: dict[str, Operation]
    errors: dict[str, ErrorInfo]
    target_prefix: str | None
    content_type: str


def _validation_error(service_key: str, op: OperationModel) -> str:
    if service_key == SMS_VOICE:
        return "ValidationException"
    names = {e.name for e in op.error_shapes}
    if "InvalidParameterException" in names:
        return "InvalidParameterException"
    if "InvalidRequestException" in names:
        return "InvalidRequestException"
    return "InvalidParameterException"


def _build_operation(service_key: str, op: OperationModel) -> Operation:
    shape = op.input_shape
    idem = None
    result = Operation(service=service_key, name=op.name, model=op, input_shape=shape,
                       validation_error=_validation_error(service_key, op), idempotency_member=None,
                       method=op.http.get("method", "POST"), request_uri=op.http.get("requestUri", "/"))
    if shape is not None:
        for name, member in shape.members.items():
            if member.metadata.get("idempotencyToken"):
                idem = name
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri":
                result.uri_members[name] = wire
            elif location == "querystring":
                result.query_members[name] = wire
            elif location == "header":
                result.header_members[name] = wire
            else:
                result.body_members[name] = name
    result.idempotency_member = idem
    if op.output_shape is not None:
        result.output_members = frozenset(op.output_shape.members)
    return result


def _error_infos(model: ServiceModel) -> dict[str, ErrorInfo]:
    infos = {}
    for shape in model.error_shapes:
        err = shape.metadata.get("error", {})
        status = err.get("httpStatusCode")
        if status is None:
            status = 500 if shape.metadata.get("fault") or shape.name.startswith("Internal") else 400
        infos[shape.name] = ErrorInfo(status=status, members=tuple(shape.members))
    return infos


@functools.lru_cache(maxsize=None)
def service(key: str) -> Service:
    model = botocore.session.get_session().get_service_model(_MODEL_NAMES[key])
    operations = {name: _build_operation(key, model.operation_model(name)) for name in model.operation_names}
    protocol = model.protocol
    return Service(
        key=key, model=model, protocol=protocol, operations=operations, errors=_error_infos(model),
        target_prefix=model.metadata.get("targetPrefix"),
        content_type="application/json" if protocol == "rest-json" else "application/x-amz-json-1.0",
    )


def error_status(service_key: str, code: str, default: int = 400) -> int:
    info = service(service_key).errors.get(code)
    return info.status if info else default


def shape_members(shape: Shape) -> dict[str, Any]:
    return dict(shape.members) if shape is not None else {}
