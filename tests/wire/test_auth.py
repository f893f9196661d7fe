"""auth = sigv4: signature verification and IAM policies through boto3 against a running server (docs/behaviour.md §7)."""
from __future__ import annotations

import json

import pytest
import requests

from localconnect.testing import ServerProcess, admin_call, clients
from support import error_of, sigv4_server

ACCOUNT = "123456789012"
OPS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "connect:ImportPhoneNumber", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "ops"}}},
        {"Effect": "Allow", "Action": ["connect:Describe*", "connect:List*", "sms-voice:DescribePhoneNumbers"],
         "Resource": "*"},
    ],
}
NO_SOURCE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sms-voice:DescribePhoneNumbers",
         "Resource": f"arn:aws:sms-voice:us-east-1:{ACCOUNT}:phone-number/*"},
    ],
}


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    folder = tmp_path_factory.mktemp("auth")
    (folder / "nosource.json").write_text(json.dumps(NO_SOURCE_POLICY))
    with sigv4_server(folder, [
        {"access_key_id": "AKIDADMIN", "secret_access_key": "admin-secret", "account": ACCOUNT,
         "principal_arn": f"arn:aws:iam::{ACCOUNT}:user/admin"},
        {"access_key_id": "AKIDOPS", "secret_access_key": "ops-secret", "account": ACCOUNT,
         "principal_arn": f"arn:aws:iam::{ACCOUNT}:user/ops", "policies": [OPS_POLICY]},
        {"access_key_id": "AKIDNOSOURCE", "secret_access_key": "nosource-secret", "account": ACCOUNT,
         "principal_arn": f"arn:aws:iam::{ACCOUNT}:role/importer", "policy_files": ["nosource.json"]},
    ]) as server:
        yield server


@pytest.fixture
def world(secured):
    """An ACTIVE instance and an End User Messaging number, made by the unrestricted admin user."""
    admin_call(secured.url, "POST", "/reset")
    connect, sms = clients(secured.url, access_key="AKIDADMIN", secret="admin-secret")
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="secure",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)
    source = sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL", NumberCapabilities=["SMS"],
                                      NumberType="TOLL_FREE")
    return secured, instance, source


def _no_retry(url, key, secret):
    return clients(url, access_key=key, secret=secret, retries={"mode": "standard", "total_max_attempts": 1})


def test_the_right_keys_pass(world):
    server, instance, source = world
    connect, sms = _no_retry(server.url, "AKIDADMIN", "admin-secret")
    out = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert connect.describe_phone_number(PhoneNumberId=out["PhoneNumberArn"])["ClaimedPhoneNumberSummary"]
    assert sms.describe_phone_numbers()["PhoneNumbers"]


def test_missing_authorization_is_403_missing_authentication_token(world):
    server, instance, _ = world
    response = requests.get(f"{server.url}/instance/{instance['Id']}")
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert response.json() == {"Message": "Missing Authentication Token"}


def test_unknown_key_is_403_unrecognized_client(world):
    server, instance, _ = world
    connect, _ = _no_retry(server.url, "AKIDNOBODY", "whatever")
    code, status, message, _ = error_of(connect.describe_instance, InstanceId=instance["Id"])
    assert (code, status, message) == ("UnrecognizedClientException", 403,
                                       "The security token included in the request is invalid.")


def test_wrong_secret_is_403_invalid_signature(world):
    server, instance, source = world
    connect, _ = _no_retry(server.url, "AKIDADMIN", "not-the-secret")
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    assert all(p["phone_numbers"] == [] for p in admin_call(server.url, "GET", "/state")[1]["partitions"])


def test_request_time_off_the_service_clock_is_signature_expired(world):
    server, instance, _ = world
    admin_call(server.url, "POST", "/clock", {"advance_seconds": 600})
    connect, _ = _no_retry(server.url, "AKIDADMIN", "admin-secret")
    code, status, message, _ = error_of(connect.describe_instance, InstanceId=instance["Id"])
    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith("Signature expired:")


def test_policy_allows_the_tagged_import_and_denies_the_untagged_one(world):
    server, instance, source = world
    connect, _ = _no_retry(server.url, "AKIDOPS", "ops-secret")
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, status) == ("AccessDeniedException", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT}:user/ops is not authorized to perform: connect:ImportPhoneNumber "
                       f"on resource: {instance['Arn']} because no identity-based policy allows the "
                       "connect:ImportPhoneNumber action")
    assert all(p["phone_numbers"] == [] for p in admin_call(server.url, "GET", "/state")[1]["partitions"])
    out = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                      Tags={"team": "ops"})
    assert connect.describe_phone_number(PhoneNumberId=out["PhoneNumberId"])["ClaimedPhoneNumberSummary"]["Tags"] == \
        {"team": "ops"}
    code, _, _, _ = error_of(connect.release_phone_number, PhoneNumberId=out["PhoneNumberId"])
    assert code == "AccessDeniedException"  # ReleasePhoneNumber is not in the policy


def test_deny_on_the_source_numbers_describe_denies_the_import(world):
    server, instance, source = world
    connect, sms = _no_retry(server.url, "AKIDNOSOURCE", "nosource-secret")
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, status) == ("AccessDeniedException", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT}:role/importer is not authorized to perform: "
                       f"sms-voice:DescribePhoneNumbers on resource: {source['PhoneNumberArn']} with an explicit "
                       "deny in an identity-based policy")
    assert connect.list_instances()["InstanceSummaryList"]  # everything else is allowed


def test_bad_credentials_file_stops_startup_with_a_clear_message(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[credentials]]\naccess_key_id = "A"\nsecret_access_key = "s"\naccount = "1"\n')
    proc = ServerProcess("--store", "memory", "--auth", "sigv4", "--credentials-file", str(bad))
    with pytest.raises(RuntimeError) as info:
        proc.start()
    assert "entry 1: account must be a 12-digit string" in str(info.value)
    assert "Traceback" not in str(info.value)


def test_a_presigned_url_is_verified_too(world):
    server, instance, _ = world
    connect, _ = _no_retry(server.url, "AKIDADMIN", "admin-secret")
    url = connect.generate_presigned_url("describe_instance", Params={"InstanceId": instance["Id"]}, ExpiresIn=60)
    response = requests.get(url)
    assert response.status_code == 200 and response.json()["Instance"]["Id"] == instance["Id"]
    tampered = requests.get(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"))
    assert (tampered.status_code, tampered.headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
