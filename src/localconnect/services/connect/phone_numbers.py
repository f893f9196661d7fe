"""Connect phone numbers: ImportPhoneNumber, DescribePhoneNumber, ReleasePhoneNumber, ListPhoneNumbersV2,
ListPhoneNumbers (docs/behaviour.md §2, §3). The table itself is numbers.py's."""
from __future__ import annotations

import re
import uuid

from ...core import arns
from ...core.call import Call
from ...core.errors import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from ...rules import quotas, release_rule
from .. import pagination, tagging
from ..authorization import claim_or_import, resource, unscoped
from ..registry import operation
from ..sms_voice import phone_numbers as sms_numbers
from . import instances, numbers

_SOURCE_ID = re.compile(r"[A-Za-z0-9_-]+")
LIMIT_MESSAGE = "The phone number limit for the target has been reached."

# End User Messaging NumberType -> Connect PhoneNumberType (docs/behaviour.md §2 step 10)
_TYPE_FROM_SMS = {"TOLL_FREE": "TOLL_FREE", "TEN_DLC": "DID", "LONG_CODE": "DID", "SHORT_CODE": "SHORT_CODE",
                  "SIMULATOR": "DID"}
# ListPhoneNumbers (v1) reports only the older types (docs/behaviour.md §3)
_V1_TYPE = {"UIFN": "TOLL_FREE", "THIRD_PARTY_TF": "TOLL_FREE", "SHARED": "DID", "THIRD_PARTY_DID": "DID"}


# --- reading -------------------------------------------------------------------------------------------


def summary(call: Call, row) -> dict:
    state, message = numbers.status(call, row)
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


def accept(call: Call, instance, *, phone_number: str, country_code: str, number_type: str,
           description: str | None, tags: dict | None, source_arn: str | None) -> dict:
    """Write a new number, IN_PROGRESS for ``settle_seconds``; its outcome is decided now (docs/behaviour.md §3)."""
    number_id = str(uuid.uuid4())
    arn = call.arn("connect", f"phone-number/{number_id}")
    full = is_full(call, instance)
    outcome, message = ("FAILED", LIMIT_MESSAGE) if full else ("CLAIMED", None)
    settles_at = call.now + call.settings.settle_seconds
    numbers.insert(call, id=number_id, arn=arn, phone_number=phone_number, country_code=country_code,
                   number_type=number_type, description=description, target_arn=instance["arn"],
                   instance_id=instance["id"], source_phone_number_arn=source_arn, outcome=outcome,
                   failure_message=message, settles_at=settles_at, created_at=call.now)
    tagging.put(call, arn, tags)
    if not full:
        instances.count_live(call, instance["id"], +1)
    if full and call.settings.failed_counts_as_release:
        # Counted from acceptance, when the outcome is fixed: racing claims cannot overrun the allowance.
        release_rule.record(call, call.now, number_id, phone_number, source_arn, "FAILED")
    return {"PhoneNumberId": number_id, "PhoneNumberArn": arn}


def _parse_source_arn(call: Call, value: str) -> str:
    arn = arns.parse(value)
    path = arn.path if arn else []
    if (arn is None or arn.service != "sms-voice" or not arn.region or len(path) != 2 or path[0] != "phone-number"
            or not _SOURCE_ID.fullmatch(path[1])):
        raise InvalidParameterException(
            f"SourcePhoneNumberArn is not an AWS End User Messaging SMS phone number ARN: {value}")
    if arn.region != call.region:
        raise InvalidParameterException(
            f"SourcePhoneNumberArn is in Region {arn.region}; import it in that Region, not {call.region}.")
    if arn.account != call.account:
        raise InvalidParameterException(
            f"SourcePhoneNumberArn belongs to account {arn.account}, not to the calling account {call.account}.")
    return path[1]


@operation("connect", "ImportPhoneNumber", iam=claim_or_import(source_member="SourcePhoneNumberArn"))
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
    if numbers.live_with_source(call, source["arn"]):
        raise InvalidParameterException(                                       # 8: InvalidParameter
            f"Source phone number {source_arn} is already imported into Amazon Connect.")
    if numbers.live_with_number(call, source["phone_number"]):
        # the same E.164 number, claimed from the inventory or imported from another source
        raise InvalidParameterException(
            f"Phone number {source['phone_number']} is already claimed in Amazon Connect.")
    release_rule.ensure_not_blocked(call)                                      # 9: LimitExceeded
    return accept(call, instance, phone_number=source["phone_number"],         # 10
                  country_code=source["iso_country_code"], number_type=_TYPE_FROM_SMS[source["number_type"]],
                  description=req.get("PhoneNumberDescription"), tags=req.get("Tags"), source_arn=source["arn"])


@operation("connect", "DescribePhoneNumber", write=False, iam=resource("PhoneNumberId", "phone-number"))
def describe_phone_number(call: Call, req: dict) -> dict:
    return {"ClaimedPhoneNumberSummary": summary(call, numbers.get(call, req["PhoneNumberId"]))}


# --- releasing -----------------------------------------------------------------------------------------

def ensure_settled(call: Call, row) -> None:
    if numbers.status(call, row)[0] == "IN_PROGRESS":
        raise ResourceInUseException(
            f"Phone number {row['id']} is IN_PROGRESS; wait until DescribePhoneNumber shows it settled.",
            ResourceType="PHONE_NUMBER", ResourceId=row["arn"])


@operation("connect", "ReleasePhoneNumber", iam=resource("PhoneNumberId", "phone-number"))
def release_phone_number(call: Call, req: dict) -> None:
    row = numbers.get(call, req["PhoneNumberId"])
    ensure_settled(call, row)
    if numbers.remove(call, row, "ReleasePhoneNumber"):
        instances.count_live(call, row["instance_id"], -1)
    return None


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
        found = arns.resource_id(target_arn, "connect", "instance", call.region, call.account)
        row = instances.find(call, found) if found else None
        if row is None:
            raise ResourceNotFoundException(f"Target not found: {target_arn}")
        return row
    if instance_id:
        return instances.get(call, instance_id)
    return None


def _page(call: Call, req: dict, instance, kind: str, error, *, v1: bool) -> tuple[list, str | None]:
    """A page of the CLAIMED numbers matching a list request's filters."""
    limit = req.get("MaxResults") or 100
    types = req.get("PhoneNumberTypes")
    if types and v1:  # v1 reports UIFN as TOLL_FREE etc., so a TOLL_FREE filter must find them too
        types = sorted(set(types) | {old for old, shown in _V1_TYPE.items() if shown in types})
    prefix = req.get("PhoneNumberPrefix")
    rows = numbers.settled_claimed(
        call, instance_id=instance["id"] if instance is not None else None,
        countries=req.get("PhoneNumberCountryCodes"), types=types,
        prefix=(prefix if prefix.startswith("+") else "+" + prefix) if prefix else None,
        after=pagination.decode(kind, req.get("NextToken"), error, (str, str)), limit=limit + 1)
    return pagination.page(rows, limit, lambda r: [r["phone_number"], r["id"]], kind)


@operation("connect", "ListPhoneNumbersV2", write=False, iam=unscoped())
def list_phone_numbers_v2(call: Call, req: dict) -> dict:
    instance = target_instance(call, req)
    rows, token = _page(call, req, instance, "phone-numbers-v2", InvalidParameterException, v1=False)
    return {"ListPhoneNumbersSummaryList": [{
        "PhoneNumberId": r["id"], "PhoneNumberArn": r["arn"], "PhoneNumber": r["phone_number"],
        "PhoneNumberCountryCode": r["country_code"], "PhoneNumberType": r["number_type"],
        "TargetArn": r["target_arn"], "InstanceId": r["instance_id"], "PhoneNumberDescription": r["description"],
        "SourcePhoneNumberArn": r["source_phone_number_arn"],
    } for r in rows], "NextToken": token}


@operation("connect", "ListPhoneNumbers", write=False, iam=resource("InstanceId", "instance", with_tags=False))
def list_phone_numbers(call: Call, req: dict) -> dict:
    instance = instances.get(call, req["InstanceId"])
    rows, token = _page(call, req, instance, "phone-numbers-v1", InvalidRequestException, v1=True)
    return {"PhoneNumberSummaryList": [{
        "Id": r["id"],
        "Arn": call.arn("connect", f"instance/{r['instance_id']}/phone-number/{r['id']}"),  # legacy form
        "PhoneNumber": r["phone_number"],
        "PhoneNumberType": _V1_TYPE.get(r["number_type"], r["number_type"]),
        "PhoneNumberCountryCode": r["country_code"],
    } for r in rows], "NextToken": token}
