"""The edges of the wire (docs/behaviour.md §8), mostly over raw HTTP: unknown paths and targets, operations
the model has but localconnect does not emulate, malformed and oversized bodies, and the headers every
response carries. Errors are always JSON, never HTML, never a stack trace."""
import json

import pytest
import requests

from support import error_of, make_instance

MIB = 1024 * 1024
EUM_JSON = "application/x-amz-json-1.0"


def eum_headers(operation: str) -> dict:
    return {"X-Amz-Target": f"PinpointSMSVoiceV2.{operation}", "Content-Type": EUM_JSON}


def assert_connect_error(response, status: int, error_type: str) -> dict:
    """The restJson1 error form: status, JSON content type, request id, error type header, {"Message"}."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"]
    assert response.headers["x-amzn-ErrorType"] == error_type
    assert "<html" not in response.text.lower()
    assert "Traceback" not in response.text
    body = response.json()
    assert isinstance(body, dict) and isinstance(body["Message"], str) and body["Message"]
    return body


def assert_eum_error(response, status: int, error_type: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == EUM_JSON
    assert response.headers["x-amzn-RequestId"]
    assert "<html" not in response.text.lower()
    body = response.json()
    assert body["__type"] == error_type
    assert isinstance(body["Message"], str) and body["Message"]
    return body


# --- Connect (restJson1) ----------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("GET", "/nope"),
    ("POST", "/"),
    ("GET", "/phone-number"),
    ("DELETE", "/instance"),
    ("GET", "/instance/some-id/not-a-thing/at-all"),
])
def test_unknown_path_is_404_unknown_operation(lc, method, path):
    response = requests.request(method, lc.url + path, timeout=10)
    body = assert_connect_error(response, 404, "UnknownOperationException")
    assert body["Message"] == f"No operation matches {method} {path}"


def test_list_users_is_modeled_but_not_emulated_501(lc):
    response = requests.get(f"{lc.url}/users-summary/11111111-2222-3333-4444-555555555555", timeout=10)
    assert response.status_code == 501
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"] and response.headers["x-amzn-ErrorType"]
    assert "ListUsers" in response.json()["Message"]


def test_a_modeled_but_not_emulated_write_is_501(lc):
    # Contact-flow modules are in the model and not emulated (flows themselves are).
    response = requests.put(f"{lc.url}/contact-flow-modules/11111111-2222-3333-4444-555555555555",
                            json={"Name": "m", "Content": "{}"}, timeout=10)
    assert response.status_code == 501
    assert response.headers["Content-Type"] == "application/json"
    assert "CreateContactFlowModule" in response.json()["Message"]


def test_not_emulated_operation_through_boto3_is_501_and_not_retried(connect, lc):
    code, status, message, response = error_of(connect.list_users, InstanceId="11111111-2222-3333-4444-555555555555")
    assert status == 501
    assert code == response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"]
    assert "ListUsers" in message
    assert response["ResponseMetadata"]["RetryAttempts"] == 0


@pytest.mark.parametrize("body", [b"{nope", b"{\"InstanceId\": ", b"\xff\xfe\x00", b"[]", b"\"text\"", b"42"],
                         ids=["bad-syntax", "truncated", "not-utf8", "array", "string", "number"])
def test_malformed_json_body_is_400_serialization_exception(connect, lc, body):
    response = requests.post(f"{lc.url}/phone-number/import", data=body,
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert_connect_error(response, 400, "SerializationException")
    assert connect.list_phone_numbers_v2()["ListPhoneNumbersSummaryList"] == []


def test_empty_body_counts_as_an_empty_object(lc):
    # No body at all on an operation with body members: the required members are then missing
    response = requests.post(f"{lc.url}/phone-number/import", timeout=10)
    body = assert_connect_error(response, 400, "InvalidParameterException")
    assert body["Message"].startswith("2 validation errors detected: Value null at 'instanceId'")


def test_body_over_one_mib_is_413(connect, lc):
    response = requests.post(f"{lc.url}/phone-number/import", data=b" " * (MIB + 1),
                             headers={"Content-Type": "application/json"}, timeout=30)
    assert_connect_error(response, 413, "RequestEntityTooLargeException")
    assert connect.list_phone_numbers_v2()["ListPhoneNumbersSummaryList"] == []


def test_body_of_exactly_one_mib_is_read_and_validated(lc):
    skeleton = {"InstanceId": "x", "SourcePhoneNumberArn": "a", "PhoneNumberDescription": ""}
    pad = MIB - len(json.dumps(skeleton).encode())
    data = json.dumps({**skeleton, "PhoneNumberDescription": "d" * pad}).encode()
    assert len(data) == MIB
    response = requests.post(f"{lc.url}/phone-number/import", data=data, timeout=30)
    body = assert_connect_error(response, 400, "InvalidParameterException")
    assert body["Message"].endswith("Member must have length less than or equal to 500")
    over = requests.post(f"{lc.url}/phone-number/import", data=data + b" ", timeout=30)
    assert_connect_error(over, 413, "RequestEntityTooLargeException")


def test_modeled_errors_over_raw_http_have_the_full_error_form(connect, lc):
    not_found = requests.get(f"{lc.url}/instance/00000000-0000-0000-0000-000000000000", timeout=10)
    assert_connect_error(not_found, 404, "ResourceNotFoundException")
    invalid = requests.get(f"{lc.url}/instance", params={"maxResults": "11"}, timeout=10)
    assert_connect_error(invalid, 400, "InvalidRequestException")
    make_instance(connect, lc, "one")
    make_instance(connect, lc, "two")
    quota = requests.put(f"{lc.url}/instance", json={"IdentityManagementType": "CONNECT_MANAGED",
                                                     "InstanceAlias": "three", "InboundCallsEnabled": True,
                                                     "OutboundCallsEnabled": True}, timeout=10)
    assert_connect_error(quota, 402, "ServiceQuotaExceededException")


def test_every_error_has_its_own_request_id(lc):
    ids = {requests.get(f"{lc.url}/nope", timeout=10).headers["x-amzn-RequestId"] for _ in range(3)}
    assert len(ids) == 3


def test_error_request_id_reaches_boto3(connect, lc):
    _, _, _, response = error_of(connect.describe_instance, InstanceId="00000000-0000-0000-0000-000000000000")
    meta = response["ResponseMetadata"]
    assert meta["RequestId"] and meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]


def test_connect_success_carries_json_and_the_request_id_boto3_reports(connect, lc):
    out = make_instance(connect, lc, "reqid")
    meta = out["ResponseMetadata"]
    assert meta["HTTPHeaders"]["content-type"] == "application/json"
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]
    described = connect.describe_instance(InstanceId=out["Id"])["ResponseMetadata"]
    assert described["RequestId"] == described["HTTPHeaders"]["x-amzn-requestid"]
    assert described["RequestId"] != meta["RequestId"]


def test_operations_without_output_answer_200_with_a_json_body(connect, lc):
    instance = make_instance(connect, lc, "nooutput")
    response = requests.post(f"{lc.url}/tags/{instance['Arn'].replace('/', '%2F')}", json={"tags": {"a": "b"}},
                             timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"]
    assert response.json() == {}


def test_timestamps_are_epoch_seconds_on_the_wire(connect, lc):
    instance = make_instance(connect, lc, "epoch")
    response = requests.get(f"{lc.url}/instance/{instance['Id']}", timeout=10)
    assert response.status_code == 200
    created = response.json()["Instance"]["CreatedTime"]
    assert isinstance(created, (int, float)) and not isinstance(created, bool)
    assert abs(created - lc.state()["now"]) < 60
    # and boto3 reads the same instant
    parsed = connect.describe_instance(InstanceId=instance["Id"])["Instance"]["CreatedTime"]
    assert abs(parsed.timestamp() - created) < 0.001


def test_null_members_are_omitted_not_sent_as_null(connect, lc):
    out = connect.create_instance(IdentityManagementType="EXISTING_DIRECTORY", DirectoryId="d-0123456789",
                                  InboundCallsEnabled=True, OutboundCallsEnabled=True)
    body = requests.get(f"{lc.url}/instance/{out['Id']}", timeout=10).json()
    assert "InstanceAlias" not in body["Instance"]
    assert "Tags" not in body["Instance"]
    assert None not in body["Instance"].values()


# --- End User Messaging (awsJson1_0) ----------------------------------------------------------------------

def test_eum_unknown_target_is_400_json_with_type(lc):
    response = requests.post(lc.url + "/", data=b"{}", headers=eum_headers("NoSuchOperation"), timeout=10)
    body = assert_eum_error(response, 400, "UnknownOperationException")
    assert "PinpointSMSVoiceV2.NoSuchOperation" in body["Message"]


def test_eum_target_with_a_foreign_prefix_is_400(lc):
    response = requests.post(lc.url + "/", data=b"{}", headers={"X-Amz-Target": "Foo.DescribePhoneNumbers",
                                                                "Content-Type": EUM_JSON}, timeout=10)
    assert_eum_error(response, 400, "UnknownOperationException")


def test_eum_modeled_but_not_emulated_is_501_naming_the_operation(lc):
    response = requests.post(lc.url + "/", data=b"{}", headers=eum_headers("CreatePool"), timeout=10)
    assert response.status_code == 501
    assert response.headers["Content-Type"] == EUM_JSON
    body = response.json()
    assert body["__type"] and "CreatePool" in body["Message"]


def test_eum_malformed_json_is_400_serialization_exception(lc):
    response = requests.post(lc.url + "/", data=b"{nope", headers=eum_headers("DescribePhoneNumbers"), timeout=10)
    assert_eum_error(response, 400, "SerializationException")


def test_eum_body_over_one_mib_is_413_in_the_awsjson_error_form(lc):
    response = requests.post(lc.url + "/", data=b" " * (MIB + 1), headers=eum_headers("DescribePhoneNumbers"),
                             timeout=30)
    # awsJson1_0 clients read the code from "__type" only, so the body must carry it (docs/behaviour.md §8)
    assert_eum_error(response, 413, "RequestEntityTooLargeException")


def test_body_over_one_mib_reaches_boto3_as_a_named_error_on_both_services(lc):
    connect, sms = lc.clients(parameter_validation=False, retries={"total_max_attempts": 1})
    huge = "x" * (MIB + 1)
    code, status, _, _ = error_of(connect.import_phone_number, InstanceId="i", SourcePhoneNumberArn=huge)
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    code, status, _, _ = error_of(sms.describe_phone_numbers, NextToken=huge)
    assert (code, status) == ("RequestEntityTooLargeException", 413)


def test_eum_success_is_amz_json_with_request_id(lc):
    response = requests.post(lc.url + "/", data=b"{}", headers=eum_headers("DescribePhoneNumbers"), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == EUM_JSON
    assert response.headers["x-amzn-RequestId"]
    assert response.json() == {"PhoneNumbers": []}


def test_eum_success_request_id_equals_boto3_request_id(sms, lc):
    meta = sms.describe_phone_numbers()["ResponseMetadata"]
    assert meta["HTTPHeaders"]["content-type"] == EUM_JSON
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]


def test_eum_modeled_error_has_type_and_members(lc):
    response = requests.post(lc.url + "/", data=json.dumps({"PhoneNumberIds": ["phone-nope"]}),
                             headers=eum_headers("DescribePhoneNumbers"), timeout=10)
    body = assert_eum_error(response, 400, "ResourceNotFoundException")
    assert body["ResourceId"] == "phone-nope"
