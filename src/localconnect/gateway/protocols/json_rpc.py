"""awsJson1_0 / awsJson1_1: the operation is named by X-Amz-Target and every member is a key of the JSON
body; errors carry their code in ``__type``. Timestamps default to epoch seconds."""
from __future__ import annotations

from typing import Any

from ...core.errors import ApiError
from ..catalog import ErrorInfo, Operation
from . import json_doc


def parse(op: Operation, body: bytes) -> dict[str, Any]:
    data = json_doc.load_object(body)
    if op.input_shape is None or not data:
        return {}
    return json_doc.read_struct(json_doc.tables(op.input_shape)[0], data)


def success(op: Operation, output: dict, content_type: str) -> tuple[int, list, bytes]:
    data = json_doc.write_struct(json_doc.tables(op.output_shape)[1], output) if op.output_shape is not None else {}
    return 200, [(b"content-type", content_type.encode())], json_doc.dumps(data)


def error(info: ErrorInfo | None, err: ApiError, status: int, content_type: str) -> tuple[int, list, bytes]:
    members = err.members
    if info is not None and info.shape is not None:
        members = json_doc.write_struct(json_doc.tables(info.shape)[1], members)
    body = {"__type": err.code, "Message": err.message, **members}
    headers = [(b"content-type", content_type.encode()), (b"x-amzn-errortype", err.code.encode())]
    return status, headers, json_doc.dumps(body)
