"""Admin API inputs: every value checked (finite numbers within stated bounds, types, lengths) and refused
with a clear 400 that changes nothing; any Authorization header value is a 401 when wrong."""
from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rawhttp import exchange, request

from localconnect.admin.api import Admin
from localconnect.clock import MAX_OFFSET_SECONDS
from localconnect.rules.faults import FaultInjector
from localconnect.rules.throttling import Throttler
from localconnect.settings import Settings
from localconnect.store.engine import SQLiteStore

HUNDRED_YEARS = MAX_OFFSET_SECONDS


def admin_raw(url: str, method: str, path: str, body: bytes) -> tuple[int, dict]:
    answer = exchange(url, request(method, "/_localconnect" + path, {"Content-Type": "application/json"}, body))
    assert len(answer.responses) == 1, answer
    response = answer.responses[0]
    assert response.headers["content-type"] == "application/json", response
    return response.status, json.loads(response.body)  # strict: "Infinity" or "NaN" would not parse either


def refused(url: str, method: str, path: str, body: bytes, code: str = "InvalidParameterException") -> str:
    status, data = admin_raw(url, method, path, body)
    assert status == 400 and data["error"]["code"] == code, (body[:80], status, data)
    return data["error"]["message"]


@pytest.mark.parametrize("body,code", [
    (b'{"offset_seconds": 1e999}', "SerializationException"),
    (b'{"offset_seconds": -1e999}', "SerializationException"),
    (b'{"offset_seconds": NaN}', "SerializationException"),
    (b'{"offset_seconds": Infinity}', "SerializationException"),
    (b'{"advance_seconds": Infinity}', "SerializationException"),
    (b'{"offset_seconds": 1e300}', "InvalidParameterException"),
    (b"{\"offset_seconds\": %d}" % (HUNDRED_YEARS + 1), "InvalidParameterException"),
    (b'{"advance_seconds": %d}' % (HUNDRED_YEARS + 1), "InvalidParameterException"),
    (b'{"advance_seconds": 100000000000000000000000}', "InvalidParameterException"),
    (b'{"offset_seconds": true}', "InvalidParameterException"),
    (b'{"offset_seconds": 1, "offset_seconds": 2}', "SerializationException"),
])
def test_the_clock_stays_finite_and_within_a_hundred_years(lc, body, code):
    before = lc.admin("GET", "/clock")[1]["offset_seconds"]
    refused(lc.url, "POST", "/clock", body, code)
    after = admin_raw(lc.url, "GET", "/clock", b"")[1]
    assert after["offset_seconds"] == before


def test_advances_cannot_add_up_past_a_hundred_years(lc):
    assert lc.admin("POST", "/clock", {"offset_seconds": HUNDRED_YEARS - 10})[0] == 200
    message = refused(lc.url, "POST", "/clock", b'{"advance_seconds": 20}')
    assert "100 years" in message
    assert lc.admin("GET", "/clock")[1]["offset_seconds"] == HUNDRED_YEARS - 10
    assert lc.admin("POST", "/clock", {"offset_seconds": -HUNDRED_YEARS})[0] == 200
    assert lc.admin("POST", "/clock", {"offset_seconds": 0})[0] == 200


def test_after_a_refused_clock_the_api_still_shows_times(lc, connect):
    refused(lc.url, "POST", "/clock", b'{"offset_seconds": 1e999}', "SerializationException")
    connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="clocked",
                            InboundCallsEnabled=True, OutboundCallsEnabled=True)
    [summary] = connect.list_instances()["InstanceSummaryList"]
    assert summary["CreatedTime"].year >= 2024


@pytest.mark.parametrize("body", [
    b'{"phone_numbers_per_instance": 100000000000000000000000}',
    b'{"instances_per_region": 9223372036854775807}',
    b'{"instances_per_region": 1000001}',
    b'{"instances_per_region": -1}',
    b'{"instances_per_region": 1.5}',
    b'{"instances_per_region": "3"}',
    b'{"instances_per_region": 3, "region": "\\ud800"}',
    b'{"instances_per_region": 3, "region": "a\\u0000b"}',
    b'{"instances_per_region": 3, "region": "' + b"a" * 5000 + b'"}',
    b'{"instances_per_region": 3, "region": "not a region"}',
    b'{"instances_per_region": 3, "account": 123456789012}',
])
def test_quotas_are_whole_numbers_up_to_a_million_in_a_real_partition(lc, body):
    before = lc.admin("GET", "/quotas")[1]
    refused(lc.url, "POST", "/quotas", body)
    assert lc.admin("GET", "/quotas")[1] == before
    assert lc.state()["partitions"] == []


def test_quota_1e999_is_not_json(lc):
    refused(lc.url, "POST", "/quotas", b'{"instances_per_region": 1e999}', "SerializationException")


def test_a_million_is_a_quota(lc):
    status, body = lc.admin("POST", "/quotas", {"instances_per_region": 1_000_000})
    assert status == 200 and body["instances_per_region"] == 1_000_000


@pytest.mark.parametrize("path,body", [
    ("/support-case", b'{"region": "\\udfff"}'),
    ("/reset", b'{"account": "\\ud800"}'),
    ("/faults", b'{"operation": "connect:\\ud800", "error": "ThrottlingException", "count": 1}'),
    ("/faults", b'{"operation": "connect:x", "error": "ThrottlingException", "count": 100000000000000000000}'),
    ("/faults", b'{"operation": "connect:x", "error": "ThrottlingException", "count": 1000001}'),
    ("/faults", b'{"operation": "connect:' + b"x" * 200 + b'", "error": "ThrottlingException", "count": 1}'),
    ("/faults", b'{"operation": "connect:x", "error": "ThrottlingException", "rate": NaN}'),
    ("/seed/sms-voice/phone-numbers", b'{"Tags": {"\\ud800": "x"}}'),
    ("/seed/sms-voice/phone-numbers", b'{"Tags": {"k": "' + b"v" * 300 + b'"}}'),
    ("/seed/sms-voice/phone-numbers", b'{"PhoneNumber": "\\ud800"}'),
    ("/seed/sms-voice/phone-numbers", b'{"MonthlyLeasingPrice": 1e999}'),
    ("/seed/sms-voice/phone-numbers", b'{"NumberCapabilities": ' + b"[" * 20 + b"]" * 20 + b'}'),
])
def test_every_admin_route_refuses_what_it_cannot_hold(lc, path, body):
    status, data = admin_raw(lc.url, "POST", path, body)
    assert status == 400, (path, body[:80], status, data)
    assert lc.state()["partitions"] == [] and lc.admin("GET", "/faults")[1] == {"faults": []}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/clock", "/quotas", "/support-case", "/faults", "/seed/sms-voice/phone-numbers",
                             "/reset"]),
       body=st.one_of(st.binary(max_size=200),
                      st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()),
                                   lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=30), inner, max_size=4)),
                                   max_leaves=12).map(lambda v: json.dumps(v).encode())))
def test_any_admin_body_is_answered_in_json_without_a_500(lc, path, body):
    if path == "/reset" and body.strip() in (b"", b"{}"):
        return  # an empty reset body is a (valid) full reset
    status, data = admin_raw(lc.url, "POST", path, body)
    assert status < 500, (path, body[:120], status, data)


# --- the bearer token, beyond loopback (called directly: no server binds a non-loopback address here) ------

def _call(admin: Admin, authorization: bytes | None) -> tuple[int, dict]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)
    headers = [] if authorization is None else [(b"authorization", authorization)]
    scope = {"type": "http", "method": "GET", "path": "/_localconnect/health", "headers": headers}
    asyncio.run(admin(scope, receive, send))
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.fixture(scope="module")
def guarded():
    store = SQLiteStore(None)
    yield Admin(Settings(host="0.0.0.0", admin_token="s3cret"), store, FaultInjector(), Throttler("off"))
    store.close()


@pytest.mark.parametrize("value", [b"Bearer \xff", b"Bearer s3cr\xe9t", b"\x00", b"Bearer s3cret\xff", b""])
def test_any_wrong_authorization_value_is_401(guarded, value):
    status, body = _call(guarded, value)
    assert status == 401 and body["error"]["code"] == "UnauthorizedException", (value, status, body)


@settings(max_examples=200, deadline=None)
@given(value=st.binary(max_size=64))
def test_generated_authorization_values_are_401(guarded, value):
    if value == b"Bearer s3cret":
        return
    assert _call(guarded, value)[0] == 401


def test_the_right_token_still_opens_it(guarded):
    assert _call(guarded, b"Bearer s3cret")[0] == 200
