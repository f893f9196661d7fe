"""The ``phone_numbers`` table: Connect numbers, claimed or imported. Every statement on the table lives here;
handler modules (phone_numbers, inventory, phone_number_updates, instances, End User Messaging) ask through
these functions.

A number's outcome (CLAIMED or FAILED) is fixed when it is accepted; its status is derived from the clock
(IN_PROGRESS until ``settles_at``), so every process and every store agrees on it without a background job.
"""
from __future__ import annotations

from ...core import arns
from ...core.call import Call
from ...core.errors import ResourceNotFoundException
from ...core.units import HOUR
from ...rules import release_rule
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


def of_instance(call: Call, instance_id: str) -> list:
    return call.tx.all(f"SELECT {COLUMNS} FROM phone_numbers WHERE account = :account AND region = :region "
                       "AND instance_id = :instance_id", account=call.account, region=call.region,
                       instance_id=instance_id)


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


def held_numbers(call: Call) -> list[str]:
    rows = call.tx.all("SELECT phone_number FROM phone_numbers WHERE account = :account AND region = :region "
                       "AND outcome = 'CLAIMED'", account=call.account, region=call.region)
    return [r["phone_number"] for r in rows]


def settled_claimed(call: Call, *, instance_id: str | None, countries: list[str] | None, types: list[str] | None,
                    prefix: str | None, after: list | None, limit: int) -> list:
    """One page of CLAIMED, settled numbers in (phone_number, id) order (lists show only those:
    docs/behaviour.md §3), with the list operations' filters."""
    sql = (f"SELECT {COLUMNS} FROM phone_numbers WHERE account = :account AND region = :region "
           "AND outcome = 'CLAIMED' AND settles_at <= :now")
    params: dict = {"account": call.account, "region": call.region, "now": call.now, "limit": limit}
    if instance_id is not None:
        sql += " AND instance_id = :instance_id"
        params["instance_id"] = instance_id
    for column, values in (("country_code", countries), ("number_type", types)):
        if values:
            names = [f"{column}_{i}" for i in range(len(values))]
            sql += f" AND {column} IN ({', '.join(':' + n for n in names)})"
            params.update(zip(names, values, strict=True))
    if prefix:
        sql += " AND substr(phone_number, 1, :prefix_length) = :prefix"
        params.update(prefix_length=len(prefix), prefix=prefix)
    clause, keyset = pagination.after_clause("phone_number", "id", after)
    return call.tx.all(sql + clause + " ORDER BY phone_number, id LIMIT :limit", **params, **keyset)


def all_of_partition(call: Call) -> list:
    """Every number of this account+Region, for the admin state view."""
    return call.tx.all(f"SELECT {COLUMNS} FROM phone_numbers WHERE account = :account AND region = :region "
                       "ORDER BY created_at, id", account=call.account, region=call.region)
