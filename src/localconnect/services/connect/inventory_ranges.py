"""Where Amazon Connect's inventory (SearchAvailablePhoneNumbers, ClaimPhoneNumber) draws its numbers from,
per country and type (docs/behaviour.md §14). The countries and types are those AWS's telecoms country coverage
guide and "Region requirements for ordering and porting phone numbers" list for Amazon Connect.

The rule, so that a claimed number never rings a real subscriber:

1. Where the numbering plan reserves numbers for fiction or testing, they are used: North America's
   555-0100 to 555-0199 in every area code (United States, Canada and the Caribbean members of the plan),
   Ofcom's drama numbers (United Kingdom), ACMA's fictitious numbers (Australia).
2. Everywhere else, numbers whose national part starts with the trunk prefix 0 (``+49 0…``): a trunk prefix is
   dialled only inside the country and never follows the country code, so no such number is assigned to anyone.
   Direct dial (DID) numbers are ``+{country code} 0 555 01XX``, toll-free ``+{country code} 0 800 555 01XX``
   and South Africa's shared-cost numbers ``+27 0 860 555 01XX``.
3. Italy, whose geographic numbers do keep their 0 after +39, gets the same blocks behind a 1 instead
   (``+39 1 555 01XX``): Italian numbers starting with 1 are short service codes, never full-length numbers.

UIFN numbers (+800, the ITU's international freephone code) come from the block 800 5550/5551 XXXX.
"""
from __future__ import annotations

# (country, type) -> (prefixes, digits after the prefix, first suffix, count)
Range = tuple[tuple[str, ...], int, int, int]

# Rule 1: fictional ranges.
_FICTIONAL: dict[tuple[str, str], Range] = {
    ("US", "DID"): (("+1206555", "+1212555", "+1312555", "+1415555", "+1503555", "+1617555", "+1702555",
                     "+1808555"), 4, 100, 100),
    ("US", "TOLL_FREE"): (("+1800555", "+1833555", "+1844555", "+1855555", "+1866555", "+1877555"), 4, 100, 100),
    ("US", "UIFN"): (("+8005550",), 4, 100, 100),
    ("CA", "DID"): (("+1416555", "+1604555", "+1514555"), 4, 100, 100),
    # North American toll-free codes are shared by the whole plan; 888 is the one the United States' range
    # leaves to Canada.
    ("CA", "TOLL_FREE"): (("+1888555",), 4, 100, 100),
    ("GB", "DID"): (("+4420794600", "+4411349600"), 2, 0, 100),   # 020 7946 0xxx, 0113 496 0xxx
    ("GB", "TOLL_FREE"): (("+4480815700",), 2, 0, 100),              # 0808 157 0xxx
    ("GB", "UIFN"): (("+8005551",), 4, 100, 100),
    ("AU", "DID"): (("+61255500", "+61355500"), 3, 100, 100),      # (02) 5550 0xxx, (03) 5550 0xxx
    ("AU", "TOLL_FREE"): (("+61180016",), 4, 401, 99),              # 1800 160 401 - 1800 160 499
}

# Rule 1 for the Caribbean members of the North American plan: their area codes, DID only (their toll-free
# numbers are the plan's shared 8XX codes).
_NANP_AREA_CODES: dict[str, tuple[str, ...]] = {
    "AI": ("264",), "BB": ("246",), "BM": ("441",), "BS": ("242",), "DO": ("809", "829"), "JM": ("876",),
    "PR": ("787", "939"), "TT": ("868",),
}

# Rule 2: every other country where Connect offers numbers, by calling code; those offering toll-free too.
_CALLING_CODES: dict[str, str] = {
    # Europe
    "AT": "43", "BE": "32", "BG": "359", "CH": "41", "CY": "357", "CZ": "420", "DE": "49", "DK": "45", "EE": "372",
    "ES": "34", "FI": "358", "FR": "33", "GR": "30", "HR": "385", "HU": "36", "IE": "353", "IS": "354", "IT": "39",
    "LT": "370", "LU": "352", "LV": "371", "MT": "356", "NL": "31", "NO": "47", "PL": "48", "PT": "351",
    "RO": "40", "RS": "381", "SE": "46", "SI": "386", "SK": "421", "TR": "90",
    # Americas
    "AR": "54", "BR": "55", "CL": "56", "CO": "57", "CR": "506", "GT": "502", "MX": "52", "PA": "507", "PE": "51",
    "SV": "503", "UY": "598",
    # Asia Pacific
    "HK": "852", "ID": "62", "IN": "91", "JP": "81", "KR": "82", "MY": "60", "NZ": "64", "PH": "63", "SG": "65",
    "TH": "66", "TW": "886",
    # Middle East and Africa
    "BH": "973", "IL": "972", "KE": "254", "NG": "234", "ZA": "27",
}
_DID_ONLY = {"BH", "GT", "KE", "NG", "SV"}
_SHARED = {"ZA": "860"}
# Rule 3: where a 0 after the country code is a real number, the blocks start with 1.
_LEADING = {"IT": "1"}

_BLOCK, _DIGITS, _FIRST, _COUNT = "555", 4, 100, 100   # 555 0100 - 555 0199


def _build() -> dict[tuple[str, str], Range]:
    ranges = dict(_FICTIONAL)
    for country, codes in _NANP_AREA_CODES.items():
        ranges[(country, "DID")] = (tuple(f"+1{code}555" for code in codes), _DIGITS, _FIRST, _COUNT)
    for country, code in _CALLING_CODES.items():
        lead = f"+{code}{_LEADING.get(country, '0')}"
        ranges[(country, "DID")] = ((f"{lead}{_BLOCK}",), _DIGITS, _FIRST, _COUNT)
        if country not in _DID_ONLY:
            ranges[(country, "TOLL_FREE")] = ((f"{lead}800{_BLOCK}",), _DIGITS, _FIRST, _COUNT)
        if country in _SHARED:
            ranges[(country, "SHARED")] = ((f"{lead}{_SHARED[country]}{_BLOCK}",), _DIGITS, _FIRST, _COUNT)
    return ranges


RANGES: dict[tuple[str, str], Range] = _build()
