"""The ``phone_numbers`` table: Connect numbers, claimed or imported. Every statement on the table lives here;
handler modules (phone_numbers, inventory, phone_number_updates, instances, End User Messaging) ask through
these functions.

A number's outcome (CLAIMED or FAILED) is fixed when it is accepted; its status is derived from the clock
(IN_PROGRESS until ``settles_at``), so every process and every store agrees on it without a background job.
"""
from __future__ import annotations

from typing import Iterator

from ...core import arns
from ...core.call import Call
from ...core.errors import ResourceNotFoundException
from ...core.units import HOUR
from ...rules import release_rule, retention
from .. import pagination, tagging

COLUMNS = ("id, arn, phone_number, country_code, number_type, description, target_arn, instance_id, "
           "source_phone_number_arn, outcome, failure_message, settles_at, created_at")


def status(call: Call, row) -> tuple[str, str | None]:
    """IN_PROGRESS until settled; then FAILED (a failed claim or import, or a CLAIMED number whose last
    UpdatePhoneNumber failed: it stays where it was, with the reason) or CLAIMED."""
    if call.now < row["settles_at"]:
        return "IN_PROGRESS", None
    if row["failure_message"]:
        return "FAILED", row["failure_message"]
    return row["outcome"], None


def _gone(call: Call, row) -> bool:
    """FAILED numbers stay describable for ``failed_retention_hours``, then answer 404 (docs/behaviour.md §3)."""
    return (row["outcome"] == "FAILED"
            and call.now >= row["settles_at"] + call.settings.failed_retention_hours * HOUR)


def find(call: Call, phone_number_id: str):
    """A number by id or by its ARN, in this account and Region; None when unknown or gone."""
    number_id = arns.id_or_arn(phone_number_id, "connect", "phone-number", call.region, call.account)
    if number_id is None:
        return None
    row = call.tx.one(f"SELECT {COLUMNS} FROM phone_numbers WHERE id = :id AND account = :account "
                      "AND region = :region", id=number_id, account=call.account, region=call.region)
    if row is None or _gone(call, row):
        return None
    return row


def get(call: Call, phone_number_id: str):
    row = find(call, phone_number_id)
    if row is None:
        raise ResourceNotFoundException(f"Phone number not found: {phone_number_id}")
    return row


def insert(call: Call, **columns) -> None:
    call.tx.insert("phone_numbers", account=call.account, region=call.region, **columns)


def update(call: Call, number_id: str, **columns) -> None:
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    if "instance_id" in columns:  # a flow is an instance's: moving to another instance ends the association
        assignments += ", contact_flow_id = CASE WHEN instance_id = :instance_id THEN contact_flow_id END"
    call.tx.execute(f"UPDATE phone_numbers SET {assignments} WHERE id = :number_id", number_id=number_id, **columns)


def remove(call: Call, row, cause: str) -> bool:
    """Delete a number and its tags; a live one (accepted with outcome CLAIMED) leaves a release event behind.
    Returns whether it was live, so the caller can keep its instance's live-number count."""
    live = row["outcome"] == "CLAIMED"
    if live:
        release_rule.record(call, call.now, row["id"], row["phone_number"], row["source_phone_number_arn"], cause)
    tagging.drop(call, row["arn"])
    call.tx.execute("DELETE FROM phone_numbers WHERE id = :id", id=row["id"])
    return live


def of_instance(call: Call, instance_id: str, chunk: int = 500) -> Iterator:
    """Every number of an instance, any outcome, read ``chunk`` rows at a time in id order: DeleteInstance of an
    instance holding a million numbers never holds more than a chunk in memory. The caller may delete the rows
    it is given (the next chunk starts after the last id seen)."""
    def fetch(after, limit):
        clause = "" if after is None else " AND id > :after_id"
        return call.tx.all(f"SELECT {COLUMNS} FROM phone_numbers WHERE instance_id = :instance_id "
                           f"AND account = :account AND region = :region{clause} ORDER BY id LIMIT :limit",
                           instance_id=instance_id, account=call.account, region=call.region, limit=limit,
                           **({} if after is None else {"after_id": after[0]}))
    return pagination.chunked(fetch, lambda r: [r["id"]], None, chunk)


def live_with_source(call: Call, source_arn: str) -> bool:
    """Whether an End User Messaging number backs a live Connect number (docs/behaviour.md §2 step 8)."""
    return call.tx.one("SELECT 1 FROM phone_numbers WHERE account = :account AND region = :region "
                       "AND source_phone_number_arn = :arn AND outcome = 'CLAIMED'",
                       account=call.account, region=call.region, arn=source_arn) is not None


def live_with_number(call: Call, phone_number: str) -> bool:
    """Whether this E.164 number is held here (claimed from the inventory or imported)."""
    return call.tx.one("SELECT 1 FROM phone_numbers WHERE account = :account AND region = :region "
                       "AND phone_number = :phone_number AND outcome = 'CLAIMED'",
                       account=call.account, region=call.region, phone_number=phone_number) is not None


def held_among(call: Call, candidates: list[str]) -> set[str]:
    """Which of these E.164 numbers a live number of this account+Region has: one index probe per candidate
    (SearchAvailablePhoneNumbers asks for a chunk of the inventory at a time, never for every held number)."""
    if not candidates:
        return set()
    names = {f"n{i}": number for i, number in enumerate(candidates)}
    rows = call.tx.all("SELECT phone_number FROM phone_numbers WHERE account = :account AND region = :region "
                       f"AND outcome = 'CLAIMED' AND phone_number IN ({', '.join(':' + n for n in names)})",
                       account=call.account, region=call.region, **names)
    return {r["phone_number"] for r in rows}


# The index that answers each filter shape of the lists (store/schema.py, migration 5): the filter's equality
# columns, then the list order. On SQLite the statement names it, so no planner statistics can change the plan;
# PostgreSQL's planner takes the same one on its own (the only index giving the order with no row filtered out).
_LISTED = {(scoped, typed, country): "phone_numbers_listed" + ("_instance" if scoped else "")
           + ("_type" if typed else "") + ("_country" if country else "")
           for scoped in (False, True) for typed in (False, True) for country in (False, True)}


def prefix_range(prefix: str) -> tuple[str, str | None]:
    """[low, high) holding exactly the numbers that start with ``prefix`` (a '+' and digits, as the model's
    pattern allows): a range is an index seek, where substr(...) = prefix would test every row."""
    stem = prefix.rstrip("9")
    if stem in ("", "+"):
        return prefix, None  # "+99": nothing above it starts otherwise
    return prefix, stem[:-1] + chr(ord(stem[-1]) + 1)


def settled_claimed(call: Call, *, instance_id: str | None, countries: list[str] | None, types: list[str] | None,
                    prefix: str | None, after: list | None, limit: int) -> list:
    """Up to ``limit`` CLAIMED, settled numbers in (phone_number, id) order after ``after`` (lists show only
    those: docs/behaviour.md §3.4), with the list operations' filters.

    One indexed range scan per (type, country) pair asked for, merged: each scan starts at the page and every
    row it reads matches (but for numbers still settling), so the cost is the page's, at any store size."""
    pairs = [(t, c) for t in (sorted(set(types)) if types else [None])
             for c in (sorted(set(countries)) if countries else [None])]
    # One stream reads the page in one statement; several read small chunks, so the merge holds little more
    # than a page however many pairs were asked for (at most 7 types x 10 countries).
    chunk = limit if len(pairs) == 1 else min(limit, 32)
    streams = [pagination.chunked(_listed(call, instance_id, t, c, prefix), lambda r: [r["phone_number"], r["id"]],
                                  after, chunk) for t, c in pairs]
    return pagination.merged(streams, key=lambda r: (r["phone_number"], r["id"]), count=limit)


def _listed(call: Call, instance_id: str | None, number_type: str | None, country: str | None, prefix: str | None):
    """The fetch function of one stream: one SQL statement whose plan is its index, whatever the data."""
    index = _LISTED[(instance_id is not None, number_type is not None, country is not None)]
    table = f"phone_numbers INDEXED BY {index}" if call.tx.dialect == "sqlite" else "phone_numbers"
    sql = f"SELECT {COLUMNS} FROM {table} WHERE "
    params: dict = {"account": call.account, "region": call.region, "now": call.now}
    if instance_id is not None:
        sql += "instance_id = :instance_id AND "
        params["instance_id"] = instance_id
    sql += "account = :account AND region = :region AND outcome = 'CLAIMED'"
    if number_type is not None:
        sql += " AND number_type = :number_type"
        params["number_type"] = number_type
    if country is not None:
        sql += " AND country_code = :country_code"
        params["country_code"] = country
    if prefix:
        low, high = prefix_range(prefix)
        sql += " AND phone_number >= :prefix_low AND substr(phone_number, 1, :prefix_length) = :prefix"
        params.update(prefix_low=low, prefix_length=len(prefix), prefix=prefix)
        if high is not None:
            sql += " AND phone_number < :prefix_high"
            params["prefix_high"] = high
    sql += " AND settles_at <= :now"

    def fetch(after, limit):
        clause, keyset = pagination.after_clause("phone_number", "id", after)
        return call.tx.all(sql + clause + " ORDER BY phone_number, id LIMIT :limit", **params, **keyset,
                           limit=limit)
    return fetch


def all_of_partition(call: Call) -> list:
    """Every number of this account+Region, for the admin state view."""
    return call.tx.all(f"SELECT {COLUMNS} FROM phone_numbers WHERE account = :account AND region = :region "
                       "ORDER BY created_at, id", account=call.account, region=call.region)


@retention.purger("failed_phone_numbers")
def purge_failed(call: Call, limit: int) -> int:
    """Numbers whose claim or import failed, once past ``failed_retention_hours`` (they already answer 404),
    with their tags; oldest first, at most ``limit``."""
    before = call.now - call.settings.failed_retention_hours * HOUR
    rows = call.tx.all("SELECT id, arn FROM phone_numbers WHERE account = :account AND region = :region "
                       "AND outcome = 'FAILED' AND settles_at <= :before ORDER BY settles_at LIMIT :limit",
                       account=call.account, region=call.region, before=before, limit=limit)
    for row in rows:
        tagging.drop(call, row["arn"])
        call.tx.execute("DELETE FROM phone_numbers WHERE id = :id", id=row["id"])
    return len(rows)


# --- flow associations (services/connect/flow_associations.py) ------------------------------------------

def set_contact_flow(call: Call, number_id: str, flow_id: str | None) -> None:
    call.tx.execute("UPDATE phone_numbers SET contact_flow_id = :flow_id WHERE id = :number_id",
                    flow_id=flow_id, number_id=number_id)


def with_contact_flow(call: Call, flow_id: str, limit: int) -> list[str]:
    """ARNs of (up to ``limit``) numbers associated with a flow: DeleteContactFlow refuses a flow in use."""
    rows = call.tx.all("SELECT arn FROM phone_numbers WHERE contact_flow_id = :flow_id ORDER BY arn LIMIT :limit",
                       flow_id=flow_id, limit=limit)
    return [r["arn"] for r in rows]


def flow_associations(call: Call, instance_id: str, *, after: list | None, limit: int) -> list:
    """One page of an instance's live numbers that have a flow, in (phone_number, id) order."""
    clause, keyset = pagination.after_clause("phone_number", "id", after)
    return call.tx.all("SELECT id, arn, phone_number, contact_flow_id FROM phone_numbers "
                       "WHERE instance_id = :instance_id AND contact_flow_id IS NOT NULL AND outcome = 'CLAIMED'"
                       + clause + " ORDER BY phone_number, id LIMIT :limit",
                       instance_id=instance_id, limit=limit, **keyset)
