"""The soak's attack classes: each makes the bytes of one hostile request from a seeded random generator.

Every request here is complete (the server never has to wait for the client); the slow-client class lives in
soak.py because it is about holding connections, not about what is sent. Templates aim at the resources of a
small world (an instance, a Connect number, End User Messaging numbers) so that requests get past routing and
into parsing, validation and the handlers. Templates that would succeed without limit (RequestPhoneNumber,
deletes of the world's own resources) are kept invalid or pointed at unknown ids, so the store stays small
and later requests meet the same world as earlier ones.
"""
from __future__ import annotations

import json
import random
from typing import Callable

CONNECT_JSON = "application/json"
EUM_JSON = "application/x-amz-json-1.0"
EUM_PREFIX = "PinpointSMSVoiceV2."
SIGV4 = ("AWS4-HMAC-SHA256 Credential=AKIDSOAK/20260101/us-east-1/{service}/aws4_request, "
         "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)


class Request:
    """One attack: the bytes to send, how many answers they should get, and whether the method is HEAD."""

    def __init__(self, data: bytes, answers: int = 1, head: bool = False):
        self.data, self.answers, self.head = data, answers, head


def build(method: str, path: str, headers: list[tuple[str, str]], body: bytes = b"", *,
          version: str = "HTTP/1.1", length: bool = True, close: bool = True) -> bytes:
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1"] + (["Connection: close"] if close else [])
    lines += [f"{name}: {value}" for name, value in headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


class World:
    """The resources requests aim at (from soak.py's set-up), and the operation templates built on them."""

    def __init__(self, ids: dict):
        self.ids = ids
        unknown = "00000000-0000-4000-8000-000000000000"
        i, arn = ids["instance_id"], ids["instance_arn"]
        number_id, number_arn = ids["number_id"], ids["number_arn"]
        # (method, path, body) for Connect; body None: no body.
        self.connect: list[tuple[str, str, dict | None]] = [
            ("PUT", "/instance", {"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "soak",
                                  "InboundCallsEnabled": True, "OutboundCallsEnabled": True}),
            ("GET", "/instance?maxResults=5", None),
            ("GET", f"/instance/{i}", None),
            ("DELETE", f"/instance/{unknown}", None),
            ("GET", f"/phone-number/{number_id}", None),
            ("PUT", f"/phone-number/{number_id}", {"TargetArn": arn, "ClientToken": "soak-token"}),
            ("PUT", f"/phone-number/{number_id}/metadata", {"PhoneNumberDescription": "soak"}),
            ("DELETE", f"/phone-number/{unknown}", None),
            ("POST", "/phone-number/import", {"InstanceId": i, "SourcePhoneNumberArn": ids["spare_arn"]}),
            ("POST", "/phone-number/claim", {"TargetArn": arn, "PhoneNumber": "+15550100999"}),
            ("POST", "/phone-number/list", {"InstanceId": i, "MaxResults": 10, "PhoneNumberTypes": ["TOLL_FREE"]}),
            ("POST", "/phone-number/search-available", {"InstanceId": i, "PhoneNumberCountryCode": "US",
                                                        "PhoneNumberType": "DID", "MaxResults": 5}),
            ("GET", f"/phone-numbers-summary/{i}?maxResults=5", None),
            ("POST", f"/tags/{arn.replace(':', '%3A').replace('/', '%2F')}", {"tags": {"soak": "yes"}}),
            ("GET", f"/tags/{number_arn.replace(':', '%3A').replace('/', '%2F')}", None),
            ("GET", f"/users-summary/{i}?maxResults=5", None),  # ListUsers: modeled, not emulated (501)
        ]
        # (operation, body) for End User Messaging.
        self.eum: list[tuple[str, dict]] = [
            ("DescribePhoneNumbers", {"MaxResults": 10}),
            ("DescribePhoneNumbers", {"PhoneNumberIds": [ids["sms_id"]]}),
            ("RequestPhoneNumber", {"IsoCountryCode": "US", "MessageType": "TRANSACTIONAL",
                                    "NumberCapabilities": ["SMS"]}),  # NumberType left out: never succeeds
            ("UpdatePhoneNumber", {"PhoneNumberId": ids["sms_id"], "DeletionProtectionEnabled": False}),
            ("ReleasePhoneNumber", {"PhoneNumberId": "phone-" + "0" * 32}),
            ("TagResource", {"ResourceArn": ids["sms_arn"], "Tags": [{"Key": "soak", "Value": "yes"}]}),
            ("ListTagsForResource", {"ResourceArn": ids["sms_arn"]}),
            ("CreatePool", {"OriginationIdentity": ids["sms_id"], "IsoCountryCode": "US",
                            "MessageType": "TRANSACTIONAL"}),  # 501
        ]

    def pick(self, rng: random.Random) -> tuple[str, str, list[tuple[str, str]], dict | None]:
        """A random template: method, path, headers, body (None: no body)."""
        if rng.random() < 0.6:
            method, path, body = rng.choice(self.connect)
            headers = [("Authorization", SIGV4.format(service="connect"))]
            if body is not None:
                headers.append(("Content-Type", CONNECT_JSON))
            return method, path, headers, None if body is None else dict(body)
        operation, body = rng.choice(self.eum)
        return "POST", "/", [("X-Amz-Target", EUM_PREFIX + operation), ("Content-Type", EUM_JSON),
                             ("Authorization", SIGV4.format(service="sms-voice"))], dict(body)


def _dumps(body: dict | None) -> bytes:
    return b"" if body is None else json.dumps(body).encode()


def _member(rng: random.Random, body: dict | None) -> str:
    return rng.choice(sorted(body)) if body else "Unknown"


def _with(world: World, rng: random.Random, make_value: Callable[[random.Random], object]) -> Request:
    """A template with one member replaced (or added) by a hostile value."""
    method, path, headers, body = world.pick(rng)
    body = dict(body or {})
    body[_member(rng, body) if rng.random() < 0.8 else "Unknown"] = make_value(rng)
    if method == "GET" and rng.random() < 0.5:
        method = "POST"  # the same path with a body: a different (or no) operation
    return Request(build(method, path, headers, json.dumps(body).encode()), head=method == "HEAD")


def _wrong_type(rng: random.Random) -> object:
    return rng.choice([1, -1, 2 ** 40, 1.5, True, False, None, "text", "", [], ["a", 1, None], {}, {"a": {"b": []}},
                       [{"Key": 1}], {"Key": None}])


def _huge_string(rng: random.Random) -> str:
    return rng.choice("x+9é-_ ") * rng.choice([1_000, 10_000, 100_000, 500_000])


def _nested(rng: random.Random) -> object:
    depth = rng.choice([20, 100, 1_000, 10_000, 100_000])
    value: object = rng.choice([[], {}, "x", 1])
    for _ in range(min(depth, 500)):  # json.dumps recurses: deeper ones are written as text below
        value = [value] if rng.random() < 0.5 else {"a": value}
    return value


def random_bodies(world: World, rng: random.Random) -> Request:
    method, path, headers, _ = world.pick(rng)
    body = rng.randbytes(rng.choice([0, 1, 16, 256, 4096, 65536]))
    return Request(build(method, path, headers, body))


def wrong_json_types(world: World, rng: random.Random) -> Request:
    if rng.random() < 0.2:  # the document itself is not an object
        method, path, headers, _ = world.pick(rng)
        return Request(build(method, path, headers, json.dumps(_wrong_type(rng)).encode()))
    return _with(world, rng, _wrong_type)


def huge_strings(world: World, rng: random.Random) -> Request:
    if rng.random() < 0.1:  # over max_body_bytes: 413
        method, path, headers, _ = world.pick(rng)
        return Request(build(method, path, headers, b'{"a": "' + b"x" * 1_100_000 + b'"}'))
    return _with(world, rng, _huge_string)


def deep_nesting(world: World, rng: random.Random) -> Request:
    if rng.random() < 0.5:
        method, path, headers, body = world.pick(rng)
        depth = rng.choice([1_000, 10_000, 100_000, 400_000])
        opener, closer = rng.choice([(b"[", b"]"), (b'{"a":', b"}")])
        member = _member(rng, body).encode()
        data = b'{"' + member + b'": ' + opener * depth + b"1" + closer * depth + b"}"
        return Request(build(method, path, headers, data))
    return _with(world, rng, _nested)


def invalid_utf8(world: World, rng: random.Random) -> Request:
    method, path, headers, body = world.pick(rng)
    text = _dumps(body or {"a": "b"})
    bad = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\\ud800",
                      b"\\udfff\\ud800", b"\x00"])
    quote = text.find(b'"', text.find(b":") + 1)
    data = text[:quote + 1] + bad + text[quote + 1:] if quote > 0 else bad + text
    return Request(build(method, path, headers, data))


def nan_1e999(world: World, rng: random.Random) -> Request:
    method, path, headers, body = world.pick(rng)
    text = _dumps(dict(body or {}))
    value = rng.choice([b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999", b"1e-999", b"9" * 400,
                        b"123456789012345678901234567890", b"-0", b"0.0e0"])
    member = (_member(rng, body) if rng.random() < 0.7 else "MaxResults").encode()
    data = (text[:-1] + (b", " if len(text) > 2 else b"") if text else b"{") + b'"' + member + b'": ' + value + b"}"
    return Request(build(method, path, headers, data))


def duplicate_keys(world: World, rng: random.Random) -> Request:
    method, path, headers, body = world.pick(rng)
    body = dict(body or {"a": 1})
    member = _member(rng, body)
    twice = json.dumps({member: _wrong_type(rng)})[1:-1]
    text = json.dumps(body)
    data = ("{" + twice + ", " + text[1:]) if rng.random() < 0.5 else (text[:-1] + ", " + twice + "}")
    return Request(build(method, path, headers, data.encode()))


def wrong_content_type(world: World, rng: random.Random) -> Request:
    method, path, headers, body = world.pick(rng)
    headers = [(k, v) for k, v in headers if k != "Content-Type"]
    choice = rng.choice(["text/plain", "application/xml", "multipart/form-data; boundary=x", None,
                         "application/x-amz-json-1.1", CONNECT_JSON, EUM_JSON, "application/json; charset=utf-16",
                         "*/*", "application/x-www-form-urlencoded"])
    if choice is not None:
        headers.append(("Content-Type", choice))
    return Request(build(method, path, headers, _dumps(body)))


def garbled_target(world: World, rng: random.Random) -> Request:
    operation, body = rng.choice(world.eum)
    target = rng.choice([operation, EUM_PREFIX, ".", EUM_PREFIX + operation + "x", EUM_PREFIX.lower() + operation,
                         "Connect_20170801." + operation, EUM_PREFIX + "é" * 20, EUM_PREFIX + "A" * 8000,
                         EUM_PREFIX + operation + " ", "", EUM_PREFIX + operation + "." + operation])
    headers = [("X-Amz-Target", target), ("Content-Type", EUM_JSON)]
    if rng.random() < 0.3:
        headers.append(("X-Amz-Target", EUM_PREFIX + "ReleasePhoneNumber"))  # two targets
    path = rng.choice(["/", "/", "/instance", "/?x=1"])
    return Request(build(rng.choice(["POST", "POST", "GET", "PUT"]), path, headers, _dumps(body)))


PATH_TRICKS = ["/%5Flocalconnect/reset", "/_localconnect/../instance", "/instance/../_localconnect/reset",
               "//instance", "/instance/", "/instance/%2F..%2F_localconnect%2Freset", "/phone-number/%00",
               "/phone-number/%ff%fe", "/phone-number/..%2f..%2f", "/tags/arn%3Aaws%3Aconnect%3A%3A%3A",
               "/instance?maxResults=0", "/instance?maxResults=-1&maxResults=2", "/instance?nextToken=%ED%A0%80",
               "/instance?" + "a=b&" * 2000, "/" + "a" * 8000, "/instance/" + "%41" * 2000, "*",
               "http://evil.example/instance", "/phone-number/" + "9" * 300, "/instance/%", "/instance#frag"]


def path_tricks(world: World, rng: random.Random) -> Request:
    _, _, headers, body = world.pick(rng)
    method = rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
    headers = [(k, v) for k, v in headers if k != "X-Amz-Target"]
    return Request(build(method, rng.choice(PATH_TRICKS), headers, _dumps(body)), head=method == "HEAD")


def garbage_authorization(world: World, rng: random.Random) -> Request:
    method, path, headers, body = world.pick(rng)
    headers = [(k, v) for k, v in headers if k != "Authorization"]
    value = rng.choice([
        "".join(chr(rng.randrange(0x20, 0x100)) for _ in range(rng.choice([1, 40, 400]))),
        "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=", "Bearer \xff",
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/connect/aws4_request, Signature=0, Signature=1",
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/mars-north-9/connect/aws4_request, SignedHeaders=host, Signature=0",
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
        "AWS4-HMAC-SHA256 Credential=" + "A" * 10_000, "Basic " + "QQ==" * 100, "AWS AKID:sig"])
    headers.append(("Authorization", value))
    if rng.random() < 0.2:
        path += ("&" if "?" in path else "?") + "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%ff&X-Amz-Signature=0"
    return Request(build(method, path, headers, _dumps(body)))


def huge_headers(world: World, rng: random.Random) -> Request:
    method, path, headers, body = world.pick(rng)
    shape = rng.choice(["one", "many", "over"])
    if shape == "one":
        headers.append(("X-Soak", "v" * rng.choice([1_000, 16_000, 60_000])))
    elif shape == "many":
        headers += [(f"X-Soak-{k}", "v" * 30) for k in range(rng.choice([100, 1_000, 1_800]))]
    else:
        headers.append(("X-Soak", "v" * rng.choice([70_000, 300_000, 1_000_000])))  # 431
    return Request(build(method, path, headers, _dumps(body)))


def chunked_bodies(world: World, rng: random.Random) -> Request:
    method, path, headers, body = world.pick(rng)
    data = _dumps(body or {"a": 1})
    size = rng.choice([1, 3, 64, 4096])
    chunks = [data[k:k + size] for k in range(0, len(data), size)]
    style = rng.choice(["plain", "plain", "extension", "trailer", "uppercase", "bad size", "huge size", "no end"])
    out = b""
    for chunk in chunks:
        head = b"%x" % len(chunk)
        if style == "extension":
            head += b";name=value"
        elif style == "uppercase":
            head = head.upper()
        elif style == "bad size" and rng.random() < 0.5:
            head = rng.choice([b"zz", b"-1", b"0x10", b" 10", b""])
        elif style == "huge size" and rng.random() < 0.3:
            head = b"f" * 20
        out += head + b"\r\n" + chunk + b"\r\n"
    if style == "no end":  # the last chunk is replaced by an early close of the body: the server must not wait
        out += b"0\r\n\r\n" + b"garbage after the end"
    else:
        out += b"0\r\n" + (b"X-Trailer: 1\r\n" if style == "trailer" else b"") + b"\r\n"
    headers.append(("Transfer-Encoding", "chunked"))
    return Request(build(method, path, headers, out, length=False))


def http10_and_pipelining(world: World, rng: random.Random) -> Request:
    if rng.random() < 0.4:
        method, path, headers, body = world.pick(rng)
        return Request(build(method, path, headers, _dumps(body), version="HTTP/1.0", close=False,
                             length=body is not None or rng.random() < 0.5))
    count = rng.randint(2, 6)
    parts = []
    for k in range(count):
        method, path, headers, body = world.pick(rng)
        parts.append(build(method, path, headers, _dumps(body), close=k == count - 1))
    return Request(b"".join(parts), answers=count)


CLASSES: dict[str, Callable[[World, random.Random], Request]] = {
    "random bodies": random_bodies,
    "wrong JSON types": wrong_json_types,
    "huge strings": huge_strings,
    "deep nesting": deep_nesting,
    "invalid UTF-8": invalid_utf8,
    "NaN / 1e999": nan_1e999,
    "duplicate keys": duplicate_keys,
    "wrong Content-Type": wrong_content_type,
    "garbled X-Amz-Target": garbled_target,
    "path tricks": path_tricks,
    "garbage Authorization": garbage_authorization,
    "huge headers": huge_headers,
    "chunked bodies": chunked_bodies,
    "HTTP/1.0 + pipelining": http10_and_pipelining,
}
