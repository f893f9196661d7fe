"""A client of a running server's admin API (standard library only): used by ``localconnect state``, ``reset``,
``clock``, ``quotas``, ``faults`` and by Python scripts and tests (``localconnect.testing.AdminClient``)."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

from .core.units import DAY, HOUR, MINUTE

DEFAULT_URL = "http://127.0.0.1:4599"
_UNITS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY, "w": 7 * DAY}


class AdminClientError(Exception):
    """The server could not be reached, or answered the admin call with an error."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.code = status, code


class AdminClient:
    """``AdminClient("http://127.0.0.1:4599").reset()``: each admin route as a method returning the parsed JSON."""

    def __init__(self, url: str = DEFAULT_URL, token: str | None = None, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, method: str, path: str, body: dict | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(f"{self.url}/_localconnect{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                error = json.loads(raw)["error"]
                code, message = error["code"], error["message"]
            except (ValueError, KeyError, TypeError):
                code, message = None, raw.decode("utf-8", "replace")[:200] or err.reason
            raise AdminClientError(f"{method} /_localconnect{path}: {err.code} {code or ''} {message}".replace("  ", " "),
                                   err.code, code) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise AdminClientError(f"no localconnect server answers at {self.url} ({reason}): start one with "
                                   "`localconnect serve` (or `make serve`), or give its URL with --url or "
                                   "LOCALCONNECT_URL") from None

    # --- the routes -------------------------------------------------------------------------------------------
    def health(self) -> dict:
        return self.call("GET", "/health")

    def state(self) -> dict:
        return self.call("GET", "/state")

    def reset(self, account: str | None = None) -> dict:
        return self.call("POST", "/reset", {} if account is None else {"account": account})

    def clock(self) -> dict:
        return self.call("GET", "/clock")

    def advance(self, seconds: float | str) -> dict:
        return self.call("POST", "/clock", {"advance_seconds": duration(seconds)})

    def set_offset(self, seconds: float | str) -> dict:
        return self.call("POST", "/clock", {"offset_seconds": duration(seconds, signed=True)})

    def quotas(self) -> dict:
        return self.call("GET", "/quotas")

    def set_quotas(self, **values: Any) -> dict:
        return self.call("POST", "/quotas", {k: v for k, v in values.items() if v is not None})

    def support_case(self, account: str | None = None, region: str | None = None) -> dict:
        return self.call("POST", "/support-case", _where(account, region))

    def faults(self) -> dict:
        return self.call("GET", "/faults")

    def add_fault(self, **fault: Any) -> dict:
        return self.call("POST", "/faults", {k: v for k, v in fault.items() if v is not None})

    def clear_faults(self) -> dict:
        return self.call("DELETE", "/faults")

    def requests(self, since: int = 0, limit: int | None = None) -> dict:
        query = f"?since={since}" + (f"&limit={limit}" if limit is not None else "")
        return self.call("GET", "/requests" + query)


def _where(account: str | None, region: str | None) -> dict:
    return {k: v for k, v in (("account", account), ("region", region)) if v is not None}


def duration(value: float | str, signed: bool = False) -> float:
    """Seconds from a number or a string such as ``180d``, ``2h``, ``90m``, ``30s``, ``1w`` or ``1.5``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = re.fullmatch(r"\s*([-+]?)(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(value))
    if match is None or (match.group(1) == "-" and not signed):
        allowed = "a number of seconds or a duration such as 180d, 12h, 30m, 45s, 2w"
        raise ValueError(f"{value!r} is not {'a signed duration' if signed else 'a duration'}: give {allowed}")
    seconds = float(match.group(2)) * _UNITS[match.group(3) or "s"]
    return -seconds if match.group(1) == "-" else seconds
