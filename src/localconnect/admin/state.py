"""The admin API's read-only view of all state (GET /_localconnect/state): per account and Region a summary
(numbers per status, the quotas in force, the release window) and the rows of its instances, Connect numbers
and End User Messaging numbers, one bounded page at a time.

Statuses, quotas and the window come from the functions the API answers with, so the view never disagrees with
what DescribePhoneNumber or ClaimPhoneNumber would say. Every count and page is read from an index in which the
rows read are the rows answered (services' ``state_*`` functions), so a call costs about the same with ten numbers
or a million, and holds one page.

A page is a walk through partitions (account, Region order) and, in each, the lists asked for (instances, then
Connect numbers, then End User Messaging numbers): it holds at most ``max_results`` rows and ``max_results``
partitions, and ``next_token`` names where the next page starts (present only while more remain).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .. import clock
from ..core import arns
from ..core.call import Call
from ..rules import quotas, release_rule
from ..services import pagination
from ..services.connect import instances, numbers
from ..services.sms_voice import phone_numbers as sms_numbers
from ..settings import Settings
from ..store.engine import Tx, partitions
from .errors import AdminError

LISTS = ("instances", "phone_numbers", "sms_voice_phone_numbers")
DEFAULT_PAGE = 100
MAX_PAGE = 1000
# End User Messaging numbers are counted per status up to this many (a bounded index range each): a count of
# COUNT_CAP means "at least". Counting costs about 2 ms per 10,000 (measured at a million: 24 ms with a cap of
# 100,000), and every state call carries the summary. Connect numbers are counted exactly, from the instances' own
# live-number counts.
COUNT_CAP = 10_000
STATUSES = {"instances": ("CREATION_IN_PROGRESS", "ACTIVE"),
            "phone_numbers": ("IN_PROGRESS", "CLAIMED", "FAILED"),
            "sms_voice_phone_numbers": sms_numbers.STATE_STATUSES}
# Connect PhoneNumberType values of the model; a filter on any other would only ever list nothing.
NUMBER_TYPES = ("TOLL_FREE", "DID", "UIFN", "SHARED", "THIRD_PARTY_TF", "THIRD_PARTY_DID", "SHORT_CODE")
_ACCOUNT = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+){1,3}-[0-9]{1,2}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_PREFIX = re.compile(r"\+?[0-9]{1,15}")
_TOKEN_KIND = "state"


@dataclass(frozen=True)
class Query:
    account: str | None = None
    region: str | None = None
    instance: str | None = None
    status: str | None = None
    number_type: str | None = None
    country: str | None = None
    prefix: str | None = None
    lists: tuple[str, ...] = LISTS
    max_results: int = DEFAULT_PAGE
    next_token: str | None = None

    def fingerprint(self) -> str:
        """What a token was made for: a token of other filters is refused rather than misread."""
        parts = [self.account, self.region, self.instance, self.status, self.number_type, self.country,
                 self.prefix, ",".join(self.lists)]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]

    def status_of(self, kind: str) -> str | None:
        return self.status if self.status in STATUSES[kind] else None


def _invalid(message: str) -> AdminError:
    return AdminError(400, "InvalidParameterException", message)


def _text(data: dict, key: str, pattern: re.Pattern | None = None, hint: str = "") -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
        raise _invalid(f"{key} must be {hint}")
    return value


def parse(data: dict) -> Query:
    """The query string (or JSON body) of GET /state, checked; a 400 names the parameter that is wrong."""
    known = {"account", "region", "instance", "status", "type", "country", "prefix", "lists", "max_results",
             "next_token"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise _invalid(f"unknown parameter {unknown[0]}; GET /state takes {', '.join(sorted(known))}")
    raw_lists = data.get("lists")
    if raw_lists is None:
        lists = None
    else:
        # "none" (or an empty JSON list): summaries only. A query string cannot say it with an empty value,
        # which the admin API's query parsing drops.
        names = [] if raw_lists == "none" else raw_lists.split(",") if isinstance(raw_lists, str) else raw_lists
        if not isinstance(names, list) or not all(isinstance(n, str) and n in LISTS for n in names if n):
            raise _invalid(f"lists must be a comma-separated subset of {', '.join(LISTS)}, or none (summaries only)")
        lists = tuple(n for n in LISTS if n in names)
    query = Query(
        account=_text(data, "account", _ACCOUNT, "12 digits"),
        region=_text(data, "region", _REGION, "a Region name such as us-east-1"),
        instance=_text(data, "instance", None),
        status=_text(data, "status", None),
        number_type=_text(data, "type", None),
        country=_text(data, "country", _COUNTRY, "an ISO 3166 alpha-2 code such as US"),
        prefix=_text(data, "prefix", _PREFIX, "a phone-number prefix such as +1206 (a + and up to 15 digits)"),
        max_results=_max_results(data.get("max_results")),
        next_token=_text(data, "next_token", None))
    if query.number_type is not None and query.number_type not in NUMBER_TYPES:
        raise _invalid(f"type must be one of {', '.join(NUMBER_TYPES)}")
    if query.prefix is not None and not query.prefix.startswith("+"):
        query = _replace(query, prefix="+" + query.prefix)  # as ListPhoneNumbersV2 reads PhoneNumberPrefix
    if lists is None:
        # Filters of Connect numbers narrow the view to the lists they filter.
        if query.instance is not None:
            lists = ("instances", "phone_numbers")
        elif query.number_type or query.country or query.prefix or query.status in STATUSES["phone_numbers"]:
            lists = ("phone_numbers",)
        elif query.status is not None:
            lists = tuple(k for k in LISTS if query.status in STATUSES[k])
        else:
            lists = LISTS
    if query.status is not None and not any(query.status in STATUSES[k] for k in lists):
        allowed = sorted({s for k in lists for s in STATUSES[k]})
        raise _invalid(f"status must be one of {', '.join(allowed)} for lists {','.join(lists) or '(none)'}")
    return _replace(query, lists=lists)


def _replace(query: Query, **changes: Any) -> Query:
    return Query(**{**query.__dict__, **changes})


def _max_results(value: Any) -> int:
    if value is None or value == "":
        return DEFAULT_PAGE
    if isinstance(value, str) and value.isdigit() and len(value) <= 7:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PAGE:
        raise _invalid(f"max_results must be a whole number from 1 to {MAX_PAGE}")
    return value


# --- the view ---------------------------------------------------------------------------------------------------

def view(tx: Tx, settings: Settings, data: dict | None = None) -> dict:
    query = parse(data or {})
    offset = clock.offset(tx)
    now = clock.now(offset)
    where = _instance_partition(tx, query)
    start = _start(query)
    chosen = [key for key in ((r["account"], r["region"]) for r in partitions(tx))
              if (key == where if where is not None else query.account in (None, key[0])
                  and query.region in (None, key[1]))
              and (start is None or key >= start[:2])]
    page = Page(query)
    for account, region in chosen:
        call = Call(service="admin", operation="State", account=account, region=region,
                    principal_arn=f"arn:aws:iam::{account}:root", now=now, tx=tx, settings=settings,
                    request_id="admin")
        resume = start if start is not None and (account, region) == start[:2] else None
        if not page.add_partition(call, resume):
            break
    out: dict = {"now": now, "offset_seconds": offset, "partitions": page.entries}
    if page.next_token is not None:
        out["next_token"] = page.next_token
    return out


def _instance_partition(tx: Tx, query: Query) -> tuple[str, str] | None:
    """The partition of the ``instance`` filter (an id, or an instance ARN); 404 when no partition has it."""
    if query.instance is None:
        return None
    instance_id = arns.instance_id_of(query.instance)
    row = instances.partition_of(tx, instance_id) if len(instance_id) <= 64 else None
    if row is None or any(v is not None and v != row[k] for k, v in (("account", query.account),
                                                                      ("region", query.region))):
        raise AdminError(404, "ResourceNotFoundException", f"Instance not found: {query.instance}")
    arn = arns.parse(query.instance)
    if arn is not None and (arn.account, arn.region) != (row["account"], row["region"]):
        raise AdminError(404, "ResourceNotFoundException", f"Instance not found: {query.instance}")
    return row["account"], row["region"]


def _start(query: Query) -> tuple | None:
    """(account, region, list index, position or None) of a next_token made for these filters."""
    if query.next_token is None:
        return None
    invalid = lambda message: _invalid("The next_token is not valid for this request.")  # noqa: E731
    fingerprint, account, region, index, first, second = pagination.decode(
        _TOKEN_KIND, query.next_token, invalid, (str, str, str, int, (int, float, str), str))
    if fingerprint != query.fingerprint() or not 0 <= index < len(query.lists):
        raise invalid("")
    if second == "":
        return account, region, index, None
    kind = query.lists[index]
    numeric = kind != "phone_numbers" or query.status_of(kind) == "IN_PROGRESS"
    if isinstance(first, str) == numeric:
        raise invalid("")
    return account, region, index, [first, second]


class Page:
    """Fills one page: partitions in order, the lists of each, until ``max_results`` rows or partitions."""

    def __init__(self, query: Query):
        self.query = query
        self.rows_left = query.max_results
        self.partitions_left = query.max_results
        self.entries: list[dict] = []
        self.next_token: str | None = None

    def _token(self, call: Call, index: int, position: list | None) -> str:
        first, second = position if position is not None else ("", "")
        return pagination.encode(_TOKEN_KIND, [self.query.fingerprint(), call.account, call.region, index,
                                               first, second])

    def add_partition(self, call: Call, resume: tuple | None) -> bool:
        """Add this partition's entry; False when the page is full (next_token then says where to go on)."""
        if self.partitions_left == 0 or (self.rows_left == 0 and self.query.lists):
            self.next_token = self._token(call, 0, None)
            return False
        self.partitions_left -= 1
        entry = summary(call)
        self.entries.append(entry)
        first_list, after = (resume[2], resume[3]) if resume is not None else (0, None)
        for index, kind in enumerate(self.query.lists):
            entry[kind] = []
            if index < first_list:
                continue
            rows = read(call, self.query, kind, after if index == first_list else None, self.rows_left + 1)
            if len(rows) > self.rows_left:
                kept = rows[:self.rows_left]
                entry[kind] = present(call, kind, kept)
                position = position_of(self.query, kind, kept[-1]) if kept else None
                self.next_token = self._token(call, index, position)
                for later in self.query.lists[index + 1:]:
                    entry[later] = []
                self.rows_left = 0
                return False
            entry[kind] = present(call, kind, rows)
            self.rows_left -= len(rows)
        return True


def position_of(query: Query, kind: str, row) -> list:
    if kind == "instances":
        return [row["created_time"], row["id"]]
    if kind == "sms_voice_phone_numbers":
        return [row["created_timestamp"], row["id"]]
    first, second = numbers.STATE_ORDER[query.status_of(kind)]
    return [row[first], row[second]]


def read(call: Call, query: Query, kind: str, after: list | None, limit: int) -> list:
    instance_id = arns.instance_id_of(query.instance) if query.instance is not None else None
    if limit <= 0:
        return []
    if kind == "instances":
        return instances.state_page(call, instance_id=instance_id, status=query.status_of(kind), after=after,
                                    limit=limit)
    if kind == "phone_numbers":
        return numbers.state_page(call, status=query.status_of(kind), instance_id=instance_id,
                                  number_type=query.number_type, country=query.country, prefix=query.prefix,
                                  after=after, limit=limit)
    return sms_numbers.state_page(call, status=query.status_of(kind), after=after, limit=limit)


# --- what each entry shows ----------------------------------------------------------------------------------------

def summary(call: Call) -> dict:
    """The partition's summary: cheap at any size (counts from indexes and the instances' own counts)."""
    instance_count, live = instances.state_totals(call)
    window = release_rule.state(call)
    sms_counts = sms_numbers.state_counts(call, COUNT_CAP)
    entry = {
        "account": call.account,
        "region": call.region,
        "phone_numbers_per_instance": quotas.phone_numbers_per_instance(call),
        "instances_per_region": quotas.instances_per_region(call),
        "release_window": {"events_in_window": window.events_in_window, "allowance": window.allowance,
                           "blocked": window.blocked, "lifts_at": window.lifts_at,
                           "window_days": call.settings.release_window_days,
                           "allowance_percent": call.settings.release_allowance_percent},
        "counts": {"instances": instance_count,
                   "phone_numbers": numbers.state_counts(call, live),
                   "sms_voice_phone_numbers": sms_counts},
    }
    if any(n >= COUNT_CAP for n in sms_counts.values()):
        entry["counts"]["sms_voice_counted_up_to"] = COUNT_CAP
    return entry


def present(call: Call, kind: str, rows: list) -> list[dict]:
    if kind == "instances":
        return [{"Id": r["id"], "Arn": r["arn"], "InstanceAlias": r["instance_alias"],
                 "InstanceStatus": instances.status(call, r), "PhoneNumbersHeld": r["live_numbers"],
                 "CreatedTime": r["created_time"]} for r in rows]
    if kind == "phone_numbers":
        out = []
        for r in rows:
            status, message = numbers.status(call, r)
            out.append({"PhoneNumberId": r["id"], "PhoneNumberArn": r["arn"], "PhoneNumber": r["phone_number"],
                        "PhoneNumberType": r["number_type"], "PhoneNumberCountryCode": r["country_code"],
                        "InstanceId": r["instance_id"], "Status": status, "StatusMessage": message,
                        "SourcePhoneNumberArn": r["source_phone_number_arn"], "CreatedAt": r["created_at"],
                        "SettlesAt": r["settles_at"]})
        return out
    users = numbers.live_using(call, [r["arn"] for r in rows])
    out = []
    for r in rows:
        user = users.get(r["arn"])
        out.append({"PhoneNumberId": r["id"], "PhoneNumberArn": r["arn"], "PhoneNumber": r["phone_number"],
                    "Status": sms_numbers.status(call, r), "NumberType": r["number_type"],
                    "IsoCountryCode": r["iso_country_code"], "MessageType": r["message_type"],
                    "CreatedTimestamp": r["created_timestamp"],
                    "ConnectPhoneNumberId": user["id"] if user else None,
                    "ConnectInstanceId": user["instance_id"] if user else None})
    return out
