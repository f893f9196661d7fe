"""Who is calling and where: the access key and Region of the SigV4 credential scope, the account and principal
(docs/behaviour.md §1), the Regions a service exists in, and the credentials file that gives keys their
secrets, accounts, principals and IAM policies."""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import botocore.session

from ..core.errors import InvalidSignatureException
from ..rules import iam
from ..settings import Settings, SettingsError, read_toml

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_PRINCIPAL = re.compile(r"^arn:aws:(iam::\d{12}:(user|role|root)|sts::\d{12}:assumed-role)(/.*)?$")


@dataclass(frozen=True)
class Credential:
    access_key: str
    secret: str
    account: str
    principal_arn: str
    policies: tuple[dict, ...]  # parsed IAM identity policies; none means allowed everything (docs/behaviour.md §7)


@dataclass(frozen=True)
class Identity:
    access_key: str | None
    account: str
    region: str
    principal_arn: str
    policies: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Scope:
    """The SigV4 credential scope a request names: AKID/date/region/service/aws4_request."""
    access_key: str
    region: str
    service: str


def scope_of(headers: dict[str, str], query: bytes) -> Scope | None:
    """The credential scope of the Authorization header or of a presigned URL; None without one. Cheap string
    slicing: this runs on every request, and only ``auth = sigv4`` verifies it."""
    authorization = headers.get("authorization", "")
    start = authorization.find("Credential=")
    if start >= 0:
        parts = authorization[start + 11:].split(",", 1)[0].strip().split("/")
    elif query and b"X-Amz-Credential" in query:
        parts = parse_qs(query.decode("latin-1")).get("X-Amz-Credential", [""])[0].split("/")
    else:
        return None
    if len(parts) != 5 or parts[4] != "aws4_request":
        return None
    return Scope(parts[0], parts[2], parts[3])


@functools.lru_cache(maxsize=None)
def service_regions(endpoint_service: str) -> frozenset[str]:
    """Where AWS offers the service, every partition, from botocore's endpoint data."""
    session = botocore.session.get_session()
    return frozenset(region for partition in session.get_available_partitions()
                     for region in session.get_available_regions(endpoint_service, partition_name=partition))


def check_region(service: str, region: str, settings: Settings) -> None:
    """Refuse a Region where the service (its endpoint name, e.g. "connect") does not exist: a made-up Region
    would otherwise get state of its own."""
    if region in settings.regions or region in service_regions(service):
        return
    raise InvalidSignatureException(
        f"Credential should be scoped to a valid region, not '{region}'. {service} is offered in: "
        f"{', '.join(sorted(service_regions(service)))}; add others with the regions setting "
        "(LOCALCONNECT_REGIONS or --regions, comma-separated).")


def identify(access_key: str | None, region: str | None, settings: Settings,
             credentials: dict[str, Credential]) -> Identity:
    """The account and principal of an access key (docs/behaviour.md §1), in the scope's Region or the default."""
    if not region or not _REGION.match(region):
        region = settings.default_region
    known = credentials.get(access_key) if access_key else None
    if known is not None:
        return Identity(access_key, known.account, region, known.principal_arn, known.policies)
    if access_key and access_key in settings.accounts:
        account = settings.accounts[access_key]
    elif access_key and len(access_key) == 12 and access_key.isdigit():
        account = access_key  # the moto convention: a 12-digit key id is the account
    else:
        account = settings.default_account
    return Identity(access_key, account, region, f"arn:aws:iam::{account}:root")


def load_credentials(path: str | None) -> dict[str, Credential]:
    """Read the credentials file: a TOML list [[credentials]] of access_key_id, secret_access_key, account,
    optional principal_arn, and optional policies (inline JSON text or tables) and policy_files (paths
    relative to the file). Every mistake is a SettingsError naming the entry and the field."""
    if not path:
        return {}
    file = Path(path)
    data = read_toml(path, "credentials file")
    entries = data.get("credentials")
    if not isinstance(entries, list) or not entries:
        raise SettingsError(f"credentials file {path}: expected one or more [[credentials]] entries")
    out: dict[str, Credential] = {}
    for n, entry in enumerate(entries, 1):
        where = f"credentials file {path}, entry {n}"
        unknown = sorted(set(entry) - {"access_key_id", "secret_access_key", "account", "principal_arn",
                                       "policies", "policy_files"})
        if unknown:
            raise SettingsError(f"{where}: unknown fields {', '.join(unknown)}")
        key, secret, account = entry.get("access_key_id"), entry.get("secret_access_key"), entry.get("account")
        if not (isinstance(key, str) and key and isinstance(secret, str) and secret):
            raise SettingsError(f"{where}: access_key_id and secret_access_key are required")
        if key in out:
            raise SettingsError(f"{where}: access key {key} is listed twice")
        if not (isinstance(account, str) and len(account) == 12 and account.isdigit()):
            raise SettingsError(f"{where}: account must be a 12-digit string")
        principal = entry.get("principal_arn", f"arn:aws:iam::{account}:root")
        if not isinstance(principal, str) or not _PRINCIPAL.match(principal):
            raise SettingsError(f"{where}: principal_arn must be an IAM user or role ARN, got {principal!r}")
        documents = list(entry.get("policies", []))
        for policy_file in entry.get("policy_files", []):
            policy_path = file.parent / policy_file
            if not policy_path.is_file():
                raise SettingsError(f"{where}: policy file not found: {policy_path}")
            documents.append(policy_path.read_text())
        policies = []
        for i, document in enumerate(documents, 1):
            try:
                policies.append(iam.parse_policy(document))
            except (iam.PolicyError, json.JSONDecodeError) as exc:
                raise SettingsError(f"{where}: policy {i}: {exc}") from None
        out[key] = Credential(key, secret, account, principal, tuple(policies))
    return out
