"""Request → operation: a segment trie over the raw (still percent-encoded) path for restJson1, and the
X-Amz-Target header for awsJson1_0.

SDKs percent-encode ARNs inside URI labels (``/tags/arn%3Aaws%3A...%2Finstance%2F...``), so matching
happens on the raw path and each label is decoded only after its segment has been matched.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..core.errors import MethodNotAllowedException, UnknownOperationException
from . import catalog
from .catalog import Operation


@dataclass
class _Node:
    literal: dict[str, "_Node"] = field(default_factory=dict)
    label: tuple[str, "_Node"] | None = None           # {Name}
    greedy: tuple[str, dict[str, Operation]] | None = None  # {Name+}: rest of the path
    ops: dict[str, Operation] = field(default_factory=dict)  # method -> operation


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s != ""]


@functools.lru_cache(maxsize=None)
def _trie(service_key: str) -> _Node:
    root = _Node()
    for op in catalog.service(service_key).operations.values():
        node = root
        segs = _segments(op.request_uri.split("?", 1)[0])
        for seg in segs:
            if seg.startswith("{") and seg.endswith("+}"):
                name = seg[1:-2]
                if node.greedy is None:
                    node.greedy = (name, {})
                node.greedy[1][op.method] = op
                break
            if seg.startswith("{") and seg.endswith("}"):
                name = seg[1:-1]
                if node.label is None:
                    node.label = (name, _Node())
                node = node.label[1]
            else:
                node = node.literal.setdefault(seg, _Node())
        else:
            node.ops[op.method] = op
    return root


def _match(node: _Node, segs: list[str], i: int, method: str, labels: dict[str, str]) -> Operation | None:
    """Depth-first, literals before labels."""
    if i == len(segs):
        return node.ops.get(method)
    seg = segs[i]
    child = node.literal.get(seg)
    if child is not None:
        op = _match(child, segs, i + 1, method, labels)
        if op is not None:
            return op
    if node.label is not None:
        name, child = node.label
        labels[name] = unquote(seg)
        op = _match(child, segs, i + 1, method, labels)
        if op is not None:
            return op
        labels.pop(name, None)
    if node.greedy is not None:
        name, ops = node.greedy
        op = ops.get(method)
        if op is not None:
            labels[name] = unquote("/".join(segs[i:]))
            return op
    return None


@dataclass
class RestMatch:
    operation: Operation | None
    labels: dict[str, str]


def match_rest(service_key: str, method: str, raw_path: str) -> RestMatch:
    labels: dict[str, str] = {}
    op = _match(_trie(service_key), _segments(raw_path), 0, method, labels)
    return RestMatch(op, labels if op else {})


def match_json_target(method: str, raw_path: str, target: str) -> Operation:
    """awsJson1_0: ``POST /`` with ``X-Amz-Target: PinpointSMSVoiceV2.DescribePhoneNumbers``. Any other method or
    path is refused before anything runs (it would otherwise reach the operation the header names)."""
    if raw_path != "/":
        raise UnknownOperationException(f"No operation matches {method} {raw_path}: "
                                        "End User Messaging requests are POST / with X-Amz-Target")
    if method != "POST":
        raise MethodNotAllowedException(f"{method} / is not allowed: End User Messaging requests are POST /")
    prefix, _, name = target.partition(".")
    svc = catalog.service(catalog.SMS_VOICE)
    op = svc.operations.get(name) if prefix == svc.target_prefix else None
    if op is None:
        err = UnknownOperationException(f"Unknown operation: {target}")
        err.status = 400  # awsJson1_0 answers an unknown target with 400
        raise err
    return op
