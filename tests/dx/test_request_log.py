"""The request log: one line per API call at the default level (text or JSON, none with --quiet), admin calls
marked, and the last calls at GET /_localconnect/requests."""
from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from localconnect.testing import AdminClient, AdminClientError, ServerProcess, clients, mock_localconnect

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}"
REQUEST_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def calls(server: ServerProcess, count: int) -> list[str]:
    """The request lines after the two start-up lines, once ``count`` of them have been printed."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(server.output) < 2 + count:
        time.sleep(0.02)
    return [line.rstrip("\n") for line in server.output[2:]]


def make_calls(url: str) -> tuple[str, str]:
    """Four API calls (two failing) and three admin calls; returns the SIMULATOR number's id and the 404's request id."""
    connect, sms = clients(url)
    admin = AdminClient(url)
    admin.reset()
    number = sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL", NumberCapabilities=["SMS"],
                                      NumberType="SIMULATOR")
    with pytest.raises(ClientError) as info:
        connect.describe_phone_number(PhoneNumberId="00000000-0000-4000-8000-000000000000")
    missing = info.value.response["ResponseMetadata"]["RequestId"]
    connect.list_instances()
    admin.state()  # a read: not printed at the default level, not kept
    request = urllib.request.Request(url + "/no/such/operation", method="GET")
    with pytest.raises(urllib.error.HTTPError) as http:
        urllib.request.urlopen(request, timeout=10)
    assert http.value.code == 404
    admin.advance(5)
    return number["PhoneNumberId"], missing


@pytest.fixture(scope="module")
def text_server():
    with ServerProcess("--store", "memory") as server:
        yield server


def test_one_text_line_per_call_with_operation_status_error_duration_account_region_and_request_id(text_server):
    _, missing = make_calls(text_server.url)
    lines = calls(text_server, 6)
    assert len(lines) == 6, lines
    patterns = [
        rf"{STAMP} ADMIN POST /_localconnect/reset => 200 \d+\.\dms",
        rf"{STAMP} AWS sms-voice\.RequestPhoneNumber => 200 \d+\.\dms 123456789012 us-east-1 {REQUEST_ID}",
        rf"{STAMP} AWS connect\.DescribePhoneNumber => 404 ResourceNotFoundException \d+\.\dms 123456789012 "
        rf"us-east-1 {missing}",
        rf"{STAMP} AWS connect\.ListInstances => 200 \d+\.\dms 123456789012 us-east-1 {REQUEST_ID}",
        # routed nowhere: no operation, no identity
        rf"{STAMP} AWS connect\.unknown => 404 UnknownOperationException \d+\.\dms - - {REQUEST_ID}",
        rf"{STAMP} ADMIN POST /_localconnect/clock => 200 \d+\.\dms",
    ]
    for line, pattern in zip(lines, patterns, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


def test_recent_calls_are_kept_in_a_ring_served_by_the_admin_api(text_server):
    admin = AdminClient(text_server.url)
    number_id, missing = make_calls(text_server.url)
    recent = admin.requests()
    kept = recent["requests"][-6:]
    assert [(c["kind"], c["service"], c["operation"], c["status"], c["error"]) for c in kept] == [
        ("admin", "admin", "POST /_localconnect/reset", 200, None),
        ("aws", "sms-voice", "RequestPhoneNumber", 200, None),
        ("aws", "connect", "DescribePhoneNumber", 404, "ResourceNotFoundException"),
        ("aws", "connect", "ListInstances", 200, None),
        ("aws", "connect", "unknown", 404, "UnknownOperationException"),
        ("admin", "admin", "POST /_localconnect/clock", 200, None),
    ]
    described = kept[2]
    assert (described["account"], described["region"], described["request_id"]) == ("123456789012", "us-east-1",
                                                                                    missing)
    assert described["method"] == "GET" and described["path"] == "/phone-number/00000000-0000-4000-8000-000000000000"
    assert 0 < described["duration_ms"] < 10_000
    assert [c["seq"] for c in kept] == list(range(recent["last_seq"] - 5, recent["last_seq"] + 1))
    assert recent["kept"] == 1000
    # since: only what came after; limit: only the newest
    after = admin.requests(since=recent["last_seq"] - 2)["requests"]
    assert [c["seq"] for c in after] == [recent["last_seq"] - 1, recent["last_seq"]]
    assert [c["operation"] for c in admin.requests(limit=1)["requests"]] == ["POST /_localconnect/clock"]
    assert admin.requests(limit=0)["requests"] == []
    with pytest.raises(AdminClientError) as info:
        admin.call("GET", "/requests?since=-1")
    assert (info.value.status, info.value.code) == (400, "InvalidParameterException")
    assert str(info.value).endswith("since must be a whole number of zero or more, not '-1'")


def test_the_ring_is_bounded():
    with ServerProcess("--store", "memory", "--request-log-size", "3", "--quiet") as server:
        connect, _ = clients(server.url)
        for _ in range(5):
            connect.list_instances()
        recent = AdminClient(server.url).requests()
        assert len(server.output) == 2  # quiet: the start-up lines and nothing per call
    assert [c["seq"] for c in recent["requests"]] == [3, 4, 5]
    assert (recent["last_seq"], recent["kept"]) == (5, 3)


def test_json_lines_for_machines():
    with ServerProcess("--store", "memory", "--log-format", "json") as server:
        assert server.url.startswith("http://127.0.0.1:")
        make_calls(server.url)
        events = [json.loads(line) for line in calls(server, 6)]
        started = json.loads(server.output[0])
    assert (started["event"], started["url"]) == ("listening", server.url)
    assert [(e["kind"], e["service"], e["operation"], e["status"], e["error"]) for e in events][1:4] == [
        ("aws", "sms-voice", "RequestPhoneNumber", 200, None),
        ("aws", "connect", "DescribePhoneNumber", 404, "ResourceNotFoundException"),
        ("aws", "connect", "ListInstances", 200, None)]
    assert {"time", "seq", "duration_ms", "account", "region", "request_id", "method", "path"} <= set(events[1])


def test_admin_reads_are_printed_at_debug_level():
    with ServerProcess("--store", "memory", "--log-level", "debug") as server:
        AdminClient(server.url).state()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("GET /_localconnect/state" in x for x in server.output):
            time.sleep(0.02)
        assert any(re.fullmatch(rf"{STAMP} ADMIN GET /_localconnect/state => 200 \d+\.\dms\n", x) for x in server.output)
        assert AdminClient(server.url).requests()["requests"] == []  # reads are not kept


def test_root_and_admin_prefix_answer_a_pointer_to_the_admin_endpoints(text_server):
    for path in ("/", "/_localconnect/", "/_localconnect"):
        with urllib.request.urlopen(text_server.url + path, timeout=10) as response:
            assert response.status == 200
            assert response.headers["content-type"] == "application/json"
            index = json.loads(response.read())
        assert index["service"] == "localconnect"
        assert {"GET /_localconnect/health", "GET /_localconnect/state", "GET /_localconnect/requests",
                "POST /_localconnect/reset"} <= set(index["admin"])


def test_in_process_calls_are_kept_and_printed_on_request(capsys):
    with mock_localconnect(quiet=False) as lc:
        import boto3
        boto3.client("connect").list_instances()
        assert [c["operation"] for c in lc.requests()] == ["ListInstances"]
    out = capsys.readouterr().out
    assert re.fullmatch(rf"{STAMP} AWS connect\.ListInstances => 200 \d+\.\dms 123456789012 us-east-1 {REQUEST_ID}\n",
                        out), out
    with mock_localconnect() as lc:  # quiet by default in process, like moto
        import boto3
        boto3.client("connect").list_instances()
        assert len(lc.requests()) == 1
    assert capsys.readouterr().out == ""
