"""The in-process mode: boto3 clients with no endpoint and no server, answered by the same gateway and handlers."""
from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from localconnect.testing import InProcess, mock_localconnect

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
        connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="a",
                                InboundCallsEnabled=True, OutboundCallsEnabled=True)
        assert len(connect.list_instances()["InstanceSummaryList"]) == 1
    after = boto3.client("connect", endpoint_url="http://127.0.0.1:9", **CREDS,  # nothing listens on port 9
                         config=Config(retries={"total_max_attempts": 1}, connect_timeout=2))
    with pytest.raises(Exception) as info:
        after.list_instances()
    assert not isinstance(info.value, ClientError)  # a connection error: the request left the process


def test_attach_hooks_an_existing_client():
    local = InProcess()
    try:
        connect = boto3.client("connect", endpoint_url="http://127.0.0.1:9", **CREDS)
        local.attach(connect)
        assert connect.list_instances()["InstanceSummaryList"] == []
    finally:
        local.close()
