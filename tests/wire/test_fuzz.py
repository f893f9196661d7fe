"""Hostile and malformed raw HTTP against a running server (docs/behaviour.md §8), driven by hypothesis.

The property everywhere: every answer is a 2xx or a well-formed AWS JSON error — never a 500 (no unhandled
error), never HTML, never a bare text body; Connect errors carry ``x-amzn-ErrorType`` and ``Message``, End
User Messaging errors ``__type`` and ``Message``. Requests that are refused change nothing.

Raw requests carry no Authorization header, so they land in the default account and Region — the same
partition the boto3 fixtures (access key AKIDLOCALCONNECT, us-east-1) use to build the world they attack.
Paths are sent with ``http.client`` where they must reach the server byte for byte (``requests``/urllib3
re-quote malformed percent escapes); everything else goes through ``requests``.
"""
from __future__ import annotations

import base64
import http.client
import json
import re
import urllib.parse
from dataclasses import dataclass

import botocore.session
import pytest
import requests
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from support import Answer, import_settled, make_instance, request_number

ALLOWED = {200, 400, 402, 403, 404, 405, 409, 413, 429, 501}
CONNECT_JSON = "application/json"
EUM_JSON = "application/x-amz-json-1.0"
EUM_PREFIX = "PinpointSMSVoiceV2"
MIB = 1024 * 1024

FUZZ = settings(max_examples=200, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])

_session = botocore.session.get_session()
CONNECT_MODEL = _session.get_service_model("connect")
EUM_MODEL = _session.get_service_model("pinpoint-sms-voice-v2")


# --- sending and judging ----------------------------------------------------------------------------------

def send_raw(url: str, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> Answer:
    """One request with ``path`` on the wire exactly as given (ASCII, no spaces or control characters)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def send(url: str, method: str, path: str, body: bytes = b"", target: str | None = None) -> Answer:
    headers = {"Content-Type": EUM_JSON, "X-Amz-Target": target} if target is not None else \
        {"Content-Type": CONNECT_JSON}
    response = requests.request(method, url + path, data=body, headers=headers, timeout=60)
    return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)


def check(answer: Answer, *, eum: bool) -> dict:
    """The property: an allowed status, a JSON object body of the right content type, the error form."""
    ctype = answer.headers.get("content-type", "")
    shown = answer.body[:400]
    assert answer.status in ALLOWED, (answer.status, ctype, shown)
    assert "html" not in ctype.lower() and not answer.body.lstrip().startswith(b"<"), (answer.status, shown)
    assert ctype == (EUM_JSON if eum else CONNECT_JSON), (answer.status, ctype, shown)
    assert b"Traceback" not in answer.body
    data = answer.json()
    assert isinstance(data, dict), shown
    assert answer.headers.get("x-amzn-requestid"), answer.headers
    if answer.status >= 300:
        assert isinstance(data.get("Message"), str) and data["Message"], shown
        if eum:
            assert isinstance(data.get("__type"), str) and data["__type"], shown
        else:
            error_type = answer.headers.get("x-amzn-errortype", "")
            assert error_type and error_type.replace(":", "").replace("#", "").isalnum(), answer.headers
    return data


def error_code(answer: Answer, *, eum: bool) -> str:
    return answer.json()["__type"] if eum else answer.headers["x-amzn-errortype"]


def json_bytes(value) -> bytes:
    """JSON as an SDK would send it: ASCII with \\u escapes (so lone surrogates travel as "\\ud800")."""
    return json.dumps(value, ensure_ascii=True, allow_nan=False).encode()


def quote_label(value: str) -> str:
    return urllib.parse.quote(value, safe="-._~", errors="surrogatepass")


# --- the world the requests attack ------------------------------------------------------------------------

@dataclass
class World:
    instance_id: str
    instance_arn: str
    other_instance_id: str
    numbers: list[dict]       # imported Connect numbers: {PhoneNumberId, PhoneNumberArn}
    sources: list[dict]       # their End User Messaging numbers
    spare: dict               # an ACTIVE End User Messaging number nobody imported


@pytest.fixture
def world(lc, connect, sms) -> World:
    status, _ = lc.admin("POST", "/quotas", {"instances_per_region": 10})
    assert status == 200
    instance = make_instance(connect, lc, "fuzzworld", Tags={"owner": "fuzz"})
    other = make_instance(connect, lc, "fuzzworld2")
    sources = [request_number(sms, "TOLL_FREE", Tags=[{"Key": "src", "Value": str(i)}]) for i in range(2)]
    spare = request_number(sms, "LONG_CODE", Tags=[{"Key": "spare", "Value": "yes"}])
    numbers = [import_settled(connect, lc, instance["Id"], s["PhoneNumberArn"], Tags={"team": "ops"})
               for s in sources]
    lc.advance(2)  # everything settled: nothing changes from here on unless a request changes it
    return World(instance["Id"], instance["Arn"], other["Id"], numbers, sources, spare)


def snapshot(lc, connect, sms, world: World) -> dict:
    """Everything a stray write could change: resources of every partition, release events, tags."""
    state = lc.state()
    partitions = sorted(
        (p["account"], p["region"], json.dumps(p["instances"], sort_keys=True),
         json.dumps(p["phone_numbers"], sort_keys=True), json.dumps(p["sms_voice_phone_numbers"], sort_keys=True),
         p["release_window"]["events_in_window"])
        for p in state["partitions"]
        if p["instances"] or p["phone_numbers"] or p["sms_voice_phone_numbers"]
        or p["release_window"]["events_in_window"])
    tags = {arn: connect.list_tags_for_resource(resourceArn=arn)["tags"]
            for arn in [world.instance_arn] + [n["PhoneNumberArn"] for n in world.numbers]}
    for number in world.sources + [world.spare]:
        tags[number["PhoneNumberArn"]] = sms.list_tags_for_resource(ResourceArn=number["PhoneNumberArn"])["Tags"]
    numbers = connect.list_phone_numbers_v2()["ListPhoneNumbersSummaryList"]
    eum = sms.describe_phone_numbers()["PhoneNumbers"]
    return {"partitions": partitions, "tags": tags, "connect_numbers": numbers, "eum_numbers": eum}


def server_still_sound(lc, connect, sms) -> None:
    """After a storm: every list and the state view still answer (nothing stored that breaks a later read)."""
    assert isinstance(lc.state()["partitions"], list)
    for page in connect.get_paginator("list_phone_numbers_v2").paginate():
        assert isinstance(page["ListPhoneNumbersSummaryList"], list)
    for page in connect.get_paginator("list_instances").paginate():
        for summary in page["InstanceSummaryList"]:
            connect.describe_instance(InstanceId=summary["Id"])
            connect.list_tags_for_resource(resourceArn=summary["Arn"])
    for page in sms.get_paginator("describe_phone_numbers").paginate():
        for number in page["PhoneNumbers"]:
            sms.list_tags_for_resource(ResourceArn=number["PhoneNumberArn"])


# --- strategies -------------------------------------------------------------------------------------------

PATH_CHARS = "".join(chr(c) for c in range(0x21, 0x7F))
JUNK_SEGMENTS = [
    "phone-number", "phone-number", "instance", "instance", "tags", "import", "list", "claim", "search-available",
    "phone-numbers-summary", "contact-flow", "metadata", "users-summary", "..", ".", "%2e%2e", "%2E", "%00",
    "%2F", "%5C", "%25", "%", "%Z", "%zz", "%E0%A4%A", "%ED%A0%80", "%F0%9F%98%80", "%C0%AF", "%FF%FE",
    "%u0000", "%EF%BB%BF", "%E2%80%AE", "\\", "..%2F..%2F", "~", "%0D%0A", "%09",
    "arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Aphone-number%2F",
    "arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Ainstance%2F..%2F..",
    "arn:aws:connect:us-east-1:123456789012:instance/x",
]
segments = st.one_of(
    st.sampled_from(JUNK_SEGMENTS),
    st.text(alphabet=PATH_CHARS, min_size=1, max_size=30),
    st.integers(min_value=1000, max_value=30000).map(lambda n: "a" * n),
)
query_strings = st.one_of(
    st.just(""),
    st.text(alphabet=PATH_CHARS, max_size=60).map(lambda q: "?" + q),
    st.sampled_from(["?maxResults=0", "?maxResults=-1", "?maxResults=1e3", "?maxResults=99999999999999999999",
                     "?nextToken=", "?nextToken=%ED%A0%80", "?clientToken=%00", "?tagKeys=", "?instanceId=%FF",
                     "?phoneNumberTypes=DID&phoneNumberTypes=NOPE", "?%%%&&==", "?a=b&a=c&a=%ZZ"]),
)
raw_paths = st.builds(
    lambda lead, segs, trail, query: lead + "/".join(segs) + trail + query,
    st.sampled_from(["/", "//", "/./", "/../"]),
    st.lists(segments, max_size=6),
    st.sampled_from(["", "/", "//"]),
    query_strings,
)
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)

NASTY_STRINGS = [
    "", " ", "\u0000", "a\u0000b", "\ud800", "\udfff", "a\ud83d", "\udc00\ud800", "\u200f\u202eevil", "\u202e",
    "\u200b", "\ufeff", "\uffff", "\U0010ffff", "😀", "👩‍👩‍👧‍👦", "Ω≈ç√∫", "ゼロ", "e\u0301", "\r\n", "\\", "%00",
    "../../etc/passwd", "'; DROP TABLE phone_numbers; --", "\" OR 1=1 --", "${jndi:ldap://x}", "{{7*7}}",
    "<script>alert(1)</script>", "arn:aws:connect:us-east-1:123456789012:phone-number/",
    "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-" + "0" * 32, "a" * 501, "a" * 100_000,
]
nasty_strings = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.text(st.characters(blacklist_categories=()), max_size=30),  # every code point, surrogates included
    st.text(st.characters(min_codepoint=0x80), min_size=1, max_size=10).map(lambda s: s * 500),
)


def _wrong_value(shape, required: bool):
    """A JSON value of a type the member's shape does not have (null only for required members)."""
    kind = shape.type_name
    small_text = st.text(max_size=5)
    options = {
        "string": [st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                   st.lists(small_text, max_size=3), st.dictionaries(small_text, small_text, max_size=2)],
        "boolean": [st.sampled_from(["true", "false", "1", "", "TRUE"]), st.integers(),
                    st.floats(allow_nan=False, allow_infinity=False), st.lists(st.booleans(), max_size=2),
                    st.dictionaries(small_text, st.booleans(), max_size=2)],
        "integer": [st.text(max_size=5), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
                    st.lists(st.integers(), max_size=2), st.dictionaries(small_text, st.integers(), max_size=2)],
        "map": [small_text, st.integers(), st.booleans(), st.lists(small_text, max_size=3),
                st.dictionaries(st.text(min_size=1, max_size=5),
                                st.one_of(st.integers(), st.booleans(), st.lists(small_text, min_size=1, max_size=2),
                                          st.dictionaries(small_text, small_text, min_size=1, max_size=1)),
                                min_size=1, max_size=3)],
        "list": [small_text, st.integers(), st.booleans(), st.dictionaries(small_text, small_text, max_size=2)],
        "structure": [small_text, st.integers(), st.booleans(), st.lists(st.integers(), max_size=2)],
    }[kind]
    if kind == "list":
        element = shape.member.type_name
        wrong_elements = {"string": st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=1),
                                              st.dictionaries(small_text, small_text, max_size=1)),
                          "structure": st.one_of(small_text, st.integers(), st.booleans(),
                                                 st.lists(st.integers(), max_size=1))}[element]
        options.append(st.lists(wrong_elements, min_size=1, max_size=3))
    if required:
        options.append(st.none())
    return st.one_of(*options)


def _path_name(member: str) -> str:
    return member[:1].lower() + member[1:]


# The operations whose every body member gets a wrong type: (service, operation, method, path, base body).
def body_operations(world: World) -> list[tuple[str, str, str, str, dict]]:
    number_arn = quote_label(world.numbers[0]["PhoneNumberArn"])
    return [
        ("connect", "ImportPhoneNumber", "POST", "/phone-number/import",
         {"InstanceId": world.instance_id, "SourcePhoneNumberArn": world.spare["PhoneNumberArn"],
          "PhoneNumberDescription": "fuzz", "Tags": {"k": "v"}, "ClientToken": "fuzz-token"}),
        ("connect", "CreateInstance", "PUT", "/instance",
         {"ClientToken": "fuzz-token", "IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "fuzzed",
          "InboundCallsEnabled": True, "OutboundCallsEnabled": True, "Tags": {"k": "v"}}),
        ("connect", "ListPhoneNumbersV2", "POST", "/phone-number/list",
         {"InstanceId": world.instance_id, "MaxResults": 10, "PhoneNumberCountryCodes": ["US"],
          "PhoneNumberTypes": ["TOLL_FREE"], "PhoneNumberPrefix": "+1"}),
        ("connect", "TagResource", "POST", f"/tags/{number_arn}", {"tags": {"k": "v"}}),
        ("sms-voice", "RequestPhoneNumber", "POST", "/",
         {"IsoCountryCode": "US", "MessageType": "TRANSACTIONAL", "NumberCapabilities": ["SMS"],
          "NumberType": "LONG_CODE", "DeletionProtectionEnabled": False, "Tags": [{"Key": "k", "Value": "v"}],
          "ClientToken": "fuzz-token"}),
        ("sms-voice", "DescribePhoneNumbers", "POST", "/", {"MaxResults": 5}),
        ("sms-voice", "UpdatePhoneNumber", "POST", "/",
         {"PhoneNumberId": world.spare["PhoneNumberId"], "DeletionProtectionEnabled": False}),
        ("sms-voice", "TagResource", "POST", "/",
         {"ResourceArn": world.spare["PhoneNumberArn"], "Tags": [{"Key": "k", "Value": "v"}]}),
    ]


def _input_shape(service: str, operation: str):
    model = CONNECT_MODEL if service == "connect" else EUM_MODEL
    return model.operation_model(operation).input_shape


def _body_members(service: str, operation: str) -> list[str]:
    shape = _input_shape(service, operation)
    return [name for name, member in shape.members.items() if member.serialization.get("location") is None]


def _validation_code(service: str, operation: str) -> str:
    if service == "sms-voice":
        return "ValidationException"
    return "InvalidRequestException" if operation == "CreateInstance" else "InvalidParameterException"


# --- the properties ---------------------------------------------------------------------------------------

def test_random_methods_and_paths(lc, connect, sms, world):
    before = snapshot(lc, connect, sms, world)

    @settings(FUZZ, max_examples=200)
    @given(method=st.sampled_from(METHODS), path=raw_paths,
           body=st.one_of(st.just(b""), st.binary(max_size=200), json_values.map(json_bytes)))
    def run(method, path, body):
        decoded = urllib.parse.unquote(path.split("?", 1)[0])
        assume(not (decoded == "/_localconnect" or decoded.startswith("/_localconnect/")))  # the admin API
        assume(not (method == "GET" and path.split("?", 1)[0] == "/"))  # the admin index, for a browser
        assume(len(path) <= 60_000)  # longer request lines are refused by the HTTP parser, before the app
        answer = send_raw(lc.url, method, path, body)
        check(answer, eum=False)

    run()
    assert snapshot(lc, connect, sms, world) == before


def _expected_refusal(body: bytes) -> str | None:
    """What a body that is not a JSON object must get (the gateway reads a blank body as {}):
    "serialization" — 400 SerializationException; "400" — too deep to read here, an object at the top:
    some 400; None — a JSON object, anything allowed."""
    if not body.strip():
        return None
    try:
        value = json.loads(body)
    except RecursionError:
        return "400" if body.lstrip(b" \t\r\n").startswith(b"{") else "serialization"
    except Exception:  # ValueError, UnicodeDecodeError
        return "serialization"
    return None if isinstance(value, dict) else "serialization"


nesting = st.one_of(st.integers(min_value=2, max_value=200), st.integers(min_value=5_000, max_value=150_000))
MALFORMED_LITERALS = [
    b"{", b"}", b'{"a":', b'{"InstanceId":}', b"[]", b"null", b"true", b"0", b"-0.0e-0", b'"str"', b"NaN",
    b'{"a":1,}', b"{'a':1}", b'{"a":1}{"b":2}', b'{"a":1} x', b"\x00", b"{\x00}", b'{"a":"\x00"}',
    b"\xef\xbb\xbf[]", b"\xff\xfe[\x00]\x00", b"\xfe\xff\x00[\x00]", b'{"a":"\xff"}', b'{"a":"\\x41"}',
    b'{"a":"\\u12"}', b'{"a" 1}', b"{" + b'"a":1,' * 10000, b"[" * 10 + b"]" * 9,
]
malformed_bodies = st.one_of(
    st.sampled_from(MALFORMED_LITERALS),
    st.binary(min_size=1, max_size=300),
    json_values.filter(lambda v: not isinstance(v, dict)).map(json_bytes),
    json_values.map(lambda v: json_bytes(v)[:-1]).filter(lambda b: len(b) > 0),  # truncated
    # nesting: shallow enough for any parser, or far too deep for a recursive one (nothing in between, where
    # this process and the server's could disagree)
    nesting.map(lambda n: b"[" * n + b"]" * n),
    nesting.map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    nesting.map(lambda n: b'{"InstanceId":"x","SourcePhoneNumberArn":"y","Tags":' + b"[" * n + b"]" * n + b"}"),
)


def test_malformed_json_bodies(lc, connect, sms, world):
    before = snapshot(lc, connect, sms, world)
    number_id = world.numbers[0]["PhoneNumberId"]
    connect_targets = [("POST", "/phone-number/import"), ("PUT", "/instance"), ("POST", "/phone-number/list"),
                       ("POST", "/tags/" + quote_label(world.numbers[0]["PhoneNumberArn"])),
                       ("POST", "/phone-number/claim"), ("PUT", f"/phone-number/{number_id}/metadata"),
                       ("PUT", f"/phone-number/{number_id}"), ("POST", "/phone-number/search-available")]
    eum_targets = ["RequestPhoneNumber", "DescribePhoneNumbers", "UpdatePhoneNumber", "ReleasePhoneNumber",
                   "TagResource", "UntagResource", "ListTagsForResource"]

    @settings(FUZZ, max_examples=150)
    @given(where=st.one_of(st.sampled_from(connect_targets), st.sampled_from(eum_targets)), body=malformed_bodies)
    def run(where, body):
        eum = isinstance(where, str)
        expected = _expected_refusal(body)
        # A JSON object (e.g. {"a": {"a": 1}}) is a well-formed UpdatePhoneNumberMetadata with no description,
        # which rightly changes the number (IN_PROGRESS): keep the no-change property for the refusals.
        assume(not (expected is None and where == ("PUT", f"/phone-number/{number_id}/metadata")))
        if eum:
            answer = send(lc.url, "POST", "/", body, target=f"{EUM_PREFIX}.{where}")
        else:
            answer = send(lc.url, where[0], where[1], body)
        check(answer, eum=eum)
        if expected == "serialization":
            assert (answer.status, error_code(answer, eum=eum)) == (400, "SerializationException"), answer.body[:300]
        elif expected == "400":
            assert answer.status == 400, answer.body[:300]

    run()
    assert snapshot(lc, connect, sms, world) == before


def test_wrong_json_types_for_every_member(lc, connect, sms, world):
    before = snapshot(lc, connect, sms, world)
    operations = body_operations(world)
    cases = st.sampled_from(operations).flatmap(lambda op: st.tuples(
        st.just(op), st.sampled_from(_body_members(op[0], op[1]))).flatmap(lambda pair: st.tuples(
            st.just(pair[0]), st.just(pair[1]),
            _wrong_value(_input_shape(pair[0][0], pair[0][1]).members[pair[1]],
                         pair[1] in _input_shape(pair[0][0], pair[0][1]).required_members))))

    @settings(FUZZ, max_examples=200)
    @given(case=cases)
    def run(case):
        (service, operation, method, path, base), member, value = case
        body = dict(base)
        body[member] = value
        eum = service == "sms-voice"
        answer = send(lc.url, method, path, json_bytes(body), target=f"{EUM_PREFIX}.{operation}" if eum else None)
        data = check(answer, eum=eum)
        assert answer.status == 400, (operation, member, value, data)
        assert error_code(answer, eum=eum) == _validation_code(service, operation), data
        assert re.match(r"^[1-9]\d* validation errors? detected: Value ", data["Message"]), data["Message"]
        assert f"at '{_path_name(member)}" in data["Message"], (member, data["Message"])
        if eum:
            assert data["Reason"] == "FIELD_VALIDATION_FAILED"
            assert {f["Name"] for f in data["Fields"]} == {member}

    run()
    assert snapshot(lc, connect, sms, world) == before


def _place_nasty(base: dict, member: str, shape, nasty: str, where: str):
    """Put a hostile string where a string goes in ``member``: the value, a map key/value, a list element."""
    kind = shape.type_name
    body = dict(base)
    if kind == "string":
        body[member] = nasty
    elif kind == "map":
        body[member] = {nasty: "v"} if where == "key" else {"k": nasty}
    elif kind == "list" and shape.member.type_name == "string":
        body[member] = [nasty]
    elif kind == "list" and shape.member.type_name == "structure":
        names = list(shape.member.members)
        item = {name: "x" for name in names if shape.member.members[name].type_name == "string"}
        item[names[0] if where == "key" else names[-1]] = nasty
        body[member] = [item]
    else:
        body[member] = nasty  # a string where a boolean/integer goes: a type error
    return body


def test_hostile_strings_in_every_member(lc, connect, sms, world):
    operations = body_operations(world)
    cases = st.sampled_from(operations).flatmap(lambda op: st.tuples(
        st.just(op), st.sampled_from(_body_members(op[0], op[1])), nasty_strings, st.sampled_from(["key", "value"])))

    @settings(FUZZ, max_examples=200)
    @given(case=cases)
    def run(case):
        (service, operation, method, path, base), member, nasty, where = case
        shape = _input_shape(service, operation).members[member]
        body = _place_nasty(base, member, shape, nasty, where)
        eum = service == "sms-voice"
        answer = send(lc.url, method, path, json_bytes(body), target=f"{EUM_PREFIX}.{operation}" if eum else None)
        check(answer, eum=eum)

    run()
    server_still_sound(lc, connect, sms)


def test_hostile_strings_in_uri_labels_and_queries(lc, connect, sms, world):
    templates = [("GET", "/phone-number/{}"), ("DELETE", "/phone-number/{}"), ("GET", "/instance/{}"),
                 ("GET", "/tags/{}"), ("POST", "/tags/{}"), ("DELETE", "/tags/{}?tagKeys=k"),
                 ("GET", "/phone-numbers-summary/{}"), ("PUT", "/phone-number/{}/metadata"),
                 ("DELETE", "/phone-number/00000000-0000-0000-0000-000000000000?clientToken={}"),
                 ("GET", "/instance?nextToken={}"), ("GET", "/instance?maxResults={}"),
                 ("GET", f"/phone-numbers-summary/{world.instance_id}?phoneNumberTypes={{}}"),
                 ("GET", f"/phone-numbers-summary/{world.instance_id}?nextToken={{}}"),
                 ("DELETE", f"/tags/{quote_label(world.instance_arn)}?tagKeys={{}}")]
    before = snapshot(lc, connect, sms, world)

    @settings(FUZZ)
    @given(template=st.sampled_from(templates), nasty=nasty_strings)
    def run(template, nasty):
        method, pattern = template
        path = pattern.format(quote_label(nasty))
        assume(len(path) <= 60_000)  # longer request lines are refused by the HTTP parser, before the app
        body = json_bytes({"tags": {"k": "v"}}) if method in ("POST", "PUT") else b""
        answer = send_raw(lc.url, method, path, body, headers={"Content-Type": CONNECT_JSON})
        check(answer, eum=False)

    run()
    assert snapshot(lc, connect, sms, world) == before


HEADER_TEXT = st.text(alphabet=[chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x100)],
                      max_size=60).map(str.strip)


def test_eum_targets_and_random_bodies(lc, connect, sms, world):
    names = sorted(EUM_MODEL.operation_names)
    targets = st.one_of(
        st.sampled_from(names).map(lambda n: f"{EUM_PREFIX}.{n}"),
        HEADER_TEXT,
        HEADER_TEXT.map(lambda s: f"{EUM_PREFIX}.{s}"),
        st.sampled_from(["Connect.ImportPhoneNumber", "pinpointsmsvoicev2.DescribePhoneNumbers", EUM_PREFIX,
                         EUM_PREFIX + ".", ".DescribePhoneNumbers", EUM_PREFIX + ".DescribePhoneNumbers.",
                         EUM_PREFIX + ".describePhoneNumbers", EUM_PREFIX + "..DescribePhoneNumbers",
                         "AmazonConnect.ListInstances", "PinpointSMSVoice.SendVoiceMessage", "\u00ff\u00fe"]),
    )
    bodies = st.one_of(
        st.dictionaries(st.sampled_from(["PhoneNumberIds", "PhoneNumberId", "Filters", "MaxResults", "NextToken",
                                         "Owner", "ResourceArn", "Tags", "TagKeys", "IsoCountryCode",
                                         "NumberType", "MessageType", "NumberCapabilities", "ClientToken"])
                        | st.text(max_size=10), json_values, max_size=5).map(json_bytes),
        json_values.map(json_bytes),
        st.binary(max_size=100),
    )

    @settings(FUZZ, max_examples=200)
    @given(target=targets, body=bodies, method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]))
    def run(target, body, method):
        answer = send(lc.url, method, "/", body, target=target)
        data = check(answer, eum=True)
        prefix, _, name = target.partition(".")
        if method != "POST":  # awsJson1_0 is POST / only: the target is never looked at, nothing runs
            assert (answer.status, data["__type"]) == (405, "MethodNotAllowedException"), data
        elif prefix != EUM_PREFIX or name not in names:
            assert (answer.status, data["__type"]) == (400, "UnknownOperationException"), data
            assert data["Message"] == f"Unknown operation: {target}"
        elif answer.status == 501:
            assert data["__type"] == "NotImplementedException" and name in data["Message"]
        else:
            assert answer.status in (200, 400), data

    run()
    server_still_sound(lc, connect, sms)


def _decode_token(token: str) -> dict | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except Exception:
        return None
    return data if isinstance(data, dict) else None


def _encode_token(data) -> str:
    return base64.urlsafe_b64encode(json_bytes(data)).decode().rstrip("=")


positions = st.lists(st.one_of(json_scalars, st.lists(json_scalars, max_size=2),
                               st.dictionaries(st.text(max_size=3), json_scalars, max_size=2)), max_size=4)


@pytest.mark.parametrize("listing", ["DescribePhoneNumbers", "ListPhoneNumbersV2", "ListPhoneNumbers",
                                     "ListInstances"])
def test_forged_next_tokens(lc, connect, sms, world, listing):
    """A NextToken the server did not issue (here: a real token's envelope around a forged position) is
    refused with the operation's invalid-token error or read as a position — never a 500."""
    if listing == "DescribePhoneNumbers":
        real = sms.describe_phone_numbers(MaxResults=1)["NextToken"]
    elif listing == "ListPhoneNumbersV2":
        real = connect.list_phone_numbers_v2(MaxResults=1)["NextToken"]
    elif listing == "ListPhoneNumbers":
        real = connect.list_phone_numbers(InstanceId=world.instance_id, MaxResults=1)["NextToken"]
    else:
        real = connect.list_instances(MaxResults=1)["NextToken"]
    envelope = _decode_token(real)
    if envelope is None or "p" not in envelope:
        pytest.skip("the NextToken format is opaque to this test; nothing to forge")

    def ask(token: str) -> Answer:
        if listing == "DescribePhoneNumbers":
            return send(lc.url, "POST", "/", json_bytes({"NextToken": token, "MaxResults": 2}),
                        target=f"{EUM_PREFIX}.DescribePhoneNumbers")
        if listing == "ListPhoneNumbersV2":
            return send(lc.url, "POST", "/phone-number/list", json_bytes({"NextToken": token, "MaxResults": 2}))
        if listing == "ListPhoneNumbers":
            return send_raw(lc.url, "GET", f"/phone-numbers-summary/{world.instance_id}?maxResults=2&nextToken="
                            + quote_label(token))
        return send_raw(lc.url, "GET", "/instance?maxResults=2&nextToken=" + quote_label(token))

    eum = listing == "DescribePhoneNumbers"
    invalid = {"DescribePhoneNumbers": "ValidationException", "ListPhoneNumbersV2": "InvalidParameterException",
               "ListPhoneNumbers": "InvalidRequestException", "ListInstances": "InvalidRequestException"}[listing]
    # the real token works
    assert ask(real).status == 200

    @settings(FUZZ, max_examples=60)
    @given(position=positions, kind=st.one_of(st.just(envelope.get("k")), st.text(max_size=5)))
    def run(position, kind):
        token = _encode_token({**envelope, "k": kind, "p": position})
        answer = ask(token)
        data = check(answer, eum=eum)
        assert answer.status in (200, 400), data
        if answer.status == 400:
            assert error_code(answer, eum=eum) == invalid, data
            if eum:
                assert data["Reason"] == "INVALID_NEXT_TOKEN"

    run()


# --- deterministic regressions of what the fuzzing found or must keep finding ------------------------------

def test_oversized_bodies_are_413_and_change_nothing(lc, connect, sms, world):
    before = snapshot(lc, connect, sms, world)
    big = b'{"PhoneNumberDescription":"' + b"a" * MIB + b'"}'
    answer = send(lc.url, "POST", "/phone-number/import", big)
    check(answer, eum=False)
    assert (answer.status, error_code(answer, eum=False)) == (413, "RequestEntityTooLargeException")
    answer = send(lc.url, "POST", "/", big, target=f"{EUM_PREFIX}.RequestPhoneNumber")
    check(answer, eum=True)
    assert (answer.status, error_code(answer, eum=True)) == (413, "RequestEntityTooLargeException")
    assert snapshot(lc, connect, sms, world) == before


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_deeply_nested_json_is_a_400(lc, depth):
    """Nesting deeper than a recursive parser goes: an array is no JSON object (SerializationException); an
    object may be refused either as unreadable or as invalid, but with a 400, never a 500."""
    array = b"[" * depth + b"]" * depth
    obj = b'{"a":' * depth + b"1" + b"}" * depth
    for eum, target, path in ((False, None, "/phone-number/import"), (True, f"{EUM_PREFIX}.DescribePhoneNumbers", "/")):
        answer = send(lc.url, "POST", path, array, target=target)
        check(answer, eum=eum)
        assert (answer.status, error_code(answer, eum=eum)) == (400, "SerializationException")
        answer = send(lc.url, "POST", path, obj, target=target)
        check(answer, eum=eum)
        assert answer.status == 400
        assert error_code(answer, eum=eum) in {"SerializationException",
                                               "ValidationException" if eum else "InvalidParameterException"}


SURROGATE_CASES = [
    ("connect", "POST", "/phone-number/import", {"InstanceId": "\ud800", "SourcePhoneNumberArn": "x"}),
    ("connect", "POST", "/phone-number/import", {"InstanceId": "i", "SourcePhoneNumberArn": "x",
                                                 "ClientToken": "\udfff"}),
    ("connect", "PUT", "/instance", {"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "surrogate",
                                     "InboundCallsEnabled": True, "OutboundCallsEnabled": True,
                                     "ClientToken": "\ud800"}),
    ("connect", "POST", "/phone-number/list", {"InstanceId": "\ud800"}),
    ("sms-voice", "POST", "DescribePhoneNumbers", {"PhoneNumberIds": ["\ud800"]}),
    ("sms-voice", "POST", "ReleasePhoneNumber", {"PhoneNumberId": "a\ud800"}),
    ("sms-voice", "POST", "RequestPhoneNumber", {"IsoCountryCode": "US", "MessageType": "TRANSACTIONAL",
                                                 "NumberCapabilities": ["SMS"], "NumberType": "LONG_CODE",
                                                 "Tags": [{"Key": "k", "Value": "\ud800"}]}),
]


@pytest.mark.parametrize("service, method, where, body", SURROGATE_CASES)
def test_lone_surrogate_escapes_are_answered_in_json(lc, connect, sms, service, method, where, body):
    """JSON allows "\\ud800"; it is no Unicode text. The answer must still be a 4xx JSON error, not a 500."""
    eum = service == "sms-voice"
    answer = send(lc.url, method, "/" if eum else where, json_bytes(body),
                  target=f"{EUM_PREFIX}.{where}" if eum else None)
    check(answer, eum=eum)
    assert 400 <= answer.status < 500
    server_still_sound(lc, connect, sms)


def test_nul_characters_are_refused_on_every_store(lc, connect, sms, world):
    """NUL is legal in a JSON string but PostgreSQL text cannot hold it, so every store refuses it alike: a 400
    validation error naming the member, never a 500 and never a store-dependent answer."""
    answer = send(lc.url, "POST", "/phone-number/import",
                  json_bytes({"InstanceId": "a\u0000b", "SourcePhoneNumberArn": world.spare["PhoneNumberArn"]}))
    data = check(answer, eum=False)
    assert (answer.status, error_code(answer, eum=False)) == (400, "InvalidParameterException")
    assert "at 'instanceId' failed to satisfy constraint: Member must not contain the NUL character" in data["Message"]

    answer = send(lc.url, "POST", "/", json_bytes({"PhoneNumberId": "phone-\u0000"}),
                  target=f"{EUM_PREFIX}.ReleasePhoneNumber")
    data = check(answer, eum=True)
    assert (answer.status, data["__type"], data["Reason"]) == (400, "ValidationException", "FIELD_VALIDATION_FAILED")

    answer = send(lc.url, "POST", "/phone-number/list", json_bytes({"PhoneNumberPrefix": "+1\u0000"}))
    check(answer, eum=False)
    assert (answer.status, error_code(answer, eum=False)) == (400, "InvalidParameterException")

    answer = send_raw(lc.url, "GET", "/phone-number/%00")
    check(answer, eum=False)
    assert (answer.status, error_code(answer, eum=False)) == (400, "InvalidParameterException")
    server_still_sound(lc, connect, sms)


@pytest.mark.parametrize("position", [[], ["only-one"], [{"a": 1}, [2]]])
def test_forged_next_token_positions_are_invalid_tokens(lc, connect, sms, world, position):
    envelope = _decode_token(sms.describe_phone_numbers(MaxResults=1)["NextToken"])
    if envelope is None:
        pytest.skip("the NextToken format is opaque to this test")
    answer = send(lc.url, "POST", "/", json_bytes({"NextToken": _encode_token({**envelope, "p": position})}),
                  target=f"{EUM_PREFIX}.DescribePhoneNumbers")
    data = check(answer, eum=True)
    assert (answer.status, data["__type"], data.get("Reason")) == (400, "ValidationException", "INVALID_NEXT_TOKEN")

    envelope = _decode_token(connect.list_phone_numbers_v2(MaxResults=1)["NextToken"])
    answer = send(lc.url, "POST", "/phone-number/list",
                  json_bytes({"NextToken": _encode_token({**envelope, "p": position})}))
    check(answer, eum=False)
    assert (answer.status, error_code(answer, eum=False)) == (400, "InvalidParameterException")

    envelope = _decode_token(connect.list_instances(MaxResults=1)["NextToken"])
    answer = send_raw(lc.url, "GET", "/instance?nextToken=" + quote_label(_encode_token({**envelope, "p": position})))
    check(answer, eum=False)
    assert (answer.status, error_code(answer, eum=False)) == (400, "InvalidRequestException")


def test_property_checker_rejects_what_it_must():
    """The checker itself: a 500, an HTML page, a text body and a bare error are all refused."""
    good = Answer(404, {"content-type": CONNECT_JSON, "x-amzn-requestid": "r", "x-amzn-errortype": "X"},
                  b'{"Message":"m"}')
    assert check(good, eum=False) == {"Message": "m"}
    bad = [
        Answer(500, good.headers, good.body),
        Answer(404, {**good.headers, "content-type": "text/html"}, b"<html></html>"),
        Answer(400, {**good.headers, "content-type": "text/plain"}, b"Invalid HTTP request received."),
        Answer(404, {k: v for k, v in good.headers.items() if k != "x-amzn-errortype"}, good.body),
        Answer(404, good.headers, b"[]"),
    ]
    for answer in bad:
        with pytest.raises(AssertionError):
            check(answer, eum=False)
    with pytest.raises(AssertionError):
        check(Answer(400, {"content-type": EUM_JSON, "x-amzn-requestid": "r"}, b'{"Message":"m"}'), eum=True)
