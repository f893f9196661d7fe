"""Shape constraints of the models enforced on the server (docs/behaviour.md §8, §2 step 1), one test per kind:
required, type, string length, list size, map size, integer range, pattern (incl. Unicode classes), enum.

Connect answers InvalidParameterException, or InvalidRequestException for operations that model it and not
InvalidParameterException (CreateInstance, ListInstances, ...), with a Coral-style message naming the member.
End User Messaging answers ValidationException, Reason FIELD_VALIDATION_FAILED, with Fields[{Name, Message}].
"""
import pytest
import requests

from support import error_of, make_instance

PHONE_TYPES = "TOLL_FREE, DID, UIFN, SHARED, THIRD_PARTY_TF, THIRD_PARTY_DID, SHORT_CODE"
TAG_KEY_PATTERN = r"^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"
ALIAS_PATTERN = r"^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$"
REDACTED = "*** Sensitive Data Redacted ***"
SOURCE = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-00000000000000000000000000000000"


def one(detail: str) -> str:
    return "1 validation error detected: " + detail


@pytest.fixture
def loose(lc):
    """boto3 clients that skip botocore's own checks, so bad values reach the server."""
    return lc.clients(parameter_validation=False)


@pytest.fixture
def snapshot(lc):
    """The partitions as the admin API shows them; compare after a refused request."""
    return lambda: lc.state()["partitions"]


def no_phone_numbers(connect):
    return connect.list_phone_numbers_v2()["ListPhoneNumbersSummaryList"] == []


# --- required --------------------------------------------------------------------------------------------

def test_required_member_missing_is_named_as_null(loose, connect, lc, snapshot):
    before = snapshot()
    code, status, message, _ = error_of(loose[0].import_phone_number, SourcePhoneNumberArn=SOURCE)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == one("Value null at 'instanceId' failed to satisfy constraint: Member must not be null")
    assert snapshot() == before and no_phone_numbers(connect)


def test_required_boolean_missing_on_create_instance_is_invalid_request(loose, connect, lc):
    code, status, message, _ = error_of(loose[0].create_instance, IdentityManagementType="CONNECT_MANAGED",
                                        InstanceAlias="req", InboundCallsEnabled=True)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == one("Value null at 'outboundCallsEnabled' failed to satisfy constraint: "
                          "Member must not be null")
    assert connect.list_instances()["InstanceSummaryList"] == []


def test_two_failures_are_counted_and_joined(loose, connect, lc):
    code, status, message, _ = error_of(loose[0].create_instance, IdentityManagementType="CONNECT_MANAGED",
                                        InstanceAlias="two", InboundCallsEnabled="yes")
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == ("2 validation errors detected: "
                       "Value null at 'outboundCallsEnabled' failed to satisfy constraint: Member must not be null; "
                       "Value 'yes' at 'inboundCallsEnabled' failed to satisfy constraint: Member must be a boolean")
    assert connect.list_instances()["InstanceSummaryList"] == []


# --- type ------------------------------------------------------------------------------------------------

def test_wrong_json_type_for_boolean(loose, connect, lc):
    code, status, message, _ = error_of(loose[0].create_instance, IdentityManagementType="CONNECT_MANAGED",
                                        InstanceAlias="typ", InboundCallsEnabled="yes", OutboundCallsEnabled=True)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == one("Value 'yes' at 'inboundCallsEnabled' failed to satisfy constraint: "
                          "Member must be a boolean")
    assert connect.list_instances()["InstanceSummaryList"] == []


@pytest.mark.parametrize("value, shown", [("ten", "ten"), (1.5, "1.5"), (True, "true")])
def test_wrong_json_type_for_integer(loose, lc, value, shown):
    code, status, message, _ = error_of(loose[0].list_phone_numbers_v2, MaxResults=value)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == one(f"Value '{shown}' at 'maxResults' failed to satisfy constraint: Member must be an integer")


def test_wrong_type_in_query_string_integer(lc):
    response = requests.get(f"{lc.url}/instance", params={"maxResults": "abc"}, timeout=10)
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidRequestException"
    assert response.json()["Message"] == one("Value 'abc' at 'maxResults' failed to satisfy constraint: "
                                             "Member must be an integer")


@pytest.mark.parametrize("body, detail", [
    ({"PhoneNumberTypes": "DID"}, ("Value 'DID' at 'phoneNumberTypes' failed to satisfy constraint: "
                                   "Member must be a list")),
    ({"InstanceId": 7}, "Value '7' at 'instanceId' failed to satisfy constraint: Member must be a string"),
], ids=["string-for-list", "number-for-string"])
def test_wrong_json_type_over_raw_http(lc, body, detail):
    response = requests.post(f"{lc.url}/phone-number/list", json=body, timeout=10)
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidParameterException"
    assert response.json() == {"Message": one(detail)}


def test_wrong_json_type_for_map(connect, lc):
    instance = make_instance(connect, lc, "maptype")
    response = requests.post(f"{lc.url}/tags/{instance['Arn'].replace('/', '%2F')}", json={"tags": ["a"]},
                             timeout=10)
    assert response.status_code == 400
    assert response.json() == {"Message": one("Value '[a]' at 'tags' failed to satisfy constraint: "
                                              "Member must be a map")}
    assert connect.list_tags_for_resource(resourceArn=instance["Arn"])["tags"] == {}


# --- string length -----------------------------------------------------------------------------------------

def test_string_longer_than_max(connect, lc, snapshot):
    before = snapshot()
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId="i-1", SourcePhoneNumberArn=SOURCE,
                                        PhoneNumberDescription="d" * 501)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith("1 validation error detected: Value 'ddd")
    assert message.endswith("' at 'phoneNumberDescription' failed to satisfy constraint: "
                            "Member must have length less than or equal to 500")
    assert snapshot() == before and no_phone_numbers(connect)


def test_string_of_exactly_max_length_passes_validation(connect, lc):
    # Passes shape validation and fails only later, on the unknown instance
    code, status, _, _ = error_of(connect.import_phone_number, InstanceId="i-1", SourcePhoneNumberArn=SOURCE,
                                  PhoneNumberDescription="d" * 500)
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_string_shorter_than_min(loose, connect, lc, snapshot):
    before = snapshot()
    code, status, message, _ = error_of(loose[0].import_phone_number, InstanceId="", SourcePhoneNumberArn=SOURCE)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == one("Value '' at 'instanceId' failed to satisfy constraint: "
                          "Member must have length greater than or equal to 1")
    assert snapshot() == before


def test_sensitive_string_too_long_is_redacted(loose, connect, lc):
    code, status, message, _ = error_of(loose[0].create_instance, IdentityManagementType="CONNECT_MANAGED",
                                        InstanceAlias="a" * 46, InboundCallsEnabled=True, OutboundCallsEnabled=True)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == one(f"Value '{REDACTED}' at 'instanceAlias' failed to satisfy constraint: "
                          "Member must have length less than or equal to 45")
    assert "a" * 46 not in message
    assert connect.list_instances()["InstanceSummaryList"] == []


# --- list size -----------------------------------------------------------------------------------------------

def test_list_longer_than_max(connect, lc):
    code, status, message, _ = error_of(connect.list_phone_numbers_v2, PhoneNumberTypes=["DID"] * 7)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == one("Value '[DID, DID, DID, DID, DID, DID, DID]' at 'phoneNumberTypes' failed to satisfy "
                          "constraint: Member must have length less than or equal to 6")
    # Six is fine
    assert connect.list_phone_numbers_v2(PhoneNumberTypes=["DID"] * 6)["ListPhoneNumbersSummaryList"] == []


def test_query_string_list_longer_than_max(connect, lc):
    instance = make_instance(connect, lc, "querylist", Tags={"k": "v"})
    code, status, message, _ = error_of(connect.untag_resource, resourceArn=instance["Arn"], tagKeys=["k"] * 51)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.endswith("' at 'tagKeys' failed to satisfy constraint: "
                            "Member must have length less than or equal to 50")
    assert connect.list_tags_for_resource(resourceArn=instance["Arn"])["tags"] == {"k": "v"}


# --- map size ------------------------------------------------------------------------------------------------

def test_empty_map_is_below_min(connect, lc):
    instance = make_instance(connect, lc, "emptymap", Tags={"k": "v"})
    code, status, message, _ = error_of(connect.tag_resource, resourceArn=instance["Arn"], tags={})
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == one("Value '{}' at 'tags' failed to satisfy constraint: "
                          "Member must have length greater than or equal to 1")
    assert connect.list_tags_for_resource(resourceArn=instance["Arn"])["tags"] == {"k": "v"}


def test_map_value_longer_than_max(connect, lc):
    instance = make_instance(connect, lc, "mapvalue")
    code, status, message, _ = error_of(connect.tag_resource, resourceArn=instance["Arn"], tags={"k": "v" * 257})
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.endswith("' at 'tags' failed to satisfy constraint: Map values must satisfy constraint: "
                            "[Member must have length less than or equal to 256]")
    assert connect.list_tags_for_resource(resourceArn=instance["Arn"])["tags"] == {}


def test_map_key_shorter_than_min(loose, connect, lc):
    instance = make_instance(connect, lc, "mapkey")
    code, status, message, _ = error_of(loose[0].tag_resource, resourceArn=instance["Arn"], tags={"": "v"})
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == one("Value '{=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: "
                          "[Member must have length greater than or equal to 1]")
    assert connect.list_tags_for_resource(resourceArn=instance["Arn"])["tags"] == {}


# --- integer range ---------------------------------------------------------------------------------------------

def test_integer_above_max_on_list_instances_is_invalid_request(connect, lc):
    code, status, message, _ = error_of(connect.list_instances, MaxResults=11)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == one("Value '11' at 'maxResults' failed to satisfy constraint: "
                          "Member must have value less than or equal to 10")


def test_integer_below_min_on_list_instances_is_invalid_request(loose, lc):
    code, status, message, _ = error_of(loose[0].list_instances, MaxResults=0)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == one("Value '0' at 'maxResults' failed to satisfy constraint: "
                          "Member must have value greater than or equal to 1")


def test_integer_above_max_on_list_phone_numbers_v2_is_invalid_parameter(connect, lc):
    code, status, message, _ = error_of(connect.list_phone_numbers_v2, MaxResults=1001)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == one("Value '1001' at 'maxResults' failed to satisfy constraint: "
                          "Member must have value less than or equal to 1000")
    assert connect.list_phone_numbers_v2(MaxResults=1000)["ListPhoneNumbersSummaryList"] == []


def test_integer_range_edges_pass(connect, lc):
    assert connect.list_instances(MaxResults=10)["InstanceSummaryList"] == []
    assert connect.list_instances(MaxResults=1)["InstanceSummaryList"] == []


# --- pattern ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["a#b", "wow!", "smile🙂", "aws:reserved"])
def test_tag_key_outside_the_pattern_is_rejected(connect, lc, key):
    instance = make_instance(connect, lc, "pattern")
    code, status, message, _ = error_of(connect.tag_resource, resourceArn=instance["Arn"], tags={key: "v"})
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == one(f"Value '{{{key}=v}}' at 'tags' failed to satisfy constraint: Map keys must satisfy "
                          f"constraint: [Member must satisfy regular expression pattern: {TAG_KEY_PATTERN}]")
    assert connect.list_tags_for_resource(resourceArn=instance["Arn"])["tags"] == {}


@pytest.mark.parametrize("key", ["ключ", "タグ", "ΚΛΕΙΔΙ", "١٢٣", "with space", "a_b.c:d/e=f+g-h@i", "aws-ok"])
def test_tag_key_with_unicode_letters_digits_and_spaces_is_accepted(connect, lc, key):
    instance = make_instance(connect, lc, "unicode")
    connect.tag_resource(resourceArn=instance["Arn"], tags={key: "v"})
    assert connect.list_tags_for_resource(resourceArn=instance["Arn"])["tags"] == {key: "v"}


@pytest.mark.parametrize("alias", ["bad_alias", "d-starts-like-a-directory", "trailing-"])
def test_instance_alias_pattern_failure_is_redacted(connect, lc, alias):
    code, status, message, _ = error_of(connect.create_instance, IdentityManagementType="CONNECT_MANAGED",
                                        InstanceAlias=alias, InboundCallsEnabled=True, OutboundCallsEnabled=True)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == one(f"Value '{REDACTED}' at 'instanceAlias' failed to satisfy constraint: "
                          f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}")
    assert alias not in message
    assert connect.list_instances()["InstanceSummaryList"] == []


def test_directory_id_pattern(connect, lc):
    code, status, message, _ = error_of(connect.create_instance, IdentityManagementType="EXISTING_DIRECTORY",
                                        DirectoryId="x-0123456789", InboundCallsEnabled=True,
                                        OutboundCallsEnabled=True)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == one("Value 'x-0123456789' at 'directoryId' failed to satisfy constraint: "
                          "Member must satisfy regular expression pattern: ^d-[0-9a-f]{10}$")
    assert connect.list_instances()["InstanceSummaryList"] == []


# --- enum ------------------------------------------------------------------------------------------------------

def test_enum_value_in_a_list(connect, lc):
    code, status, message, _ = error_of(connect.list_phone_numbers_v2, PhoneNumberTypes=["NOPE"])
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == one("Value '[NOPE]' at 'phoneNumberTypes' failed to satisfy constraint: Member must satisfy "
                          f"constraint: [Member must satisfy enum value set: [{PHONE_TYPES}]]")


def test_enum_value_of_a_scalar(connect, lc):
    code, status, message, _ = error_of(connect.create_instance, IdentityManagementType="NOPE",
                                        InstanceAlias="enum", InboundCallsEnabled=True, OutboundCallsEnabled=True)
    assert (code, status) == ("InvalidRequestException", 400)
    assert message == one("Value 'NOPE' at 'identityManagementType' failed to satisfy constraint: "
                          "Member must satisfy enum value set: [SAML, CONNECT_MANAGED, EXISTING_DIRECTORY]")
    assert connect.list_instances()["InstanceSummaryList"] == []


def test_enum_values_are_case_sensitive(connect, lc):
    code, status, _, _ = error_of(connect.list_phone_numbers_v2, PhoneNumberTypes=["did"])
    assert (code, status) == ("InvalidParameterException", 400)


# --- End User Messaging: ValidationException with Fields ----------------------------------------------------

def _eum_error(call, **kwargs):
    code, status, message, response = error_of(call, **kwargs)
    assert (code, status) == ("ValidationException", 400)
    assert response["Reason"] == "FIELD_VALIDATION_FAILED"
    return message, response["Fields"]


def test_eum_string_length_names_the_field(sms, lc):
    message, fields = _eum_error(sms.request_phone_number, IsoCountryCode="USA", MessageType="TRANSACTIONAL",
                                 NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    detail = ("Value 'USA' at 'isoCountryCode' failed to satisfy constraint: "
              "Member must have length less than or equal to 2")
    assert message == one(detail)
    assert fields == [{"Name": "IsoCountryCode", "Message": detail}]
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []


def test_eum_required_member_missing(lc):
    sms = lc.clients(parameter_validation=False)[1]
    message, fields = _eum_error(sms.request_phone_number, IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                 NumberType="LONG_CODE")
    detail = "Value null at 'numberCapabilities' failed to satisfy constraint: Member must not be null"
    assert message == one(detail)
    assert fields == [{"Name": "NumberCapabilities", "Message": detail}]
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []


def test_eum_two_failures_give_two_fields(sms, lc):
    message, fields = _eum_error(sms.request_phone_number, IsoCountryCode="USA", MessageType="NOPE",
                                 NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    length = ("Value 'USA' at 'isoCountryCode' failed to satisfy constraint: "
              "Member must have length less than or equal to 2")
    enum = ("Value 'NOPE' at 'messageType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [TRANSACTIONAL, PROMOTIONAL]")
    assert message == f"2 validation errors detected: {length}; {enum}"
    assert fields == [{"Name": "IsoCountryCode", "Message": length}, {"Name": "MessageType", "Message": enum}]
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []


def test_eum_integer_range(sms, lc):
    message, fields = _eum_error(sms.describe_phone_numbers, MaxResults=101)
    detail = "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"
    assert message == one(detail)
    assert fields == [{"Name": "MaxResults", "Message": detail}]


def test_eum_wrong_type(lc):
    sms = lc.clients(parameter_validation=False)[1]
    message, fields = _eum_error(sms.request_phone_number, IsoCountryCode=1, MessageType="TRANSACTIONAL",
                                 NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    detail = "Value '1' at 'isoCountryCode' failed to satisfy constraint: Member must be a string"
    assert message == one(detail)
    assert fields == [{"Name": "IsoCountryCode", "Message": detail}]
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []
