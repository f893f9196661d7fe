"""STS GetCallerIdentity through boto3 and raw awsQuery (docs/behaviour.md §15): the calling key's account and
principal, the UserId AWS gives each kind of principal, no permission needed, under ``auth = off`` and
``auth = sigv4``. Terraform calls it unless told skip_requesting_account_id and skip_credentials_validation."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import boto3
import botocore.config
import botocore.exceptions
import pytest
import requests

from support import sigv4_server

ACCOUNT = "123456789012"
DENY_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}


def sts_client(url: str, key: str, secret: str = "anything"):
    return boto3.client("sts", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret)


def identity(client) -> dict:
    out = client.get_caller_identity()
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    return {k: v for k, v in out.items() if k != "ResponseMetadata"}


def test_default_key_is_the_root_of_the_default_account(lc):
    assert identity(sts_client(lc.url, "AKIDLOCALCONNECT")) == {
        "UserId": ACCOUNT, "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:root"}


def test_a_twelve_digit_key_is_its_own_account(lc):
    assert identity(sts_client(lc.url, "210987654321")) == {
        "UserId": "210987654321", "Account": "210987654321", "Arn": "arn:aws:iam::210987654321:root"}


def test_the_raw_answer_is_awsquery_xml(lc):
    response = requests.post(lc.url + "/", data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                             headers={"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDLOCALCONNECT/20260101/"
                                                       "us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x"},
                             timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    ns = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/"}
    assert root.tag == "{https://sts.amazonaws.com/doc/2011-06-15/}GetCallerIdentityResponse"
    assert root.findtext("sts:GetCallerIdentityResult/sts:Account", namespaces=ns) == ACCOUNT
    assert root.findtext("sts:ResponseMetadata/sts:RequestId", namespaces=ns) == response.headers["x-amzn-requestid"]


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    with sigv4_server(tmp_path_factory.mktemp("sts"), [
        {"access_key_id": "AKIDOPS", "secret_access_key": "ops-secret", "account": ACCOUNT,
         "principal_arn": f"arn:aws:iam::{ACCOUNT}:user/ops", "policies": [DENY_ALL]},
        {"access_key_id": "AKIDCI", "secret_access_key": "ci-secret", "account": "111122223333",
         "principal_arn": "arn:aws:sts::111122223333:assumed-role/Deploy/ci-42"},
    ]) as server:
        yield server


def test_signed_users_and_roles_even_when_every_action_is_denied(secured):
    ops = identity(sts_client(secured.url, "AKIDOPS", "ops-secret"))
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", ops.pop("UserId"))
    assert ops == {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/ops"}
    ci = identity(sts_client(secured.url, "AKIDCI", "ci-secret"))
    assert re.fullmatch(r"AROA[A-Z2-7]{17}:ci-42", ci.pop("UserId"))
    assert ci == {"Account": "111122223333", "Arn": "arn:aws:sts::111122223333:assumed-role/Deploy/ci-42"}



@pytest.mark.parametrize("key, secret, code", [("AKIDOPS", "wrong-secret", "SignatureDoesNotMatch"),
                                               ("AKIDNOBODY", "anything", "InvalidClientTokenId")])
def test_authentication_errors_in_sts_terms(secured, key, secret, code):
    """STS's front door names SigV4 failures its own way (what Terraform prints when credentials are wrong)."""
    client = boto3.client("sts", endpoint_url=secured.url, region_name="us-east-1", aws_access_key_id=key,
                          aws_secret_access_key=secret, config=botocore.config.Config(retries={"total_max_attempts": 1}))
    with pytest.raises(botocore.exceptions.ClientError) as info:
        client.get_caller_identity()
    error = info.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (code, 403)
    assert error["Error"]["Type"] == "Sender"


def test_unsigned_sts_request_is_missing_authentication(secured):
    response = requests.post(secured.url + "/", data="Action=GetCallerIdentity&Version=2011-06-15", timeout=10,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 403 and "<Code>MissingAuthenticationToken</Code>" in response.text
