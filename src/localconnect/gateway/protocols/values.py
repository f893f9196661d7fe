"""Scalar conversions every protocol shares: timestamps in the three formats AWS uses, blobs, the special
floats, and the bound on how deep any walk of client input may go.

Inside the gateway a timestamp is epoch seconds (an int when whole, else a float), a blob is bytes and a
float is a Python float (NaN and the infinities included). Handlers return timestamps the same way.
"""
from __future__ import annotations

import base64
import binascii
import calendar
import math
from datetime import datetime, timezone
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

from ...core.errors import SerializationException

# Deepest nesting any walk of client input follows (parser, validation, message rendering). Real models nest
# a handful of levels; recursive shapes could nest without end, and the wire allows 1024 (orjson's limit).
# Well below Python's recursion limit, so no walk can raise RecursionError.
MAX_DEPTH = 64

EPOCH = "unixTimestamp"
ISO = "iso8601"
HTTP_DATE = "rfc822"
# botocore's names for the model's timestampFormat values
_FORMATS = {"iso8601": ISO, "rfc822": HTTP_DATE, "unixTimestamp": EPOCH,
            "date-time": ISO, "http-date": HTTP_DATE, "epoch-seconds": EPOCH}

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def too_deep() -> SerializationException:
    return SerializationException(f"The request nests values deeper than {MAX_DEPTH} levels")


def timestamp_format(shape, default: str) -> str:
    """The member's (or its target shape's) timestampFormat, else the protocol's default for the location."""
    fmt = shape.serialization.get("timestampFormat") or getattr(shape, "_shape_model", {}).get("timestampFormat")
    return _FORMATS.get(fmt, default) if fmt else default


def _epoch(moment: datetime) -> int | float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = calendar.timegm(moment.utctimetuple())
    return seconds + moment.microsecond / 1e6 if moment.microsecond else seconds


def parse_timestamp(text: Any, fmt: str) -> Any:
    """Wire text (or a JSON number) → epoch seconds. What does not parse is returned as it came, for
    validation to name."""
    if not isinstance(text, str):  # a JSON number is epoch seconds whatever the format; anything else is wrong
        return text
    try:
        if fmt == EPOCH:
            number = float(text)
            if not math.isfinite(number):
                return text
            return int(number) if number.is_integer() and "." not in text else number
        if fmt == HTTP_DATE:
            return _epoch(parsedate_to_datetime(text))
        return _epoch(datetime.fromisoformat(text))
    except (ValueError, TypeError, OverflowError, IndexError):
        return text


def as_epoch(value: Any) -> int | float:
    if isinstance(value, datetime):
        return _epoch(value)
    return value


def format_timestamp(value: Any, fmt: str) -> Any:
    """Epoch seconds (or a datetime) → the wire form of fmt: a number for epoch seconds, else text."""
    seconds = as_epoch(value)
    if isinstance(seconds, str):
        return seconds
    if fmt == EPOCH:
        return seconds
    if fmt == HTTP_DATE:
        return formatdate(int(seconds), usegmt=True)
    whole = math.floor(seconds)
    moment = datetime.fromtimestamp(whole, timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = round((seconds - whole) * 1000)
    return f"{text}.{millis:03d}Z" if millis else text + "Z"


def parse_float(value: Any) -> Any:
    if isinstance(value, str):
        return _SPECIAL_FLOATS.get(value, value)
    return value


def float_text(value: Any) -> str:
    """A number as text on the wire (headers, query, XML): the special floats by their Smithy names."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return repr(value) if isinstance(value, float) else str(value)


def json_float(value: Any) -> Any:
    """A float for a JSON body: JSON has no NaN or Infinity, so AWS sends them as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return float_text(value)
    return value


def decode_blob(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value


def encode_blob(value: Any) -> str:
    if isinstance(value, str):
        value = value.encode()
    return base64.b64encode(value).decode("ascii")


def blob_bytes(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def scalar_text(shape, value: Any, ts_default: str) -> str:
    """A scalar as text outside JSON (headers, labels, query strings, XML), the timestamp in the member's format
    or ``ts_default``."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("float", "double", "integer", "long", "byte", "short"):
        return float_text(value)
    if kind == "timestamp":
        return str(format_timestamp(value, timestamp_format(shape, ts_default)))
    if kind == "blob":
        return encode_blob(value)
    return str(value)
