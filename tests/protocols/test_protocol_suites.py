"""AWS's protocol compliance suites (restJson1, awsJson1_0, awsJson1_1, awsQuery), run in the server
direction through the gateway's own catalog, routing, parsing, validation and serializing.

Input cases: the request a client serialized (``serialized``) is routed and parsed, and must give the
case's ``params``; the params must then pass validation. Output cases: the case's ``result`` (or its
error) is serialized, botocore's own response parser reads it back, and it must give the case's result
and the case's HTTP status. The suite files are vendored under ``suites/`` (see its README for the source).

SKIP lists every case that cannot apply to a server, with the reason; every other case must pass.
"""
from __future__ import annotations

import copy
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.awsrequest import HeadersDict
from botocore.model import ServiceModel
from botocore.parsers import JSONParser, QueryParser, RestJSONParser
from botocore.utils import parse_timestamp
from dateutil.tz import tzutc

from localconnect.core.errors import ApiError
from localconnect.gateway import catalog, parsing, routing, serializing, validation

SUITES = Path(__file__).parent / "suites"
FILES = ("rest-json", "json", "json_1_0", "query")
PARSERS = {"rest-json": RestJSONParser, "json": JSONParser, "query": QueryParser}

_CLIENT_FILLS_TOKEN = ("The client fills an idempotency token the caller left out; the server sees a token "
                       "that was never in the caller's params.")
_COMPRESSION = ("The client compresses the body (requestCompression); what the suite gives is the body before "
                "compression, so there is no server-side request to parse.")
_HOST_PATH = ("The client's endpoint has a path of its own (/custom) that it puts before the operation's URI; a "
              "server is addressed at its own root, so the case's URI names no route of the model.")

# (file, direction, case id) -> why it cannot apply to a server
SKIP: dict[tuple[str, str, str], str] = {
    ("rest-json", "input", "RestJsonQueryIdempotencyTokenAutoFill"): _CLIENT_FILLS_TOKEN,
    ("query", "input", "QueryProtocolIdempotencyTokenAutoFill"): _CLIENT_FILLS_TOKEN,
    ("rest-json", "input", "SDKAppliedContentEncoding_restJson1"): _COMPRESSION,
    ("rest-json", "input", "SDKAppendedGzipAfterProvidedEncoding_restJson1"): _COMPRESSION,
    ("json", "input", "SDKAppliedContentEncoding_awsJson1_1"): _COMPRESSION,
    ("json", "input", "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_1"): _COMPRESSION,
    ("query", "input", "SDKAppliedContentEncoding_awsQuery"): _COMPRESSION,
    ("query", "input", "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsQuery"): _COMPRESSION,
    ("rest-json", "input", "RestJsonHostWithPath"): _HOST_PATH,
    ("json", "input", "AwsJson11HostWithPath"): _HOST_PATH,
    ("json_1_0", "input", "AwsJson10HostWithPath"): _HOST_PATH,
    ("query", "input", "QueryHostWithPath"): _HOST_PATH,
    ("json_1_0", "input", "SDKAppliedContentEncoding_awsJson1_0"): _COMPRESSION,
    ("json_1_0", "input", "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_0"): _COMPRESSION,
    ("rest-json", "input", "RestJsonQueryParamsStringListMap"): (
        "Client-side case: the client leaves the parameter bound to a named member out of the map. Its server "
        "twin in Smithy's suite (RestJsonServersQueryParamsStringListMap) has the server put every parameter "
        "in the map, which the gateway does (tests/unit/test_gateway_units.py checks it)."),
    ("rest-json", "input", "RestJsonQueryPrecedence"): (
        "Client-side precedence: the client drops the map's 'bar' because a named member uses that key, so "
        "the map value 'fromMap' never reaches the wire. (A server puts every parameter in the map.)"),
}


_BOTOCORE_MISREADS = "botocore's response parser misreads this response (the case is on botocore's own ignore list)"
# Output cases whose response botocore cannot read back as the suite means it: for these the response the
# gateway sends is compared with the case's own wire form (status, the headers it lists, the body) instead.
WIRE_CHECK: dict[tuple[str, str], str] = {
    ("rest-json", "RestJsonHttpPayloadTraitsWithNoBlobBody"): _BOTOCORE_MISREADS + ": an empty body as blob ''.",
    ("rest-json", "RestJsonHttpPayloadWithUnsetUnion"): _BOTOCORE_MISREADS + ": an empty body as an invalid union.",
    ("rest-json", "RestJsonInputAndOutputWithQuotedStringHeaders"): _BOTOCORE_MISREADS + ": quoted list items.",
    ("rest-json", "RestJsonInputAndOutputWithTimestampHeaders"): _BOTOCORE_MISREADS + ": http-date lists.",
    ("rest-json", "MediaTypeHeaderOutputBase64"): _BOTOCORE_MISREADS + ": it decodes the JSON inside.",
    ("query", "QueryXmlLists"): _BOTOCORE_MISREADS + ": flattened lists with a renamed list member.",
    ("query", "QueryComplexError"): _BOTOCORE_MISREADS + ": no Message element, where the suite expects ''.",
    ("rest-json", "HttpPrefixHeadersResponse"): (
        "A prefix of '' takes every header, and a server always sends Content-Type, Content-Length and "
        "x-amzn-RequestId, which botocore then puts in the map; the case's client-side response had none."),
}


def _load(direction: str) -> list:
    return list(_cases(direction))


def _cases(direction: str):
    for name in FILES:
        for suite_index, suite in enumerate(json.loads((SUITES / direction / f"{name}.json").read_text())):
            for case_index, case in enumerate(suite["cases"]):
                reason = SKIP.get((name, direction, case["id"]))
                marks = [pytest.mark.skip(reason=reason)] if reason else []
                yield pytest.param(name, suite, case, f"{suite_index}-{case_index}", marks=marks,
                                   id=f"{name}:{case['id']}")


def _service(name: str, direction: str, suite: dict, case: dict, tag: str) -> catalog.Service:
    description = copy.deepcopy({k: v for k, v in suite.items() if k != "cases"})
    description["operations"] = {case["given"]["name"]: copy.deepcopy(case["given"])}
    model = ServiceModel(description, service_name="suite")
    svc = catalog.build_service(f"suite-{name}-{direction}-{tag}", model)
    catalog.register(svc)
    return svc


# --- the gateway's form of the case's values --------------------------------------------------------------

_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def gateway_form(shape, value: Any) -> Any:
    """A suite value as the gateway holds it: blobs as bytes, special floats as floats, no nulls."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and not shape.metadata.get("document"):
        return {k: gateway_form(shape.members[k], v) for k, v in value.items() if v is not None}
    if kind == "list":
        return [gateway_form(shape.member, v) for v in value]
    if kind == "map":
        return {k: gateway_form(shape.value, v) for k, v in value.items() if v is not None}
    if kind == "blob" and isinstance(value, str):
        return value.encode()
    if kind in ("float", "double") and isinstance(value, str):
        return _SPECIAL[value]
    return value


def _lossy(name: str, op: catalog.Operation) -> set[str]:
    """Top-level members whose wire form cannot tell "empty" from "absent": a client sends nothing for an
    empty query list or map, an empty prefix-header map, an awsQuery map, and "{}" for an unset structure
    payload. For these, absent on one side equals an empty collection on the other."""
    if op.input_shape is None:
        return set()
    if name == "query":
        return {n for n, m in op.input_shape.members.items() if m.type_name == "map"}
    binds = op.input_bindings
    return {*binds.query, *binds.prefix_headers, *([binds.query_map] if binds.query_map else []),
            *([binds.payload] if binds.payload else [])}


def same(a: Any, b: Any, lossy: set[str] = frozenset()) -> bool:
    """Equality where NaN equals NaN and an int equals the same float."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        if lossy:
            a = {k: v for k, v in a.items() if not (k in lossy and v in ([], {}) and k not in b)}
            b = {k: v for k, v in b.items() if not (k in lossy and v in ([], {}) and k not in a)}
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                             and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


# --- input: parse what a client sent ----------------------------------------------------------------------

def _parse_request(name: str, svc: catalog.Service, case: dict):
    request = case["serialized"]
    body = request.get("body", "").encode()
    headers = {k.lower(): v for k, v in request.get("headers", {}).items()}
    if name == "rest-json":
        parts = urlsplit(request["uri"])
        match = routing.match_rest(svc.key, request["method"], parts.path)
        assert match.operation is not None, f"no route for {request['method']} {request['uri']}"
        return match.operation, parsing.parse_rest(match.operation, match.labels, parts.query.encode(), headers, body)
    if name == "query":
        return parsing.parse_query_protocol(body, svc.key)
    # The suite lists only the headers a case is about; every awsJson client sends X-Amz-Target.
    target = headers.get("x-amz-target") or f"{svc.target_prefix}.{case['given']['name']}"
    prefix, _, op_name = target.partition(".")
    assert prefix == svc.target_prefix
    op = svc.operations[op_name]
    return op, parsing.parse_json_protocol(op, body)


@pytest.mark.parametrize("name, suite, case, tag", _load("input"))
def test_server_parses_what_clients_send(name, suite, case, tag):
    svc = _service(name, "input", suite, case, tag)
    op, params = _parse_request(name, svc, case)
    assert op.name == case["given"]["name"]
    expected = gateway_form(op.input_shape, case["params"]) if op.input_shape is not None else {}
    assert same(params, expected, _lossy(name, op)), f"\nparsed   {params!r}\nexpected {expected!r}"
    assert validation.validate(op.input_shape, params) == []


# --- output: what the server sends, read back by botocore -------------------------------------------------

def _timestamp(value):
    return parse_timestamp(value).astimezone(tzutc()).timestamp()


def _special_floats_as_text(parsed: dict) -> dict:
    for key, value in parsed.items():
        if isinstance(value, float) and not math.isfinite(value):
            parsed[key] = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return parsed


def _as_text(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return value


@pytest.mark.parametrize("name, suite, case, tag", _load("output"))
def test_server_responses_read_back_by_botocore(name, suite, case, tag):
    svc = _service(name, "output", suite, case, tag)
    op = svc.operations[case["given"]["name"]]
    model, protocol = svc.model, svc.protocol
    if "error" in case:
        code = case["errorCode"]
        info = svc.errors.get(code)
        members = gateway_form(info.shape, case["error"]) if info else dict(case["error"])
        err = type(code, (ApiError,), {"code": code})(case.get("errorMessage", ""), **members)
        status, headers, body = serializing.error(svc.key, "request-id", err)
    else:
        output = gateway_form(op.output_shape, case["result"]) if op.output_shape is not None else {}
        status, headers, body = serializing.success(op, "request-id", output)
    if (name, case["id"]) in WIRE_CHECK:
        assert_wire_form(protocol, case["response"], status, headers, body)
        return
    response = {"status_code": status, "body": body, "context": {"operation_name": op.name},
                "headers": HeadersDict({k.decode(): v.decode() for k, v in headers})}
    parser = PARSERS[protocol](timestamp_parser=_timestamp)
    output_shape = op.model.output_shape
    if protocol == "query" and "error" not in case and output_shape is not None and output_shape.members:
        output_shape.serialization["resultWrapper"] = f"{op.name}Result"
    parsed = parser.parse(response, output_shape)
    if "error" in case:
        error_shape = model.shape_for_error_code(parsed.get("Error", {}).get("Code"))
        if error_shape is not None:
            parsed.update(parser.parse(response, error_shape))
        expected = {"Error": {"Code": case["errorCode"], "Message": case.get("errorMessage", "")}, **case["error"]}
        parsed["Error"] = {k: v for k, v in parsed["Error"].items() if k in ("Code", "Message")}
    else:
        expected = case["result"]
    parsed.pop("ResponseMetadata", None)
    parsed = _special_floats_as_text(_as_text(parsed))
    assert parsed == expected, f"\nread back {parsed!r}\nexpected  {expected!r}\nbody {body!r}\nheaders {headers!r}"
    assert status == case["response"]["status_code"]


def _xml(text: str | bytes):
    """(tag, text, children) without the default namespace, ResponseMetadata and RequestId (ours differ)."""
    root = ET.fromstring(text)
    default = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""

    def walk(node):
        tag = node.tag.replace("{" + default + "}", "") if default else node.tag
        children = [walk(c) for c in node if not c.tag.endswith(("ResponseMetadata", "RequestId"))]
        return tag, (node.text or "").strip(), children
    return walk(root)


def assert_wire_form(protocol: str, expected: dict, status: int, headers: list, body: bytes) -> None:
    assert status == expected["status_code"]
    sent = HeadersDict({k.decode(): v.decode() for k, v in headers})
    for header, value in expected.get("headers", {}).items():
        assert sent.get(header) == value, f"{header}: sent {sent.get(header)!r}, expected {value!r}"
    if "body" not in expected:
        return
    if not expected["body"].strip():
        assert body == b""
    elif protocol == "query":
        assert _xml(body) == _xml(expected["body"])
    else:
        assert json.loads(body) == json.loads(expected["body"])
