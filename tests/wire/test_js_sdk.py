"""The AWS SDK for JavaScript v3 against a running server: a second, independent client of the wire protocols.

tests/js/story.mjs runs the import story with @aws-sdk/client-connect and @aws-sdk/client-pinpoint-sms-voice-v2
(versions pinned in tests/js/package.json and package-lock.json) and prints what the SDK parsed as one JSON
object; this test asserts on it and cross-checks it against boto3 and the admin API. The packages are installed
once per session (``npm ci``) when tests/js/node_modules is missing or stale. Where Node.js is missing or npm
cannot install (offline), the test is skipped with one line, unless LOCALCONNECT_REQUIRE_JS=1 (CI).
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parent.parent / "js"
STORY = JS_DIR / "story.mjs"
INSTALL_TIMEOUT = 300
RUN_TIMEOUT = 120
ACCOUNT, REGION = "123456789012", "us-east-1"


def _installed() -> bool:
    """node_modules holds a finished install (npm writes .package-lock.json last) of the pinned versions."""
    modules = JS_DIR / "node_modules"
    if not (modules / ".package-lock.json").is_file():
        return False
    wanted = json.loads((JS_DIR / "package.json").read_text())["dependencies"]
    for name, version in wanted.items():
        manifest = modules / name / "package.json"
        if not manifest.is_file() or json.loads(manifest.read_text()).get("version") != version:
            return False
    return True


# CI sets LOCALCONNECT_REQUIRE_JS=1 (.ci/run): there, a missing Node.js or a failed install fails the test.
REQUIRED = os.environ.get("LOCALCONNECT_REQUIRE_JS") == "1"
NPM_ENV = {"npm_config_audit": "false", "npm_config_fund": "false", "npm_config_update_notifier": "false",
           # offline, npm's default retries take over a minute to give up; one attempt is enough to know
           "npm_config_fetch_retries": "0", "npm_config_fetch_timeout": "60000"}


def unavailable(reason: str) -> None:
    """Skip with one line, or fail where the JavaScript SDK test is required."""
    if REQUIRED:
        pytest.fail(f"{reason} (LOCALCONNECT_REQUIRE_JS=1)", pytrace=False)
    pytest.skip(f"JavaScript SDK test not run: {reason}; LOCALCONNECT_REQUIRE_JS=1 makes this a failure")


def registry_unreachable() -> str | None:
    """Why the npm registry cannot be reached, found in seconds rather than after npm's own timeouts."""
    if any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "npm_config_https_proxy",
                                             "npm_config_proxy", "npm_config_registry")):
        return None  # a proxy or another registry: let npm find out
    try:
        socket.create_connection(("registry.npmjs.org", 443), timeout=5).close()
    except OSError as exc:
        return f"registry.npmjs.org:443 unreachable ({exc.strerror or exc})"
    return None


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with the SDK installed in tests/js/node_modules (npm ci, once)."""
    node_bin, npm_bin = shutil.which("node"), shutil.which("npm")
    if node_bin is None or npm_bin is None:
        unavailable("it needs Node.js 20+ and npm on PATH "
                    f"(node: {node_bin or 'not found'}, npm: {npm_bin or 'not found'})")
    # Another pytest run may be installing at the same time: take a lock on package.json while checking.
    with open(JS_DIR / "package.json", "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not _installed():
                command = "ci" if (JS_DIR / "package-lock.json").is_file() else "install"
                offline = registry_unreachable()
                if offline:
                    unavailable(f"npm {command} cannot fetch the AWS SDK: {offline}")
                try:
                    done = subprocess.run([npm_bin, command], cwd=JS_DIR, env={**os.environ, **NPM_ENV},
                                          capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
                except subprocess.TimeoutExpired:
                    unavailable(f"npm {command} in {JS_DIR} took more than {INSTALL_TIMEOUT} s")
                if done.returncode != 0 or not _installed():
                    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                    if REQUIRED:
                        pytest.fail(f"npm {command} in {JS_DIR} failed (exit {done.returncode}):\n"
                                    f"{done.stdout}\n{done.stderr}", pytrace=False)
                    unavailable(f"npm {command} failed (exit {done.returncode}: {last})")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return node_bin


def run_story(node: str, url: str, tmp_path: Path) -> dict:
    # The SDK reads AWS_* variables and ~/.aws files for settings the script does not pass: keep them out.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_CONFIG_FILE": str(tmp_path / "absent" / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent" / "credentials")})
    done = subprocess.run([node, str(STORY), url], cwd=JS_DIR, env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    assert done.returncode == 0, f"story.mjs exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return json.loads(done.stdout)


def js_date(value: dict) -> datetime:
    """A timestamp as story.mjs reports it: {"type": "Date", "iso": "2026-01-02T03:04:05.678Z"}."""
    assert value["type"] == "Date", value
    return datetime.fromisoformat(value["iso"].replace("Z", "+00:00"))


def same_instant(js: dict, boto: datetime) -> bool:
    # JavaScript Dates hold milliseconds (the SDK rounds epoch seconds to the nearest one); boto3 microseconds.
    return abs((js_date(js) - boto.astimezone(timezone.utc)).total_seconds()) <= 0.0006


def test_js_sdk_import_story(node, lc, tmp_path):  # node first: no server is started when it skips
    out = run_story(node, lc.url, tmp_path)

    instance_id = out["instance"]["id"]
    instance_arn = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{instance_id}"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", instance_id)
    assert out["instance"]["arn"] == instance_arn
    assert out["instance"]["httpStatusCode"] == 200
    assert out["instance"]["requestId"]  # x-amzn-RequestId reaches $metadata.requestId
    assert out["instance"]["status"] == "ACTIVE"

    source = out["source"]
    source_id = source["id"]
    source_arn = f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:phone-number/{source_id}"
    assert re.fullmatch(r"phone-[0-9a-f]{32}", source_id)
    assert re.fullmatch(r"\+1\d{10}", source["phoneNumber"])
    assert {k: v for k, v in source.items() if k not in ("id", "phoneNumber", "createdTimestamp")} == {
        "arn": source_arn, "status": "ACTIVE", "numberType": "TOLL_FREE", "numberCapabilities": ["SMS", "VOICE"],
        "httpStatusCode": 200}

    number_id = out["imported"]["id"]
    number_arn = f"arn:aws:connect:{REGION}:{ACCOUNT}:phone-number/{number_id}"
    assert out["imported"] == {"id": number_id, "arn": number_arn}

    summary = {"id": number_id, "arn": number_arn, "phoneNumber": source["phoneNumber"], "countryCode": "US",
               "type": "TOLL_FREE", "targetArn": instance_arn, "instanceId": instance_id,
               "sourcePhoneNumberArn": source_arn, "tags": {"team": "ops"}}
    assert out["describedInProgress"] == {**summary, "status": {"Status": "IN_PROGRESS"}}  # described by the ARN
    assert out["describedClaimed"] == {**summary, "status": {"Status": "CLAIMED"}}
    assert out["describedClaimedByArn"] == {**summary, "status": {"Status": "CLAIMED"}}

    assert out["listed"] == [{k: v for k, v in summary.items() if k != "tags"}]
    assert out["listedNextToken"] is None

    assert out["tagResourceStatus"] == 200
    assert out["listedTags"] == {"team": "ops", "cost": "42"}
    assert out["describedTags"] == {"team": "ops", "cost": "42"}
    assert out["releaseStatus"] == 200

    errors = out["errors"]
    for err in errors.values():
        assert err.pop("requestId"), err  # present on errors too
    assert errors == {
        "describeUnknown": {
            "name": "ResourceNotFoundException", "httpStatusCode": 404, "fault": "client", "attempts": 1,
            "message": "Phone number not found: 00000000-0000-4000-8000-000000000000", "modeled": {}},
        "importAgain": {
            "name": "InvalidParameterException", "httpStatusCode": 400, "fault": "client", "attempts": 1,
            "message": f"Source phone number {source_arn} is already imported into Amazon Connect.", "modeled": {}},
        # awsJson1_0: the model gives End User Messaging's errors no HTTP status, so client errors are 400
        "smsDescribeUnknown": {
            "name": "ResourceNotFoundException", "httpStatusCode": 400, "fault": "client", "attempts": 1,
            "message": "Phone number phone-00000000000000000000000000000000 not found.",
            "modeled": {"ResourceType": "phone-number", "ResourceId": "phone-00000000000000000000000000000000"}},
        "describeReleased": {
            "name": "ResourceNotFoundException", "httpStatusCode": 404, "fault": "client", "attempts": 1,
            "message": f"Phone number not found: {number_id}", "modeled": {}},
    }

    # Timestamps: the JavaScript SDK and boto3 parse the same instants from the same epoch seconds.
    connect, sms = lc.clients()
    instance = connect.describe_instance(InstanceId=instance_id)["Instance"]
    assert instance["InstanceAlias"] == out["instance"]["alias"]
    assert same_instant(out["instance"]["createdTime"], instance["CreatedTime"]), \
        (out["instance"]["createdTime"], instance["CreatedTime"])
    eum = sms.describe_phone_numbers(PhoneNumberIds=[source_id])["PhoneNumbers"][0]
    assert out["sourceDescribed"] == {"id": source_id, "status": "ACTIVE",
                                      "createdTimestamp": source["createdTimestamp"]}
    assert same_instant(source["createdTimestamp"], eum["CreatedTimestamp"]), \
        (source["createdTimestamp"], eum["CreatedTimestamp"])
    # ... and the instants are the service clock's (time travel included), not the wall clock's.
    # The script moved the clock 1 s between CreateInstance and RequestPhoneNumber.
    between = (js_date(source["createdTimestamp"]) - js_date(out["instance"]["createdTime"])).total_seconds()
    assert 1.0 <= between < 60, between

    # What the server holds afterwards: the Connect number released, the End User Messaging number kept.
    partition = lc.state()["partitions"][0]
    assert (partition["account"], partition["region"]) == (ACCOUNT, REGION)
    assert partition["phone_numbers"] == []
    assert [n["PhoneNumberId"] for n in partition["sms_voice_phone_numbers"]] == [source_id]
    assert partition["release_window"]["events_in_window"] == 1
