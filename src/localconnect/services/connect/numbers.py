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
        # By instance alone (its numbers are all in its account+Region): the one index giving this order.
        return call.tx.all(f"SELECT {COLUMNS} FROM phone_numbers WHERE instance_id = :instance_id{clause} "
                           "ORDER BY id LIMIT :limit", instance_id=instance_id, limit=limit,
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


def _prefix_condition(prefix: str) -> tuple[str, dict]:
    """A phone-number prefix as an index range (and the exact test, for the range's open end)."""
    low, high = prefix_range(prefix)
    sql = " AND phone_number >= :prefix_low AND substr(phone_number, 1, :prefix_length) = :prefix"
    params = {"prefix_low": low, "prefix_length": len(prefix), "prefix": prefix}
    if high is not None:
        sql += " AND phone_number < :prefix_high"
        params["prefix_high"] = high
    return sql, params


def prefix_range(prefix: str) -> tuple[str, str | None]:
    """[low, high) holding exactly the numbers that start with ``prefix`` (a '+' and digits, as the model's
    pattern allows): a range is an index seek, where substr(...) = prefix would test every row."""
    stem = prefix.rstrip("9")  # "+1299" -> [+1299, +13); "+99" -> [+99, ","): ',' follows '+'
    if not stem:
        return prefix, None
    return prefix, stem[:-1] + chr(ord(stem[-1]) + 1)


def settled_claimed(call: Call, *, instance_id: str | None, countries: list[str] | None, types: list[str] | None,
                    prefix: str | None, after: list | None, limit: int) -> list:
    """Up to ``limit`` CLAIMED, settled numbers in (phone_number, id) order after ``after`` (lists show only
    those: docs/behaviour.md §3.4), with the list operations' filters.

    One indexed range scan per (type, country) pair asked for, merged: each scan starts at the page and every
    row it reads matches (but for numbers still settling), so the cost is the page's, at any store size."""
    pairs = [(t, c) for t in (sorted(set(types)) if types else [None])
             for c in (sorted(set(countries)) if countries else [None])]
    # One stream reads the page in one statement; several start with small chunks (doubling while a stream keeps
    # supplying the page), so the merge holds little more than a page however many pairs were asked for (at
    # most 7 types x 10 countries).
    chunk = limit if len(pairs) == 1 else min(limit, 16)
    streams = [pagination.chunked(_listed(call, instance_id, t, c, prefix), lambda r: [r["phone_number"], r["id"]],
                                  after, chunk, most=limit) for t, c in pairs]
    return pagination.merged(streams, key=lambda r: (r["phone_number"], r["id"]), count=limit)


def _listed(call: Call, instance_id: str | None, number_type: str | None, country: str | None, prefix: str | None):
    """The fetch function of one stream: one SQL statement whose plan is its index, whatever the data."""
    index = _LISTED[(instance_id is not None, number_type is not None, country is not None)]
    table = f"phone_numbers INDEXED BY {index}" if call.tx.dialect == "sqlite" else "phone_numbers"
    params: dict = {"now": call.now}
    if instance_id is not None:
        # The caller found the instance in this account+Region, and its numbers are all there. Naming no
        # account or Region also leaves PostgreSQL no partition-wide index to filter by instance: a generic
        # plan built for a big instance would otherwise read a whole partition for an empty one.
        sql = f"SELECT {COLUMNS} FROM {table} WHERE instance_id = :instance_id"
        params["instance_id"] = instance_id
    else:
        sql = f"SELECT {COLUMNS} FROM {table} WHERE account = :account AND region = :region"
        params.update(account=call.account, region=call.region)
    sql += " AND outcome = 'CLAIMED'"
    if number_type is not None:
        sql += " AND number_type = :number_type"
        params["number_type"] = number_type
    if country is not None:
        sql += " AND country_code = :country_code"
        params["country_code"] = country
    if prefix:
        condition, bounds = _prefix_condition(prefix)
        sql += condition
        params.update(bounds)
    sql += " AND settles_at <= :now"

    def fetch(after, limit):
        clause, keyset = pagination.after_clause("phone_number", "id", after)
        return call.tx.all(sql + clause + " ORDER BY phone_number, id LIMIT :limit", **params, **keyset,
                           limit=limit)
    return fetch


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


# --- the admin state view and the dashboard (admin/state.py, admin/dashboard.py) -------------------------
# Every status has an index in which nearly every row read belongs to the answer (store/schema.py, migration 7):
# live numbers in list order (the lists' own indexes), live numbers still settling in settle order, and the few
# that show FAILED once settled, in list order. So counts and pages cost what they return, at any store size.

STATE_COLUMNS = COLUMNS + ", contact_flow_id"
# The order of each status's pages: IN_PROGRESS numbers come from the settling index, so by when they settle.
STATE_ORDER = {None: ("phone_number", "id"), "CLAIMED": ("phone_number", "id"), "FAILED": ("phone_number", "id"),
               "IN_PROGRESS": ("settles_at", "id")}
_FAILING = "(outcome = 'FAILED' OR failure_message IS NOT NULL)"  # the partial index's own term, spelt alike


def _table(call: Call, index: str) -> str:
    return f"phone_numbers INDEXED BY {index}" if call.tx.dialect == "sqlite" else "phone_numbers"


def state_counts(call: Call, live: int) -> dict[str, int]:
    """Numbers by the status DescribePhoneNumber would show now. ``live`` is the partition's live numbers
    (the instances' exact counts); CLAIMED is what remains of it once the settling and failing ones, read
    from their small indexes, are taken away, so no CLAIMED row is read."""
    where = {"account": call.account, "region": call.region, "now": call.now}
    settling = call.tx.one(f"SELECT COUNT(*) AS n FROM {_table(call, 'phone_numbers_settling')} "
                           "WHERE account = :account AND region = :region AND outcome = 'CLAIMED' "
                           "AND settles_at > :now", **where)["n"]
    failing = call.tx.one(
        "SELECT SUM(CASE WHEN outcome = 'FAILED' AND settles_at > :now THEN 1 ELSE 0 END) AS settling, "
        "SUM(CASE WHEN settles_at <= :now THEN 1 ELSE 0 END) AS shown, "
        "SUM(CASE WHEN outcome = 'CLAIMED' AND settles_at <= :now THEN 1 ELSE 0 END) AS moves "
        f"FROM {_table(call, 'phone_numbers_failing')} WHERE account = :account AND region = :region "
        f"AND {_FAILING} AND (outcome = 'CLAIMED' OR settles_at > :gone_before)",
        **where, gone_before=call.now - call.settings.failed_retention_hours * HOUR)
    return {"IN_PROGRESS": settling + int(failing["settling"] or 0),
            "CLAIMED": live - settling - int(failing["moves"] or 0),
            "FAILED": int(failing["shown"] or 0)}


def state_page(call: Call, *, status: str | None, instance_id: str | None, number_type: str | None,
               country: str | None, prefix: str | None, after: list | None, limit: int) -> list:
    """Up to ``limit`` numbers showing ``status`` now (any status when None; numbers gone after
    ``failed_retention_hours`` never), after ``after`` in ``STATE_ORDER[status]``, with the filters."""
    extra, params = _state_filters(instance_id, number_type, country, prefix)
    params.update(account=call.account, region=call.region, now=call.now,
                  gone_before=call.now - call.settings.failed_retention_hours * HOUR)
    live_index = _LISTED[(instance_id is not None, number_type is not None, country is not None)]
    failed_shown = "AND (outcome = 'CLAIMED' OR settles_at > :gone_before)"
    if status == "IN_PROGRESS":
        sources = [("phone_numbers_settling", "outcome = 'CLAIMED' AND settles_at > :now"),
                   ("phone_numbers_failing", f"{_FAILING} AND outcome = 'FAILED' AND settles_at > :now")]
    elif status == "FAILED":
        sources = [("phone_numbers_failing", f"{_FAILING} AND settles_at <= :now {failed_shown}")]
    elif status == "CLAIMED":
        sources = [(live_index, "outcome = 'CLAIMED' AND settles_at <= :now AND failure_message IS NULL")]
    else:
        sources = [(live_index, "outcome = 'CLAIMED'"),
                   ("phone_numbers_failing", f"{_FAILING} AND outcome = 'FAILED' {failed_shown}")]
    first, second = STATE_ORDER[status]

    def key(row):
        return row[first], row[second]
    # One stream reads the page in one statement; two read in chunks and are merged in order.
    chunk = limit if len(sources) == 1 else min(limit, 64)
    streams = [pagination.chunked(_state_fetch(call, index, where + extra, params, (first, second)),
                                  lambda r: list(key(r)), after, chunk) for index, where in sources]
    return pagination.merged(streams, key=key, count=limit)


def _state_filters(instance_id, number_type, country, prefix) -> tuple[str, dict]:
    sql, params = "", {}
    for column, value in (("instance_id", instance_id), ("number_type", number_type), ("country_code", country)):
        if value is not None:
            sql += f" AND {column} = :{column}"
            params[column] = value
    if prefix:
        condition, bounds = _prefix_condition(prefix)
        sql += condition
        params.update(bounds)
    return sql, params


def _state_fetch(call: Call, index: str, where: str, params: dict, order: tuple[str, str]):
    sql = (f"SELECT {STATE_COLUMNS} FROM {_table(call, index)} WHERE account = :account AND region = :region "
           f"AND {where}")

    def fetch(after, limit):
        clause, keyset = pagination.after_clause(order[0], order[1], after)
        return call.tx.all(f"{sql}{clause} ORDER BY {order[0]}, {order[1]} LIMIT :limit", **params, **keyset,
                           limit=limit)
    return fetch


def state_find(call: Call, phone_number_id: str):
    """A number with its flow, as ``find`` (None when unknown or gone), for the dashboard's detail."""
    row = find(call, phone_number_id)
    if row is None:
        return None
    return call.tx.one(f"SELECT {STATE_COLUMNS} FROM phone_numbers WHERE id = :id", id=row["id"])


def live_using(call: Call, source_arns: list[str]) -> dict:
    """The live Connect number (id, number, instance) backed by each of these End User Messaging ARNs, by ARN."""
    if not source_arns:
        return {}
    names = {f"a{i}": arn for i, arn in enumerate(source_arns)}
    rows = call.tx.all("SELECT id, phone_number, instance_id, source_phone_number_arn FROM phone_numbers "
                       "WHERE account = :account AND region = :region AND outcome = 'CLAIMED' "
                       f"AND source_phone_number_arn IN ({', '.join(':' + n for n in names)})",
                       account=call.account, region=call.region, **names)
    return {r["source_phone_number_arn"]: r for r in rows}
