"""Wire request → the operation's input dict, for restJson1 (uri, query, header and body members) and
awsJson1_0 (the whole body). Values are converted to the shape's type where the wire carries text;
what cannot be converted is left as it came, for validation to name.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson
from botocore.model import Shape

from .catalog import Operation
from .errors import SerializationException


def _scalar(shape: Shape, text: str) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            return text
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.lower(), text)
    return text


def json_body(body: bytes) -> dict[str, Any]:
    if not body or not body.strip():
        return {}
    try:
        value = orjson.loads(body)  # also refuses lone surrogates, invalid UTF-8 and nesting deeper than 1024
    except orjson.JSONDecodeError as exc:
        raise SerializationException(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise SerializationException("The request body must be a JSON object")
    return value


def parse_rest(op: Operation, labels: dict[str, str], query: bytes, headers: dict[str, str],
               body: bytes) -> dict[str, Any]:
    shape = op.input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return params
    members = shape.members
    for name, wire in op.uri_members.items():
        if wire in labels:
            params[name] = _scalar(members[name], labels[wire])
    if op.query_members and query:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        by_wire: dict[str, list[str]] = {}
        for key, value in pairs:
            by_wire.setdefault(key, []).append(value)
        for name, wire in op.query_members.items():
            values = by_wire.get(wire)
            if values is None:
                continue
            member = members[name]
            if member.type_name == "list":
                params[name] = [_scalar(member.member, v) for v in values]
            else:
                params[name] = _scalar(member, values[-1])
    for name, wire in op.header_members.items():
        value = headers.get(wire.lower())
        if value is not None:
            params[name] = _scalar(members[name], value)
    if op.body_members:
        data = json_body(body)
        for name in op.body_members:
            if name in data and data[name] is not None:
                params[name] = data[name]
    return params


def parse_json_protocol(op: Operation, body: bytes) -> dict[str, Any]:
    data = json_body(body)
    if op.input_shape is None:
        return {}
    return {name: data[name] for name in op.input_shape.members if data.get(name) is not None}
