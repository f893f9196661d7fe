"""Check an input against its botocore shape: required, type, length and size, range, pattern, enum, and
that a union has exactly one member set. Documents hold any JSON value and are not checked inside.

botocore checks only required, type and min on the client, so max, pattern and enum are ours to enforce.
Messages follow AWS's Coral style, naming the member and the constraint:
``Value 'x' at 'phoneNumberDescription' failed to satisfy constraint: Member must have length less than
or equal to 500``.

Bounded cost for any input: a value that fails its length is checked no further (no pattern runs on it, a
collection's elements are not walked), patterns run in RE2 (``patterns``), walks stop at
``MAX_DEPTH`` levels, and a value shown in a message is rendered only up to its shown length.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.model import Shape

from .patterns import matcher
from .protocols.values import MAX_DEPTH

REDACTED = "*** Sensitive Data Redacted ***"
_SHOWN = 256  # characters of a value shown in a message


@dataclass
class Failure:
    member: str      # the model's member name, top level (for EUM's Fields[].Name)
    path: str        # Coral path, e.g. 'instanceId'
    constraint: str  # 'Member must ...'
    value: Any
    sensitive: bool = False
    missing: bool = False

    def message(self) -> str:
        if self.missing:
            return f"Value null at '{self.path}' failed to satisfy constraint: {self.constraint}"
        shown = REDACTED if self.sensitive else render(self.value)
        return f"Value '{shown}' at '{self.path}' failed to satisfy constraint: {self.constraint}"


def render(value: Any, limit: int = _SHOWN) -> str:
    """Java-style text of a value (``[a, b]``, ``{k=v}``), cut at ``limit`` characters with "...". Stops
    as soon as the limit is passed and at MAX_DEPTH levels, so a 1 MiB or deeply nested value costs no
    more than a short one."""
    parts: list[str] = []
    budget = [limit + 1]

    def put(text: str) -> bool:
        parts.append(text[:budget[0]])
        budget[0] -= len(text)
        return budget[0] > 0

    def walk(v: Any, depth: int) -> bool:
        if depth > MAX_DEPTH:
            return put("...")
        if isinstance(v, bool):
            return put("true" if v else "false")
        if isinstance(v, list):
            if not put("["):
                return False
            for i, item in enumerate(v):
                if (i and not put(", ")) or not walk(item, depth + 1):
                    return False
            return put("]")
        if isinstance(v, dict):
            if not put("{"):
                return False
            for i, (k, item) in enumerate(v.items()):
                if (i and not put(", ")) or not walk(k, depth + 1) or not put("=") or not walk(item, depth + 1):
                    return False
            return put("}")
        if isinstance(v, (bytes, bytearray)):
            return put(f"java.nio.HeapByteBuffer[pos=0 lim={len(v)} cap={len(v)}]")
        return put(str(v)[:budget[0]])

    walk(value, 0)
    text = "".join(parts)
    return text if len(text) <= limit else text[:limit] + "..."


_NUMBER = (int, float)
_TYPES = {
    "string": (str,), "blob": (bytes, bytearray), "boolean": (bool,), "list": (list,), "map": (dict,),
    "structure": (dict,), "integer": (int,), "long": (int,), "float": _NUMBER, "double": _NUMBER,
    "timestamp": _NUMBER,
}
_TYPE_WORDS = {"structure": "an object", "map": "a map", "list": "a list", "boolean": "a boolean",
               "integer": "an integer", "long": "an integer", "float": "a number", "double": "a number",
               "timestamp": "a timestamp", "string": "a string", "blob": "a base64 string"}


def _path_name(name: str) -> str:
    return name[:1].lower() + name[1:]


def validate(shape: Shape | None, params: dict[str, Any]) -> list[Failure]:
    if shape is None:
        return []
    failures: list[Failure] = []
    _structure(shape, params, "", None, failures, 0)
    return failures


def _is_document(shape: Shape) -> bool:
    return bool(shape.metadata.get("document"))


def _type_ok(kind: str, value: Any) -> bool:
    return isinstance(value, _TYPES.get(kind, (object,))) and (kind == "boolean" or not isinstance(value, bool))


def _structure(shape: Shape, value: dict, prefix: str, top: str | None, out: list[Failure], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    for name in shape.required_members:
        if value.get(name) is None:
            out.append(Failure(top or name, prefix + _path_name(name), "Member must not be null", None, missing=True))
    for name, member in shape.members.items():
        v = value.get(name)
        if v is not None:
            _value(member, v, prefix + _path_name(name), top or name, out, depth + 1)


def _value(shape: Shape, value: Any, path: str, top: str, out: list[Failure], depth: int) -> None:
    kind = shape.type_name
    if kind == "structure" and _is_document(shape):
        return  # any JSON value
    sensitive = bool(shape.metadata.get("sensitive"))
    if not _type_ok(kind, value):
        out.append(Failure(top, path, f"Member must be {_TYPE_WORDS.get(kind, kind)}", value, sensitive))
        return
    problems = _bounds(shape, value)
    for problem in problems:
        out.append(Failure(top, path, problem, value, sensitive))
    if problems and kind in ("string", "list", "map", "blob"):
        return  # no pattern on, and no walk into, a value already too long or too short
    if kind == "string":
        problem = _string_problem(shape, value)
        if problem:
            out.append(Failure(top, path, problem, value, sensitive))
    elif kind == "list" and shape.member.type_name == "structure" and not _is_document(shape.member):
        if depth > MAX_DEPTH:
            return
        for i, item in enumerate(value, 1):
            if isinstance(item, dict):
                _structure(shape.member, item, f"{path}.{i}.member.", top, out, depth + 1)
            else:
                out.append(Failure(top, f"{path}.{i}.member", "Member must be an object", item, sensitive))
    elif kind == "list":
        inner = _collection_problem(shape.member, value)
        if inner:
            out.append(Failure(top, path, f"Member must satisfy constraint: [{inner}]", value, sensitive))
    elif kind == "map":
        keys = _collection_problem(shape.key, list(value.keys()))
        if keys:
            out.append(Failure(top, path, f"Map keys must satisfy constraint: [{keys}]", value, sensitive))
        values = _collection_problem(shape.value, list(value.values()))
        if values:
            out.append(Failure(top, path, f"Map values must satisfy constraint: [{values}]", value, sensitive))
    elif kind == "structure":
        if shape.metadata.get("union") and sum(v is not None for v in value.values()) != 1:
            out.append(Failure(top, path, "Member must have exactly one member set", value, sensitive))
        _structure(shape, value, path + ".", top, out, depth)


def _bounds(shape: Shape, value: Any) -> list[str]:
    """min/max: a length for strings, blobs and collections, a value for numbers."""
    meta, kind = shape.metadata, shape.type_name
    if kind in ("string", "blob", "list", "map"):
        measure, what = len(value), "length"
    elif kind in ("integer", "long", "float", "double"):
        measure, what = value, "value"
    else:
        return []
    problems = []
    if "min" in meta and measure < meta["min"]:
        problems.append(f"Member must have {what} greater than or equal to {meta['min']}")
    if "max" in meta and measure > meta["max"]:
        problems.append(f"Member must have {what} less than or equal to {meta['max']}")
    return problems


def _string_problem(shape: Shape, value: str) -> str | None:
    # NUL cannot be stored in PostgreSQL text and a lone surrogate cannot be encoded as UTF-8: refuse both on
    # every store, so a value that one store would keep is never an error on another. (Checked with C-speed
    # string methods: a regex scan of a 1 MiB value costs ~10 ms, these ~0.1 ms.)
    if "\x00" in value:
        return "Member must not contain the NUL character"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Member must be valid Unicode (it contains an unpaired surrogate)"
    enum = shape.enum
    if enum and value not in enum:
        return f"Member must satisfy enum value set: [{', '.join(enum)}]"
    pattern = shape.metadata.get("pattern")
    if pattern and not matcher(pattern)(value):
        return f"Member must satisfy regular expression pattern: {pattern.replace(chr(92) * 2, chr(92))}"
    return None


def _collection_problem(shape: Shape, items: list) -> str | None:
    """The first constraint an element of a list or a map's keys/values breaks, worded as Coral does."""
    kind = shape.type_name
    if kind == "structure" and _is_document(shape):
        return None
    for item in items:
        if not _type_ok(kind, item):
            return f"Member must be {_TYPE_WORDS.get(kind, kind)}"
        if kind == "string":
            problem = (_bounds(shape, item) or [None])[0] or _string_problem(shape, item)
            if problem:
                return problem
        elif kind in ("integer", "long", "float", "double", "blob"):
            problem = (_bounds(shape, item) or [None])[0]
            if problem:
                return problem
    return None


def coral_message(failures: list[Failure]) -> str:
    n = len(failures)
    head = f"{n} validation error{'s' if n != 1 else ''} detected: "
    return head + "; ".join(f.message() for f in failures)
