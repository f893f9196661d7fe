"""Outputs and errors → HTTP responses, in the form of the operation's protocol (restJson1, awsJson1_x,
awsQuery); the work is in ``protocols/``, one module per protocol.

Handlers return dicts of the output's members (timestamps as epoch seconds or datetimes); members the
output does not model, and members that are None, are left out, as AWS omits null members.
"""
from __future__ import annotations

from ..core.errors import ApiError
from . import catalog
from .protocols import json_doc, json_rpc, query, rest_json

JSON = rest_json.JSON
dumps = json_doc.dumps


def success(op: catalog.Operation, request_id: str, output: dict | None) -> tuple[int, list, bytes]:
    svc = catalog.service(op.service)
    if svc.protocol == "rest-json":
        status, headers, body = rest_json.success(op, output or {})
    elif svc.protocol == "json":
        status, headers, body = json_rpc.success(op, output or {}, svc.content_type)
    else:
        status, headers, body = query.success(svc, op, request_id, output or {})
    return status, _finish(headers, request_id, body), body


def error(service_key: str | None, request_id: str, err: ApiError) -> tuple[int, list, bytes]:
    """restJson1: status from the model, x-amzn-ErrorType, {"Message", modeled members}; awsJson: 400/500
    with "__type" in the body; awsQuery: <ErrorResponse>. A model's ``fault`` error is a 500."""
    svc = catalog.service(service_key or catalog.CONNECT)
    info = svc.errors.get(err.code)
    status = err.status or (info.status if info else 400)
    if svc.protocol == "rest-json":
        status, headers, body = rest_json.error(info, err, status)
    elif svc.protocol == "json":
        status, headers, body = json_rpc.error(info, err, status, svc.content_type)
    else:
        status, headers, body = query.error(svc, info, err, status, request_id)
    return status, _finish(headers, request_id, body), body


def _finish(headers: list[tuple[bytes, bytes]], request_id: str, body: bytes) -> list[tuple[bytes, bytes]]:
    headers.append((b"content-length", str(len(body)).encode()))
    headers.append((b"x-amzn-requestid", request_id.encode()))
    return headers
