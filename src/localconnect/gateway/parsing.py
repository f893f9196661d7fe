"""Wire request → the operation's input dict, in the operation's protocol: restJson1 (labels, query,
headers, payload and body members), awsJson1_0/1_1 (the whole body) and awsQuery (a form body naming its
Action). The work is in ``protocols/``, one module per protocol; these are the gateway's entry points.

Values come out in the gateway's form: timestamps as epoch seconds, blobs as bytes, floats as floats.
What cannot be converted is left as it came, for validation to name.
"""
from __future__ import annotations

from typing import Any

from . import catalog
from .catalog import Operation
from .protocols import json_doc, json_rpc, query, rest_json

json_body = json_doc.load_object


def parse_rest(op: Operation, labels: dict[str, str], query_string: bytes, headers: dict[str, str],
               body: bytes) -> dict[str, Any]:
    """``headers`` has lower-case names, as ``asgi.header_map`` gives them."""
    return rest_json.parse(op, labels, query_string, headers, body)


def parse_json_protocol(op: Operation, body: bytes) -> dict[str, Any]:
    return json_rpc.parse(op, body)


def parse_query_protocol(body: bytes, service_key: str = catalog.STS) -> tuple[Operation, dict[str, Any]]:
    """An awsQuery request (``POST /``, ``application/x-www-form-urlencoded``) → (operation, input).
    Raises MissingAction / InvalidAction (400) when ``Action`` is absent or not an operation of the service."""
    return query.parse(catalog.service(service_key), body)
