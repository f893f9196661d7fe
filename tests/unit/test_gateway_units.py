"""The gateway's pieces without a server: routing on raw paths, identity, validation messages."""
from __future__ import annotations

import pytest

from localconnect.gateway import catalog, routing, validation
from localconnect.gateway.identity import identify
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
    wrong_method = routing.match_rest("connect", "PATCH", "/phone-number/import")
    assert wrong_method.operation is None and wrong_method.path_known


def test_targets():
    svc, op = routing.match_target("PinpointSMSVoiceV2.DescribePhoneNumbers")
    assert svc.key == "sms-voice" and op.name == "DescribePhoneNumbers"
    assert routing.match_target("PinpointSMSVoiceV2.Nope")[1] is None
    assert routing.match_target("Other.DescribePhoneNumbers") == (None, None)


def test_idempotency_members_come_from_the_model():
    ops = catalog.service("connect").operations
    assert ops["ImportPhoneNumber"].idempotency_member == "ClientToken"
    assert ops["ReleasePhoneNumber"].query_members == {"ClientToken": "clientToken"}
    assert ops["DescribePhoneNumber"].idempotency_member is None
    assert ops["DescribeInstance"].validation_error == "InvalidRequestException"
    assert ops["ImportPhoneNumber"].validation_error == "InvalidParameterException"


@pytest.mark.parametrize("header,region,account", [
    ("AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/connect/aws4_request, SignedHeaders=host, Signature=x",
     "eu-west-1", "123456789012"),
    ("AWS4-HMAC-SHA256 Credential=111122223333/20260101/ap-southeast-2/connect/aws4_request", "ap-southeast-2",
     "111122223333"),
    ("AWS4-HMAC-SHA256 Credential=MAPPED/20260101/us-west-2/sms-voice/aws4_request", "us-west-2", "444455556666"),
    ("", "us-east-1", "123456789012"),
    ("garbage", "us-east-1", "123456789012"),
])
def test_identity_from_the_credential_scope(header, region, account):
    settings = Settings(accounts={"MAPPED": "444455556666"})
    who = identify({"authorization": header} if header else {}, b"", settings, {})
    assert (who.region, who.account) == (region, account)


def test_identity_from_a_presigned_query():
    query = b"X-Amz-Credential=AKID%2F20260101%2Feu-central-1%2Fconnect%2Faws4_request&X-Amz-Signature=x"
    assert identify({}, query, Settings(), {}).region == "eu-central-1"


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
