"""State survives a restart on the file and PostgreSQL stores; migrations upgrade an existing store in place."""
from __future__ import annotations

import os
import sqlite3

import pytest

from localconnect.store import schema
from localconnect.store.engine import PostgresStore, SQLiteStore
from localconnect.testing import ServerProcess, admin_call, clients


def _store_arg(kind, tmp_path, postgres_schema):
    if kind == "sqlite":
        return "sqlite:///" + str(tmp_path / "state.db")
    return postgres_schema()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_state_survives_a_restart(kind, tmp_path, request):
    pg = request.getfixturevalue("postgres_schema") if kind == "postgresql" else None
    store = _store_arg(kind, tmp_path, pg)
    with ServerProcess("--store", store) as first:
        connect, sms = clients(first.url)
        instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="keep",
                                           InboundCallsEnabled=True, OutboundCallsEnabled=False, Tags={"k": "v"})
        admin_call(first.url, "POST", "/clock", {"advance_seconds": 5})
        source = sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                          NumberCapabilities=["VOICE"], NumberType="LONG_CODE")
        number = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                             ClientToken="survives")
    assert first.proc.returncode == 0  # SIGTERM is a clean shutdown
    with ServerProcess("--store", store) as second:
        connect, sms = clients(second.url)
        described = connect.describe_instance(InstanceId=instance["Id"])["Instance"]
        assert described["InstanceStatus"] == "ACTIVE"  # the clock offset persisted too
        assert described["Tags"] == {"k": "v"}
        summary = connect.describe_phone_number(PhoneNumberId=number["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
        assert summary["SourcePhoneNumberArn"] == source["PhoneNumberArn"]
        replay = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                             ClientToken="survives")
        assert replay["PhoneNumberId"] == number["PhoneNumberId"]
        assert admin_call(second.url, "GET", "/health")[1]["schema_version"] == schema.LATEST


def _old_instance_row(tx):
    tx.execute("INSERT INTO instances (id, account, region, arn, identity_management_type, instance_alias, alias_key, "
               "directory_id, inbound_calls_enabled, outbound_calls_enabled, created_time, active_at, service_role, "
               "instance_access_url) VALUES ('i-1', '123456789012', 'us-east-1', "
               "'arn:aws:connect:us-east-1:123456789012:instance/i-1', 'CONNECT_MANAGED', 'old', 'old', NULL, 1, 1, "
               "1.0, 1.0, 'role', 'https://old.my.connect.aws/')")


def _upgrade_keeps_data(open_store):
    old = open_store(1)
    assert old.schema_version() == 1
    old.run_sync(_old_instance_row, write=True)
    old.close()
    new = open_store(schema.LATEST)
    try:
        assert new.schema_version() == schema.LATEST
        rows = new.run_sync(lambda tx: tx.all("SELECT id, instance_alias FROM instances"), write=False)
        assert [(r["id"], r["instance_alias"]) for r in rows] == [("i-1", "old")]
        # The tables of the later migration exist and work.
        assert new.run_sync(lambda tx: tx.one("SELECT COUNT(*) AS n FROM phone_numbers")["n"], write=False) == 0
    finally:
        new.close()


def test_sqlite_upgrades_in_place(tmp_path):
    path = str(tmp_path / "old.db")
    _upgrade_keeps_data(lambda version: SQLiteStore(path, target_version=version))
    versions = [r[0] for r in sqlite3.connect(path).execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [v for v, _, _ in schema.MIGRATIONS]


def test_postgres_upgrades_in_place(postgres_schema):
    url = postgres_schema()
    _upgrade_keeps_data(lambda version: PostgresStore(url, threads=1, target_version=version))


def test_opening_twice_migrates_once(tmp_path):
    path = str(tmp_path / "twice.db")
    SQLiteStore(path).close()
    store = SQLiteStore(path)
    try:
        rows = store.run_sync(lambda tx: tx.all("SELECT version FROM schema_version"), write=False)
        assert len(rows) == len(schema.MIGRATIONS)
    finally:
        store.close()


def test_bad_store_is_a_clear_error(tmp_path):
    proc = ServerProcess("--store", "mysql://nope")
    with pytest.raises(RuntimeError) as info:
        proc.start()
    assert "localconnect: setting store: 'mysql://nope' is not a store; use sqlite, memory" in str(info.value)
    assert "Traceback" not in str(info.value)


def _numbers_of_version_2(tx):
    _old_instance_row(tx)
    for number_id, outcome in (("n-1", "CLAIMED"), ("n-2", "FAILED"), ("n-3", "CLAIMED")):
        tx.insert("phone_numbers", id=number_id, account="123456789012", region="us-east-1", arn="arn:" + number_id,
                  phone_number="+1206555010" + number_id[-1], country_code="US", number_type="DID", target_arn="arn",
                  instance_id="i-1", outcome=outcome, settles_at=1.0, created_at=1.0)


def test_migration_3_backfills_the_numbers_each_instance_holds(tmp_path):
    path = str(tmp_path / "v2.db")
    old = SQLiteStore(path, target_version=2)
    old.run_sync(_numbers_of_version_2, write=True)
    old.close()
    new = SQLiteStore(path)
    try:
        held = new.run_sync(lambda tx: tx.one("SELECT live_numbers FROM instances WHERE id = 'i-1'"), write=False)
        assert held["live_numbers"] == 2
    finally:
        new.close()


def test_postgres_replaces_a_lost_connection(postgres_schema):
    """A connection the server lost (PostgreSQL restarted, an administrator ended it) fails the transaction that
    was using it; the next one opens a new connection, and the lost one is closed and no longer counted."""
    import psycopg

    store = PostgresStore(postgres_schema())
    try:
        pid = store.run_sync(lambda tx: tx.one("SELECT pg_backend_pid() AS pid")["pid"], write=False)
        assert store.stats() == {"connections": 1}
        # postgres_schema skipped the test unless this is set
        with psycopg.connect(os.environ["LOCALCONNECT_TEST_POSTGRES_URL"], autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg.OperationalError):
            store.run_sync(lambda tx: tx.one("SELECT 1 AS one"), write=False)
        assert store.run_sync(lambda tx: tx.one("SELECT pg_backend_pid() AS pid")["pid"], write=False) != pid
        assert store.stats() == {"connections": 1}
    finally:
        store.close()
