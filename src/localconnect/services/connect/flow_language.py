"""The Amazon Connect Flow language, as far as CreateContactFlow and UpdateContactFlowContent check it
(docs/behaviour.md §12): the content is a JSON object with ``Version`` "2019-10-30", a ``StartAction`` naming one
of its ``Actions``, and ``Actions`` whose ``Identifier``s are unique and well formed, whose ``Type`` is given, and
whose ``Transitions`` lead only to actions that exist.

Every problem found is reported (at most 50, the model's limit on ``problems``), each as ``{"message": …}`` of
at most 256 characters, so a caller fixes a flow in one round trip rather than one error at a time.

Action types are not checked against a list: AWS adds new ones with most releases, and refusing a valid flow
written for a newer action would be worse than accepting a misspelt type.
"""
from __future__ import annotations

import json
from typing import Any

VERSION = "2019-10-30"
MAX_PROBLEMS = 50
_MESSAGE_LIMIT = 256
_IDENTIFIER_MAX = 50
# What the flow language reference forbids in an Identifier: these characters, and these strings.
_FORBIDDEN_CHARACTERS = set("%:(\\/)=$,;[]{}")
_RESERVED = {"__proto__", "constructor", "__defineGetter__", "__defineSetter__", "toString", "hasOwnProperty",
             "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "valueOf"}


def problems(content: str) -> list[dict[str, str]]:
    """The problems of a flow's content; an empty list when it is valid flow language."""
    found: list[str] = []
    try:
        flow = json.loads(content)
    except (ValueError, RecursionError) as exc:
        return _shaped([f"Content is not valid JSON: {exc}"])
    if not isinstance(flow, dict):
        return _shaped(["Content must be a JSON object with Version, StartAction and Actions."])
    if flow.get("Version") != VERSION:
        found.append(f"Version must be \"{VERSION}\"; found {_show(flow.get('Version'))}.")
    actions = flow.get("Actions")
    if not isinstance(actions, list) or not actions:
        found.append("Actions must be a non-empty list of actions.")
        actions = []
    identifiers = _identifiers(actions, found)
    start = flow.get("StartAction")
    if not isinstance(start, str) or not start:
        found.append("StartAction must name the action the flow starts with.")
    elif start not in identifiers:
        found.append(f"StartAction refers to an action that does not exist: {start}.")
    for index, action in enumerate(actions):
        if isinstance(action, dict):
            _transitions(action, index, identifiers, found)
    return _shaped(found)


def _identifiers(actions: list, found: list[str]) -> set[str]:
    seen: set[str] = set()
    for index, action in enumerate(actions):
        where = f"Actions[{index}]"
        if not isinstance(action, dict):
            found.append(f"{where} must be an object with Identifier, Type, Parameters and Transitions.")
            continue
        identifier = action.get("Identifier")
        if not isinstance(identifier, str) or not identifier:
            found.append(f"{where}.Identifier is required.")
        elif len(identifier) > _IDENTIFIER_MAX:
            found.append(f"{where}.Identifier is longer than {_IDENTIFIER_MAX} characters.")
        elif _FORBIDDEN_CHARACTERS & set(identifier) or identifier in _RESERVED:
            found.append(f"{where}.Identifier {_show(identifier)} contains a character or name that is not allowed.")
        elif identifier in seen:
            found.append(f"{where}.Identifier {_show(identifier)} is used by more than one action.")
        else:
            seen.add(identifier)
        kind = action.get("Type")
        if not isinstance(kind, str) or not kind:
            found.append(f"{where}.Type is required.")
        for member, expected in (("Parameters", dict), ("Transitions", dict)):
            if member in action and not isinstance(action[member], expected):
                found.append(f"{where}.{member} must be an object.")
    return seen


def _transitions(action: dict, index: int, identifiers: set[str], found: list[str]) -> None:
    """NextAction, and the NextAction of each Errors and Conditions entry, must name an action of the flow."""
    transitions = action.get("Transitions")
    if not isinstance(transitions, dict):
        return
    where = f"Actions[{index}].Transitions"
    targets: list[tuple[str, Any]] = []
    if "NextAction" in transitions:
        targets.append((f"{where}.NextAction", transitions["NextAction"]))
    for branch in ("Errors", "Conditions"):
        entries = transitions.get(branch)
        if entries is None:
            continue
        if not isinstance(entries, list):
            found.append(f"{where}.{branch} must be a list.")
            continue
        for position, entry in enumerate(entries):
            if not isinstance(entry, dict):
                found.append(f"{where}.{branch}[{position}] must be an object.")
                continue
            targets.append((f"{where}.{branch}[{position}].NextAction", entry.get("NextAction")))
    for path, target in targets:
        if not isinstance(target, str) or target not in identifiers:
            found.append(f"{path} refers to an action that does not exist: {_show(target)}.")


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def _shaped(messages: list[str]) -> list[dict[str, str]]:
    return [{"message": m[:_MESSAGE_LIMIT]} for m in messages[:MAX_PROBLEMS]]
