"""The botocore service models, loaded once, and what the gateway needs of each operation.

Everything protocol-shaped is read from here: routes, where each member travels (URI label, query string,
header, prefix headers, payload, status code, body key), constraints, error statuses, which member is the
idempotency token. Nothing about phone numbers lives in the gateway.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

CONNECT = "connect"
SMS_VOICE = "sms-voice"
STS = "sts"

# service key -> botocore service name
_MODEL_NAMES = {CONNECT: "connect", SMS_VOICE: "pinpoint-sms-voice-v2", STS: "sts"}


@dataclass
class ErrorInfo:
    status: int
    members: tuple[str, ...]
    shape: Shape | None = None
    bindings: Bindings | None = None


@dataclass
class Bindings:
    """Where the members of one structure (an input, output or error) travel in restJson1.

    The same table serves awsJson and awsQuery, where every member is a body member."""
    uri: dict[str, str] = field(default_factory=dict)           # member -> label name
    query: dict[str, str] = field(default_factory=dict)         # member -> query key
    query_map: str | None = None                                 # member taking the remaining query params
    header: dict[str, str] = field(default_factory=dict)        # member -> header name
    prefix_headers: dict[str, str] = field(default_factory=dict)  # member -> header name prefix
    status: str | None = None                                    # member bound to the HTTP status code
    payload: str | None = None                                   # member that is the whole body
    body: dict[str, str] = field(default_factory=dict)          # member -> JSON key (jsonName / locationName)


@dataclass
class Operation:
    service: str
    name: str
    model: OperationModel
    input_shape: Shape | None
    # The error a failed constraint becomes (the model's own validation error of the service).
    validation_error: str
    idempotency_member: str | None
    # restJson1 member locations of the input: member name -> wire name
    uri_members: dict[str, str] = field(default_factory=dict)
    query_members: dict[str, str] = field(default_factory=dict)
    header_members: dict[str, str] = field(default_factory=dict)
    body_members: dict[str, str] = field(default_factory=dict)
    method: str = "POST"
    request_uri: str = "/"
    # The output shape's members: handlers may return a shared description (e.g. PhoneNumberInformation) and
    # the serializer keeps what this operation's output models.
    output_members: frozenset[str] = frozenset()
    output_shape: Shape | None = None
    input_bindings: Bindings = field(default_factory=Bindings)
    output_bindings: Bindings = field(default_factory=Bindings)
    response_code: int = 200  # the http trait's code, unless a member is bound to the status


@dataclass
class Service:
    key: str
    model: ServiceModel
    protocol: str  # "rest-json" | "json" | "query"
    operations: dict[str, Operation]
    errors: dict[str, ErrorInfo]
    target_prefix: str | None
    content_type: str
    api_version: str = ""
    xml_namespace: str = ""


def _validation_error(service_key: str, op: OperationModel) -> str:
    if service_key == SMS_VOICE:
        return "ValidationException"
    names = {e.name for e in op.error_shapes}
    if op.service_model.protocol == "query":
        return "ValidationError"
    if "InvalidParameterException" in names:
        return "InvalidParameterException"
    if "InvalidRequestException" in names:
        return "InvalidRequestException"
    if "ValidationException" in names:
        return "ValidationException"
    return "InvalidParameterException"


def bindings(shape: Shape | None) -> Bindings:
    """Read each member's location trait. Members without one are body members, keyed by their
    locationName (Smithy's jsonName) when the model gives one."""
    result = Bindings()
    if shape is None or shape.type_name != "structure":
        return result
    result.payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if name == result.payload:
            continue
        if location == "uri":
            result.uri[name] = wire
        elif location == "querystring":
            if member.type_name == "map":
                result.query_map = name
            else:
                result.query[name] = wire
        elif location == "header":
            result.header[name] = wire
        elif location == "headers":
            result.prefix_headers[name] = member.serialization.get("name", "")
        elif location == "statusCode":
            result.status = name
        else:
            result.body[name] = wire
    return result


def build_operation(service_key: str, op: OperationModel) -> Operation:
    shape = op.input_shape
    idem = None
    result = Operation(service=service_key, name=op.name, model=op, input_shape=shape,
                       validation_error=_validation_error(service_key, op), idempotency_member=None,
                       method=op.http.get("method", "POST"), request_uri=op.http.get("requestUri", "/"),
                       output_shape=op.output_shape, response_code=int(op.http.get("responseCode", 200)))
    if shape is not None:
        for name, member in shape.members.items():
            if member.metadata.get("idempotencyToken"):
                idem = name
    result.idempotency_member = idem
    binds = result.input_bindings = bindings(shape)
    result.uri_members, result.query_members, result.header_members = binds.uri, binds.query, binds.header
    result.body_members = binds.body
    result.output_bindings = bindings(op.output_shape)
    if op.output_shape is not None:
        result.output_members = frozenset(op.output_shape.members)
    return result


def is_fault(shape: Shape) -> bool:
    """The model's ``fault`` trait (a server error). botocore's Shape.metadata leaves it out, so it is read
    from the shape's own definition."""
    return bool(getattr(shape, "_shape_model", {}).get("fault"))


def _error_infos(model: ServiceModel) -> dict[str, ErrorInfo]:
    infos = {}
    for shape in model.error_shapes:
        err = shape.metadata.get("error", {})
        status = err.get("httpStatusCode")
        if status is None:
            status = 500 if is_fault(shape) else 400
        info = ErrorInfo(status=status, members=tuple(shape.members), shape=shape, bindings=bindings(shape))
        infos[shape.name] = info
        # awsQuery services may give an error a wire code other than its shape name (error.code).
        code = err.get("code")
        if code and code != shape.name:
            infos.setdefault(code, info)
    return infos


_CONTENT_TYPES = {"rest-json": "application/json", "query": "text/xml"}


def build_service(key: str, model: ServiceModel) -> Service:
    """A Service for any botocore model: the two emulated ones, STS, and the protocol suites' models."""
    operations = {name: build_operation(key, model.operation_model(name)) for name in model.operation_names}
    protocol = model.protocol
    content_type = _CONTENT_TYPES.get(protocol) or f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}"
    return Service(
        key=key, model=model, protocol=protocol, operations=operations, errors=_error_infos(model),
        target_prefix=model.metadata.get("targetPrefix"), content_type=content_type,
        api_version=model.metadata.get("apiVersion", ""), xml_namespace=model.metadata.get("xmlNamespace", ""),
    )


_SERVICES: dict[str, Service] = {}


def service(key: str) -> Service:
    found = _SERVICES.get(key)
    if found is None:
        found = _SERVICES[key] = build_service(
            key, botocore.session.get_session().get_service_model(_MODEL_NAMES[key]))
    return found


def register(svc: Service) -> None:
    """Make a Service built from another model (the protocol suites') known under its key."""
    _SERVICES[svc.key] = svc

