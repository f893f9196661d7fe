"""Outputs and errors → HTTP responses, in each protocol's form (spec 1.3–1.5, 12.8).

Handlers return JSON-ready dicts (timestamps already epoch seconds); members that are None are dropped
here, as AWS omits null members.
"""
from __future__ import annotations

import json
from typing import Any

import orjson

from . import catalog
from .errors import ApiError

JSON = "application/json"


def compact(value: Any) -> Any:
    # On every response: recurse only into containers (most values are strings), so it stays cheap.
    if type(value) is dict:
        return {k: compact(v) if type(v) in _CONTAINERS else v for k, v in value.items() if v is not None}
    if type(value) is list:
        return [compact(v) if type(v) in _CONTAINERS else v for v in value]
    return value


_CONTAINERS = (dict, list)


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # a lone surrogate echoed in an error message: escape it rather than fail
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def success(op: catalog.Operation, request_id: str, output: dict | None) -> tuple[int, list, bytes]:
    svc = catalog.service(op.service)
    output = {k: v for k, v in (output or {}).items() if k in op.output_members}
    body = dumps(compact(output))
    return 200, _headers(svc.content_type, request_id, len(body)), body


def error(service_key: str | None, request_id: str, err: ApiError) -> tuple[int, list, bytes]:
    """Connect: status from the model, x-amzn-ErrorType, {"Message", modeled members}.
    End User Messaging: 400/500 with "__type" in the body."""
    if service_key is None:
        service_key = catalog.CONNECT
    svc = catalog.service(service_key)
    info = svc.errors.get(err.code)
    status = err.status or (info.status if info else 400)
    payload: dict[str, Any] = {"Message": err.message}
    for name, value in err.members.items():
        if info is None or name in info.members:
            payload[name] = value
    headers = None
    if svc.protocol == "json":
        payload = {"__type": err.code, **payload}
        content_type = svc.content_type
    else:
        content_type = JSON
    body = dumps(compact(payload))
    headers = _headers(content_type, request_id, len(body))
    headers.append((b"x-amzn-errortype", err.code.encode()))
    return status, headers, body


def _headers(content_type: str, request_id: str, length: int) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", content_type.encode()),
        (b"content-length", str(length).encode()),
        (b"x-amzn-requestid", request_id.encode()),
    ]
