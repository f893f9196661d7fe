"""IAM identity policies (docs/behaviour.md §7): parse_policy validates a document, evaluate decides one request."""
from __future__ import annotations

import json
import re
from functools import lru_cache


class PolicyError(ValueError):
    """A policy document that is not valid; the message names what is wrong."""


ALLOW, EXPLICIT_DENY, IMPLICIT_DENY = "Allow", "ExplicitDeny", "ImplicitDeny"

VERSIONS = ("2012-10-17", "2008-10-17")
DEFAULT_VERSION = "2008-10-17"  # what IAM assumes when Version is omitted
_POLICY_KEYS = {"Version", "Id", "Statement"}
_STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_SET_OPERATORS = ("ForAllValues", "ForAnyValue")


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern:
    """`*` is any run of characters (':' and '/' included), `?` any one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _like(value: str, pattern: str) -> bool:
    return _glob(pattern, False).fullmatch(value) is not None


# base operator -> (does a context value match one policy value, is the operator negated)
_OPERATORS = {
    "StringEquals": (lambda v, p: v == p, False),
    "StringNotEquals": (lambda v, p: v == p, True),
    "StringEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), True),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "Bool": (lambda v, p: v.lower() == p.lower(), False),
}


def _operator(name: str) -> tuple[str | None, str, bool]:
    """'ForAnyValue:StringLikeIfExists' -> ('ForAnyValue', 'StringLike', True); PolicyError if unknown."""
    set_op, _, base = name.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if (set_op and set_op not in _SET_OPERATORS) or (base not in _OPERATORS and base != "Null"):
        raise PolicyError(f"Unknown condition operator: {name}")
    if base == "Null" and (set_op or if_exists):  # IAM documents IfExists for every operator except Null
        raise PolicyError(f"Condition operator Null takes no set prefix or IfExists suffix: {name}")
    return set_op or None, base, if_exists


def _string(value, where: str) -> str:
    """Condition values as IAM compares them: JSON true/false/numbers become their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return value if isinstance(value, str) else json.dumps(value)
    raise PolicyError(f"{where}: condition values must be strings, numbers or booleans, not {value!r}")


def _string_list(value, where: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        raise PolicyError(f"{where} must be a string or a non-empty list of strings")
    return list(values)


def _parse_statement(statement, where: str) -> dict:
    if not isinstance(statement, dict):
        raise PolicyError(f"{where} must be a JSON object")
    if "Principal" in statement or "NotPrincipal" in statement:
        raise PolicyError(f"{where}: Principal is not allowed in an identity policy")
    unknown = sorted(set(statement) - _STATEMENT_KEYS)
    if unknown:
        raise PolicyError(f"{where}: unknown element {unknown[0]}")
    out: dict = {}
    if "Sid" in statement:
        if not isinstance(statement["Sid"], str):
            raise PolicyError(f"{where}: Sid must be a string")
        out["Sid"] = statement["Sid"]
    if "Effect" not in statement:
        raise PolicyError(f"{where}: missing Effect")
    if statement["Effect"] not in ("Allow", "Deny"):
        raise PolicyError(f"{where}: Effect must be Allow or Deny, not {statement['Effect']!r}")
    out["Effect"] = statement["Effect"]
    for element, check in (("Action", _check_action), ("Resource", _check_resource)):
        present = [name for name in (element, "Not" + element) if name in statement]
        if len(present) != 1:
            raise PolicyError(f"{where}: needs exactly one of {element} or Not{element}")
        values = _string_list(statement[present[0]], f"{where}: {present[0]}")
        for value in values:
            check(value, f"{where}: {present[0]}")
        out[present[0]] = values
    out["Condition"] = _parse_condition(statement.get("Condition", {}), f"{where}: Condition")
    return out


def _check_action(action: str, where: str) -> None:
    service, colon, name = action.partition(":")
    if action != "*" and not (service and colon and name):
        raise PolicyError(f"{where}: {action!r} must be '*' or 'service:action'")


def _check_resource(resource: str, where: str) -> None:
    if resource != "*" and not resource.startswith("arn:"):
        raise PolicyError(f"{where}: {resource!r} must be '*' or an ARN")


def _parse_condition(condition, where: str) -> dict:
    if not isinstance(condition, dict):
        raise PolicyError(f"{where} must be a JSON object")
    out = {}
    for name, block in condition.items():
        _, base, _ = _operator(name)
        if not isinstance(block, dict) or not block:
            raise PolicyError(f"{where}: {name} must map condition keys to values")
        out[name] = {}
        for key, value in block.items():
            values = [_string(v, f"{where}: {name}: {key}") for v in (value if isinstance(value, list) else [value])]
            if base == "Null" and any(v.lower() not in ("true", "false") for v in values):
                raise PolicyError(f"{where}: Null takes 'true' or 'false' for {key}, not {values}")
            out[name][key] = values
    return out


def parse_policy(document: str | dict) -> dict:
    """Validate and normalise one policy document (JSON text or dict).

    Version is optional ("2012-10-17" or "2008-10-17"); Statement is an object or a list; each statement has
    Effect Allow|Deny, exactly one of Action/NotAction, exactly one of Resource/NotResource, optional Sid and
    Condition. Principal is not allowed in identity policies. Anything else raises PolicyError."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"Policy is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise PolicyError("Policy must be a JSON object")
    unknown = sorted(set(document) - _POLICY_KEYS)
    if unknown:
        raise PolicyError(f"Policy has unknown element {unknown[0]}")
    version = document.get("Version", DEFAULT_VERSION)
    if version not in VERSIONS:
        raise PolicyError(f"Policy Version must be one of {', '.join(VERSIONS)}, not {version!r}")
    if "Statement" not in document:
        raise PolicyError("Policy is missing Statement")
    statements = document["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    out = {"Version": version, "Statement": [_parse_statement(s, f"Statement[{i}]") for i, s in enumerate(statements)]}
    if "Id" in document:
        out["Id"] = document["Id"]
    return out


def _context_values(value) -> list[str]:
    """Every context key as a list; an empty list is an absent key (a request without tags has no aws:TagKeys)."""
    if value is None:
        return []
    values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    return [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]


def _key_holds(name: str, present: list[str], wanted: list[str]) -> bool:
    set_op, base, if_exists = _operator(name)
    if base == "Null":
        return any((not present) == (w.lower() == "true") for w in wanted)
    compare, negated = _OPERATORS[base]

    def holds(value: str) -> bool:  # policy values are OR'd; a negated operator holds when none matches
        return any(compare(value, w) for w in wanted) != negated

    if set_op == "ForAllValues":  # vacuously true for an absent or empty key, IfExists or not
        return all(holds(v) for v in present)
    if set_op == "ForAnyValue":  # false for an absent key even with IfExists, as AWS behaves
        return any(holds(v) for v in present)
    if not present:  # IAM: absent key fails a condition, except IfExists and negated operators
        return if_exists or negated
    matched = any(any(compare(v, w) for w in wanted) for v in present)
    return matched != negated


def _listed(statement: dict, element: str, value: str, ignore_case: bool) -> bool:
    if element in statement:
        return any(_glob(p, ignore_case).fullmatch(value) for p in statement[element])
    return not any(_glob(p, ignore_case).fullmatch(value) for p in statement["Not" + element])


def _applies(statement: dict, action: str, resource: str, context: dict[str, list[str]]) -> bool:
    return (_listed(statement, "Action", action, ignore_case=True)
            and _listed(statement, "Resource", resource, ignore_case=False)
            and all(_key_holds(name, context.get(key.lower(), []), wanted)
                    for name, block in statement["Condition"].items() for key, wanted in block.items()))


def evaluate(policies: list[dict], action: str, resource: str, context: dict[str, str | list[str]]) -> str:
    """The decision for one action on one resource given parsed policies and the request's condition keys:
    an explicit Deny in any statement wins; else any matching Allow allows; else implicit deny."""
    keys = {k.lower(): _context_values(v) for k, v in context.items()}  # condition key names ignore case
    allowed = False
    for policy in policies:
        for statement in policy["Statement"]:
            if _applies(statement, action, resource, keys):
                if statement["Effect"] == "Deny":
                    return EXPLICIT_DENY
                allowed = True
    return ALLOW if allowed else IMPLICIT_DENY
