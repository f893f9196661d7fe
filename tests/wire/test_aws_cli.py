"""The real AWS CLI (v1, from PyPI) against a running server (README quick start): the import story from a shell."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import error_of, import_settled, make_instance, request_number


def _aws_command() -> list[str] | None:
    """The aws entry point next to this interpreter, else ``python -m awscli``, else any aws on PATH."""
    here = Path(sys.executable).parent
    found = shutil.which("aws", path=str(here))
    if found:
        return [found]
    try:
        import awscli  # noqa: F401
        return [sys.executable, "-m", "awscli"]
    except ImportError:
        pass
    found = shutil.which("aws")
    return [found] if found else None


def _cli_major_version(command: list[str]) -> int:
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    text = (done.stdout + done.stderr).strip()  # "aws-cli/1.46.3 Python/..."
    return int(text.split("/", 1)[1].split(".", 1)[0])


@pytest.fixture(scope="module")
def aws_cli() -> tuple[list[str], int]:
    """The CLI command and the exit code it gives a service error: v1 exits 255 (ClientError), v2 254."""
    command = _aws_command()
    if command is None:
        pytest.skip("the AWS CLI is not installed (pip install awscli)")
    return command, 255 if _cli_major_version(command) == 1 else 254


@pytest.fixture
def error_exit(aws_cli) -> int:
    return aws_cli[1]


@pytest.fixture
def aws(lc, tmp_path, aws_cli):
    """Run ``aws <args>`` against the server; returns (exit code, parsed stdout or None, stderr)."""
    command = aws_cli[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "AKIDLOCALCONNECT",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "absent" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent" / "credentials"),
        "AWS_PAGER": "",
    })

    def run(*args: str, region: str | None = None) -> tuple[int, object, str]:
        extra = ["--region", region] if region else []
        done = subprocess.run([*command, *args, "--endpoint-url", lc.url, "--output", "json", *extra],
                              env=env, capture_output=True, text=True, timeout=120)
        out = json.loads(done.stdout) if done.stdout.strip() else None
        return done.returncode, out, done.stderr

    return run


def ok(result: tuple[int, object, str]):
    code, out, err = result
    assert code == 0, err
    return out


def test_import_story_through_the_cli(aws, lc, connect, sms):
    instance = ok(aws("connect", "create-instance", "--identity-management-type", "CONNECT_MANAGED",
                      "--instance-alias", "cli-demo", "--inbound-calls-enabled", "--outbound-calls-enabled"))
    assert set(instance) == {"Id", "Arn"}
    assert instance["Arn"] == f"arn:aws:connect:us-east-1:123456789012:instance/{instance['Id']}"
    lc.advance(1)
    assert connect.describe_instance(InstanceId=instance["Id"])["Instance"]["InstanceStatus"] == "ACTIVE"

    source = ok(aws("pinpoint-sms-voice-v2", "request-phone-number", "--iso-country-code", "US",
                    "--message-type", "TRANSACTIONAL", "--number-capabilities", "SMS", "VOICE",
                    "--number-type", "TOLL_FREE"))
    assert source["Status"] == "ACTIVE" and source["NumberType"] == "TOLL_FREE"
    assert source["PhoneNumberArn"] == \
        f"arn:aws:sms-voice:us-east-1:123456789012:phone-number/{source['PhoneNumberId']}"
    # CLI v1 prints timestamps as they came over the wire: epoch seconds (docs/behaviour.md §8)
    assert isinstance(source["CreatedTimestamp"], float)
    assert abs(source["CreatedTimestamp"] - lc.state()["now"]) < 60

    imported = ok(aws("connect", "import-phone-number", "--instance-id", instance["Id"],
                      "--source-phone-number-arn", source["PhoneNumberArn"],
                      "--phone-number-description", "from the cli", "--tags", "team=ops"))
    assert set(imported) == {"PhoneNumberId", "PhoneNumberArn"}
    number_id, number_arn = imported["PhoneNumberId"], imported["PhoneNumberArn"]
    assert number_arn == f"arn:aws:connect:us-east-1:123456789012:phone-number/{number_id}"

    summary = ok(aws("connect", "describe-phone-number", "--phone-number-id", number_arn))["ClaimedPhoneNumberSummary"]
    assert summary["PhoneNumberId"] == number_id
    # settle_seconds (0.5 s of wall time) may pass while a CLI process starts, so either state is right here
    assert summary["PhoneNumberStatus"] in ({"Status": "IN_PROGRESS"}, {"Status": "CLAIMED"})
    assert summary["SourcePhoneNumberArn"] == source["PhoneNumberArn"]
    assert summary["PhoneNumber"] == source["PhoneNumber"]
    assert summary["PhoneNumberType"] == "TOLL_FREE"
    assert summary["PhoneNumberDescription"] == "from the cli"
    assert summary["Tags"] == {"team": "ops"}
    assert summary["InstanceId"] == instance["Id"]

    lc.advance(1)
    summary = ok(aws("connect", "describe-phone-number", "--phone-number-id", number_id))["ClaimedPhoneNumberSummary"]
    assert summary["PhoneNumberStatus"] == {"Status": "CLAIMED"}

    listed = ok(aws("connect", "list-phone-numbers-v2"))
    assert [n["PhoneNumberId"] for n in listed["ListPhoneNumbersSummaryList"]] == [number_id]
    assert listed["ListPhoneNumbersSummaryList"][0]["SourcePhoneNumberArn"] == source["PhoneNumberArn"]
    assert "NextToken" not in listed

    # The EUM number may not go while Connect holds it
    code, _, _, _ = error_of(sms.release_phone_number, PhoneNumberId=source["PhoneNumberId"])
    assert code == "ConflictException"

    code, out, err = aws("connect", "release-phone-number", "--phone-number-id", number_id)
    assert (code, out) == (0, None), err
    released = ok(aws("pinpoint-sms-voice-v2", "release-phone-number", "--phone-number-id", source["PhoneNumberId"]))
    assert released["Status"] == "DELETED"


def test_list_phone_numbers_v2_auto_paginates(aws, lc, connect, sms):
    instance = make_instance(connect, lc)
    made = set()
    for _ in range(4):
        source = request_number(sms, "TOLL_FREE")
        made.add(import_settled(connect, lc, instance["Id"], source["PhoneNumberArn"])["PhoneNumberId"])
    # --page-size 1 makes the CLI follow NextToken four times; the result is merged
    listed = ok(aws("connect", "list-phone-numbers-v2", "--instance-id", instance["Id"], "--page-size", "1"))
    ids = [n["PhoneNumberId"] for n in listed["ListPhoneNumbersSummaryList"]]
    assert len(ids) == 4 and set(ids) == made
    assert "NextToken" not in listed
    # --max-items stops early and hands back a token to resume from
    first = ok(aws("connect", "list-phone-numbers-v2", "--page-size", "1", "--max-items", "3"))
    assert len(first["ListPhoneNumbersSummaryList"]) == 3 and first["NextToken"]
    rest = ok(aws("connect", "list-phone-numbers-v2", "--page-size", "1", "--starting-token", first["NextToken"]))
    assert [n["PhoneNumberId"] for n in first["ListPhoneNumbersSummaryList"] + rest["ListPhoneNumbersSummaryList"]] \
        == ids


def test_describe_unknown_phone_number_fails(aws, error_exit):
    code, out, err = aws("connect", "describe-phone-number", "--phone-number-id",
                         "00000000-0000-0000-0000-000000000000")
    assert code == error_exit, (code, err)
    assert out is None
    assert "An error occurred (ResourceNotFoundException) when calling the DescribePhoneNumber operation: " \
           "Phone number not found: 00000000-0000-0000-0000-000000000000" in err


def test_cli_validation_error_and_region(aws, error_exit):
    code, out, err = aws("connect", "list-phone-numbers-v2", "--max-results", "5000", "--no-paginate")
    assert code == error_exit and out is None
    assert "An error occurred (InvalidParameterException) when calling the ListPhoneNumbersV2 operation: " \
           "1 validation error detected: Value '5000' at 'maxResults' failed to satisfy constraint: " \
           "Member must have value less than or equal to 1000" in err
    # --region reaches the server through the SigV4 scope
    made = ok(aws("pinpoint-sms-voice-v2", "request-phone-number", "--iso-country-code", "GB",
                  "--message-type", "TRANSACTIONAL", "--number-capabilities", "SMS",
                  "--number-type", "LONG_CODE", region="eu-west-1"))
    assert made["PhoneNumberArn"].startswith("arn:aws:sms-voice:eu-west-1:123456789012:phone-number/phone-")
    assert ok(aws("pinpoint-sms-voice-v2", "describe-phone-numbers")) == {"PhoneNumbers": []}
