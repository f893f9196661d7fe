"""The dashboard at /_localconnect/ui/: one page and its vendored files, and the two JSON reads it needs beyond the
admin API (the release window's events for the chart, and one number's detail and history).

The page and its static files hold no state and no secret, so they are served without the admin token; all data
comes from token-protected admin calls the page makes itself (``Authorization: Bearer``, asked for when the server
answers 401 or 403). Its libraries are vendored under ui/static/vendor (see LICENSES.md there): it works offline,
with no build step and no CDN.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from .. import __version__, clock
from ..asgi import respond
from ..core.call import Call
from ..core.units import DAY
from ..rules import quotas, release_rule
from ..services.connect import contact_flows, instances, number_history, numbers, phone_numbers
from ..store.engine import Tx
from .errors import AdminError

if TYPE_CHECKING:
    from .api import Admin

log = logging.getLogger("localconnect.admin")
UI = Path(__file__).resolve().parent / "ui"
PAGE = "/ui"
STATIC = "/ui/static/"
WINDOW_EVENTS = 1000     # events drawn on the chart: the oldest, which free slots first
HISTORY = 50             # entries of each kind in a number's history
_TYPES = {".js": b"text/javascript; charset=utf-8", ".css": b"text/css; charset=utf-8",
          ".html": b"text/html; charset=utf-8", ".md": b"text/markdown; charset=utf-8"}
# No inline script or style element, nothing from another origin: a page that loads anything else is broken.
# Alpine.js evaluates its directives with Function(), hence 'unsafe-eval'; uPlot sizes elements through style.
_CSP = (b"default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_SECURITY = [(b"content-security-policy", _CSP), (b"x-content-type-options", b"nosniff"),
             (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]


class _Asset:
    """One file, read once: its bytes, their gzip, and a content hash for cache-busting URLs."""

    def __init__(self, path: Path):
        self.body = path.read_bytes()
        self.gzipped = gzip.compress(self.body, 9, mtime=0)
        self.digest = hashlib.sha256(self.body).hexdigest()[:12]
        self.content_type = _TYPES.get(path.suffix, b"application/octet-stream")


@functools.cache  # read and compressed on the first request for the page, not when the server starts
def _assets() -> dict[str, _Asset]:
    root = UI / "static"
    return {str(p.relative_to(root)): _Asset(p) for p in sorted(root.rglob("*")) if p.is_file()}


class _Shell(Template):
    """Placeholders are $$name: Alpine's own $event, $el, $nextTick in the page stay as they are."""
    delimiter = "$$"


@functools.cache
def _page() -> _Asset:
    """index.html with each static URL carrying its file's hash, so a browser may cache the files for good."""
    template = _Shell((UI / "index.html").read_text())
    urls = {name.replace("/", "_").replace(".", "_").replace("-", "_"): f"/_localconnect{STATIC}{name}?v={a.digest}"
            for name, a in _assets().items()}
    page = _Asset.__new__(_Asset)
    page.body = template.substitute(version=__version__, **urls).encode()
    page.gzipped = gzip.compress(page.body, 9, mtime=0)
    page.content_type = _TYPES[".html"]
    return page


async def page(scope, path: str, send) -> bool:
    """Serve GET /_localconnect/ui/ and its static files; False for any other path (the admin API's)."""
    if scope["method"] != "GET" or not (path in (PAGE, PAGE + "/") or path.startswith(STATIC)):
        return False
    try:
        if path.startswith(STATIC):
            asset = _assets().get(path[len(STATIC):])
            cache = b"public, max-age=31536000, immutable"
        else:
            asset, cache = _page(), b"no-cache"
    except Exception:  # a broken package (a file missing or unreadable): an answer, not a dropped connection
        log.exception("the dashboard's files could not be read")
        await _error(send, 500, "InternalFailure", "the dashboard's files could not be read")
        return True
    if asset is None:
        await _error(send, 404, "UnknownOperationException", "No such dashboard file")
        return True
    accepts = dict(scope["headers"]).get(b"accept-encoding", b"")
    body, headers = asset.body, [(b"content-type", asset.content_type), (b"cache-control", cache),
                                 (b"vary", b"accept-encoding"), *_SECURITY]
    if b"gzip" in accepts:
        body = asset.gzipped
        headers.append((b"content-encoding", b"gzip"))
    headers.append((b"content-length", str(len(body)).encode()))
    await respond(send, 200, headers, body)
    return True


async def _error(send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await respond(send, status, [(b"content-type", b"application/json"),
                                 (b"content-length", str(len(body)).encode())], body)


# --- the JSON reads of the page (admin routes: the admin token applies) ---------------------------------------------

def routes(admin: "Admin") -> dict:
    async def window(data: dict):
        account, region = admin._where(_only(data, {"account", "region"}))
        return 200, await admin.store.run(lambda tx: release_window(_call(tx, admin, account, region)), write=False)

    async def number(data: dict):
        account, region = admin._where(_only(data, {"account", "region", "id"}))
        number_id = data.get("id")
        if not isinstance(number_id, str) or not 0 < len(number_id) <= 256:
            raise AdminError(400, "InvalidParameterException", "id must be a Connect phone number id or ARN")
        found = await admin.store.run(lambda tx: number_detail(_call(tx, admin, account, region), number_id),
                                      write=False)
        if found is None:
            raise AdminError(404, "ResourceNotFoundException", f"Phone number not found: {number_id}")
        return 200, found

    return {("GET", "/ui/api/window"): window, ("GET", "/ui/api/number"): number}


def _only(data: dict, known: set[str]) -> dict:
    unknown = sorted(set(data) - known)
    if unknown:
        raise AdminError(400, "InvalidParameterException", f"unknown parameter {unknown[0]}")
    return data


def _call(tx: Tx, admin: "Admin", account: str, region: str) -> Call:
    return Call(service="admin", operation="Dashboard", account=account, region=region,
                principal_arn=f"arn:aws:iam::{account}:root", now=clock.now(clock.offset(tx)), tx=tx,
                settings=admin.settings, request_id="admin")


def _event(row, window_seconds: float) -> dict:
    return {"released_at": row["released_at"], "leaves_window_at": row["released_at"] + window_seconds,
            "phone_number": row["phone_number"], "phone_number_id": row["phone_number_id"],
            "source_phone_number_arn": row["source_phone_number_arn"], "cause": row["cause"]}


def release_window(call: Call) -> dict[str, Any]:
    """The chart's data: the rule's own state, and the events in the window, oldest first."""
    state = release_rule.state(call)
    seconds = call.settings.release_window_days * DAY
    events = release_rule.window_events(call, WINDOW_EVENTS)
    return {"account": call.account, "region": call.region, "now": call.now,
            "window_days": call.settings.release_window_days, "window_start": state.window_start,
            "allowance_percent": call.settings.release_allowance_percent,
            "phone_numbers_per_instance": quotas.phone_numbers_per_instance(call),
            "allowance": state.allowance, "events_in_window": state.events_in_window, "blocked": state.blocked,
            "lifts_at": state.lifts_at, "events": [_event(r, seconds) for r in events],
            "events_shown": len(events)}


def number_detail(call: Call, number_id: str) -> dict | None:
    """DescribePhoneNumber's summary of one number, its flow, its instance, and its history."""
    row = numbers.state_find(call, number_id)
    if row is None:
        return None
    summary = phone_numbers.summary(call, row)
    flow = None
    if row["contact_flow_id"]:
        found = contact_flows.find(call, row["instance_id"], row["contact_flow_id"])
        flow = {"Id": row["contact_flow_id"], "Name": found["name"] if found else None}
    instance = instances.find(call, row["instance_id"])
    history = [{"at": row["created_at"], "event": "accepted",
                "detail": "claim or import accepted; outcome " + row["outcome"]}]
    history += [{"at": h["at"], "event": h["event"], "detail": h["detail"], "instance_id": h["instance_id"]}
                for h in number_history.of_number(call, row["id"], HISTORY)]
    history.append({"at": row["settles_at"], "event": "settles" if call.now < row["settles_at"] else "settled",
                    "detail": "FAILED" if row["outcome"] == "FAILED" or row["failure_message"] else "CLAIMED"})
    seconds = call.settings.release_window_days * DAY
    for event in release_rule.events_of_number(call, row["phone_number"], HISTORY):
        this = event["phone_number_id"] == row["id"]
        history.append({"at": event["released_at"], "event": "counted as a release" if this else "released",
                        "detail": f"{event['cause']}" + ("" if this else f" (an earlier number {event['phone_number_id']})"),
                        "leaves_window_at": event["released_at"] + seconds})
    history.sort(key=lambda h: h["at"])
    return {"now": call.now, "PhoneNumber": summary, "ContactFlow": flow,
            "Instance": {"Id": instance["id"], "InstanceAlias": instance["instance_alias"],
                         "InstanceStatus": instances.status(call, instance)} if instance else None,
            "CreatedAt": row["created_at"], "SettlesAt": row["settles_at"], "History": history}
