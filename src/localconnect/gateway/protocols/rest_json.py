"""restJson1: each member where the model binds it — URI label, query string (lists, and a map taking the
remaining parameters), header (lists split as RFC 9110 lists), prefix headers, the status code, the whole
payload, or a key of the JSON body (its jsonName when it has one).

Defaults per location, from the protocol: timestamps are epoch seconds in the body, http-date in headers
and ISO 8601 in labels and the query; a header of a string with a media type carries it base64-encoded.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import Shape

from ...core.errors import ApiError, SerializationException
from ..catalog import Bindings, ErrorInfo, Operation
from . import json_doc, values

JSON = "application/json"
_BODY_TABLES = "_localconnect_rest_body"


def _body_tables(shape: Shape, binds: Bindings) -> tuple[dict, dict]:
    tables = shape.__dict__.get(_BODY_TABLES)
    if tables is None:
        tables = shape.__dict__[_BODY_TABLES] = json_doc.subset_tables(shape, binds.body)
    return tables


# --- text forms (labels, query values, headers) ---------------------------------------------------------

def from_text(shape: Shape, text: str, ts_default: str) -> Any:
    """One scalar from its text form; what does not convert is left as text, for validation to name."""
    kind = shape.type_name
    try:
        if kind in ("integer", "long", "byte", "short"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)  # also "NaN", "Infinity", "-Infinity"
    except ValueError:
        return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.lower(), text)
    if kind == "timestamp":
        return values.parse_timestamp(text, values.timestamp_format(shape, ts_default))
    if kind == "blob":
        return values.decode_blob(text)
    if kind == "string" and shape.serialization.get("jsonvalue"):
        try:
            return base64.b64decode(text, validate=True).decode()
        except (binascii.Error, ValueError):
            return text
    return text


def to_text(shape: Shape, value: Any, ts_default: str) -> str:
    """A header or label value: a JSON-valued string header travels base64-encoded (the mediaType trait)."""
    if shape.type_name == "string" and shape.serialization.get("jsonvalue"):
        return base64.b64encode(str(value).encode()).decode("ascii")
    return values.scalar_text(shape, value, ts_default)


def split_header_list(text: str, http_dates: bool = False) -> list[str]:
    """An RFC 9110 list: comma-separated, items optionally double-quoted with backslash escapes. An
    http-date holds a comma of its own, so a list of them splits at every second comma."""
    if not text.strip():
        return []
    if http_dates:
        parts = text.split(",")
        return [(parts[i] + "," + parts[i + 1]).strip() if i + 1 < len(parts) else parts[i].strip()
                for i in range(0, len(parts), 2)]
    items, i, n = [], 0, len(text)
    while i <= n:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            i += 1
            chars = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(text[i])
                i += 1
            items.append("".join(chars))
            comma = text.find(",", i)
            i = n + 1 if comma < 0 else comma + 1
        else:
            comma = text.find(",", i)
            end = n if comma < 0 else comma
            items.append(text[i:end].strip())
            i = end + 1
    return items


def _join_header_list(shape: Shape, items: list) -> str:
    member = shape.member
    texts = []
    for item in items:
        text = to_text(member, item, values.HTTP_DATE)
        if member.type_name == "string" and ("," in text or '"' in text):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        texts.append(text)
    return ", ".join(texts)


def _header_value(shape: Shape, text: str) -> Any:
    if shape.type_name == "list":
        member = shape.member
        dates = member.type_name == "timestamp" and \
            values.timestamp_format(member, values.HTTP_DATE) == values.HTTP_DATE
        return [from_text(member, item, values.HTTP_DATE) for item in split_header_list(text, dates)]
    return from_text(shape, text, values.HTTP_DATE)


# --- requests ---------------------------------------------------------------------------------------------

def parse(op: Operation, labels: dict[str, str], query: bytes, headers: dict[str, str],
          body: bytes) -> dict[str, Any]:
    shape = op.input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return params
    binds = op.input_bindings
    members = shape.members
    for name, wire in binds.uri.items():
        if wire in labels:
            params[name] = from_text(members[name], labels[wire], values.ISO)
    if (binds.query or binds.query_map) and query:
        _parse_query(members, binds, query, params)
    for name, wire in binds.header.items():
        value = headers.get(wire.lower())
        if value is not None:
            params[name] = _header_value(members[name], value)
    for name, prefix in binds.prefix_headers.items():
        prefix = prefix.lower()
        found = {key[len(prefix):]: value for key, value in headers.items() if key.startswith(prefix)}
        if found:
            value_shape = members[name].value
            params[name] = {k: from_text(value_shape, v, values.HTTP_DATE) for k, v in found.items()}
    if binds.payload is not None:
        value = _parse_payload(members[binds.payload], body)
        if value is not None:
            params[binds.payload] = value
    elif binds.body:
        data = json_doc.load_object(body)
        if data:
            params.update(json_doc.read_struct(_body_tables(shape, binds)[0], data))
    return params


def _parse_query(members: dict, binds: Bindings, query: bytes, params: dict) -> None:
    by_key: dict[str, list[str]] = {}
    for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        by_key.setdefault(key, []).append(value)
    for name, wire in binds.query.items():
        found = by_key.get(wire)
        if found is None:
            continue
        member = members[name]
        if member.type_name == "list":
            params[name] = [from_text(member.member, v, values.ISO) for v in found]
        else:
            params[name] = from_text(member, found[-1], values.ISO)
    if binds.query_map is not None and by_key:
        # A server puts every parameter in the map, those also bound to named members included.
        value_shape = members[binds.query_map].value
        if value_shape.type_name == "list":
            params[binds.query_map] = {k: [from_text(value_shape.member, v, values.ISO) for v in vs]
                                       for k, vs in by_key.items()}
        else:
            params[binds.query_map] = {k: from_text(value_shape, vs[0], values.ISO) for k, vs in by_key.items()}


def _parse_payload(shape: Shape, body: bytes) -> Any:
    kind = shape.type_name
    if kind == "blob":
        return body if body else None
    if kind == "string":
        if not body:
            return None
        try:
            return body.decode()
        except UnicodeDecodeError:
            raise SerializationException("The request body is not valid UTF-8") from None
    if not body or not body.strip():
        return None
    if json_doc.is_document(shape):
        return json_doc.loads(body)
    return json_doc.read(shape, json_doc.load_object(body))


# --- responses --------------------------------------------------------------------------------------------

def _write(shape: Shape | None, binds: Bindings, data: dict, status: int, headers: list[tuple[bytes, bytes]],
           extra: dict | None = None) -> tuple[int, bytes, str]:
    """Place each member of an output or error where the model binds it; ``extra`` joins the JSON body.
    Returns (status, body, content type)."""
    if shape is None:
        return status, b"{}", JSON
    members = shape.members
    for name, wire in binds.header.items():
        value = data.get(name)
        if value is not None:
            member = members[name]
            text = _join_header_list(member, value) if member.type_name == "list" \
                else to_text(member, value, values.HTTP_DATE)
            headers.append((wire.encode(), text.encode()))
    for name, prefix in binds.prefix_headers.items():
        for key, value in (data.get(name) or {}).items():
            if value is not None:
                text = to_text(members[name].value, value, values.HTTP_DATE)
                headers.append(((prefix + key).encode(), text.encode()))
    if binds.status is not None and data.get(binds.status) is not None:
        status = int(data[binds.status])
    if binds.payload is None:
        body = json_doc.write_struct(_body_tables(shape, binds)[1], data)
        return status, json_doc.dumps({**extra, **body} if extra else body), JSON
    member = members[binds.payload]
    value = data.get(binds.payload)
    kind = member.type_name
    if kind == "blob":
        media = member.__dict__.get("_shape_model", {}).get("mediaType", "application/octet-stream")
        return status, b"" if value is None else values.blob_bytes(value), media
    if kind == "string":
        return status, b"" if value is None else str(value).encode(), "text/plain"
    if value is None:
        return status, b"", JSON
    return status, json_doc.dumps(json_doc.write(member, value)), JSON


def success(op: Operation, output: dict) -> tuple[int, list, bytes]:
    headers: list[tuple[bytes, bytes]] = []
    status, body, content_type = _write(op.output_shape, op.output_bindings, output, op.response_code, headers)
    headers.insert(0, (b"content-type", content_type.encode()))
    return status, headers, body


def error(info: ErrorInfo | None, err: ApiError, status: int) -> tuple[int, list, bytes]:
    """x-amzn-ErrorType names the error; the body holds the message and the modeled members."""
    headers: list[tuple[bytes, bytes]] = []
    if info is None or info.shape is None:
        body = json_doc.dumps({"Message": err.message, **err.members})
    else:
        data, extra = dict(err.members), None
        key = message_member(info.shape)
        if key in info.shape.members:
            data.setdefault(key, err.message)
        else:  # the model has no message member: send it anyway, as AWS does
            extra = {"Message": err.message}
        status, body, _ = _write(info.shape, info.bindings, data, status, headers, extra)
    headers.insert(0, (b"content-type", JSON.encode()))
    headers.append((b"x-amzn-errortype", err.code.encode()))
    return status, headers, body


def message_member(shape: Shape) -> str:
    for name in shape.members:
        if name.lower() == "message":
            return name
    return "Message"
