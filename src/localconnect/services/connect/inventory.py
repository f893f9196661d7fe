"""Amazon Connect's own number inventory: SearchAvailablePhoneNumbers and ClaimPhoneNumber (docs/behaviour.md §11).

The inventory is synthetic and deterministic: per country and type, ranges reserved for fiction where the
numbering plan has them (US 555-01XX, Ofcom's drama ranges, ACMA's), so a claimed number is never a real
subscriber's. A number is available unless this account+Region holds it (IN_PROGRESS or CLAIMED) or
released it within ``claim_cooldown_days``.
"""
from __future__ import annotations

import bisect
import functools

from ...core.call import Call
from ...core.errors import InvalidParameterException
from ...core.units import DAY
from ...rules import release_rule
from .. import pagination
from ..authorization import claim_or_import, unscoped
from ..registry import operation
from . import instances, numbers, phone_numbers
from .inventory_ranges import RANGES as _RANGES  # per country and type; the rule is there


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


# Candidates asked about per round trip, at most: one statement probes each through an index (held? cooling?).
_CHUNK = 64


def available(call: Call, candidates: list[str]) -> list[str]:
    """Those of ``candidates`` this account+Region neither holds nor is cooling down, in their order: two
    statements, each one index probe per candidate, whatever the number of held numbers or release events."""
    taken = numbers.held_among(call, candidates)
    cooling = release_rule.cooling_among(call, call.now - call.settings.claim_cooldown_days * DAY,
                                         [n for n in candidates if n not in taken])
    return [n for n in candidates if n not in taken and n not in cooling]


@operation("connect", "SearchAvailablePhoneNumbers", write=False, iam=unscoped())
def search_available_phone_numbers(call: Call, req: dict) -> dict:
    instance = phone_numbers.target_instance(call, req, required=True)
    country, number_type = req["PhoneNumberCountryCode"], req["PhoneNumberType"]
    prefix = req.get("PhoneNumberPrefix") or ""
    if prefix and not prefix.startswith("+"):
        prefix = "+" + prefix
    limit = req.get("MaxResults") or 10
    after = pagination.decode("available", req.get("NextToken"), InvalidParameterException, (str, str))
    inventory = catalogue(country, number_type)
    # The catalogue is sorted: the numbers with a prefix are one run of it, starting at the prefix.
    start = bisect.bisect_left(inventory, prefix)
    if after is not None:
        start = max(start, bisect.bisect_right(inventory, after[0]))
    found: list[str] = []
    chunk = limit + 1  # most numbers are available: the first round usually fills the page
    while len(found) <= limit and start < len(inventory):
        candidates = [n for n in inventory[start:start + chunk] if n.startswith(prefix)]
        if not candidates:
            break  # past the prefix's run
        found += available(call, candidates)
        start += chunk
        chunk = min(_CHUNK, chunk * 2)
    page, token = pagination.page(found[:limit + 1], limit, lambda n: [n, instance["id"]], "available")
    return {"AvailableNumbersList": [{"PhoneNumber": n, "PhoneNumberCountryCode": country,
                                      "PhoneNumberType": number_type} for n in page],
            "NextToken": token}


@operation("connect", "ClaimPhoneNumber", iam=claim_or_import())
def claim_phone_number(call: Call, req: dict) -> dict:
    instance = phone_numbers.target_instance(call, req, required=True)
    instance = instances.active(call, instance["id"])                          # ResourceNotFound
    number = req["PhoneNumber"]
    where = _index().get(number)
    if where is None or not available(call, [number]):                         # InvalidParameter
        raise InvalidParameterException(f"Phone number not available: {number}")
    release_rule.ensure_not_blocked(call)                                      # LimitExceeded
    country, number_type = where
    return phone_numbers.accept(call, instance, phone_number=number, country_code=country, number_type=number_type,
                                description=req.get("PhoneNumberDescription"), tags=req.get("Tags"), source_arn=None)
