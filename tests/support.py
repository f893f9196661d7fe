"""Small flows many tests share: an ACTIVE instance, an End User Messaging number, a settled import, a server
with signatures and IAM policies, and a raw HTTP answer."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from localconnect.testing import ServerProcess


@dataclass
class Answer:
    """One raw HTTP response."""
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self):
        return json.loads(self.body)


def sigv4_server(folder: Path, credentials: list[dict], *args: str) -> ServerProcess:
    """A memory-store server with ``auth = sigv4``, instances ACTIVE at once, and a credentials file of these
    ``[[credentials]]`` entries: strings as given, ``policies`` as documents (written as the JSON text the file
    takes). Start it with ``with``."""
    def toml(value) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(toml(json.dumps(v) if isinstance(v, dict) else v) for v in value) + "]"
        return json.dumps(value)  # a JSON string is a TOML basic string
    path = folder / "credentials.toml"
    path.write_text("".join("[[credentials]]\n" + "".join(f"{k} = {toml(v)}\n" for k, v in entry.items()) + "\n"
                            for entry in credentials))
    return ServerProcess("--store", "memory", "--auth", "sigv4", "--credentials-file", str(path),
                         "--instance-settle-seconds", "0", *args)


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
