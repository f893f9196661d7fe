"""Check an input against its botocore shape: required, type, length and size, range, pattern, enum.

botocore checks only required, type and min on the client (spec 1.2), so max, pattern and enum are ours
to enforce. Messages follow AWS's Coral style, naming the member and the constraint:
``Value 'x' at 'phoneNumberDescription' failed to satisfy constraint: Member must have length less than
or equal to 500``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import regex
from botocore.model import Shape

REDACTED = "*** Sensitive Data Redacted ***"


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
        shown = REDACTED if self.sensitive else _render(self.value)
        return f"Value '{shown}' at '{self.path}' failed to satisfy constraint: {self.constraint}"


def _render(value: Any, limit: int = 256) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "[" + ", ".join(_render(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{_render(k, limit)}={_render(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


@functools.lru_cache(maxsize=None)
def compiled(pattern: str) -> regex.Pattern:
    # Some model patterns are escaped twice in the JSON (PhoneNumber: "\\\\+[1-9]\\\\d{1,14}$"), which as
    # a regex would demand a literal backslash; the intent is one escape (spec section 3).
    return regex.compile(pattern.replace("\\\\", "\\"))


_TYPES = {
    "string": (str,), "blob": (str,), "boolean": (bool,), "list": (list,), "map": (dict,),
    "structure": (dict,), "integer": (int,), "long": (int,), "float": (int, float), "double": (int, float),
    "timestamp": (int, float, str),
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
    _structure(shape, params, "", None, failures)
    return failures


def _structure(shape: Shape, value: dict, prefix: str, top: str | None, out: list[Failure]) -> None:
    for name in shape.required_members:
        if value.get(name) is None:
            out.append(Failure(top or name, prefix + _path_name(name), "Member must not be null", None, missing=True))
    for name, member in shape.members.items():
        v = value.get(name)
        if v is not None:
            _value(member, v, prefix + _path_name(name), top or name, out)


def _value(shape: Shape, value: Any, path: str, top: str, out: list[Failure]) -> None:
    kind = shape.type_name
    sensitive = bool(shape.metadata.get("sensitive"))
    ok_types = _TYPES.get(kind, (object,))
    if not isinstance(value, ok_types) or (isinstance(value, bool) and kind not in ("boolean",)):
        out.append(Failure(top, path, f"Member must be {_TYPE_WORDS.get(kind, kind)}", value, sensitive))
        return
    for problem in _bounds(shape, value):
        out.append(Failure(top, path, problem, value, sensitive))
    if kind == "string":
        problem = _string_problem(shape, value)
        if problem:
            out.append(Failure(top, path, problem, value, sensitive))
    elif kind == "list" and shape.member.type_name == "structure":
        for i, item in enumerate(value, 1):
            if isinstance(item, dict):
                _structure(shape.member, item, f"{path}.{i}.member.", top, out)
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
        _structure(shape, value, path + ".", top, out)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _bounds(shape: Shape, value: Any) -> list[str]:
    """min/max: a length for strings and collections, a value for numbers."""
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
    # every store, so a value that one store would keep is never an error on another.
    bad = _UNSTORABLE.search(value)
    if bad:
        return ("Member must not contain the NUL character" if bad.group() == "\x00"
                else "Member must be valid Unicode (it contains an unpaired surrogate)")
    enum = shape.enum
    if enum and value not in enum:
        return f"Member must satisfy enum value set: [{', '.join(enum)}]"
    pattern = shape.metadata.get("pattern")
    if pattern and compiled(pattern).search(value) is None:
        return f"Member must satisfy regular expression pattern: {pattern.replace(chr(92) * 2, chr(92))}"
    return None


def _collection_problem(shape: Shape, items: list) -> str | None:
    """The first constraint an element of a list or a map's keys/values breaks, worded as Coral does."""
    kind = shape.type_name
    ok_types = _TYPES.get(kind, (object,))
    for item in items:
        if not isinstance(item, ok_types) or isinstance(item, bool) and kind != "boolean":
            return f"Member must be {_TYPE_WORDS.get(kind, kind)}"
        if kind == "string":
            problem = (_bounds(shape, item) or [None])[0] or _string_problem(shape, item)
            if problem:
                return problem
    return None


def coral_message(failures: list[Failure]) -> str:
    n = len(failures)
    head = f"{n} validation error{'s' if n != 1 else ''} detected: "
    return head + "; ".join(f.message() for f in failures)
