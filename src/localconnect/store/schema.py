"""The schema as an ordered list of migrations; a data directory or database is upgraded in place.

SQL here is the common subset of SQLite and PostgreSQL: TEXT, INTEGER (0/1 for booleans), DOUBLE PRECISION
(epoch seconds), partial unique indexes. Append a migration, never edit one that has shipped.
"""
from __future__ import annotations

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "foundation: partitions, clock, idempotency, instances, tags", [
        # One row per account+Region. Write transactions lock it (FOR UPDATE on PostgreSQL, the database
        # write lock on SQLite), which serialises every rule that must hold per account+Region.
        """CREATE TABLE partitions (
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            phone_numbers_per_instance INTEGER,
            instances_per_region INTEGER,
            PRIMARY KEY (account, region))""",
        """CREATE TABLE service_clock (
            id INTEGER PRIMARY KEY,
            offset_seconds DOUBLE PRECISION NOT NULL)""",
        "INSERT INTO service_clock (id, offset_seconds) VALUES (1, 0)",
        """CREATE TABLE idempotency (
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            operation TEXT NOT NULL,
            client_token TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            response TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (account, region, operation, client_token))""",
        """CREATE TABLE instances (
            id TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            arn TEXT NOT NULL,
            identity_management_type TEXT NOT NULL,
            instance_alias TEXT,
            alias_key TEXT,
            directory_id TEXT,
            inbound_calls_enabled INTEGER NOT NULL,
            outbound_calls_enabled INTEGER NOT NULL,
            created_time DOUBLE PRECISION NOT NULL,
            active_at DOUBLE PRECISION NOT NULL,
            service_role TEXT NOT NULL,
            instance_access_url TEXT)""",
        "CREATE INDEX instances_partition ON instances (account, region, created_time, id)",
        "CREATE UNIQUE INDEX instances_alias ON instances (account, region, alias_key)",
        # The one source of truth for tags of every resource, Connect and End User Messaging alike.
        """CREATE TABLE tags (
            resource_arn TEXT NOT NULL,
            tag_key TEXT NOT NULL,
            tag_value TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (resource_arn, tag_key))""",
    ]),
    (2, "phone numbers: End User Messaging numbers, Connect numbers, release events", [
        """CREATE TABLE sms_phone_numbers (
            id TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            arn TEXT NOT NULL,
            phone_number TEXT NOT NULL,
            status TEXT NOT NULL,
            active_at DOUBLE PRECISION,
            iso_country_code TEXT NOT NULL,
            message_type TEXT NOT NULL,
            number_capabilities TEXT NOT NULL,
            number_type TEXT NOT NULL,
            monthly_leasing_price TEXT NOT NULL,
            two_way_enabled INTEGER NOT NULL,
            two_way_channel_arn TEXT,
            two_way_channel_role TEXT,
            self_managed_opt_outs_enabled INTEGER NOT NULL,
            opt_out_list_name TEXT NOT NULL,
            international_sending_enabled INTEGER NOT NULL,
            deletion_protection_enabled INTEGER NOT NULL,
            pool_id TEXT,
            registration_id TEXT,
            created_timestamp DOUBLE PRECISION NOT NULL,
            deleted_at DOUBLE PRECISION)""",
        "CREATE INDEX sms_phone_numbers_partition ON sms_phone_numbers (account, region, created_timestamp, id)",
        """CREATE TABLE phone_numbers (
            id TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            arn TEXT NOT NULL,
            phone_number TEXT NOT NULL,
            country_code TEXT NOT NULL,
            number_type TEXT NOT NULL,
            description TEXT,
            target_arn TEXT NOT NULL,
            instance_id TEXT NOT NULL,
            source_phone_number_arn TEXT,
            outcome TEXT NOT NULL,
            failure_message TEXT,
            settles_at DOUBLE PRECISION NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            contact_flow_id TEXT)""",
        "CREATE INDEX phone_numbers_instance ON phone_numbers (account, region, instance_id, outcome)",
        "CREATE INDEX phone_numbers_partition ON phone_numbers (account, region, phone_number, id)",
        # A source number can back only one live Connect number (docs/behaviour.md §2 step 8); the partition lock
        # decides races, this index is the database's own guarantee behind it.
        """CREATE UNIQUE INDEX phone_numbers_source ON phone_numbers (account, region, source_phone_number_arn)
            WHERE outcome = 'CLAIMED'""",
        """CREATE TABLE release_events (
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            released_at DOUBLE PRECISION NOT NULL,
            phone_number_id TEXT NOT NULL,
            phone_number TEXT NOT NULL,
            source_phone_number_arn TEXT,
            cause TEXT NOT NULL)""",
        "CREATE INDEX release_events_window ON release_events (account, region, released_at)",
        "CREATE INDEX release_events_number ON release_events (account, region, phone_number)",
    ]),
]

MIGRATIONS.append(
    (3, "instances.live_numbers: the per-instance quota check without counting rows", [
        # Kept exact by the same transactions that add, move and remove numbers (under the partition lock);
        # before it, every claim and import counted the instance's numbers, which grew with the instance.
        "ALTER TABLE instances ADD COLUMN live_numbers INTEGER NOT NULL DEFAULT 0",
        """UPDATE instances SET live_numbers = (SELECT COUNT(*) FROM phone_numbers
            WHERE phone_numbers.instance_id = instances.id AND phone_numbers.outcome = 'CLAIMED')""",
    ]))

MIGRATIONS.append(
    (4, "instance attributes: the values set by UpdateInstanceAttribute", [
        # Only values that differ from the defaults are stored; INBOUND_CALLS and OUTBOUND_CALLS live in
        # instances, so DescribeInstance and DescribeInstanceAttribute read one value.
        """CREATE TABLE instance_attributes (
            instance_id TEXT NOT NULL,
            attribute_type TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (instance_id, attribute_type))""",
    ]))

LATEST = MIGRATIONS[-1][0]

# Tables holding per-account state, emptied by /_localconnect/reset (all or one account).
DATA_TABLES = ["idempotency", "tags", "instance_attributes", "instances", "sms_phone_numbers", "phone_numbers",
               "release_events", "partitions"]
