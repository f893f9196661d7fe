"""Every setting in one place: defaults (docs/behaviour.md), then a TOML file, then LOCALCONNECT_* variables, then flags."""
from __future__ import annotations

import dataclasses
import json
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints


@dataclass
class Settings:
    # Server
    host: str = "127.0.0.1"
    port: int = 4599
    store: str = "sqlite"  # sqlite | memory | sqlite:///PATH | postgresql://...
    data_dir: str = ".localconnect"
    # SQLite tuning (README, Scale): page cache per connection, and how much of the file to memory-map (0: none).
    sqlite_cache_mb: float = 64.0
    sqlite_mmap_mb: float = 0.0
    config: str | None = None
    log_level: str = "warning"
    # The request log: one line per call on stdout (text or json), none with quiet; the last
    # request_log_size calls are kept for GET /_localconnect/requests either way.
    log_format: str = "text"
    quiet: bool = False
    request_log_size: int = 1000
    # Accounts and Regions (docs/behaviour.md §1)
    default_region: str = "us-east-1"
    default_account: str = "123456789012"
    # Regions accepted beyond those where AWS offers the service (botocore's endpoint data); comma-separated
    # as a flag or variable, a TOML array in a file.
    regions: list[str] = field(default_factory=list)
    # access key id -> account id (a TOML table; JSON or KEY=VALUE,... as a flag or variable)
    accounts: dict[str, str] = field(default_factory=dict)
    # Time (docs/behaviour.md §3)
    settle_seconds: float = 0.5
    instance_settle_seconds: float = 0.5
    failed_retention_hours: float = 24.0
    # Quotas (docs/behaviour.md §4)
    phone_numbers_per_instance: int = 5
    instances_per_region: int = 2
    release_window_days: float = 180.0
    release_allowance_percent: float = 200.0
    failed_counts_as_release: bool = True
    claim_cooldown_days: float = 180.0
    # Import rules (docs/behaviour.md §2)
    allow_simulator_import: bool = False
    # End User Messaging (docs/behaviour.md §5)
    eum_activation_seconds: float = 0.0
    # Idempotency (docs/behaviour.md §6)
    idempotency_hours: float = 24.0
    # Protocol edges (docs/behaviour.md §8)
    max_body_bytes: int = 1024 * 1024
    # Slow and abusive clients: a request must arrive completely within request_timeout_seconds (else 408 and
    # the connection is closed); at most max_connections are open (the one waiting longest on its client goes).
    request_timeout_seconds: float = 30.0
    max_connections: int = 1024
    # Security and failure modes (docs/behaviour.md §7)
    auth: str = "off"  # off | sigv4
    credentials_file: str | None = None
    admin_token: str | None = None
    throttle: str = "off"  # off | aws
    # "connect:ImportPhoneNumber" -> {rate, burst} (a TOML table; JSON as a flag or variable)
    throttle_limits: dict[str, dict[str, float]] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


ENV_PREFIX = "LOCALCONNECT_"


class SettingsError(ValueError):
    pass


def _coerce(name: str, kind: Any, raw: Any) -> Any:
    """Turn a TOML, environment or flag value into the field's type (a real type hint, e.g. ``int | None``),
    or say which setting was wrong and what it takes."""
    try:
        return _convert(kind, raw)
    except (TypeError, ValueError, OverflowError):
        raise SettingsError(f"setting {name}: cannot use {raw!r} as {_describe(kind)}") from None


def _convert(kind: Any, raw: Any) -> Any:
    origin, args = get_origin(kind), get_args(kind)
    if origin in (Union, UnionType):
        inner = [a for a in args if a is not type(None)]
        if raw is None or raw == "":  # an empty variable or flag clears an optional setting
            return None
        if len(inner) != 1:
            raise TypeError(f"unsupported setting type {kind}")
        return _convert(inner[0], raw)
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower() if isinstance(raw, str) else None
        if word in ("1", "true", "yes", "on"):
            return True
        if word in ("0", "false", "no", "off"):
            return False
        raise ValueError(raw)
    if kind is int:
        if isinstance(raw, bool) or isinstance(raw, float) and not raw.is_integer():
            raise ValueError(raw)
        if isinstance(raw, (int, float)):
            return int(raw)
        return int(str(raw).strip().replace("_", ""))
    if kind is float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ValueError(raw)
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(raw)
        return value
    if kind is str:
        # A TOML number (say an unquoted account id) reads as its digits; tables, arrays and booleans do not.
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise ValueError(raw)
        return str(raw)
    if origin is dict:
        key_kind, value_kind = args
        if isinstance(raw, str):
            raw = _table_from_text(raw)
        if not isinstance(raw, dict):
            raise ValueError(raw)
        return {_convert(key_kind, k): _convert(value_kind, v) for k, v in raw.items()}
    if origin is list:
        (item_kind,) = args
        if isinstance(raw, str):
            text = raw.strip()
            raw = json.loads(text) if text.startswith("[") else [p.strip() for p in text.split(",") if p.strip()]
        if not isinstance(raw, list):
            raise ValueError(raw)
        return [_convert(item_kind, item) for item in raw]
    raise TypeError(f"unsupported setting type {kind}")


def _table_from_text(text: str) -> dict:
    """A table given as a flag or an environment variable: JSON (``{"AKID": "111122223333"}``), or for a
    table of strings the shorter ``AKID=111122223333,AKID2=444455556666``."""
    text = text.strip()
    if text.startswith("{"):
        return json.loads(text)
    pairs = [p.split("=", 1) for p in text.split(",") if p.strip()]
    if not all(len(p) == 2 for p in pairs):
        raise ValueError(text)
    return {k.strip(): v.strip() for k, v in pairs}


def _describe(kind: Any) -> str:
    """What a setting takes, in words a user can act on."""
    origin, args = get_origin(kind), get_args(kind)
    if origin in (Union, UnionType):
        inner = [a for a in args if a is not type(None)]
        return _describe(inner[0]) + " (or empty for none)" if len(inner) == 1 else str(kind)
    if origin is dict:
        if get_origin(args[1]) is dict:
            return 'a table of tables of numbers, e.g. {"connect:ImportPhoneNumber": {"rate": 1, "burst": 2}}'
        return 'a table of strings, e.g. {"AKIDEXAMPLE": "111122223333"} or AKIDEXAMPLE=111122223333'
    if origin is list:
        return "a list, e.g. eu-west-2,ap-southeast-2"
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}.get(kind, str(kind))


def setting_types() -> dict[str, Any]:
    """Each setting's type, resolved from the annotations (which are strings under postponed evaluation)."""
    return get_type_hints(Settings)


def read_toml(path: str, what: str) -> dict[str, Any]:
    """A TOML file's contents, or a SettingsError saying which file is missing or where it is malformed."""
    file = Path(path)
    if not file.is_file():
        raise SettingsError(f"{what} not found: {path}")
    try:
        return tomllib.loads(file.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{what} {path}: {exc}") from None


def load(flags: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from defaults < config file < environment < flags (None flags are ignored)."""
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    environ = os.environ if environ is None else environ
    kinds = setting_types()
    values: dict[str, Any] = {}

    config_path = flags.get("config") or environ.get(ENV_PREFIX + "CONFIG")
    if config_path:
        data = read_toml(config_path, "config file")
        for key, raw in data.items():
            if key not in kinds:
                raise SettingsError(f"config file {config_path}: unknown setting {key!r}")
            values[key] = _coerce(key, kinds[key], raw)
        values["config"] = str(config_path)

    for name, kind in kinds.items():
        env = environ.get(ENV_PREFIX + name.upper())
        if env is not None:
            values[name] = _coerce(name, kind, env)

    for name, raw in flags.items():
        if name not in kinds:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = _coerce(name, kinds[name], raw)

    settings = Settings(**values)
    _check(settings)
    return settings


LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
LOG_FORMATS = ("text", "json")


def _check(s: Settings) -> None:
    if not 0 <= s.port <= 65535:
        raise SettingsError(f"setting port: {s.port} is not a port number (0 to 65535; 0 picks a free one)")
    if not (s.store in ("sqlite", "memory") or s.store.startswith(("sqlite:///", "postgresql://", "postgres://"))):
        raise SettingsError(f"setting store: {s.store!r} is not a store; use sqlite, memory, sqlite:///PATH "
                            "or postgresql://USER@HOST:PORT/DB")
    if s.log_level.lower() not in LOG_LEVELS:
        raise SettingsError(f"setting log_level: {s.log_level!r} is not a level; use one of {', '.join(LOG_LEVELS)}")
    s.log_level = s.log_level.lower()
    if s.log_format not in LOG_FORMATS:
        raise SettingsError(f"setting log_format: {s.log_format!r} is not a format; use text or json")
    if not 0.1 <= s.sqlite_cache_mb <= 1_000_000 or not 0 <= s.sqlite_mmap_mb <= 1_000_000:
        raise SettingsError("settings sqlite_cache_mb (0.1 or more) and sqlite_mmap_mb (0 or more) are sizes in MB")
    if not 0 <= s.request_log_size <= 1_000_000:
        raise SettingsError("setting request_log_size must be from 0 to 1000000 (calls kept in memory)")
    if s.phone_numbers_per_instance < 0 or s.instances_per_region < 0:
        raise SettingsError("quotas must be zero or more")
    for name in ("settle_seconds", "instance_settle_seconds", "eum_activation_seconds", "idempotency_hours",
                 "release_window_days", "claim_cooldown_days", "failed_retention_hours"):
        if getattr(s, name) < 0:
            raise SettingsError(f"setting {name} must be zero or more")
    if not (len(s.default_account) == 12 and s.default_account.isdigit()):
        raise SettingsError("default_account must be 12 digits")
    if not 0 < s.request_timeout_seconds <= 3600:
        raise SettingsError("setting request_timeout_seconds must be more than 0 and at most 3600")
    if not 1 <= s.max_connections <= 100_000:
        raise SettingsError("setting max_connections must be from 1 to 100000")
    if s.auth not in ("off", "sigv4"):
        raise SettingsError("setting auth must be off or sigv4")
    if s.throttle not in ("off", "aws"):
        raise SettingsError("setting throttle must be off or aws")
    if s.auth == "sigv4" and not s.credentials_file:
        raise SettingsError("auth = sigv4 needs credentials_file (the keys to verify signatures with)")
    for action, limit in s.throttle_limits.items():
        if ":" not in action or set(limit) - {"rate", "burst"} or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in limit.values()):
            raise SettingsError(f"throttle_limits.{action}: give rate and burst as numbers, e.g. "
                                '"connect:ImportPhoneNumber" = {rate = 1, burst = 2}')


# One line per setting: the CLI's --help and the README's table say the same thing.
HELP: dict[str, str] = {
    "host": "address to listen on (keep 127.0.0.1 unless you mean to expose it)",
    "port": "port to listen on (0 picks a free one; the URL line says which)",
    "store": "sqlite (file in --data-dir), memory, sqlite:///PATH or postgresql://USER@HOST:PORT/DB",
    "data_dir": "directory of the embedded SQLite store",
    "sqlite_cache_mb": "SQLite page cache in MB (holds every index's inner pages of a million-number store)",
    "sqlite_mmap_mb": "MB of the SQLite file to memory-map (0: none); faster random reads, counted in the RSS",
    "config": "TOML file with any of these settings (keys as named here)",
    "log_level": "level of the server's own messages: critical, error, warning, info, debug, trace",
    "log_format": "request log format: text (one line per call) or json (one JSON object per line)",
    "quiet": "print no request log (the calls are still kept for GET /_localconnect/requests)",
    "request_log_size": "recent calls kept in memory for GET /_localconnect/requests (0 keeps none)",
    "default_region": "Region of requests whose SigV4 scope names none",
    "regions": "extra Region names to accept (comma-separated); by default only Regions where AWS offers the service",
    "default_account": "account of access keys that are neither mapped nor 12 digits",
    "accounts": 'access key id -> account id: TOML table [accounts], or JSON / AKID=111122223333,... as flag or variable',
    "settle_seconds": "seconds a claimed/imported/updated number stays IN_PROGRESS",
    "instance_settle_seconds": "seconds a new instance stays CREATION_IN_PROGRESS",
    "failed_retention_hours": "hours a FAILED number stays describable",
    "phone_numbers_per_instance": "phone numbers an instance may hold (AWS default 5)",
    "instances_per_region": "Connect instances per account and Region (AWS default 2)",
    "release_window_days": "rolling window of the release rule, in days",
    "release_allowance_percent": "releases allowed in the window, as a percentage of phone_numbers_per_instance",
    "failed_counts_as_release": "whether a claim or import that ends FAILED counts as a release",
    "claim_cooldown_days": "days a released claimed number stays out of the inventory",
    "allow_simulator_import": "allow importing End User Messaging SIMULATOR numbers",
    "eum_activation_seconds": "seconds a requested TOLL_FREE or TEN_DLC number stays PENDING",
    "idempotency_hours": "hours a ClientToken is remembered",
    "max_body_bytes": "largest request body accepted (413 above it)",
    "request_timeout_seconds": "seconds a client has to send a whole request (408 and close after)",
    "max_connections": "open connections at most; past it the one waiting longest on its client is closed",
    "auth": "off (accept any signature) or sigv4 (verify signatures and IAM policies from credentials_file)",
    "credentials_file": "TOML file of access keys: secret, account, principal ARN, IAM policies",
    "admin_token": "bearer token the admin API requires when the server listens beyond loopback",
    "throttle": "off, or aws (2 requests/s, burst 5 per account+Region+operation; instances 0.1/s)",
    "throttle_limits": 'per-operation limits: TOML table [throttle_limits] "connect:ImportPhoneNumber" = {rate = 1, '
                       'burst = 2}, or JSON as flag or variable',
}
