"""The admin API's own behaviour: health, clock, reset of one account, seeding rules, and that only the literal
/_localconnect/ prefix reaches it."""
from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from localconnect.store import schema
from support import make_instance, seed_number


def test_health_names_the_store_and_schema(lc):
    status, body = lc.admin("GET", "/health")
    assert status == 200 and body["status"] == "ok" and body["store"] == lc.store
    assert body["schema_version"] == schema.LATEST  # every migration applied, no more, no fewer
    assert body["event_loop"] in ("uvloop", "asyncio")
    if lc.store == "sqlite":
        assert {"commits", "durable_commits", "fsyncs", "checkpoints"} <= set(body)
    else:  # one connection per worker thread that has run a transaction: at least the one that answered
        assert 1 <= body["connections"] <= 9


def test_clock_reads_advances_and_sets(lc):
    _, before = lc.admin("GET", "/clock")
    _, after = lc.admin("POST", "/clock", {"advance_seconds": 3600})
    assert after["offset_seconds"] == before["offset_seconds"] + 3600
    assert after["now"] - before["now"] >= 3600
    assert lc.admin("POST", "/clock", {"offset_seconds": 0})[1]["offset_seconds"] == 0
    for bad in ({}, {"advance_seconds": -1}, {"advance_seconds": "1"}, {"advance_seconds": 1, "offset_seconds": 1}):
        status, body = lc.admin("POST", "/clock", bad)
        assert status == 400 and body["error"]["code"] == "InvalidParameterException"


def test_reset_of_one_account_keeps_the_others(connect, lc):
    make_instance(connect, lc, alias="mine")
    other, _ = lc.clients(access_key="111122223333")
    make_instance(other, lc, alias="theirs")
    assert lc.admin("POST", "/reset", {"account": "111122223333"}) == (200, {"reset": "111122223333"})
    assert other.list_instances()["InstanceSummaryList"] == []
    assert [i["InstanceAlias"] for i in connect.list_instances()["InstanceSummaryList"]] == ["mine"]


def test_seeding_refuses_a_live_duplicate_number(lc):
    seed_number(lc, PhoneNumber="+12065550001")
    status, body = lc.admin("POST", "/seed/sms-voice/phone-numbers", {"PhoneNumber": "+12065550001"})
    assert status == 400 and body["error"]["code"] == "ConflictException"
    assert seed_number(lc, PhoneNumber="+12065550001", account="111122223333")  # another account may hold it


def test_an_encoded_prefix_does_not_reach_the_admin_api(lc):
    url = urlsplit(lc.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request("POST", "/%5Flocalconnect/reset", body=b"{}")
    response = conn.getresponse()
    assert response.status == 404
    assert response.getheader("x-amzn-ErrorType") == "UnknownOperationException"


def test_unknown_admin_routes_and_empty_requests(lc):
    status, body = lc.admin("GET", "/nope")
    assert status == 404 and body["error"]["code"] == "UnknownOperationException" and "/nope" in body["error"]["message"]
    status, body = lc.admin("GET", "/reset")
    assert status == 405 and body["error"]["code"] == "UnknownOperationException"
    status, body = lc.admin("POST", "/quotas", None)
    assert status == 400 and body["error"]["code"] == "InvalidParameterException"
    assert "phone_numbers_per_instance" in body["error"]["message"]
