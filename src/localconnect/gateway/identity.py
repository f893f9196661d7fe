"""Who is calling and where: access key and Region from the SigV4 credential scope, account per spec 12.1."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from ..settings import Settings

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@dataclass(frozen=True)
class Identity:
    access_key: str | None
    account: str
    region: str
    principal_arn: str


def identify(headers: dict[str, str], query: bytes, settings: Settings) -> Identity:
    access_key = region = None
    match = _CREDENTIAL.search(headers.get("authorization", ""))
    if match:
        access_key, region = match.group(1), match.group(3)
    elif query and b"X-Amz-Credential" in query:
        # Presigned form: X-Amz-Credential=AKID/date/region/service/aws4_request
        cred = parse_qs(query.decode("latin-1")).get("X-Amz-Credential", [""])[0]
        parts = cred.split("/")
        if len(parts) == 5:
            access_key, region = parts[0], parts[2]
    if not region or not _REGION.match(region):
        region = settings.default_region
    if access_key and access_key in settings.accounts:
        account = settings.accounts[access_key]
    elif access_key and len(access_key) == 12 and access_key.isdigit():
        account = access_key  # the moto convention: a 12-digit key id is the account
    else:
        account = settings.default_account
    return Identity(access_key, account, region, f"arn:aws:iam::{account}:root")
