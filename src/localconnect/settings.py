"""Every setting in one place: defaults (spec section 12), then a TOML file, then LOCALCONNECT_* variables, then flags."""
from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass
class Settings:
    # Server
    host: str = "127.0.0.1"
    port: int = 4599
    store: str = "sqlite"  # sqlite | memory | sqlite:///PATH | postgresql://...
    data_dir: str = ".localconnect"
    config: str | None = None
    log_level: str = "warning"
    # Accounts and Regions (spec 12.1)
    default_region: str = "us-east-1"
    default_account: str = "123456789012"
    # access key id -> account id; TOML table [accounts] only
    accounts: dict[str, str] = field(default_factory=dict)
    # Time (spec 12.3, 7.4)
    settle_seconds: float = 0.5
    instance_settle_seconds: float = 0.5
    failed_retention_hours: float = 24.0
    # Quotas (spec 8.1, 12.4)
    phone_numbers_per_instance: int = 5
    instances_per_region: int = 2
    release_window_days: float = 180.0
    release_allowance_percent: float = 200.0
    failed_counts_as_release: bool = True
    claim_cooldown_days: float = 180.0
    # Import rules (spec 12.2)
    allow_simulator_import: bool = False
    # End User Messaging (spec 12.5)
    eum_activation_seconds: float = 0.0
    # Idempotency (spec 12.6)
    idempotency_hours: float = 24.0
    # Protocol edges (spec 12.8)
    max_body_bytes: int = 1024 * 1024
    # Security and failure modes (spec 12.7)
    auth: str = "off"  # off | sigv4
    credentials_file: str | None = None
    admin_token: str | None = None
    throttle: str = "off"  # off | aws
    # "connect:ImportPhoneNumber" -> {rate, burst}; TOML table [throttle_limits] only
    throttle_limits: dict[str, dict[str, float]] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# Settings that are tables, not scalars: only a TOML file can carry them.
TABLES = {"accounts", "throttle_limits"}
ENV_PREFIX = "LOCALCONNECT_"


class SettingsError(ValueError):
    pass


def _coerce(name: str, kind: Any, raw: Any) -> Any:
    """Turn a TOML, environment or flag value into the field's type, or say which setting was wrong."""
    kind_s = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if "dict[str, dict" in kind_s:
            if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
                raise ValueError(raw)
            return {str(k): dict(v) for k, v in raw.items()}
        if "dict" in kind_s:
            if not isinstance(raw, dict):
                raise ValueError(raw)
            return {str(k): str(v) for k, v in raw.items()}
        if "bool" in kind_s:
            if isinstance(raw, bool):
                return raw
            s = str(raw).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if "int" in kind_s and "None" not in kind_s:
            if isinstance(raw, bool):
                raise ValueError(raw)
            return int(raw)
        if "float" in kind_s:
            if isinstance(raw, bool):
                raise ValueError(raw)
            return float(raw)
        return None if raw is None else str(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name}: cannot use {raw!r} as {kind_s}") from None


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
    kinds = {f.name: f.type for f in fields(Settings)}
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
        if env is not None and name not in TABLES:
            values[name] = _coerce(name, kind, env)

    for name, raw in flags.items():
        if name not in kinds:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = _coerce(name, kinds[name], raw)

    settings = Settings(**values)
    _check(settings)
    return settings


def _check(s: Settings) -> None:
    if s.phone_numbers_per_instance < 0 or s.instances_per_region < 0:
        raise SettingsError("quotas must be zero or more")
    for name in ("settle_seconds", "instance_settle_seconds", "eum_activation_seconds", "idempotency_hours",
                 "release_window_days", "claim_cooldown_days", "failed_retention_hours"):
        if getattr(s, name) < 0:
            raise SettingsError(f"setting {name} must be zero or more")
    if not (len(s.default_account) == 12 and s.default_account.isdigit()):
        raise SettingsError("default_account must be 12 digits")
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
    "config": "TOML file with any of these settings (keys as named here)",
    "log_level": "server log level: debug, info, warning, error",
    "default_region": "Region of requests whose SigV4 scope names none",
    "default_account": "account of access keys that are neither mapped nor 12 digits",
    "accounts": "TOML table [accounts]: access key id = account id",
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
    "auth": "off (accept any signature) or sigv4 (verify signatures and IAM policies from credentials_file)",
    "credentials_file": "TOML file of access keys: secret, account, principal ARN, IAM policies",
    "admin_token": "bearer token the admin API requires when the server listens beyond loopback",
    "throttle": "off, or aws (2 requests/s, burst 5 per account+Region+operation; instances 0.1/s)",
    "throttle_limits": 'TOML table [throttle_limits]: "connect:ImportPhoneNumber" = {rate = 1, burst = 2}',
}
