"""Opaque NextTokens: a position in a stable ordering, returned only while more results remain."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any


def encode(kind: str, position: list[Any]) -> str:
    raw = json.dumps({"k": kind, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(kind: str, token: str | None, error: type[Exception]) -> list[Any] | None:
    """The position a token names, None without a token; a foreign or damaged token raises ``error``."""
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if data.get("k") == kind and isinstance(data.get("p"), list):
            return data["p"]
    except (binascii.Error, ValueError, UnicodeDecodeError, AttributeError):
        pass
    raise error("The NextToken is not valid for this request.")


def page(rows: list, limit: int, position_of, kind: str) -> tuple[list, str | None]:
    """Given up to limit+1 rows, the page and the token for the next one (None on the last page)."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode(kind, position_of(rows[-1]))
    return rows, None
