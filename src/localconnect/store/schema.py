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

MIGRATIONS.append(
    (5, "scale: an index per hot statement that fixes its plan; indexes for retention", [
        # The lists (ListPhoneNumbersV2, ListPhoneNumbers) show live numbers in (phone_number, id) order. Each
        # filter shape gets an index whose equality columns are exactly the filter and whose tail is that order,
        # so every row read is a row of the page, at any store size. Several types or countries are asked one
        # value each and merged (services/connect/numbers.py). Partial on live numbers: FAILED ones never listed.
        "DROP INDEX phone_numbers_partition",
        """CREATE INDEX phone_numbers_listed ON phone_numbers (account, region, phone_number, id)
            WHERE outcome = 'CLAIMED'""",
        """CREATE INDEX phone_numbers_listed_type ON phone_numbers (account, region, number_type, phone_number, id)
            WHERE outcome = 'CLAIMED'""",
        """CREATE INDEX phone_numbers_listed_country ON phone_numbers
            (account, region, country_code, phone_number, id) WHERE outcome = 'CLAIMED'""",
        """CREATE INDEX phone_numbers_listed_type_country ON phone_numbers
            (account, region, number_type, country_code, phone_number, id) WHERE outcome = 'CLAIMED'""",
        # An instance id is a UUID of one partition: it needs no account and Region in front of it.
        """CREATE INDEX phone_numbers_listed_instance ON phone_numbers (instance_id, phone_number, id)
            WHERE outcome = 'CLAIMED'""",
        """CREATE INDEX phone_numbers_listed_instance_type ON phone_numbers
            (instance_id, number_type, phone_number, id) WHERE outcome = 'CLAIMED'""",
        """CREATE INDEX phone_numbers_listed_instance_country ON phone_numbers
            (instance_id, country_code, phone_number, id) WHERE outcome = 'CLAIMED'""",
        """CREATE INDEX phone_numbers_listed_instance_type_country ON phone_numbers
            (instance_id, number_type, country_code, phone_number, id) WHERE outcome = 'CLAIMED'""",
        # DeleteInstance walks an instance's numbers (any outcome) in id order, a bounded chunk at a time.
        "DROP INDEX phone_numbers_instance",
        "CREATE INDEX phone_numbers_of_instance ON phone_numbers (instance_id, id)",
        # Retention: FAILED numbers past failed_retention_hours, oldest first.
        """CREATE INDEX phone_numbers_failed ON phone_numbers (account, region, settles_at)
            WHERE outcome = 'FAILED'""",
        # RequestPhoneNumber and seeding ask whether an E.164 number is held: one probe, not a partition scan.
        """CREATE INDEX sms_phone_numbers_number ON sms_phone_numbers (account, region, phone_number)
            WHERE status <> 'DELETED'""",
        # DescribePhoneNumbers with one number-type or one iso-country-code reads only matching rows, in order.
        """CREATE INDEX sms_phone_numbers_type ON sms_phone_numbers
            (account, region, number_type, created_timestamp, id) WHERE status <> 'DELETED'""",
        """CREATE INDEX sms_phone_numbers_country ON sms_phone_numbers
            (account, region, iso_country_code, created_timestamp, id) WHERE status <> 'DELETED'""",
        # Retention: released End User Messaging numbers and ClientToken records, oldest first.
        """CREATE INDEX sms_phone_numbers_deleted ON sms_phone_numbers (account, region, deleted_at)
            WHERE status = 'DELETED'""",
        "CREATE INDEX idempotency_age ON idempotency (account, region, created_at)",
    ]))

# The default flows of migration 6, spelt here because the store cannot import services: (id suffix, name, type).
_DEFAULT_FLOWS_V6 = (
    ("df0000000001", "Default agent hold", "AGENT_HOLD"),
    ("df0000000002", "Default agent transfer", "AGENT_TRANSFER"),
    ("df0000000003", "Default agent whisper", "AGENT_WHISPER"),
    ("df0000000004", "Default customer hold", "CUSTOMER_HOLD"),
    ("df0000000005", "Default customer queue", "CUSTOMER_QUEUE"),
    ("df0000000006", "Default customer whisper", "CUSTOMER_WHISPER"),
    ("df0000000007", "Default outbound", "OUTBOUND_WHISPER"),
    ("df0000000008", "Default queue transfer", "QUEUE_TRANSFER"),
    ("df0000000009", "Sample AB test", "CONTACT_FLOW"),
    ("df0000000010", "Sample disconnect flow", "CONTACT_FLOW"),
    ("df0000000011", "Sample inbound flow (first contact experience)", "CONTACT_FLOW"),
    ("df0000000012", "Sample interruptible queue flow with callback", "CUSTOMER_QUEUE"),
    ("df0000000013", "Sample Lambda integration", "CONTACT_FLOW"),
    ("df0000000014", "Sample note for screenpop", "CONTACT_FLOW"),
    ("df0000000015", "Sample queue configurations flow", "CONTACT_FLOW"),
    ("df0000000016", "Sample queue customer", "CONTACT_FLOW"),
    ("df0000000017", "Sample recording behavior", "CONTACT_FLOW"),
    ("df0000000018", "Sample secure input with agent", "CONTACT_FLOW"),
    ("df0000000019", "Sample secure input with no agent", "CONTACT_FLOW"),
)
_FLOW_TEMPLATE_V6 = (
    '{"Version":"2019-10-30","StartAction":"message","Metadata":{},"Actions":['
    '{"Identifier":"message","Type":"MessageParticipant","Parameters":{"Text":"NAME"},'
    '"Transitions":{"NextAction":"end","Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},'
    '{"Identifier":"end","Type":"END","Parameters":{},"Transitions":{}}]}')
_ENDING_V6 = {"CONTACT_FLOW": "DisconnectParticipant", "AGENT_TRANSFER": "DisconnectParticipant",
              "QUEUE_TRANSFER": "DisconnectParticipant"}

MIGRATIONS.append(
    (6, "contact flows, each instance's default flows, and the phone-number flow association", [
        """CREATE TABLE contact_flows (
            id TEXT PRIMARY KEY,
            instance_id TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            arn TEXT NOT NULL,
            name TEXT NOT NULL,
            flow_type TEXT NOT NULL,
            state TEXT NOT NULL,
            status TEXT NOT NULL,
            description TEXT,
            content TEXT NOT NULL,
            is_default INTEGER NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            last_modified_time DOUBLE PRECISION NOT NULL,
            last_modified_region TEXT NOT NULL)""",
        # Names are unique per instance (DuplicateResourceException); ListContactFlows pages in creation order.
        "CREATE UNIQUE INDEX contact_flows_name ON contact_flows (instance_id, name)",
        "CREATE INDEX contact_flows_listed ON contact_flows (instance_id, created_at, id)",
        # phone_numbers.contact_flow_id (unused since migration 2) holds a number's flow: DeleteContactFlow asks
        # whether a flow is in use, ListFlowAssociations pages an instance's associated numbers in order.
        """CREATE INDEX phone_numbers_contact_flow ON phone_numbers (contact_flow_id)
            WHERE contact_flow_id IS NOT NULL""",
        """CREATE INDEX phone_numbers_flow_associations ON phone_numbers (instance_id, phone_number, id)
            WHERE contact_flow_id IS NOT NULL AND outcome = 'CLAIMED'""",
        # Instances created before this migration get the flows a new instance gets (services/connect/
        # default_flows.py; tests/unit/test_contact_flows_units.py compares the two). Ids keep the first four
        # groups of the instance's id and end in the suffix: UUID-shaped and unique.
        "INSERT INTO contact_flows (id, instance_id, account, region, arn, name, flow_type, state, status, "
        "description, content, is_default, created_at, last_modified_time, last_modified_region) "
        "SELECT substr(i.id, 1, 24) || d.suffix, i.id, i.account, i.region, "
        "i.arn || '/contact-flow/' || substr(i.id, 1, 24) || d.suffix, d.name, d.flow_type, 'ACTIVE', 'PUBLISHED', "
        "NULL, d.content, 1, i.created_time, i.created_time, i.region FROM instances i CROSS JOIN ("
        + " UNION ALL ".join(
            f"SELECT '{suffix}' AS suffix, '{name}' AS name, '{kind}' AS flow_type, '"
            + _FLOW_TEMPLATE_V6.replace("END", _ENDING_V6.get(kind, "EndFlowExecution")).replace("NAME", name)
            + "' AS content" for suffix, name, kind in _DEFAULT_FLOWS_V6) + ") d",
    ]))

MIGRATIONS.append(
    (7, "state view and dashboard: status counts and lists without a partition scan; a number's update history", [
        # Live numbers still settling, in settle order: counts and lists of IN_PROGRESS ones read only those.
        """CREATE INDEX phone_numbers_settling ON phone_numbers (account, region, settles_at, id)
            WHERE outcome = 'CLAIMED'""",
        # Numbers that show FAILED once settled (a failed claim or import, or a failed move): few, in list order.
        """CREATE INDEX phone_numbers_failing ON phone_numbers (account, region, phone_number, id)
            WHERE outcome = 'FAILED' OR failure_message IS NOT NULL""",
        # End User Messaging numbers by status, in creation order: counts per status and status-filtered lists.
        """CREATE INDEX sms_phone_numbers_status ON sms_phone_numbers
            (account, region, status, created_timestamp, id)""",
        # UpdatePhoneNumber and UpdatePhoneNumberMetadata, as a number's detail shows them (accepted, settled and
        # released are read from phone_numbers and release_events).
        """CREATE TABLE phone_number_history (
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            phone_number_id TEXT NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            event TEXT NOT NULL,
            instance_id TEXT,
            detail TEXT)""",
        "CREATE INDEX phone_number_history_number ON phone_number_history (phone_number_id, at)",
        "CREATE INDEX phone_number_history_age ON phone_number_history (account, region, at)",
    ]))

LATEST = MIGRATIONS[-1][0]

# Tables holding per-account state, emptied by /_localconnect/reset (all or one account).
DATA_TABLES = ["idempotency", "tags", "instance_attributes", "contact_flows", "instances", "sms_phone_numbers",
               "phone_numbers", "phone_number_history", "release_events", "partitions"]
