"""The admin API's read-only JSON view of all state, per account and Region, with the release window.

Statuses, quotas and the window are computed by the same functions the API uses, so the view never disagrees
with what DescribePhoneNumber or ClaimPhoneNumber would answer.
"""
from __future__ import annotations

from .. import clock
from ..core.call import Call
from ..rules import quotas, release_rule
from ..services.connect import instances, numbers
from ..services.sms_voice import phone_numbers as sms_numbers
from ..settings import Settings
from ..store.engine import Tx, partitions


def view(tx: Tx, settings: Settings) -> dict:
    offset = clock.offset(tx)
    now = clock.now(offset)
    # Every write takes its account+Region's lock, which creates the partitions row: it lists every partition.
    rows = partitions(tx)
    return {"now": now, "offset_seconds": offset, "partitions": [
        _partition(Call(service="admin", operation="State", account=r["account"], region=r["region"],
                                 principal_arn=f"arn:aws:iam::{r['account']}:root", now=now, tx=tx,
                                 settings=settings, request_id="admin"))
        for r in rows]}


def _partition(call: Call) -> dict:
    window = release_rule.state(call)
    return {
        "account": call.account,
        "region": call.region,
        "instances": [
            {"Id": row["id"], "Arn": row["arn"], "InstanceAlias": row["instance_alias"],
             "InstanceStatus": instances.status(call, row), "PhoneNumbersHeld": row["live_numbers"]}
            for row in instances.all_of_partition(call)],
        "phone_numbers": [
            {"PhoneNumberId": row["id"], "PhoneNumber": row["phone_number"], "InstanceId": row["instance_id"],
             "Status": numbers.status(call, row)[0], "SourcePhoneNumberArn": row["source_phone_number_arn"]}
            for row in numbers.all_of_partition(call)],
        "sms_voice_phone_numbers": [
            {"PhoneNumberId": row["id"], "PhoneNumber": row["phone_number"], "Status": sms_numbers.status(call, row),
             "NumberType": row["number_type"]}
            for row in sms_numbers.all_of_partition(call)],
        "release_window": {"events_in_window": window.events_in_window, "allowance": window.allowance,
                           "blocked": window.blocked, "lifts_at": window.lifts_at,
                           "window_days": call.settings.release_window_days},
        "phone_numbers_per_instance": quotas.phone_numbers_per_instance(call),
    }
