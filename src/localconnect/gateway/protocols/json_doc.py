"""JSON values by shape, for the two JSON protocols (restJson1 bodies and payloads, awsJson1_x bodies).

Reading keeps the members the shape models (under their member names, found by their wire keys) and turns
wire forms into the gateway's: timestamps to epoch seconds in the member's format, base64 to bytes, "NaN" /
"Infinity" to floats. Writing does the reverse. A value of the wrong JSON type is left as it came, for
validation to name. Documents pass through untouched.

Each structure's key table, with a converter per member, is built once per shape object and kept on it,
so the per-request cost is a dict lookup per member; string, integer and boolean members (and documents)
are copied without a call.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from botocore.model import Shape

from ...core.errors import SerializationException
from . import values

# Types whose JSON form is the gateway's form: copied as they are.
_PLAIN = frozenset({"string", "integer", "long", "boolean", "byte", "short"})
_TABLES = "_localconnect_json_tables"


def is_document(shape: Shape) -> bool:
    return shape.type_name == "structure" and bool(shape.metadata.get("document"))


def _plain(shape: Shape) -> bool:
    return shape.type_name in _PLAIN or is_document(shape)


def tables(shape: Shape) -> tuple[dict, dict]:
    """(wire key -> (member, reader)), (member -> (wire key, writer)), cached on the shape. A reader or writer
    of None means the value is copied as it is."""
    found = shape.__dict__.get(_TABLES)
    if found is None:
        read, write = {}, {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            read[wire] = (name, _reader(member))
            write[name] = (wire, _writer(member))
        found = shape.__dict__[_TABLES] = (read, write)
    return found


def subset_tables(shape: Shape, names: dict[str, str]) -> tuple[dict, dict]:
    """Tables for only some members (restJson1's body members; the rest travel elsewhere)."""
    read_all, write_all = tables(shape)
    write = {name: write_all[name] for name in names}
    read = {wire: entry for wire, entry in read_all.items() if entry[0] in names}
    return read, write


def loads(body: bytes) -> Any:
    try:
        return orjson.loads(body)  # also refuses lone surrogates, invalid UTF-8 and nesting deeper than 1024
    except orjson.JSONDecodeError as exc:
        raise SerializationException(f"The request body is not valid JSON: {exc}") from None


def load_object(body: bytes) -> dict[str, Any]:
    if not body or not body.strip():
        return {}
    value = loads(body)
    if not isinstance(value, dict):
        raise SerializationException("The request body must be a JSON object")
    return value


# --- reading ----------------------------------------------------------------------------------------------

def read_struct(table: dict, data: dict, depth: int = 0) -> dict[str, Any]:
    if depth > values.MAX_DEPTH:
        raise values.too_deep()
    out = {}
    for key, value in data.items():
        entry = table.get(key)
        if entry is None or value is None:
            continue
        name, reader = entry
        out[name] = value if reader is None else reader(value, depth + 1)
    return out


def _reader(shape: Shape) -> Callable[[Any, int], Any] | None:
    """How one member's JSON value becomes the gateway's; None: as it is. Built without descending into
    the member's own members, so recursive shapes are fine."""
    kind = shape.type_name
    if _plain(shape):
        return None
    if kind == "structure":
        def structure(value, depth):
            return read_struct(tables(shape)[0], value, depth) if type(value) is dict else value
        return structure
    if kind in ("list", "map"):
        inner = _reader(shape.member if kind == "list" else shape.value)
        if inner is None:
            return None

        longest = shape.metadata.get("max")

        def collection(value, depth):
            if type(value) is not (list if kind == "list" else dict):
                return value  # the wrong JSON type: validation names it
            if longest is not None and len(value) > longest:
                return value  # validation refuses it by its length alone, without looking inside
            if depth > values.MAX_DEPTH:
                raise values.too_deep()
            if kind == "list":
                return [None if v is None else inner(v, depth + 1) for v in value]
            return {k: None if v is None else inner(v, depth + 1) for k, v in value.items()}
        return collection
    if kind == "timestamp":
        fmt = values.timestamp_format(shape, values.EPOCH)
        return lambda value, depth: values.parse_timestamp(value, fmt)
    if kind == "blob":
        return lambda value, depth: values.decode_blob(value)
    if kind in ("float", "double"):
        return lambda value, depth: values.parse_float(value)
    return None


def read(shape: Shape, value: Any, depth: int = 0) -> Any:
    reader = _reader(shape)
    return value if reader is None else reader(value, depth)


# --- writing ----------------------------------------------------------------------------------------------

def write_struct(table: dict, data: dict) -> dict[str, Any]:
    out = {}
    for name, value in data.items():
        entry = table.get(name)
        if entry is None or value is None:
            continue
        wire, writer = entry
        out[wire] = value if writer is None else writer(value)
    return out


def _writer(shape: Shape) -> Callable[[Any], Any] | None:
    kind = shape.type_name
    if _plain(shape):
        return None
    if kind == "structure":
        return lambda value: write_struct(tables(shape)[1], value) if type(value) is dict else value
    if kind == "list":
        inner = _writer(shape.member)
        if inner is None:
            return list
        return lambda value: [None if v is None else inner(v) for v in value]
    if kind == "map":
        inner = _writer(shape.value)
        if inner is None:
            return lambda value: {k: v for k, v in value.items() if v is not None}
        return lambda value: {k: inner(v) for k, v in value.items() if v is not None}
    if kind == "timestamp":
        fmt = values.timestamp_format(shape, values.EPOCH)
        if fmt == values.EPOCH:
            return lambda value: value if type(value) in (int, float) else values.as_epoch(value)
        return lambda value: values.format_timestamp(value, fmt)
    if kind == "blob":
        return values.encode_blob
    if kind in ("float", "double"):
        return values.json_float
    return None


def write(shape: Shape, value: Any) -> Any:
    writer = _writer(shape)
    return value if writer is None else writer(value)


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # a lone surrogate echoed in an error message: escape it rather than fail
        import json
        return json.dumps(value, separators=(",", ":")).encode("ascii")
