"""Connect phone numbers: ImportPhoneNumber, DescribePhoneNumber, ReleasePhoneNumber, ListPhoneNumbersV2,
ListPhoneNumbers (spec 4, 7.1, 7.2, 12.2, 12.3).

A number's outcome (CLAIMED or FAILED) is fixed when it is accepted; its status is derived from the clock
(IN_PROGRESS until ``settles_at``), so every process and every store agrees on it without a background job.
"""
from __future__ import annotations

import re
import uuid

from ...gateway.errors import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from ...rules import quotas, release_rule
from .. import pagination, tagging
from ..registry import Call, operation
from ..sms_voice import phone_numbers as sms_numbers
from . import instances

LIMIT_MESSAGE = "The phone number limit for the target has been reached."

# End User Messaging NumberType -> Connect PhoneNumberType (spec 12.2 step 10)
_TYPE_FROM_SMS = {"TOLL_FREE": "TOLL_FREE", "TEN_DLC": "DID", "LONG_CODE": "DID", "SHORT_CODE": "SHORT_CODE",
                  "SIMULATOR": "DID"}
# ListPhoneNumbers (v1) reports only the older types (spec 4.2)
_V1_TYPE = {"UIFN": "TOLL_FREE", "THIRD_PARTY_TF": "TOLL_FREE", "SHARED": "DID", "THIRD_PARTY_DID": "DID"}

_COLUMNS = ("id, arn, phone_number, country_code, number_type, description, target_arn, instance_id, "
            "source_phone_number_arn, outcome, failure_message, settles_at, created_at")
_SOURCE_ARN = re.compile(r"^arn:aws:sms-voice:([a-z0-9-]+):(\d{12}):phone-number/([A-Za-z0-9_-]+)$")
_CONNECT_ARN = re.compile(r"^arn:aws:connect:([a-z0-9-]+):(\d{12}):phone-number/([^/]+)$")


# --- reading -------------------------------------------------------------------------------------------

def status(call: Call, row) -> tuple[str, str | None]:
    """IN_PROGRESS until settled; then FAILED (a failed claim or import, or a CLAIMED number whose last
    UpdatePhoneNumber failed: it stays where it was, with the reason) or CLAIMED."""
    if call.now < row["settles_at"]:
        return "IN_PROGRESS", None
    if row["failure_message"]:
        return "FAILED", row["failure_message"]
    return row["outcome"], None


def _gone(call: Call, row) -> bool:
    """FAILED numbers stay describable for ``failed_retention_hours``, then answer 404 (spec 12.3)."""
    return (row["outcome"] == "FAILED"
            and call.now >= row["settles_at"] + call.settings.failed_retention_hours * 3600)


def find(call: Call, phone_number_id: str):
    """A number by id or by its ARN, in this account and Region; None when unknown or gone."""
    number_id = phone_number_id
    match = _CONNECT_ARN.match(phone_number_id)
    if match:
        region, account, number_id = match.groups()
        if region != call.region or account != call.account:
            return None
    row = call.tx.one(f"SELECT {_COLUMNS} FROM phone_numbers WHERE id = ? AND account = ? AND region = ?",
                      number_id, call.account, call.region)
    if row is None or _gone(call, row):
        return None
    return row


def get(call: Call, phone_number_id: str):
    row = find(call, phone_number_id)
    if row is None:
        raise ResourceNotFoundException(f"Phone number not found: {phone_number_id}")
    return row


def summary(call: Call, row) -> dict:
    state, message = status(call, row)
    return {
        "PhoneNumberId": row["id"],
        "PhoneNumberArn": row["arn"],
        "PhoneNumber": row["phone_number"],
        "PhoneNumberCountryCode": row["country_code"],
        "PhoneNumberType": row["number_type"],
        "PhoneNumberDescription": row["description"],
        "TargetArn": row["target_arn"],
        "InstanceId": row["instance_id"],
        "Tags": tagging.get(call, row["arn"]) or None,
        "PhoneNumberStatus": {"Status": state, "Message": message},
        "SourcePhoneNumberArn": row["source_phone_number_arn"],
    }


# --- accepting a claim or an import --------------------------------------------------------------------

def is_full(call: Call, instance) -> bool:
    """Whether an instance (its row, read in this transaction) already holds its quota of live numbers
    (IN_PROGRESS or CLAIMED, i.e. accepted with outcome CLAIMED)."""
    return instance["live_numbers"] >= quotas.phone_numbers_per_instance(call)


def count_live(call: Call, instance_id: str, delta: int) -> None:
    """Keep instances.live_numbers exact: every change of a live number's instance goes through here."""
    call.tx.execute("UPDATE instances SET live_numbers = live_numbers + ? WHERE id = ?", delta, instance_id)


def accept(call: Call, instance, *, phone_number: str, country_code: str, number_type: str,
           description: str | None, tags: dict | None, source_arn: str | None) -> dict:
    """Write a new number, IN_PROGRESS for ``settle_seconds``; its outcome is decided now (spec 12.3)."""
    number_id = str(uuid.uuid4())
    arn = call.arn("connect", f"phone-number/{number_id}")
    full = is_full(call, instance)
    outcome, message = ("FAILED", LIMIT_MESSAGE) if full else ("CLAIMED", None)
    settles_at = call.now + call.settings.settle_seconds
    call.tx.execute(
        f"INSERT INTO phone_numbers ({_COLUMNS}, account, region) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        number_id, arn, phone_number, country_code, number_type, description, instance["arn"], instance["id"],
        source_arn, outcome, message, settles_at, call.now, call.account, call.region)
    tagging.put(call, arn, tags)
    if not full:
        count_live(call, instance["id"], +1)
    if full and call.settings.failed_counts_as_release:
        # Counted from acceptance, when the outcome is fixed: racing claims cannot overrun the allowance.
        release_rule.record(call, call.now, number_id, phone_number, source_arn, "FAILED")
    return {"PhoneNumberId": number_id, "PhoneNumberArn": arn}


def _parse_source_arn(call: Call, arn: str) -> str:
    match = _SOURCE_ARN.match(arn)
    if not match:
        raise InvalidParameterException(
            f"SourcePhoneNumberArn is not an AWS End User Messaging SMS phone number ARN: {arn}")
    region, account, source_id = match.groups()
    if region != call.region:
        raise InvalidParameterException(
            f"SourcePhoneNumberArn is in Region {region}; import it in that Region, not {call.region}.")
    if account != call.account:
        raise InvalidParameterException(
            f"SourcePhoneNumberArn belongs to account {account}, not to the calling account {call.account}.")
    return source_id


@operation("connect", "ImportPhoneNumber")
def import_phone_number(call: Call, req: dict) -> dict:
    instance = instances.active(call, req["InstanceId"])                      # 3: ResourceNotFound
    source_arn = req["SourcePhoneNumberArn"]
    source_id = _parse_source_arn(call, source_arn)                            # 4, 5: InvalidParameter
    source = sms_numbers.find(call, source_id)
    if source is None or sms_numbers.status(call, source) == "DELETED":       # 6: ResourceNotFound
        raise ResourceNotFoundException(f"Source phone number not found: {source_arn}")
    source_status = sms_numbers.status(call, source)
    if source_status != "ACTIVE":                                              # 7: InvalidParameter
        raise InvalidParameterException(
            f"Source phone number {source_arn} is {source_status}; only ACTIVE numbers can be imported.")
    if source["number_type"] == "SIMULATOR" and not call.settings.allow_simulator_import:
        raise InvalidParameterException(
            f"Source phone number {source_arn} is a SIMULATOR number; simulator numbers cannot be imported.")
    # Two indexed lookups: one query with OR would scan the instance's numbers.
    if call.tx.one("SELECT 1 FROM phone_numbers WHERE account = ? AND region = ? AND source_phone_number_arn = ? "
                   "AND outcome = 'CLAIMED'", call.account, call.region, source["arn"]):
        raise InvalidParameterException(                                       # 8: InvalidParameter
            f"Source phone number {source_arn} is already imported into Amazon Connect.")
    if call.tx.one("SELECT 1 FROM phone_numbers WHERE account = ? AND region = ? AND phone_number = ? "
                   "AND outcome = 'CLAIMED'", call.account, call.region, source["phone_number"]):
        # the same E.164 number, claimed from the inventory or imported from another source
        raise InvalidParameterException(
            f"Phone number {source['phone_number']} is already claimed in Amazon Connect.")
    release_rule.ensure_not_blocked(call)                                      # 9: LimitExceeded
    return accept(call, instance, phone_number=source["phone_number"],         # 10
                  country_code=source["iso_country_code"], number_type=_TYPE_FROM_SMS[source["number_type"]],
                  description=req.get("PhoneNumberDescription"), tags=req.get("Tags"), source_arn=source["arn"])


@operation("connect", "DescribePhoneNumber", write=False)
def describe_phone_number(call: Call, req: dict) -> dict:
    return {"ClaimedPhoneNumberSummary": summary(call, get(call, req["PhoneNumberId"]))}


# --- releasing -----------------------------------------------------------------------------------------

def _remove(call: Call, row, cause: str) -> None:
    """Delete a number; a live one (accepted with outcome CLAIMED) leaves a release event behind."""
    if row["outcome"] == "CLAIMED":
        release_rule.record(call, call.now, row["id"], row["phone_number"], row["source_phone_number_arn"], cause)
        count_live(call, row["instance_id"], -1)
    tagging.drop(call, row["arn"])
    call.tx.execute("DELETE FROM phone_numbers WHERE id = ?", row["id"])


def ensure_settled(call: Call, row) -> None:
    if status(call, row)[0] == "IN_PROGRESS":
        raise ResourceInUseException(
            f"Phone number {row['id']} is IN_PROGRESS; wait until DescribePhoneNumber shows it settled.",
            ResourceType="PHONE_NUMBER", ResourceId=row["arn"])


@operation("connect", "ReleasePhoneNumber")
def release_phone_number(call: Call, req: dict) -> None:
    row = get(call, req["PhoneNumberId"])
    ensure_settled(call, row)
    _remove(call, row, "ReleasePhoneNumber")
    return None


def release_all_of_instance(call: Call, instance_id: str) -> None:
    """DeleteInstance releases the instance's numbers with it (spec 7.4)."""
    for row in call.tx.all(f"SELECT {_COLUMNS} FROM phone_numbers WHERE account = ? AND region = ? AND instance_id = ?",
                           call.account, call.region, instance_id):
        _remove(call, row, "DeleteInstance")


# --- listing -------------------------------------------------------------------------------------------

def target_instance(call: Call, req: dict, *, required: bool = False):
    """The instance a request's InstanceId or TargetArn names (at most one of them; exactly one when
    ``required``), or None when neither is given. Traffic distribution groups are not emulated."""
    instance_id, target_arn = req.get("InstanceId"), req.get("TargetArn")
    if instance_id and target_arn:
        raise InvalidParameterException("Specify either InstanceId or TargetArn, not both.")
    if required and not (instance_id or target_arn):
        raise InvalidParameterException("Specify either InstanceId or TargetArn.")
    if target_arn:
        if ":instance/" not in target_arn or "/phone-number/" in target_arn:
            raise ResourceNotFoundException(f"Target not found: {target_arn}")
        row = instances.find(call, target_arn) if target_arn.startswith(call.arn("connect", "instance/")) else None
        if row is None:
            raise ResourceNotFoundException(f"Target not found: {target_arn}")
        return row
    if instance_id:
        return instances.get(call, instance_id)
    return None


def _settled_claimed(call: Call, req: dict, instance, v1: bool):
    """The SQL and parameters of CLAIMED numbers matching a list request's filters (spec 12.3: lists show
    CLAIMED numbers only)."""
    sql = (f"SELECT {_COLUMNS} FROM phone_numbers WHERE account = ? AND region = ? AND outcome = 'CLAIMED' "
           "AND settles_at <= ?")
    params: list = [call.account, call.region, call.now]
    if instance is not None:
        sql += " AND instance_id = ?"
        params.append(instance["id"])
    countries = req.get("PhoneNumberCountryCodes")
    if countries:
        sql += f" AND country_code IN ({', '.join('?' * len(countries))})"
        params += countries
    types = req.get("PhoneNumberTypes")
    if types:
        stored = set(types)
        if v1:  # v1 reports UIFN as TOLL_FREE etc., so a TOLL_FREE filter must find them too
            stored |= {old for old, shown in _V1_TYPE.items() if shown in types}
        sql += f" AND number_type IN ({', '.join('?' * len(stored))})"
        params += sorted(stored)
    prefix = req.get("PhoneNumberPrefix")
    if prefix:
        prefix = prefix if prefix.startswith("+") else "+" + prefix
        sql += " AND substr(phone_number, 1, ?) = ?"
        params += [len(prefix), prefix]
    return sql, params


def _page(call: Call, sql: str, params: list, req: dict, kind: str, error) -> tuple[list, str | None]:
    limit = req.get("MaxResults") or 100
    after = pagination.decode(kind, req.get("NextToken"), error, (str, str))
    if after is not None:
        sql += " AND (phone_number > ? OR (phone_number = ? AND id > ?))"
        params = params + [after[0], after[0], after[1]]
    rows = call.tx.all(sql + " ORDER BY phone_number, id LIMIT ?", *params, limit + 1)
    return pagination.page(rows, limit, lambda r: [r["phone_number"], r["id"]], kind)


@operation("connect", "ListPhoneNumbersV2", write=False)
def list_phone_numbers_v2(call: Call, req: dict) -> dict:
    instance = target_instance(call, req)
    sql, params = _settled_claimed(call, req, instance, v1=False)
    rows, token = _page(call, sql, params, req, "phone-numbers-v2", InvalidParameterException)
    return {"ListPhoneNumbersSummaryList": [{
        "PhoneNumberId": r["id"], "PhoneNumberArn": r["arn"], "PhoneNumber": r["phone_number"],
        "PhoneNumberCountryCode": r["country_code"], "PhoneNumberType": r["number_type"],
        "TargetArn": r["target_arn"], "InstanceId": r["instance_id"], "PhoneNumberDescription": r["description"],
        "SourcePhoneNumberArn": r["source_phone_number_arn"],
    } for r in rows], "NextToken": token}


@operation("connect", "ListPhoneNumbers", write=False)
def list_phone_numbers(call: Call, req: dict) -> dict:
    instance = instances.get(call, req["InstanceId"])
    sql, params = _settled_claimed(call, req, instance, v1=True)
    rows, token = _page(call, sql, params, req, "phone-numbers-v1", InvalidRequestException)
    return {"PhoneNumberSummaryList": [{
        "Id": r["id"],
        "Arn": call.arn("connect", f"instance/{r['instance_id']}/phone-number/{r['id']}"),  # legacy form
        "PhoneNumber": r["phone_number"],
        "PhoneNumberType": _V1_TYPE.get(r["number_type"], r["number_type"]),
        "PhoneNumberCountryCode": r["country_code"],
    } for r in rows], "NextToken": token}
