"""Malformed and hostile HTTP over raw sockets: every answer is AWS-shaped JSON with an allowed status (5xx
only as the documented 501), it comes within a time bound, and a refused request writes nothing."""
from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rawhttp import CONNECT_JSON, EUM_JSON, check, exchange, request, state

TARGET = "PinpointSMSVoiceV2.DescribePhoneNumbers"

# What the HTTP parser itself refuses: each is a 400 BadRequestException in JSON, never uvicorn's plain text.
MALFORMED = {
    "bad chunk size": b"POST /phone-number/list HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "negative chunk size": b"POST /phone-number/list HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n",
    "control character in a header value": b"GET /instance HTTP/1.1\r\nHost: x\r\nX-Amz-Date: 2024\x01\r\n\r\n",
    "bare LF": b"GET /instance HTTP/1.1\nHost: x\n\n",
    "conflicting Content-Length": (b"POST /phone-number/list HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                                   b"Content-Length: 3\r\n\r\n{}"),
    "Content-Length and chunked": (b"POST /phone-number/list HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                                   b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
    "non-numeric Content-Length": b"POST /phone-number/list HTTP/1.1\r\nHost: x\r\nContent-Length: 2x\r\n\r\n{}",
    "space before the colon": b"GET /instance HTTP/1.1\r\nHost : x\r\n\r\n",
    "non-ASCII request target": b"GET /inst\xffance HTTP/1.1\r\nHost: x\r\n\r\n",
    "garbage request line": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  # a TLS ClientHello
    "unknown HTTP version": b"GET /instance HTTP/9.9\r\nHost: x\r\n\r\n",
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_http_is_answered_in_aws_json(edge, name):
    answer = exchange(edge.url, MALFORMED[name], wait=3)
    assert answer.closed and answer.seconds < 1 and len(answer.responses) == 1, answer
    [response] = answer.responses
    check(response)
    assert response.status == 400 and response.headers["x-amzn-errortype"] == "BadRequestException", response
    assert response.headers["content-type"] == CONNECT_JSON and response.headers["x-amzn-requestid"]
    assert response.json()["Message"].startswith("Malformed HTTP request"), response.body


def test_malformed_http_after_an_x_amz_target_is_answered_in_awsjson(edge):
    data = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + TARGET.encode() + b"\r\nContent-Length: 2\r\n"
            b"Content-Length: 3\r\n\r\n{}")
    [response] = exchange(edge.url, data, wait=3).responses
    check(response)
    assert response.headers["content-type"] == EUM_JSON
    assert response.json()["__type"] == "BadRequestException"


def test_headers_over_64_kib_are_431(edge):
    data = b"GET /instance HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
    [response] = exchange(edge.url, data, wait=3).responses
    check(response)
    assert response.status == 431 and response.headers["x-amzn-errortype"] == "RequestHeaderFieldsTooLargeException"


def test_many_small_headers_over_64_kib_are_431(edge):
    data = b"GET /instance HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 60)
                                                            for i in range(1500)) + b"\r\n"
    [response] = exchange(edge.url, data, wait=3).responses
    assert response.status == 431


def test_a_body_in_tiny_chunks_is_refused_before_it_holds_the_server(edge):
    """Each chunk is a Python call: 1 MiB in 1-byte chunks held the event loop for over a second."""
    tiny = b"".join(b"1\r\nx\r\n" for _ in range(20_000)) + b"0\r\n\r\n"
    answer = exchange(edge.url, request("POST", "/phone-number/list", {"Transfer-Encoding": "chunked",
                                                                        "Content-Type": CONNECT_JSON}, tiny,
                                        length=False), wait=3)
    [response] = answer.responses
    check(response)
    assert response.status == 400 and "chunks too small" in response.json()["Message"], response
    assert answer.seconds < 0.5
    body = json.dumps({"MaxResults": 10, "PhoneNumberPrefix": "+1" + " " * 0}).encode().ljust(2000)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 64]), body[i:i + 64]) for i in range(0, len(body), 64))
    [response] = exchange(edge.url, request("POST", "/phone-number/list", {"Transfer-Encoding": "chunked",
                                                                           "Content-Type": CONNECT_JSON},
                                            chunks + b"0\r\n\r\n", length=False), wait=3).responses
    assert response.status == 200, response  # ordinary chunks are fine


def test_a_websocket_upgrade_is_served_as_plain_http(edge):
    data = request("GET", "/instance", {"Connection": "Upgrade", "Upgrade": "websocket"})
    [response] = exchange(edge.url, data, wait=3).responses
    check(response)
    assert response.status == 200


def test_http_1_0_and_pipelining(edge):
    answer = exchange(edge.url, b"GET /instance HTTP/1.0\r\n\r\n", wait=3)
    assert answer.closed and [r.status for r in answer.responses] == [200]
    pipelined = request("GET", "/instance", {}, close=False) + request("GET", "/nope", {}, close=False) + \
        request("GET", "/instance", {})
    answer = exchange(edge.url, pipelined, wait=3)
    assert [r.status for r in answer.responses] == [200, 404, 200]
    for response in answer.responses:
        check(response)


# --- generated: hostile requests from the attack classes ----------------------------------------------------

CONNECT_ROUTES = [("PUT", "/instance"), ("GET", "/instance"), ("GET", "/instance/{id}"), ("DELETE", "/instance/{id}"),
                  ("GET", "/phone-number/{id}"), ("PUT", "/phone-number/{id}"), ("DELETE", "/phone-number/{id}"),
                  ("POST", "/phone-number/import"), ("POST", "/phone-number/claim"), ("POST", "/phone-number/list"),
                  ("POST", "/phone-number/search-available"), ("GET", "/phone-numbers-summary/{id}"),
                  ("POST", "/tags/{id}"), ("GET", "/tags/{id}"), ("DELETE", "/tags/{id}"),
                  ("GET", "/users-summary/{id}"), ("GET", "/queues-summary/{id}")]  # the last two: 501
EUM_OPERATIONS = ["DescribePhoneNumbers", "RequestPhoneNumber", "ReleasePhoneNumber", "UpdatePhoneNumber",
                  "TagResource", "ListTagsForResource", "CreatePool", "SendTextMessage"]
PATH_TRICKS = ["/%5Flocalconnect/reset", "//instance", "/instance/../_localconnect/reset", "/instance/%2e%2e/x",
               "/instance?nextToken=%ff%fe", "/phone-number/%00", "/" + "a" * 5000, "/instance/" + "%41" * 300,
               "*", "http://evil/instance"]
TEMPLATES = {
    "/instance": {"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "hostile",
                  "InboundCallsEnabled": True, "OutboundCallsEnabled": True},
    "/phone-number/import": {"InstanceId": "00000000-0000-0000-0000-000000000000",
                             "SourcePhoneNumberArn": "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0"},
    "/phone-number/list": {"MaxResults": 10, "PhoneNumberTypes": ["DID"], "NextToken": "x"},
    "RequestPhoneNumber": {"IsoCountryCode": "US", "MessageType": "TRANSACTIONAL", "NumberCapabilities": ["SMS"],
                           "NumberType": "TOLL_FREE"},
}

ids = st.one_of(st.uuids().map(str), st.text(string.ascii_letters + string.digits + "%-._~:/", max_size=80))


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def hostile_values():
    return st.one_of(
        st.integers(min_value=-(2 ** 80), max_value=2 ** 80), st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(), st.none(), st.text(max_size=50),
        st.sampled_from(["\ud800", "a\x00b", "x" * 20_000, "+1555" * 1000, "é" * 3000]),
        st.integers(1, 200).map(_nested),
        st.lists(st.text(max_size=5), max_size=30), st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=5))


@st.composite
def bodies(draw, key: str) -> bytes:
    kind = draw(st.sampled_from(["template", "random json", "bytes", "deep", "nan", "duplicate", "utf8", "empty"]))
    template = dict(TEMPLATES.get(key, {"InstanceId": "x", "MaxResults": 5}))
    if kind == "template":
        member = draw(st.sampled_from(sorted(template) + ["Unknown"]))
        template[member] = draw(hostile_values())
        return json.dumps(template).encode()
    if kind == "random json":
        return json.dumps(draw(st.recursive(st.one_of(st.none(), st.integers(), st.text(max_size=20)),
                                            lambda inner: st.lists(inner, max_size=4)
                                            | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                                            max_leaves=10))).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "deep":
        depth = draw(st.integers(10, 100_000))
        return b'{"InstanceId": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == "nan":
        member = draw(st.sampled_from(sorted(template)))
        return json.dumps(template)[:-1].encode() + b', "%s": %s}' % (member.encode(), draw(
            st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999", b"1" * 400])))
    if kind == "duplicate":
        return json.dumps(template)[:-1].encode() + b", " + json.dumps(template)[1:].encode()
    if kind == "utf8":
        return json.dumps(template).encode().replace(b"hostile", b"host\xff\xfeile").replace(b'"x"', b'"\xc3"')
    return b""


@st.composite
def hostile_requests(draw) -> tuple[bytes, bool]:
    """Bytes of one hostile request (complete: it never waits for the request timeout), and whether HEAD."""
    headers: list[tuple[str, str]] = []
    if draw(st.booleans()):
        method, path = draw(st.sampled_from(CONNECT_ROUTES))
        path = path.replace("{id}", draw(ids).replace(" ", "%20"))
        key = path if path in TEMPLATES else ""
        content_type = draw(st.sampled_from([CONNECT_JSON, "text/plain", "application/x-www-form-urlencoded",
                                             EUM_JSON, "", "application/json; charset=utf-16"]))
    else:
        method, path = "POST", "/"
        operation = draw(st.sampled_from(EUM_OPERATIONS))
        target = draw(st.sampled_from([f"PinpointSMSVoiceV2.{operation}", operation, f"PinpointSMSVoiceV2.{operation}x",
                                       "PinpointSMSVoiceV2.", ".", "Connect.ListInstances", "é" * 10]))
        headers.append(("X-Amz-Target", target))
        key = operation
        content_type = draw(st.sampled_from([EUM_JSON, CONNECT_JSON, "", "application/x-amz-json-1.1"]))
    if draw(st.integers(0, 9)) == 0:
        path = draw(st.sampled_from(PATH_TRICKS))
    if draw(st.integers(0, 4)) == 0:
        method = draw(st.sampled_from(["PATCH", "OPTIONS", "HEAD", "TRACE", "GET", "DELETE"]))
    if content_type:
        headers.append(("Content-Type", content_type))
    auth = draw(st.sampled_from([None, "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/connect/aws4_request, "
                                       "SignedHeaders=host, Signature=00", "Bearer \xff", "AWS4-HMAC-SHA256",
                                 "AWS4-HMAC-SHA256 Credential=" + "A" * 3000, "Basic Og==",
                                 "AWS4-HMAC-SHA256 Credential=AKID/20240101/mars-north-9/connect/aws4_request"]))
    if auth is not None:
        headers.append(("Authorization", auth))
    if draw(st.integers(0, 4)) == 0:
        headers.append((draw(st.sampled_from(["X-Amz-Date", "X-Amz-Security-Token", "Expect", "X-Forwarded-For"])),
                        draw(st.sampled_from(["100-continue", "2024", "", "\xe9", "a" * 8000]))))
    body = draw(bodies(key))
    framing = draw(st.sampled_from(["length", "length", "length", "chunked", "http/1.0"]))
    if framing == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
        size = draw(st.integers(1, 4096))
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size))
        data = request(method, path, headers, chunks + b"0\r\n\r\n", length=False)
    elif framing == "http/1.0":
        data = request(method, path, headers, body, version="HTTP/1.0", close=False)
    else:
        data = request(method, path, headers, body)
    return data, method == "HEAD"


@settings(max_examples=300, deadline=None, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(attack=hostile_requests())
def test_hostile_requests_get_aws_json_in_time_and_write_nothing_when_refused(edge, attack):
    data, head = attack
    before = state(edge.url)
    answer = exchange(edge.url, data, wait=5, head=head)
    assert answer.responses, (answer, data[:300])
    assert answer.seconds < 1.0, (answer.seconds, data[:300])  # the request timeout (1 s) never comes into it
    for response in answer.responses:
        check(response, head=head)
        event(f"status {response.status}")
    if all(response.status >= 300 for response in answer.responses):
        assert state(edge.url) == before, data[:300]
