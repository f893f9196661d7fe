"""The admin API's read-only JSON view of all state, per account and Region, with the release window."""
from __future__ import annotations

from .. import clock
from ..rules import release_rule
from ..settings import Settings
from ..store.engine import Tx


def view(tx: Tx, settings: Settings) -> dict:
    """A read-only JSON view of everything, per account and Region, with the release window's state."""
    partitions: dict[tuple[str, str], dict] = {}

    def part(account: str, region: str) -> dict:
        return partitions.setdefault((account, region), {
            "account": account, "region": region, "instances": [], "phone_numbers": [],
            "sms_voice_phone_numbers": []})

    offset = clock.offset(tx)
    now = clock.now(offset)
    for row in tx.all("SELECT account, region FROM partitions ORDER BY account, region"):
        part(row["account"], row["region"])
    for row in tx.all("SELECT account, region, id, arn, instance_alias, active_at, live_numbers FROM instances "
                      "ORDER BY created_time"):
        part(row["account"], row["region"])["instances"].append(
            {"Id": row["id"], "Arn": row["arn"], "InstanceAlias": row["instance_alias"],
             "InstanceStatus": "ACTIVE" if now >= row["active_at"] else "CREATION_IN_PROGRESS",
             "PhoneNumbersHeld": row["live_numbers"]})
    for row in tx.all("SELECT account, region, id, phone_number, instance_id, outcome, settles_at, "
                      "source_phone_number_arn FROM phone_numbers ORDER BY created_at"):
        part(row["account"], row["region"])["phone_numbers"].append(
            {"PhoneNumberId": row["id"], "PhoneNumber": row["phone_number"], "InstanceId": row["instance_id"],
             "Status": "IN_PROGRESS" if now < row["settles_at"] else row["outcome"],
             "SourcePhoneNumberArn": row["source_phone_number_arn"]})
    for row in tx.all("SELECT account, region, id, phone_number, status, active_at, number_type "
                      "FROM sms_phone_numbers ORDER BY created_timestamp"):
        shown = "ACTIVE" if row["status"] == "PENDING" and row["active_at"] is not None and now >= row["active_at"] \
            else row["status"]
        part(row["account"], row["region"])["sms_voice_phone_numbers"].append(
            {"PhoneNumberId": row["id"], "PhoneNumber": row["phone_number"], "Status": shown,
             "NumberType": row["number_type"]})
    for (account, region), p in partitions.items():
        q = tx.one("SELECT phone_numbers_per_instance AS q FROM partitions WHERE account = ? AND region = ?",
                   account, region)
        quota = settings.phone_numbers_per_instance if q is None or q["q"] is None else int(q["q"])
        events = [r["released_at"] for r in tx.all(
            "SELECT released_at FROM release_events WHERE account = ? AND region = ?", account, region)]
        window = release_rule.evaluate(events, now, quota, settings.release_allowance_percent,
                                       settings.release_window_days)
        p["release_window"] = {"events_in_window": window.events_in_window, "allowance": window.allowance,
                               "blocked": window.blocked, "lifts_at": window.lifts_at,
                               "window_days": settings.release_window_days}
        p["phone_numbers_per_instance"] = quota
    return {"now": now, "offset_seconds": offset, "partitions": list(partitions.values())}
