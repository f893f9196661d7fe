"""Opaque NextTokens: a position in a stable ordering, returned only while more results remain.

A token is URL-safe base64 (unpadded) of ``{"k": kind, "p": [v1, v2, ...]}``. Anyone can forge one, and the
position goes straight into SQL comparisons, so ``decode`` accepts only what ``encode`` could have produced:
a bounded length, canonical base64, exactly that two-level shape, exact element types, integers that fit
SQLite's and PostgreSQL's 64-bit INTEGER, finite floats, and strings both stores can bind (no NUL, no lone
surrogate, bounded length). Everything else is the operation's own 400, never a 500.

Why not signed tokens: a signature would need a secret shared by every process on the store, and would still
need these checks on the decoded position to be safe against a leaked secret. Since a forged position can only
move where the caller's own, partition-scoped listing starts, strict decoding is sufficient on its own.
"""
from __future__ import annotations

import base64
import binascii
import heapq
import itertools
import json
import math
import re
from typing import Any, Callable, Iterator

NUMBER = (int, float)

# Real tokens are well under 300 characters (a kind, a timestamp or phone number and an id; the admin state
# view adds a fingerprint, an account and a Region). 1024 is the longest NextToken End User Messaging accepts.
MAX_TOKEN_CHARS = 1024
MAX_STRING_CHARS = 256
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_MESSAGE = "The NextToken is not valid for this request."


class _Invalid(Exception):
    pass


def encode(kind: str, position: list[Any]) -> str:
    return _base64(json.dumps({"k": kind, "p": position}, separators=(",", ":")).encode())


def decode(kind: str, token: str | None, error, types: tuple) -> list[Any] | None:
    """The position a token names, None without a token; a foreign, damaged or forged token raises ``error``.
    ``types`` gives each element's type (``NUMBER``, ``int``, ``float`` or ``str``), so no forged value
    reaches SQL."""
    if token is None:
        return None
    try:
        return _position(kind, token, types)
    except _Invalid:
        raise error(_MESSAGE) from None


def page(rows: list, limit: int, position_of, kind: str) -> tuple[list, str | None]:
    """Given up to limit+1 rows, the page and the token for the next one (None on the last page)."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode(kind, position_of(rows[-1]))
    return rows, None


# --- strict decoding --------------------------------------------------------------------------------------

def _position(kind: str, token: Any, types: tuple) -> list[Any]:
    # The length cap comes first, so every later step works on at most a few hundred bytes.
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS or not _BASE64URL.fullmatch(token):
        raise _Invalid
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise _Invalid from None
    if _base64(raw) != token:  # non-canonical spellings (stray trailing bits) are not ours
        raise _Invalid
    _check_depth(raw, limit=2)
    try:
        data = json.loads(raw, parse_constant=_refuse, object_pairs_hook=_unique_keys)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _Invalid from None
    if type(data) is not dict or data.keys() != {"k", "p"} or data["k"] != kind:
        raise _Invalid
    position = data["p"]
    if type(position) is not list or len(position) != len(types):
        raise _Invalid
    for value, kind_of in zip(position, types, strict=True):
        _check_value(value, kind_of)
    return position


def _base64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _check_depth(raw: bytes, limit: int) -> None:
    """Refuse JSON nested deeper than ``limit`` before parsing it (brackets inside strings do not count)."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                raise _Invalid
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1


def _refuse(constant: str):
    raise ValueError(f"{constant} is not a position")  # NaN, Infinity, -Infinity


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("duplicate key")
    return data


def _check_value(value: Any, kind_of: Any) -> None:
    allowed = kind_of if isinstance(kind_of, tuple) else (kind_of,)
    kind = type(value)  # exact: bool is not an int here, and no subclass gets through
    if kind not in allowed:
        raise _Invalid
    if kind is int and not _INT64[0] <= value <= _INT64[1]:
        raise _Invalid
    if kind is float and not math.isfinite(value):  # 1e999 parses to inf
        raise _Invalid
    if kind is str:
        if len(value) > MAX_STRING_CHARS or "\x00" in value:
            raise _Invalid
        try:
            value.encode("utf-8")  # a lone surrogate ("\ud800") cannot be bound by either store
        except UnicodeEncodeError:
            raise _Invalid from None


# --- keyset SQL -------------------------------------------------------------------------------------------

def after_clause(first: str, second: str, after: list[Any] | None) -> tuple[str, dict]:
    """The condition (and its parameters) for rows strictly after position ``after`` in ``ORDER BY first,
    second``; empty without a position. The one spelling of keyset pagination for every list.

    Spelt ``first >= a AND (first > a OR second > b)``: the leading range is one both SQLite and PostgreSQL
    turn into an index seek, so a deep NextToken costs what the first page costs. (``first > a OR (first = a
    AND second > b)`` is the same set, but PostgreSQL applies it as a filter to every row before the
    position.)"""
    if after is None:
        return "", {}
    return (f" AND {first} >= :after_first AND ({first} > :after_first OR {second} > :after_second)",
            {"after_first": after[0], "after_second": after[1]})


def merged(streams: list[Iterator], key: Callable[[Any], Any], count: int) -> list:
    """The first ``count`` items of several streams, each already in ``key`` order, in that order.

    A filter on several values (three number types, two countries) is read as one indexed stream per value and
    merged here, so each stream is a bounded range scan that starts at the page: no sort of everything that
    matches, at any store size. Streams are consumed lazily: at most ``count`` items are taken in all."""
    return list(itertools.islice(heapq.merge(*streams, key=key), count))


def chunked(fetch: Callable[[list[Any] | None, int], list], position_of: Callable[[Any], list[Any]],
            after: list[Any] | None, chunk: int, most: int | None = None) -> Iterator:
    """Rows of one keyset-ordered query, ``chunk`` at a time: ``fetch(after, n)`` returns up to n rows after
    ``after``. Holds one chunk in memory. With ``most``, each chunk is twice the last, up to ``most``: a stream
    that turns out to hold the whole page takes a few statements, not page / chunk of them."""
    while True:
        rows = fetch(after, chunk)
        yield from rows
        if len(rows) < chunk:
            return
        after = position_of(rows[-1])
        if most is not None:
            chunk = min(most, chunk * 2)
