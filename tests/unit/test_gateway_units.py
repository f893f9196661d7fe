"""The gateway's pieces without a server: routing on raw paths, identity, validation messages."""
from __future__ import annotations

import json
import time
from pathlib import Path

import orjson
import pytest
from botocore.model import ServiceModel
from botocore.parsers import QueryParser

from localconnect.core import errors
from localconnect.core.errors import ApiError, SerializationException
from localconnect.gateway import catalog, parsing, routing, serializing, validation
from localconnect.gateway.identity import Scope, check_region, identify, scope_of
from localconnect.settings import Settings


def test_literal_routes_win_over_labels():
    assert routing.match_rest("connect", "POST", "/phone-number/import").operation.name == "ImportPhoneNumber"
    assert routing.match_rest("connect", "POST", "/phone-number/claim").operation.name == "ClaimPhoneNumber"
    match = routing.match_rest("connect", "GET", "/phone-number/import")
    assert match.operation.name == "DescribePhoneNumber" and match.labels == {"PhoneNumberId": "import"}


def test_labels_are_decoded_after_matching_the_raw_path():
    arn = "arn:aws:connect:us-east-1:123456789012:phone-number/0b8e5c2a-1111-4222-8333-444455556666"
    raw = "/phone-number/" + arn.replace(":", "%3A").replace("/", "%2F")
    match = routing.match_rest("connect", "GET", raw)
    assert match.operation.name == "DescribePhoneNumber"
    assert match.labels == {"PhoneNumberId": arn}
    tags = routing.match_rest("connect", "DELETE", "/tags/" + arn.replace(":", "%3A").replace("/", "%2F"))
    assert tags.operation.name == "UntagResource" and tags.labels == {"resourceArn": arn}


def test_unknown_paths_and_methods():
    assert routing.match_rest("connect", "GET", "/no/such/thing").operation is None
    assert routing.match_rest("connect", "PATCH", "/phone-number/import").operation is None


def test_targets():
    op = routing.match_json_target("POST", "/", "PinpointSMSVoiceV2.DescribePhoneNumbers")
    assert op.service == "sms-voice" and op.name == "DescribePhoneNumbers"
    for target in ("PinpointSMSVoiceV2.Nope", "Other.DescribePhoneNumbers"):
        with pytest.raises(errors.UnknownOperationException) as info:
            routing.match_json_target("POST", "/", target)
        assert info.value.status == 400


@pytest.mark.parametrize("method, path, status", [("DELETE", "/", 405), ("GET", "/", 405), ("TRACE", "/", 405),
                                                  ("POST", "/phone-number/import", 404), ("DELETE", "/x", 404)])
def test_json_protocol_is_post_slash_only(method, path, status):
    with pytest.raises(errors.ApiError) as info:
        routing.match_json_target(method, path, "PinpointSMSVoiceV2.RequestPhoneNumber")
    assert info.value.status == status


def test_idempotency_members_come_from_the_model():
    ops = catalog.service("connect").operations
    assert ops["ImportPhoneNumber"].idempotency_member == "ClientToken"
    assert ops["ReleasePhoneNumber"].query_members == {"ClientToken": "clientToken"}
    assert ops["DescribePhoneNumber"].idempotency_member is None
    assert ops["DescribeInstance"].validation_error == "InvalidRequestException"
    assert ops["ImportPhoneNumber"].validation_error == "InvalidParameterException"


@pytest.mark.parametrize("header,region,account", [
    ("AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-2/connect/aws4_request, SignedHeaders=host, Signature=x",
     "eu-west-2", "123456789012"),
    ("AWS4-HMAC-SHA256 Credential=111122223333/20260101/ap-southeast-2/connect/aws4_request", "ap-southeast-2",
     "111122223333"),
    ("AWS4-HMAC-SHA256 Credential=MAPPED/20260101/us-west-2/sms-voice/aws4_request", "us-west-2", "444455556666"),
    ("", "us-east-1", "123456789012"),
    ("garbage", "us-east-1", "123456789012"),
])
def test_identity_from_the_credential_scope(header, region, account):
    settings = Settings(accounts={"MAPPED": "444455556666"})
    scope = scope_of({"authorization": header} if header else {}, b"")
    who = identify(scope and scope.access_key, scope and scope.region, settings, {})
    assert (who.region, who.account) == (region, account)


def test_identity_from_a_presigned_query():
    query = b"X-Amz-Credential=AKID%2F20260101%2Feu-central-1%2Fconnect%2Faws4_request&X-Amz-Signature=x"
    assert scope_of({}, query) == Scope("AKID", "eu-central-1", "connect")


@pytest.mark.parametrize("region, ok", [("us-east-1", True), ("eu-west-2", True), ("us-gov-west-1", True),
                                        ("eu-west-1", False), ("zz-zzzz-9", False), ("mars-1", False)])
def test_connect_regions_come_from_the_endpoint_data(region, ok):
    if ok:
        check_region("connect", region, Settings())
    else:
        with pytest.raises(errors.InvalidSignatureException, match=f"not '{region}'.*regions setting"):
            check_region("connect", region, Settings())
    check_region("connect", region, Settings(regions=[region]))  # the setting adds any Region


def _input(op):
    return catalog.service("connect").operations[op].input_shape


def test_validation_messages_name_member_and_constraint():
    failures = validation.validate(_input("ImportPhoneNumber"), {"SourcePhoneNumberArn": "a",
                                                                  "PhoneNumberDescription": "x" * 501})
    assert validation.coral_message(failures) == (
        "2 validation errors detected: Value null at 'instanceId' failed to satisfy constraint: Member must not be "
        "null; Value '" + "x" * 256 + "...' at 'phoneNumberDescription' failed to satisfy constraint: Member must "
        "have length less than or equal to 500")


def test_unicode_tag_keys():
    shape = _input("TagResource")
    ok = validation.validate(shape, {"resourceArn": "a", "tags": {"ключ": "v", "タグ 1": "v", "a_b.c:d/e=f+g-h@i": ""}})
    assert ok == []
    bad = validation.validate(shape, {"resourceArn": "a", "tags": {"bad#key": "v"}})
    assert len(bad) == 1 and bad[0].constraint.startswith("Map keys must satisfy constraint: [Member must satisfy "
                                                          "regular expression pattern: ^(?!aws:)")
    assert validation.validate(shape, {"resourceArn": "a", "tags": {"aws:x": "v"}})


def test_over_escaped_model_patterns_are_read_as_intended():
    shape = catalog.service("connect").operations["ClaimPhoneNumber"].input_shape
    base = {"InstanceId": "i"}
    assert validation.validate(shape, {**base, "PhoneNumber": "+15555550100"}) == []
    assert validation.validate(shape, {**base, "PhoneNumber": "15555550100"})


def test_types_sizes_ranges_and_enums():
    shape = catalog.service("connect").operations["ListPhoneNumbersV2"].input_shape
    assert [f.constraint for f in validation.validate(shape, {"MaxResults": "5"})] == ["Member must be an integer"]
    assert [f.constraint for f in validation.validate(shape, {"MaxResults": True})] == ["Member must be an integer"]
    assert [f.constraint for f in validation.validate(shape, {"MaxResults": 1001})] == [
        "Member must have value less than or equal to 1000"]
    assert [f.constraint for f in validation.validate(shape, {"PhoneNumberTypes": ["DID"] * 7})] == [
        "Member must have length less than or equal to 6"]
    (enum,) = validation.validate(shape, {"PhoneNumberTypes": ["NOPE"]})
    assert enum.constraint.startswith("Member must satisfy constraint: [Member must satisfy enum value set: [")


def test_sensitive_values_are_redacted():
    shape = catalog.service("connect").operations["CreateInstance"].input_shape
    (failure,) = validation.validate(shape, {"IdentityManagementType": "SAML", "InboundCallsEnabled": True,
                                             "OutboundCallsEnabled": True, "InstanceAlias": "-secret-"})
    assert "secret" not in failure.message() and validation.REDACTED in failure.message()


# --- bounded cost: patterns, nesting ----------------------------------------------------------------------

MIB = 1024 * 1024


def _create_instance_params(alias: str) -> dict:
    return {"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": alias, "InboundCallsEnabled": True,
            "OutboundCallsEnabled": True}


def test_no_pattern_runs_on_a_value_that_failed_its_length(monkeypatch):
    calls = []
    real = validation.matcher

    def counting(pattern):
        check = real(pattern)
        return lambda value: calls.append(len(value)) or check(value)
    monkeypatch.setattr(validation, "matcher", counting)
    shape = _input("CreateInstance")
    (failure,) = validation.validate(shape, _create_instance_params("a" * 20000 + "!"))
    assert failure.constraint == "Member must have length less than or equal to 45"
    assert calls == []
    validation.validate(shape, _create_instance_params("a" * 44 + "!"))
    assert calls == [45]


def test_the_instance_alias_pattern_is_linear_time():
    # The pattern nests quantifiers, ([\da-zA-Z]+)([-]*[\da-zA-Z])*$: a backtracking engine needs ~19 s for
    # 20,000 characters. Run directly on a 1 MiB value (no length check in the way), RE2 takes milliseconds.
    pattern = _input("CreateInstance").members["InstanceAlias"].metadata["pattern"]
    check = validation.matcher(pattern)
    started = time.perf_counter()
    assert check("a" * MIB + "!") is False
    assert time.perf_counter() - started < 0.1
    assert check("my-instance-1") and not check("d-123") and not check("-a")


def test_validating_a_one_mib_body_is_fast():
    op = catalog.service("connect").operations["CreateInstance"]
    body = ('{"IdentityManagementType":"CONNECT_MANAGED","InstanceAlias":"' + "a" * (MIB - 120) + '!",'
            '"InboundCallsEnabled":true,"OutboundCallsEnabled":true}').encode()
    started = time.perf_counter()
    params = parsing.parse_rest(op, {}, b"", {}, body)
    message = validation.coral_message(validation.validate(op.input_shape, params))
    assert time.perf_counter() - started < 0.1
    assert message.endswith("Member must have length less than or equal to 45")
    assert "*** Sensitive Data Redacted ***" in message or len(message) < 1000


def test_deeply_nested_input_is_refused_by_validation_not_a_recursion_error():
    op = catalog.service("connect").operations["ImportPhoneNumber"]
    body = b'{"InstanceId":"x","SourcePhoneNumberArn":"y","Tags":' + b"[" * 900 + b"]" * 900 + b"}"
    params = parsing.parse_rest(op, {}, b"", {}, body)
    failures = validation.validate(op.input_shape, params)
    assert [f.constraint for f in failures] == ["Member must be a map"]
    message = validation.coral_message(failures)
    assert message.startswith("1 validation error detected: Value '[[[[") and len(message) < 400


def test_rendering_stops_at_the_shown_length():
    assert validation.render(["x" * 10] * 100_000) == "[" + ", ".join(["x" * 10] * 22)[:255] + "..."
    nested: list = []
    for _ in range(5000):
        nested = [nested]
    shown = validation.render(nested)  # 64 levels, then "..."
    assert shown == "[" * 65 + "..." + "]" * 65


def _suite_service(file: str, operation: str):
    path = Path(__file__).parents[1] / "protocols" / "suites" / "input" / f"{file}.json"
    suite = next(s for s in json.loads(path.read_text()) if s["cases"][0]["given"]["name"] == operation)
    description = {k: v for k, v in suite.items() if k != "cases"}
    description["operations"] = {operation: suite["cases"][0]["given"]}
    svc = catalog.build_service(f"unit-{file}-{operation}", ServiceModel(description, service_name="unit"))
    catalog.register(svc)
    return svc, svc.operations[operation]


def test_recursive_shapes_are_walked_only_to_the_depth_bound():
    _, op = _suite_service("rest-json", "RecursiveShapes")
    def body(levels: int) -> bytes:  # Nested1 -> Nested2 -> Nested1 ...: two levels a round
        nested: dict = {"foo": "end"}
        for _ in range(levels // 2):
            nested = {"foo": "f", "nested": {"bar": "b", "recursiveMember": nested}}
        return orjson.dumps({"nested": nested})
    shallow = parsing.parse_rest(op, {}, b"", {}, body(60))
    assert validation.validate(op.input_shape, shallow) == []
    assert orjson.dumps(shallow) == body(60)
    with pytest.raises(SerializationException, match="deeper than 64 levels"):
        parsing.parse_rest(op, {}, b"", {}, body(70))


# --- protocol details the suites do not reach -------------------------------------------------------------

def test_a_server_puts_every_query_parameter_in_the_query_map():
    # Smithy's server-side twin of RestJsonQueryParamsStringListMap (RestJsonServersQueryParamsStringListMap).
    svc, op = _suite_service("rest-json", "QueryParamsAsStringListMap")
    params = parsing.parse_rest(op, {}, b"corge=named&baz=bar&baz=qux", {}, b"")
    assert params == {"qux": "named", "foo": {"corge": ["named"], "baz": ["bar", "qux"]}}


def test_union_with_two_members_set_is_refused():
    _, op = _suite_service("rest-json", "JsonUnions")
    (failure,) = validation.validate(op.input_shape, {"contents": {"stringValue": "a", "booleanValue": True}})
    assert (failure.path, failure.constraint) == ("contents", "Member must have exactly one member set")
    assert validation.validate(op.input_shape, {"contents": {"stringValue": "a"}}) == []


def test_documents_take_any_json_value():
    _, op = _suite_service("rest-json", "DocumentType")
    for value in ("text", 1.5, True, [1, {"a": None}], {"nested": {"x": [1]}}):
        assert validation.validate(op.input_shape, {"documentValue": value}) == []


def test_fault_errors_are_500_from_the_model_fault_trait():
    eum = catalog.service("sms-voice")
    assert catalog.is_fault(eum.errors["InternalServerException"].shape)
    assert eum.errors["InternalServerException"].status == 500
    assert eum.errors["ValidationException"].status == 400
    assert catalog.service("connect").errors["InternalServiceException"].status == 500


def test_sts_get_caller_identity_round_trip_through_botocore():
    op, params = parsing.parse_query_protocol(b"Action=GetCallerIdentity&Version=2011-06-15")
    assert (op.service, op.name, params) == ("sts", "GetCallerIdentity", {})
    status, headers, body = serializing.success(op, "rid-1", {"UserId": "AIDA", "Account": "123456789012",
                                                               "Arn": "arn:aws:iam::123456789012:user/me"})
    assert status == 200 and (b"content-type", b"text/xml") in headers
    parsed = QueryParser().parse({"status_code": 200, "headers": {}, "body": body}, op.model.output_shape)
    assert parsed["Account"] == "123456789012" and parsed["ResponseMetadata"]["RequestId"] == "rid-1"
    with pytest.raises(ApiError) as unknown:
        parsing.parse_query_protocol(b"Action=Nope&Version=2011-06-15")
    status, _, body = serializing.error("sts", "rid-2", unknown.value)
    error = QueryParser().parse({"status_code": status, "headers": {}, "body": body}, None)["Error"]
    assert (status, error["Code"], error["Type"]) == (400, "InvalidAction", "Sender")


@pytest.mark.parametrize("value", [0, "text", True, {"Key": "k"}, [1, "x", None]])
def test_wrong_json_types_are_left_for_validation_to_name(value):
    op = catalog.service("sms-voice").operations["RequestPhoneNumber"]
    body = orjson.dumps({"IsoCountryCode": "US", "MessageType": "TRANSACTIONAL", "NumberCapabilities": ["SMS"],
                         "NumberType": "LONG_CODE", "Tags": value})
    params = parsing.parse_json_protocol(op, body)
    assert params["Tags"] == value
    assert [f.path.split(".")[0] for f in validation.validate(op.input_shape, params)] == ["tags"] * (
        1 if not isinstance(value, list) else len(value))
