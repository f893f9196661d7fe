"""Opaque NextTokens: a position in a stable ordering, returned only while more results remain."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any


def encode(kind: str, position: list[Any]) -> str:
    raw = json.dumps({"k": kind, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


NUMBER = (int, float)


def decode(kind: str, token: str | None, error, types: tuple) -> list[Any] | None:
    """The position a token names, None without a token; a foreign, damaged or forged token raises ``error``.
    ``types`` gives each element's type (e.g. ``(NUMBER, str)``), so no forged value reaches SQL."""
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        position = data.get("p")
        if (data.get("k") == kind and isinstance(position, list) and len(position) == len(types)
                and all(isinstance(v, t) and not isinstance(v, bool) for v, t in zip(position, types, strict=True))):
            return position
    except (binascii.Error, ValueError, UnicodeDecodeError, AttributeError):
        pass
    raise error("The NextToken is not valid for this request.")


def page(rows: list, limit: int, position_of, kind: str) -> tuple[list, str | None]:
    """Given up to limit+1 rows, the page and the token for the next one (None on the last page)."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode(kind, position_of(rows[-1]))
    return rows, None
