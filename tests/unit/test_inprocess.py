"""The in-process mode: boto3 clients with no endpoint and no server, answered by the same gateway and handlers."""
from __future__ import annotations

import os
import subprocess
import sys
import unittest

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from localconnect.settings import SettingsError
from localconnect.testing import InProcess, current, hook, mock_localconnect

CREDS = dict(region_name="us-east-1", aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")


def test_clients_created_inside_the_block_are_answered_in_process():
    with mock_localconnect() as lc:
        connect, sms = boto3.client("connect", **CREDS), boto3.client("pinpoint-sms-voice-v2", **CREDS)
        instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="inproc",
                                           InboundCallsEnabled=True, OutboundCallsEnabled=True)
        lc.advance(1)
        source = sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                          NumberCapabilities=["SMS"], NumberType="TOLL_FREE")
        out = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                          Tags={"team": "ops"})
        summary = connect.describe_phone_number(PhoneNumberId=out["PhoneNumberArn"])["ClaimedPhoneNumberSummary"]
        assert summary["PhoneNumberStatus"] == {"Status": "IN_PROGRESS"}
        lc.advance(1)
        listed = connect.list_phone_numbers_v2(InstanceId=instance["Id"])["ListPhoneNumbersSummaryList"]
        assert [n["PhoneNumberId"] for n in listed] == [out["PhoneNumberId"]]
        with pytest.raises(ClientError) as info:
            connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"])
        assert info.value.response["Error"]["Code"] == "InvalidParameterException"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        with pytest.raises(sms.exceptions.ResourceNotFoundException):
            sms.describe_phone_numbers(PhoneNumberIds=["phone-" + "0" * 32])
        assert lc.admin("GET", "/state")[1]["partitions"][0]["phone_numbers"][0]["Status"] == "CLAIMED"


def test_the_hook_is_gone_after_the_block_and_settings_apply():
    with mock_localconnect(phone_numbers_per_instance=0, instance_settle_seconds=0):
        connect = boto3.client("connect", **CREDS)
        made = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="a",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)
        # instance_settle_seconds=0: ACTIVE at once, where the default would show CREATION_IN_PROGRESS.
        assert connect.describe_instance(InstanceId=made["Id"])["Instance"]["InstanceStatus"] == "ACTIVE"
        # phone_numbers_per_instance=0: an allowance of 0 releases, so the release rule refuses any claim.
        number = connect.search_available_phone_numbers(
            TargetArn=made["Arn"], PhoneNumberCountryCode="US", PhoneNumberType="DID",
            MaxResults=1)["AvailableNumbersList"][0]["PhoneNumber"]
        with pytest.raises(ClientError) as refused:
            connect.claim_phone_number(TargetArn=made["Arn"], PhoneNumber=number)
        assert refused.value.response["Error"]["Code"] == "LimitExceededException"
    after = boto3.client("connect", endpoint_url="http://127.0.0.1:9", **CREDS,  # nothing listens on port 9
                         config=Config(retries={"total_max_attempts": 1}, connect_timeout=2))
    with pytest.raises(EndpointConnectionError):  # the request left the process: nothing answers it now
        after.list_instances()


def test_attach_hooks_an_existing_client():
    local = InProcess()
    try:
        connect = boto3.client("connect", endpoint_url="http://127.0.0.1:9", **CREDS)
        local.attach(connect)
        assert connect.list_instances()["InstanceSummaryList"] == []
    finally:
        local.close()


# --- mock_localconnect as moto's mock_aws: decorator, class decorator, start/stop, fake credentials ----------------
AWS_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_PROFILE",
                 "AWS_SESSION_TOKEN")


@pytest.fixture
def real_looking_environment(monkeypatch):
    """A developer's shell: a profile, a session token and a Region that a test must not use."""
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "a-real-token")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    return {name: os.environ.get(name) for name in AWS_VARIABLES}


def test_fake_credentials_and_region_while_active_and_restored_after(real_looking_environment):
    mock = mock_localconnect()
    lc = mock.start()
    try:
        assert {name: os.environ.get(name) for name in AWS_VARIABLES} == {
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_PROFILE": None, "AWS_SESSION_TOKEN": None}
        # no credentials, Region or endpoint given: the mock's own
        boto3.client("connect").create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="bare",
                                                InboundCallsEnabled=True, OutboundCallsEnabled=True)
        assert [(p["account"], p["region"]) for p in lc.state()["partitions"]] == [("123456789012", "us-east-1")]
    finally:
        mock.stop()
    assert {name: os.environ.get(name) for name in AWS_VARIABLES} == real_looking_environment
    with pytest.raises(RuntimeError, match=r"stop\(\) called without start\(\)"):
        mock.stop()


@mock_localconnect(instance_settle_seconds=0)
def test_as_a_function_decorator():
    connect = boto3.client("connect")
    connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="decorated",
                            InboundCallsEnabled=True, OutboundCallsEnabled=True)
    assert [i["InstanceStatus"] for i in connect.list_instances()["InstanceSummaryList"]] == ["ACTIVE"]
    assert current().settings.instance_settle_seconds == 0


def test_a_decorated_function_starts_empty_each_call_and_stops_after(real_looking_environment):
    seen = []

    @mock_localconnect()
    def create(alias):
        connect = boto3.client("connect")
        connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias=alias,
                                InboundCallsEnabled=True, OutboundCallsEnabled=True)
        seen.append([i["InstanceAlias"] for i in connect.list_instances()["InstanceSummaryList"]])
        return alias
    assert create("one") == "one" and create("two") == "two"
    assert seen == [["one"], ["two"]]
    assert create.__name__ == "create"
    with pytest.raises(RuntimeError, match="no mock_localconnect is active"):
        current()
    assert {name: os.environ.get(name) for name in AWS_VARIABLES} == real_looking_environment


@mock_localconnect()
class TestAsAClassDecorator:
    def test_each_test_method_is_answered_in_process(self):
        assert boto3.client("connect").list_instances()["InstanceSummaryList"] == []

    def test_and_starts_from_empty_state(self):
        connect = boto3.client("connect")
        connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="only",
                                InboundCallsEnabled=True, OutboundCallsEnabled=True)
        assert len(connect.list_instances()["InstanceSummaryList"]) == 1

    def helper_is_not_wrapped(self):
        return hook.ACTIVE


def test_class_decorator_leaves_other_methods_alone():
    assert TestAsAClassDecorator().helper_is_not_wrapped() == []


@mock_localconnect(instance_settle_seconds=0)
class UnittestStyle(unittest.TestCase):
    def setUp(self):
        # made in setUp, seen by the test: one activation from setUp to tearDown
        self.connect = boto3.client("connect")
        self.instance = self.connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="setup",
                                                     InboundCallsEnabled=True, OutboundCallsEnabled=True)

    def test_state_made_in_set_up_is_there(self):
        listed = self.connect.list_instances()["InstanceSummaryList"]
        assert [i["Id"] for i in listed] == [self.instance["Id"]]

    def tearDown(self):
        assert len(hook.ACTIVE) == 1  # still active while tearing down


def test_unittest_class_runs_and_cleans_up():
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(UnittestStyle).run(result)
    assert (result.testsRun, result.errors, result.failures) == (1, [], [])
    assert hook.ACTIVE == []


def test_a_wrong_setting_is_refused_when_starting():
    with pytest.raises(SettingsError, match="setting settle_seconds: cannot use 'soon' as a number"):
        mock_localconnect(settle_seconds="soon").start()
    assert hook.ACTIVE == []


def test_clients_without_boto3_say_which_extra_to_install():
    code = ("import sys; sys.modules['boto3'] = None\n"
            "from localconnect.testing import clients, mock_localconnect\n"
            "try:\n    clients('http://127.0.0.1:9')\n"
            "except ModuleNotFoundError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout == 'localconnect.testing.clients needs boto3: pip install "localconnect[testing]"\n', done.stderr
