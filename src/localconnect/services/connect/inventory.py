"""Amazon Connect's own number inventory: SearchAvailablePhoneNumbers and ClaimPhoneNumber (docs/behaviour.md §11).

The inventory is synthetic and deterministic: per country and type, ranges reserved for fiction where the
numbering plan has them (US 555-01XX, Ofcom's drama ranges, ACMA's), so a claimed number is never a real
subscriber's. A number is available unless this account+Region holds it (IN_PROGRESS or CLAIMED) or
released it within ``claim_cooldown_days``.
"""
from __future__ import annotations

import functools

from ...core.call import Call
from ...core.errors import InvalidParameterException
from ...core.units import DAY
from ...rules import release_rule
from .. import pagination
from ..authorization import claim_or_import, unscoped
from ..registry import operation
from . import instances, numbers, phone_numbers

# (country, type) -> (prefixes, digits after the prefix, first suffix, count)
_RANGES: dict[tuple[str, str], tuple[tuple[str, ...], int, int, int]] = {
    ("US", "DID"): (("+1206555", "+1212555", "+1312555", "+1415555", "+1503555", "+1617555", "+1702555",
                     "+1808555"), 4, 100, 100),
    ("US", "TOLL_FREE"): (("+1800555", "+1833555", "+1844555", "+1855555", "+1866555", "+1877555"), 4, 100, 100),
    ("US", "UIFN"): (("+8005550",), 4, 100, 100),
    ("CA", "DID"): (("+1416555", "+1604555", "+1514555"), 4, 100, 100),
    ("CA", "TOLL_FREE"): (("+1855555",), 4, 200, 100),
    ("GB", "DID"): (("+4420794600", "+4411349600"), 2, 0, 100),
    ("GB", "TOLL_FREE"): (("+4480815700",), 2, 0, 100),
    ("GB", "UIFN"): (("+8005551",), 4, 100, 100),
    ("AU", "DID"): (("+61255500", "+61355500"), 3, 100, 100),
    ("AU", "TOLL_FREE"): (("+61180016",), 4, 401, 99),
    ("DE", "DID"): (("+4930555",), 4, 100, 100),
    ("DE", "TOLL_FREE"): (("+49800555",), 4, 100, 100),
    ("FR", "DID"): (("+3317555",), 4, 100, 100),
    ("FR", "TOLL_FREE"): (("+3380555",), 4, 100, 100),
    ("JP", "DID"): (("+81355550",), 4, 100, 100),
    ("JP", "TOLL_FREE"): (("+81120555",), 4, 100, 100),
    ("NZ", "DID"): (("+6495550",), 3, 100, 100),
    ("IE", "DID"): (("+35315550",), 3, 100, 100),
}


@functools.lru_cache(maxsize=None)
def catalogue(country: str, number_type: str) -> tuple[str, ...]:
    """Every number of this country and type, sorted."""
    spec = _RANGES.get((country, number_type))
    if spec is None:
        return ()
    prefixes, digits, first, count = spec
    return tuple(sorted(f"{p}{n:0{digits}d}" for p in prefixes for n in range(first, first + count)))


@functools.lru_cache(maxsize=None)
def _index() -> dict[str, tuple[str, str]]:
    """Phone number -> (country, type), for ClaimPhoneNumber."""
    return {number: key for key in _RANGES for number in catalogue(*key)}


def unavailable(call: Call) -> set[str]:
    """Numbers of this account+Region that are held or cooling down."""
    cooling = release_rule.recent_claimed_releases(call, call.now - call.settings.claim_cooldown_days * DAY)
    return set(numbers.held_numbers(call)) | set(cooling)


@operation("connect", "SearchAvailablePhoneNumbers", write=False, iam=unscoped())
def search_available_phone_numbers(call: Call, req: dict) -> dict:
    instance = phone_numbers.target_instance(call, req, required=True)
    country, number_type = req["PhoneNumberCountryCode"], req["PhoneNumberType"]
    prefix = req.get("PhoneNumberPrefix")
    if prefix and not prefix.startswith("+"):
        prefix = "+" + prefix
    limit = req.get("MaxResults") or 10
    after = pagination.decode("available", req.get("NextToken"), InvalidParameterException, (str, str))
    taken = unavailable(call)
    found: list[str] = []
    for number in catalogue(country, number_type):
        if after is not None and number <= after[0]:
            continue
        if prefix and not number.startswith(prefix):
            continue
        if number in taken:
            continue
        found.append(number)
        if len(found) > limit:
            break
    page, token = pagination.page(found, limit, lambda n: [n, instance["id"]], "available")
    return {"AvailableNumbersList": [{"PhoneNumber": n, "PhoneNumberCountryCode": country,
                                      "PhoneNumberType": number_type} for n in page],
            "NextToken": token}


@operation("connect", "ClaimPhoneNumber", iam=claim_or_import())
def claim_phone_number(call: Call, req: dict) -> dict:
    instance = phone_numbers.target_instance(call, req, required=True)
    instance = instances.active(call, instance["id"])                          # ResourceNotFound
    number = req["PhoneNumber"]
    where = _index().get(number)
    if where is None or number in unavailable(call):                          # InvalidParameter
        raise InvalidParameterException(f"Phone number not available: {number}")
    release_rule.ensure_not_blocked(call)                                      # LimitExceeded
    country, number_type = where
    return phone_numbers.accept(call, instance, phone_number=number, country_code=country, number_type=number_type,
                                description=req.get("PhoneNumberDescription"), tags=req.get("Tags"), source_arn=None)
