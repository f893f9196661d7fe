"""The request's credential scope must fit the operation (docs/behaviour.md §1, §7): under auth = sigv4 its
service must be the one the operation belongs to; in every mode its Region must be one where AWS offers the
service (botocore's endpoint data) or one listed in the `regions` setting; End User Messaging is POST / only."""
from __future__ import annotations

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localconnect.testing import ServerProcess, admin_call, clients
from support import error_of

REQUEST_NUMBER = ('{"IsoCountryCode":"US","MessageType":"TRANSACTIONAL","NumberCapabilities":["SMS"],'
                  '"NumberType":"LONG_CODE"}')


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scope")
    (folder / "credentials.toml").write_text('[[credentials]]\naccess_key_id = "AKIDSCOPE"\n'
                                             'secret_access_key = "scope-secret"\naccount = "123456789012"\n')
    with ServerProcess("--store", "memory", "--auth", "sigv4", "--credentials-file",
                       str(folder / "credentials.toml"), "--regions", "xx-lab-1") as server:
        yield server


def _signed(url: str, service: str, region: str, method: str, path: str, body: str = "", headers=None):
    request = AWSRequest(method=method, url=url + path, data=body, headers=headers or {})
    SigV4Auth(Credentials("AKIDSCOPE", "scope-secret"), service, region).add_auth(request)
    return requests.request(method, url + path, data=body, headers=dict(request.headers), timeout=10)


@pytest.mark.parametrize("service", ["s3", "iam", "sms-voice"])
def test_a_connect_request_signed_for_another_service_is_refused(secured, service):
    response = _signed(secured.url, service, "us-east-1", "GET", "/instance")
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert response.json()["Message"] == "Credential should be scoped to correct service: 'connect'."


def test_the_right_service_is_accepted(secured):
    assert _signed(secured.url, "connect", "us-east-1", "GET", "/instance").status_code == 200


def test_an_end_user_messaging_request_signed_for_connect_is_refused(secured):
    response = _signed(secured.url, "connect", "us-east-1", "POST", "/", REQUEST_NUMBER, {
        "X-Amz-Target": "PinpointSMSVoiceV2.RequestPhoneNumber", "Content-Type": "application/x-amz-json-1.0"})
    assert response.status_code == 403 and response.json()["__type"] == "InvalidSignatureException"
    assert admin_call(secured.url, "GET", "/state")[1]["partitions"] == []  # nothing was written


@pytest.mark.parametrize("region", ["zz-zzzz-9", "eu-west-1"])  # made up; real, but no Connect there
def test_connect_in_a_region_it_does_not_exist_in_is_refused(secured, region):
    connect, _ = clients(secured.url, region=region, access_key="AKIDSCOPE", secret="scope-secret",
                         retries={"total_max_attempts": 1})
    code, status, message, _ = error_of(connect.list_instances)
    assert (code, status) == ("InvalidSignatureException", 403)
    assert f"not '{region}'" in message and "regions setting" in message


def test_end_user_messaging_exists_where_connect_does_not(secured):
    _, sms = clients(secured.url, region="eu-west-1", access_key="AKIDSCOPE", secret="scope-secret")
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []


def test_the_regions_setting_adds_a_region(secured):
    connect, _ = clients(secured.url, region="xx-lab-1", access_key="AKIDSCOPE", secret="scope-secret")
    assert connect.list_instances()["InstanceSummaryList"] == []


def test_made_up_regions_are_refused_without_sigv4_too(lc):
    connect, _ = lc.clients(region="zz-zzzz-9", retries={"total_max_attempts": 1})
    code, status, _, _ = error_of(connect.create_instance, IdentityManagementType="CONNECT_MANAGED",
                                  InstanceAlias="nowhere", InboundCallsEnabled=True, OutboundCallsEnabled=True)
    assert (code, status) == ("InvalidSignatureException", 403)
    assert lc.state()["partitions"] == []  # no partition of its own


@pytest.mark.parametrize("method, path, status", [("DELETE", "/phone-number/import", 404), ("GET", "/", 405),
                                                  ("TRACE", "/", 405), ("PUT", "/", 405), ("POST", "/x", 404)])
def test_end_user_messaging_is_post_slash_only(lc, method, path, status):
    response = requests.request(method, lc.url + path, data=REQUEST_NUMBER, timeout=10, headers={
        "X-Amz-Target": "PinpointSMSVoiceV2.RequestPhoneNumber", "Content-Type": "application/x-amz-json-1.0"})
    assert response.status_code == status
    body = response.json()
    assert body["__type"] in ("UnknownOperationException", "MethodNotAllowedException") and body["Message"]
    assert lc.state()["partitions"] == []  # nothing was created
    _, sms = lc.clients()
    assert sms.describe_phone_numbers()["PhoneNumbers"] == []


