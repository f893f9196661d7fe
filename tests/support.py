"""Small flows many wire tests share: an ACTIVE instance, an End User Messaging number, a settled import."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def make_instance(connect, lc, alias: str = "demo", **extra) -> dict:
    """Create an instance and move the clock past its settle time, so it is ACTIVE."""
    out = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias=alias,
                                  InboundCallsEnabled=True, OutboundCallsEnabled=True, **extra)
    lc.advance(1)
    return out


def request_number(sms, number_type: str = "TOLL_FREE", country: str = "US", **extra) -> dict:
    return sms.request_phone_number(IsoCountryCode=country, MessageType="TRANSACTIONAL",
                                    NumberCapabilities=["SMS", "VOICE"], NumberType=number_type, **extra)


def seed_number(lc, **fields) -> dict:
    status, body = lc.admin("POST", "/seed/sms-voice/phone-numbers", fields)
    assert status == 200, body
    return body


def import_settled(connect, lc, instance_id: str, source_arn: str, **extra) -> dict:
    """Import and move the clock past the settle time; returns the import's output."""
    out = connect.import_phone_number(InstanceId=instance_id, SourcePhoneNumberArn=source_arn, **extra)
    lc.advance(1)
    return out


def error_of(call, *args, **kwargs) -> tuple[str, int, str, dict]:
    """Call and expect a ClientError; returns (code, HTTP status, message, whole response)."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message", ""), response)


def connect_numbers(lc) -> list[dict]:
    """Every Connect number of every account and Region, from the admin state view."""
    return [n for p in lc.state()["partitions"] for n in p["phone_numbers"]]
