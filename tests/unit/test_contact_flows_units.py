"""Pieces of contact flows, the inventory's country ranges and STS without a server: the flow-language checker,
migration 6's backfill against the flows CreateInstance makes, the country coverage rule, and the UserId
GetCallerIdentity derives."""
from __future__ import annotations

import json
import re

import pytest

from localconnect.services.connect import default_flows, flow_language
from localconnect.services.connect.inventory import catalogue
from localconnect.services.connect.inventory_ranges import _CALLING_CODES, _LEADING, _NANP_AREA_CODES, RANGES
from localconnect.services.sts.caller_identity import user_id
from localconnect.store import engine, schema


def test_every_default_flow_is_valid_flow_language():
    for name, flow_type in default_flows.DEFAULT_FLOWS:
        content = default_flows.content(name, flow_type)
        assert flow_language.problems(content) == [], name
        assert json.loads(content)["Actions"][0]["Parameters"]["Text"] == name


def test_problems_are_capped_and_cut_to_the_model_limits():
    actions = [{"Identifier": f"a{i}", "Type": "X", "Transitions": {"NextAction": "x" * 300}} for i in range(80)]
    found = flow_language.problems(json.dumps({"Version": "2019-10-30", "StartAction": "a0", "Actions": actions}))
    assert len(found) == flow_language.MAX_PROBLEMS == 50
    assert all(1 <= len(p["message"]) <= 256 for p in found)
    assert flow_language.problems("[" * 100000)[0]["message"].startswith("Content is not valid JSON")


@pytest.mark.parametrize("identifier", ["a/b", "a{", "toString", "x" * 51, ""])
def test_identifiers_the_reference_forbids(identifier):
    flow = {"Version": "2019-10-30", "StartAction": "ok", "Actions": [
        {"Identifier": "ok", "Type": "DisconnectParticipant", "Transitions": {}},
        {"Identifier": identifier, "Type": "DisconnectParticipant", "Transitions": {}}]}
    assert [p["message"] for p in flow_language.problems(json.dumps(flow))][0].startswith("Actions[1].Identifier")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migration_6_gives_older_instances_the_flows_a_new_instance_gets(kind, request, tmp_path):
    """An instance written by a store at schema 5 has, after migration 6, exactly the default flows (names,
    types, content, UUID-shaped ids under its ARN) that CreateInstance gives a new one."""
    if kind == "sqlite":
        store = engine.SQLiteStore(str(tmp_path / "old.db"), target_version=5)
    else:
        store = engine.PostgresStore(request.getfixturevalue("postgres_schema")(), threads=1, target_version=5)
    instance_id = "8f14e45f-ceea-467f-a0e6-d1b3e0c4a1b2"
    arn = f"arn:aws:connect:us-east-1:123456789012:instance/{instance_id}"
    try:
        store.run_sync(lambda tx: tx.insert(
            "instances", id=instance_id, account="123456789012", region="us-east-1", arn=arn,
            identity_management_type="CONNECT_MANAGED", instance_alias="old", alias_key="old", directory_id=None,
            inbound_calls_enabled=1, outbound_calls_enabled=1, created_time=1000.0, active_at=1000.5,
            service_role="role", instance_access_url=None), write=True)
        assert store.run_sync(lambda tx: engine.migrate(tx, 6), write=True) == [6]
        rows = store.run_sync(lambda tx: tx.all(
            "SELECT id, arn, name, flow_type, state, status, content, is_default, created_at FROM contact_flows "
            "WHERE instance_id = :id ORDER BY created_at, id", id=instance_id), write=False)
    finally:
        store.close()
    assert [(r["name"], r["flow_type"]) for r in rows] == list(default_flows.DEFAULT_FLOWS)
    for row in rows:
        assert row["content"] == default_flows.content(row["name"], row["flow_type"])
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", row["id"])
        assert row["arn"] == f"{arn}/contact-flow/{row['id']}"
        assert (row["state"], row["status"], row["is_default"], row["created_at"]) == ("ACTIVE", "PUBLISHED", 1, 1000.0)
    assert len({r["id"] for r in rows}) == len(rows)
    assert "contact_flows" in schema.DATA_TABLES


def test_every_range_follows_the_rule():
    """E.164 (at most 15 digits); NANP countries in 555-0100..0199; rule-2 countries behind their trunk 0
    (Italy behind a 1); no number in two countries."""
    owner: dict[str, tuple[str, str]] = {}
    for (country, kind), _ in RANGES.items():
        numbers = catalogue(country, kind)
        assert numbers, (country, kind)
        for number in numbers:
            assert re.fullmatch(r"\+[1-9]\d{1,14}", number), number
            assert owner.setdefault(number, (country, kind)) == (country, kind), number
        if country in _CALLING_CODES:
            lead = f"+{_CALLING_CODES[country]}{_LEADING.get(country, '0')}"
            assert all(n.startswith(lead) and n[-4:-2] == "01" for n in numbers), (country, kind)
        if country in _NANP_AREA_CODES or country in ("US", "CA"):
            if kind != "UIFN":
                assert all(n.startswith("+1") and n[5:8] == "555" and n[8:10] == "01" for n in numbers), country
    assert len({country for country, _ in RANGES}) >= 60
    assert {kind for _, kind in RANGES} == {"DID", "TOLL_FREE", "UIFN", "SHARED"}


@pytest.mark.parametrize("principal, expected", [
    ("arn:aws:iam::123456789012:root", "123456789012"),
    ("arn:aws:sts::123456789012:federated-user/bob", "123456789012:bob"),
])
def test_user_id_of_root_and_federated_users(principal, expected):
    assert user_id("123456789012", principal) == expected


def test_user_id_of_users_and_roles_is_stable_and_iam_shaped():
    user = user_id("123456789012", "arn:aws:iam::123456789012:user/ops")
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user)
    assert user == user_id("123456789012", "arn:aws:iam::123456789012:user/ops")
    assert user != user_id("123456789012", "arn:aws:iam::123456789012:user/dev")
    session = user_id("123456789012", "arn:aws:sts::123456789012:assumed-role/Deploy/ci-42")
    role = user_id("123456789012", "arn:aws:iam::123456789012:role/Deploy")
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", role) and session == f"{role}:ci-42"
