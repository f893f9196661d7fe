"""The ASGI application: the admin API under /_localconnect/, every other path to the AWS gateway, each call
recorded in the request log."""
from __future__ import annotations

import difflib
import logging

from . import services  # noqa: F401  (registers every handler)
from .admin.api import PREFIX, Admin
from .asgi import raw_path
from .gateway import catalog
from .gateway.dispatch import Gateway
from .requestlog import RequestLog
from .settings import Settings, SettingsError
from .store.engine import Store, open_store

log = logging.getLogger("localconnect")


class App:
    def __init__(self, settings: Settings, store: Store | None = None):
        check_throttle_limits(settings)
        self.settings = settings
        self.requests = RequestLog(settings.request_log_size, fmt=settings.log_format, quiet=settings.quiet,
                                   debug=settings.log_level in ("debug", "trace"))
        self.store = store or open_store(settings.store, settings.data_dir, cache_mb=settings.sqlite_cache_mb,
                                         mmap_mb=settings.sqlite_mmap_mb)
        self.gateway = Gateway(settings, self.store)
        self.admin = Admin(settings, self.store, self.gateway.faults, self.gateway.throttler, self.requests,
                           service_clock=self.gateway.clock)

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            path = raw_path(scope)  # as the gateway routes: /%5Flocalconnect/reset must not reach the admin API
            if path == PREFIX or path.startswith(PREFIX + "/"):
                await self.requests.wrap(self.admin, scope, receive, send, admin=True)
            elif path == "/" and scope["method"] == "GET" and not any(k == b"x-amz-target" for k, _ in scope["headers"]):
                # No AWS operation is a GET of /: a browser or curl pointed at the server gets the admin index.
                index = {**scope, "path": PREFIX + "/", "raw_path": (PREFIX + "/").encode()}
                await self.requests.wrap(self.admin, index, receive, send, admin=True)
            else:
                await self.requests.wrap(self.gateway, scope, receive, send, admin=False)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.store.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return


# throttle_limits keys name operations the way IAM does; the services' model names for each prefix.
_THROTTLE_SERVICES = {"connect": catalog.CONNECT, "sms-voice": catalog.SMS_VOICE}


def check_throttle_limits(settings: Settings) -> None:
    """Refuse a throttle_limits key that names no operation of the models (a typo would never throttle)."""
    for action in settings.throttle_limits:
        prefix, _, name = action.partition(":")
        if prefix not in _THROTTLE_SERVICES:
            raise SettingsError(f"throttle_limits: {action!r} names no service; write connect:Operation or "
                                "sms-voice:Operation, e.g. connect:ImportPhoneNumber")
        operations = catalog.service(_THROTTLE_SERVICES[prefix]).operations
        if name not in operations:
            close = difflib.get_close_matches(name, operations, n=1)
            hint = f" (did you mean {prefix}:{close[0]}?)" if close else ""
            raise SettingsError(f"throttle_limits: {action!r} is not an operation of {prefix}{hint}")


def create_app(settings: Settings) -> App:
    return App(settings)
