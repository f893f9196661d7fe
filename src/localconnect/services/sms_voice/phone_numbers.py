"""End User Messaging SMS/voice v2 phone numbers: RequestPhoneNumber, DescribePhoneNumbers,
UpdatePhoneNumber, ReleasePhoneNumber (docs/behaviour.md §5), and the admin seeding of numbers of any type.

Status is stored, except that a number requested as PENDING becomes ACTIVE at ``active_at`` (derived from
the clock, ``eum_activation_seconds``), so no background job runs.
"""
from __future__ import annotations

import json
import random
import uuid

from ...core import arns
from ...core.call import Call
from ...core.errors import ConflictException, ResourceNotFoundException, ValidationException
from ...core.units import DAY
from ...rules import retention
from .. import pagination, tagging
from ..authorization import either, resource, unscoped
from ..connect import numbers as connect_numbers
from ..registry import operation

DEFAULT_OPT_OUT_LIST = "Default"

# Where numbers can be requested, and the digits after the country code that requested numbers start with.
# The digits are synthetic (555 ranges where a country has them) so they never collide with a real number
# someone might dial from a test.
COUNTRIES: dict[str, tuple[str, dict[str, str]]] = {
    "US": ("1", {"LONG_CODE": "206555", "TOLL_FREE": "888555", "TEN_DLC": "425555", "SIMULATOR": "206555"}),
    "CA": ("1", {"LONG_CODE": "604555", "TOLL_FREE": "877555"}),
    "GB": ("44", {"LONG_CODE": "7700900", "TOLL_FREE": "800555"}),
    "AU": ("61", {"LONG_CODE": "491570", "TOLL_FREE": "1800555"}),
    "DE": ("49", {"LONG_CODE": "1555"}),
    "FR": ("33", {"LONG_CODE": "6555"}),
    "IE": ("353", {"LONG_CODE": "855"}),
    "JP": ("81", {"LONG_CODE": "80555"}),
    "IN": ("91", {"LONG_CODE": "95555"}),
    "MX": ("52", {"LONG_CODE": "55555"}),
    "BR": ("55", {"LONG_CODE": "11955"}),
    "NZ": ("64", {"LONG_CODE": "2155"}),
    "SG": ("65", {"LONG_CODE": "8555"}),
    "ZA": ("27", {"LONG_CODE": "82555"}),
}
_NUMBER_LENGTH = {"1": 10, "44": 10, "61": 9, "49": 11, "33": 9, "353": 9, "81": 10, "91": 10, "52": 10,
                  "55": 11, "64": 9, "65": 8, "27": 9}
PRICES = {"LONG_CODE": "1.00", "TOLL_FREE": "2.00", "TEN_DLC": "2.00", "SIMULATOR": "0.00", "SHORT_CODE": "995.00"}

_COLUMNS = ("id, arn, phone_number, status, active_at, iso_country_code, message_type, number_capabilities, "
            "number_type, monthly_leasing_price, two_way_enabled, two_way_channel_arn, two_way_channel_role, "
            "self_managed_opt_outs_enabled, opt_out_list_name, international_sending_enabled, "
            "deletion_protection_enabled, pool_id, registration_id, created_timestamp, deleted_at")


# --- reading -------------------------------------------------------------------------------------------

def status(call: Call, row) -> str:
    if row["status"] == "PENDING" and row["active_at"] is not None and call.now >= row["active_at"]:
        return "ACTIVE"
    return row["status"]


def find(call: Call, phone_number_id: str):
    """A number by id or ARN in this account+Region (DELETED ones included), or None; an ARN of another account
    or Region finds nothing."""
    number_id = arns.id_or_arn(phone_number_id, "sms-voice", "phone-number", call.region, call.account)
    if number_id is None:
        return None
    return call.tx.one(f"SELECT {_COLUMNS} FROM sms_phone_numbers WHERE id = :id AND account = :account "
                       "AND region = :region", id=number_id, account=call.account, region=call.region)


def exists(call: Call, phone_number: str) -> bool:
    """Whether this E.164 number (or short code) is held, not DELETED, in this account+Region."""
    return call.tx.one("SELECT 1 FROM sms_phone_numbers WHERE account = :account AND region = :region "
                       "AND phone_number = :phone_number AND status <> 'DELETED'",
                       account=call.account, region=call.region, phone_number=phone_number) is not None



# --- the admin state view and the dashboard: by status, from the status index (store/schema.py, migration 7) ---
STATE_STATUSES = ("PENDING", "ACTIVE", "ASSOCIATING", "DISASSOCIATING")  # DELETED numbers are never shown
_ACTIVATED = "active_at IS NOT NULL AND active_at <= :now"  # a PENDING row that status() shows as ACTIVE


def _by_status(call: Call) -> str:
    return "sms_phone_numbers INDEXED BY sms_phone_numbers_status" if call.tx.dialect == "sqlite" else \
        "sms_phone_numbers"


def state_counts(call: Call, cap: int) -> dict[str, int]:
    """Numbers per status shown now, each counted no further than ``cap`` (a count equal to ``cap`` means at
    least that many): one bounded index range per stored status."""
    counts: dict[str, int] = {}
    for stored in STATE_STATUSES:
        # Only PENDING rows are read for active_at; the others are counted in the index alone.
        activated = f"SUM(CASE WHEN {_ACTIVATED} THEN 1 ELSE 0 END)" if stored == "PENDING" else "0"
        column = "active_at" if stored == "PENDING" else "1 AS one"
        row = call.tx.one(f"SELECT COUNT(*) AS n, {activated} AS activated "
                          f"FROM (SELECT {column} FROM {_by_status(call)} WHERE account = :account "
                          "AND region = :region AND status = :status LIMIT :cap) AS capped",
                          account=call.account, region=call.region, status=stored, now=call.now, cap=cap)
        activated = int(row["activated"] or 0)
        for shown, n in ((stored, int(row["n"]) - activated), ("ACTIVE", activated)):
            if n:
                counts[shown] = min(cap, counts.get(shown, 0) + n)
    return counts


def state_page(call: Call, *, status: str | None, after: list | None, limit: int) -> list:
    """Up to ``limit`` numbers showing ``status`` now (any but DELETED when None), after ``after`` in
    (created_timestamp, id) order: one stream per stored status, merged."""
    if status is None:
        sources = [(s, "") for s in STATE_STATUSES]
    elif status == "ACTIVE":
        sources = [("ACTIVE", ""), ("PENDING", f" AND {_ACTIVATED}")]
    elif status == "PENDING":
        sources = [("PENDING", f" AND NOT ({_ACTIVATED})")]
    else:
        sources = [(status, "")]
    chunk = limit if len(sources) == 1 else min(limit, 64)

    def stream(stored: str, extra: str):
        def fetch(position, n):
            clause, keyset = pagination.after_clause("created_timestamp", "id", position)
            return call.tx.all(f"SELECT {_COLUMNS} FROM {_by_status(call)} WHERE account = :account "
                               f"AND region = :region AND status = :status{extra}{clause} "
                               "ORDER BY created_timestamp, id LIMIT :limit", account=call.account,
                               region=call.region, status=stored, now=call.now, limit=n, **keyset)
        return pagination.chunked(fetch, lambda r: [r["created_timestamp"], r["id"]], after, chunk)
    return pagination.merged([stream(s, extra) for s, extra in sources],
                             key=lambda r: (r["created_timestamp"], r["id"]), count=limit)


def get_live(call: Call, phone_number_id: str):
    row = find(call, phone_number_id)
    if row is None or row["status"] == "DELETED":
        raise ResourceNotFoundException(f"Phone number {phone_number_id} not found.", ResourceType="phone-number",
                                        ResourceId=phone_number_id)
    return row


def information(call: Call, row, *, with_tags: bool = False) -> dict:
    """PhoneNumberInformation; RequestPhoneNumber's output adds Tags."""
    info = {
        "PhoneNumberArn": row["arn"],
        "PhoneNumberId": row["id"],
        "PhoneNumber": row["phone_number"],
        "Status": status(call, row),
        "IsoCountryCode": row["iso_country_code"],
        "MessageType": row["message_type"],
        "NumberCapabilities": json.loads(row["number_capabilities"]),
        "NumberType": row["number_type"],
        "MonthlyLeasingPrice": row["monthly_leasing_price"],
        "TwoWayEnabled": bool(row["two_way_enabled"]),
        "TwoWayChannelArn": row["two_way_channel_arn"],
        "TwoWayChannelRole": row["two_way_channel_role"],
        "SelfManagedOptOutsEnabled": bool(row["self_managed_opt_outs_enabled"]),
        "OptOutListName": row["opt_out_list_name"],
        "InternationalSendingEnabled": bool(row["international_sending_enabled"]),
        "DeletionProtectionEnabled": bool(row["deletion_protection_enabled"]),
        "PoolId": row["pool_id"],
        "RegistrationId": row["registration_id"],
        "CreatedTimestamp": row["created_timestamp"],
    }
    if with_tags:
        info["Tags"] = tagging.as_list(tagging.get(call, row["arn"]))
    return info


# --- creating ------------------------------------------------------------------------------------------

def new_phone_number(call: Call, country: str, number_type: str) -> str:
    code, starts = COUNTRIES[country]
    start = starts[number_type]
    digits = _NUMBER_LENGTH[code] - len(start)
    rng = random.Random()
    for _ in range(50):
        candidate = f"+{code}{start}{rng.randrange(10 ** digits):0{digits}d}"
        if not exists(call, candidate):
            return candidate
    raise ConflictException(f"No more {number_type} numbers are available in {country}.",
                            Reason="RESOURCE_ALREADY_EXISTS", ResourceType="phone-number")


def insert(call: Call, *, phone_number: str, number_type: str, status_: str, active_at: float | None,
           iso_country_code: str, message_type: str, capabilities: list[str], opt_out_list_name: str,
           two_way_enabled: bool = False, two_way_channel_arn: str | None = None,
           two_way_channel_role: str | None = None, self_managed_opt_outs_enabled: bool = False,
           international_sending_enabled: bool = False, deletion_protection_enabled: bool = False,
           pool_id: str | None = None, registration_id: str | None = None,
           monthly_leasing_price: str | None = None, tags: dict | None = None):
    number_id = "phone-" + uuid.uuid4().hex
    arn = call.arn("sms-voice", f"phone-number/{number_id}")
    call.tx.insert(
        "sms_phone_numbers", id=number_id, account=call.account, region=call.region, arn=arn,
        phone_number=phone_number, status=status_, active_at=active_at, iso_country_code=iso_country_code,
        message_type=message_type, number_capabilities=json.dumps(capabilities), number_type=number_type,
        monthly_leasing_price=monthly_leasing_price or PRICES.get(number_type, "1.00"),
        two_way_enabled=int(two_way_enabled), two_way_channel_arn=two_way_channel_arn,
        two_way_channel_role=two_way_channel_role, self_managed_opt_outs_enabled=int(self_managed_opt_outs_enabled),
        opt_out_list_name=opt_out_list_name, international_sending_enabled=int(international_sending_enabled),
        deletion_protection_enabled=int(deletion_protection_enabled), pool_id=pool_id,
        registration_id=registration_id, created_timestamp=call.now,
        deleted_at=None if status_ != "DELETED" else call.now)
    tagging.put(call, arn, tags)
    return find(call, number_id)


def _check_opt_out_list(name: str | None) -> str:
    # Opt-out lists are not emulated beyond the account's default one, which always exists.
    if name is None or name == DEFAULT_OPT_OUT_LIST:
        return DEFAULT_OPT_OUT_LIST
    raise ResourceNotFoundException(f"Opt-out list {name} not found.", ResourceType="opt-out-list", ResourceId=name)


def _invalid(message: str, field: str, reason: str = "INVALID_PARAMETER") -> ValidationException:
    return ValidationException(message, Reason=reason, Fields=[{"Name": field, "Message": message}])


@operation("sms-voice", "RequestPhoneNumber", iam=unscoped("Tags"))
def request_phone_number(call: Call, req: dict) -> dict:
    country, number_type = req["IsoCountryCode"], req["NumberType"]
    if number_type == "SIMULATOR" and req["MessageType"] != "TRANSACTIONAL":
        raise _invalid("SIMULATOR numbers require MessageType TRANSACTIONAL.", "MessageType")
    if country not in COUNTRIES or number_type not in COUNTRIES[country][1]:
        raise _invalid(f"NumberType {number_type} cannot be requested in IsoCountryCode {country}.", "NumberType")
    if req.get("NumberPreference") and not (country == "US" and number_type == "TEN_DLC"):
        raise _invalid("NumberPreference can only be used for US TEN_DLC numbers.", "NumberPreference")
    if req.get("PoolId"):
        raise ResourceNotFoundException(f"Pool {req['PoolId']} not found.", ResourceType="pool",
                                        ResourceId=req["PoolId"])
    opt_out = _check_opt_out_list(req.get("OptOutListName"))
    pending = number_type in ("TOLL_FREE", "TEN_DLC") and call.settings.eum_activation_seconds > 0
    row = insert(
        call, phone_number=new_phone_number(call, country, number_type), number_type=number_type,
        status_="PENDING" if pending else "ACTIVE",
        active_at=call.now + call.settings.eum_activation_seconds if pending else None,
        iso_country_code=country, message_type=req["MessageType"], capabilities=req["NumberCapabilities"],
        opt_out_list_name=opt_out, international_sending_enabled=bool(req.get("InternationalSendingEnabled")),
        deletion_protection_enabled=bool(req.get("DeletionProtectionEnabled")),
        registration_id=req.get("RegistrationId"),
        tags=tagging.as_dict(req.get("Tags")))
    return information(call, row, with_tags=True)


# --- describing ----------------------------------------------------------------------------------------

_FILTER_MEMBERS = {"iso-country-code": "IsoCountryCode", "message-type": "MessageType", "number-type": "NumberType",
                   "opt-out-list-name": "OptOutListName", "two-way-channel-arn": "TwoWayChannelArn"}
_FILTER_FLAGS = {"two-way-enabled": "TwoWayEnabled", "self-managed-opt-outs-enabled": "SelfManagedOptOutsEnabled",
                 "deletion-protection-enabled": "DeletionProtectionEnabled"}


def _matches(info: dict, filters: list[dict]) -> bool:
    for flt in filters:
        name, values = flt["Name"], flt["Values"]
        if name == "status":
            ok = info["Status"] in values
        elif name == "number-capability":
            ok = any(c in values for c in info["NumberCapabilities"])
        elif name in _FILTER_FLAGS:
            ok = ("true" if info[_FILTER_FLAGS[name]] else "false") in [v.lower() for v in values]
        else:
            ok = info.get(_FILTER_MEMBERS[name]) in values
        if not ok:
            return False
    return True


# Rows a DescribePhoneNumbers call without PhoneNumberIds examines at most. A sparse filter's page may come back
# short, with a NextToken to go on from, as AWS's may (fewer than MaxResults is not the end of the list): each
# call then costs the same at any store size, and the token guarantees progress.
SCAN_LIMIT = 1000

_FILTER_COLUMNS = {"iso-country-code": "iso_country_code", "message-type": "message_type",
                   "number-type": "number_type", "opt-out-list-name": "opt_out_list_name",
                   "two-way-channel-arn": "two_way_channel_arn"}
_FLAG_COLUMNS = {"two-way-enabled": "two_way_enabled", "self-managed-opt-outs-enabled": "self_managed_opt_outs_enabled",
                 "deletion-protection-enabled": "deletion_protection_enabled"}
# One value of one of these filters picks the index the scan walks: it then reads only rows of that value.
_DRIVING = {"number-type": ("number_type", "sms_phone_numbers_type"),
            "iso-country-code": ("iso_country_code", "sms_phone_numbers_country")}


def _filters_sql(call: Call, filters: list[dict]) -> tuple[str, dict]:
    """Filters as one SQL condition meaning what ``_matches`` means (a filter's values: any of them; filters:
    all of them), evaluated by the database rather than row by row in Python."""
    parts, params = [], {}
    for i, flt in enumerate(filters):
        name, values = flt["Name"], flt["Values"]
        names = {f"f{i}_{j}": v for j, v in enumerate(values)}
        if name == "status":
            # Status is stored, but for PENDING numbers whose activation time has passed: ACTIVE (§5).
            terms = []
            for key, value in names.items():
                if value == "ACTIVE":
                    terms.append("status = 'ACTIVE' OR (status = 'PENDING' AND active_at <= :now)")
                elif value == "PENDING":
                    terms.append("(status = 'PENDING' AND (active_at IS NULL OR active_at > :now))")
                else:
                    terms.append(f"status = :{key}")
                    params[key] = value
            params["now"] = call.now
            parts.append("(" + " OR ".join(terms) + ")")
        elif name == "number-capability":
            # The stored JSON list holds each capability quoted: '"SMS"' occurs in it only as a whole element.
            find = "instr(number_capabilities, :{})" if call.tx.dialect == "sqlite" else "strpos(number_capabilities, :{})"
            parts.append("(" + " OR ".join(find.format(key) + " > 0" for key in names) + ")")
            params.update({key: json.dumps(value) for key, value in names.items()})
        elif name in _FLAG_COLUMNS:
            wanted = {v.lower() for v in values} & {"true", "false"}
            if len(wanted) == 1:
                parts.append(f"{_FLAG_COLUMNS[name]} = {1 if 'true' in wanted else 0}")
            elif not wanted:
                parts.append("1 = 0")
        else:
            parts.append(f"{_FILTER_COLUMNS[name]} IN ({', '.join(':' + key for key in names)})")
            params.update(names)
    return " AND ".join(parts), params


def _listed(call: Call, filters: list[dict], after: list | None, limit: int) -> tuple[list, list | None]:
    """Up to ``limit`` + 1 matching rows after ``after`` in (created_timestamp, id) order, among at most
    SCAN_LIMIT rows examined; and, when the scan stopped short of a full page, the position it reached (the
    NextToken's), None when it reached the end."""
    column, index, driving = None, "sms_phone_numbers_partition", None
    for flt in filters:
        if flt["Name"] in _DRIVING and len(flt["Values"]) == 1:
            (column, index), driving = _DRIVING[flt["Name"]], flt["Values"][0]
            break
    table = f"sms_phone_numbers INDEXED BY {index}" if call.tx.dialect == "sqlite" else "sms_phone_numbers"
    clause, params = pagination.after_clause("created_timestamp", "id", after)
    where = "account = :account AND region = :region" + (f" AND {column} = :driving" if column else "") + clause
    params.update(account=call.account, region=call.region, driving=driving)
    listed = " AND status <> 'DELETED'"
    condition, filter_params = _filters_sql(call, filters)
    if not condition:  # every row matches: the page is the scan
        return call.tx.all(f"SELECT {_COLUMNS} FROM {table} WHERE {where}{listed} "
                           "ORDER BY created_timestamp, id LIMIT :limit", **params, limit=limit + 1), None
    # Where the scan must stop: the SCAN_LIMIT-th row, read from the index alone. (The driving indexes hold only
    # numbers not DELETED; the partition's holds all, and DELETED ones, until retention takes them, count too.)
    end = call.tx.one(f"SELECT created_timestamp, id FROM {table} WHERE {where}{listed if column else ''} "
                      "ORDER BY created_timestamp, id LIMIT 1 OFFSET :last", **params, last=SCAN_LIMIT - 1)
    bound = ""
    if end is not None:
        bound = " AND created_timestamp <= :end_first AND (created_timestamp < :end_first OR id <= :end_second)"
        params.update(end_first=end["created_timestamp"], end_second=end["id"])
    rows = call.tx.all(f"SELECT {_COLUMNS} FROM {table} WHERE {where}{bound}{listed} AND {condition} "
                       "ORDER BY created_timestamp, id LIMIT :limit", **params, **filter_params, limit=limit + 1)
    if len(rows) > limit or end is None:
        return rows, None
    return rows, [end["created_timestamp"], end["id"]]


@operation("sms-voice", "DescribePhoneNumbers", write=False,
           iam=either("PhoneNumberIds", resource("PhoneNumberIds", "phone-number"), unscoped()))
def describe_phone_numbers(call: Call, req: dict) -> dict:
    ids, owner = req.get("PhoneNumberIds"), req.get("Owner")
    if ids and owner:
        raise _invalid("PhoneNumberIds and Owner cannot be used together.", "Owner",
                       "PARAMETERS_CANNOT_BE_USED_TOGETHER")
    filters = req.get("Filters") or []
    if ids:
        infos = [information(call, get_live(call, i)) for i in ids]
        return {"PhoneNumbers": [i for i in infos if _matches(i, filters)]}
    if owner == "SHARED":
        return {"PhoneNumbers": []}  # no resource sharing between accounts is emulated: nothing is shared in
    limit = req.get("MaxResults") or 100
    after = pagination.decode("sms-phone-numbers", req.get("NextToken"),
                              lambda m: _invalid(m, "NextToken", "INVALID_NEXT_TOKEN"), (pagination.NUMBER, str))
    rows, reached = _listed(call, filters, after, limit)
    rows, token = pagination.page(rows, limit, lambda r: [r["created_timestamp"], r["id"]], "sms-phone-numbers")
    if token is None and reached is not None:
        token = pagination.encode("sms-phone-numbers", reached)
    return {"PhoneNumbers": [information(call, row) for row in rows], "NextToken": token}


@retention.purger("released_sms_phone_numbers")
def purge_released(call: Call, limit: int) -> int:
    """Released (DELETED) numbers, ``release_window_days`` after their release: no call answers with them (each
    is ResourceNotFound, like an unknown id) and their tags went when they were released."""
    rows = call.tx.all("SELECT id FROM sms_phone_numbers WHERE account = :account AND region = :region "
                       "AND status = 'DELETED' AND deleted_at <= :before ORDER BY deleted_at LIMIT :limit",
                       account=call.account, region=call.region,
                       before=call.now - call.settings.release_window_days * DAY, limit=limit)
    for row in rows:
        call.tx.execute("DELETE FROM sms_phone_numbers WHERE id = :id", id=row["id"])
    return len(rows)


# --- changing ------------------------------------------------------------------------------------------

@operation("sms-voice", "UpdatePhoneNumber", iam=resource("PhoneNumberId", "phone-number"))
def update_phone_number(call: Call, req: dict) -> dict:
    row = get_live(call, req["PhoneNumberId"])
    if status(call, row) != "ACTIVE":
        raise ConflictException(f"Phone number {row['id']} is {status(call, row)}, not ACTIVE.",
                                Reason="RESOURCE_NOT_ACTIVE", ResourceType="phone-number", ResourceId=row["id"])
    changes: dict[str, object] = {}
    if "OptOutListName" in req:
        changes["opt_out_list_name"] = _check_opt_out_list(req["OptOutListName"])
    for member, column in (("TwoWayChannelArn", "two_way_channel_arn"), ("TwoWayChannelRole", "two_way_channel_role")):
        if member in req:
            changes[column] = req[member]
    for member, column in (("TwoWayEnabled", "two_way_enabled"),
                           ("SelfManagedOptOutsEnabled", "self_managed_opt_outs_enabled"),
                           ("InternationalSendingEnabled", "international_sending_enabled"),
                           ("DeletionProtectionEnabled", "deletion_protection_enabled")):
        if member in req:
            changes[column] = int(bool(req[member]))
    if changes.get("two_way_enabled") and not changes.get("two_way_channel_arn", row["two_way_channel_arn"]):
        raise _invalid("TwoWayChannelArn is required to enable two-way messaging.", "TwoWayChannelArn",
                       "TWO_WAY_CHANNEL_NOT_PRESENT")
    if changes:
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        call.tx.execute(f"UPDATE sms_phone_numbers SET {assignments} WHERE id = :number_id", number_id=row["id"],
                        **changes)
    return information(call, find(call, row["id"]))


@operation("sms-voice", "ReleasePhoneNumber", iam=resource("PhoneNumberId", "phone-number"))
def release_phone_number(call: Call, req: dict) -> dict:
    row = get_live(call, req["PhoneNumberId"])
    if row["deletion_protection_enabled"]:
        raise ConflictException(f"Phone number {row['id']} has deletion protection enabled.",
                                Reason="DELETION_PROTECTION_ENABLED", ResourceType="phone-number",
                                ResourceId=row["id"])
    if connect_numbers.live_with_source(call, row["arn"]):
        raise ConflictException(
            f"Phone number {row['id']} is imported into Amazon Connect; release it there first.",
            Reason="RESOURCE_DELETION_NOT_ALLOWED", ResourceType="phone-number", ResourceId=row["id"])
    call.tx.execute("UPDATE sms_phone_numbers SET status = 'DELETED', deleted_at = :now WHERE id = :id",
                    now=call.now, id=row["id"])
    tagging.drop(call, row["arn"])
    return information(call, find(call, row["id"]))
