"""The ASGI application: the admin API under /_localconnect/, every other path to the AWS gateway."""
from __future__ import annotations

import logging

from . import services  # noqa: F401  (registers every handler)
from .admin.api import PREFIX, Admin
from .gateway.dispatch import Gateway
from .settings import Settings
from .store.engine import Store, open_store

log = logging.getLogger("localconnect")


class App:
    def __init__(self, settings: Settings, store: Store | None = None):
        self.settings = settings
        self.store = store or open_store(settings.store, settings.data_dir)
        self.gateway = Gateway(settings, self.store)
        self.admin = Admin(settings, self.store, self.gateway.faults, self.gateway.throttler)

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            # The raw path, as the gateway routes: /%5Flocalconnect/reset must not reach the admin API.
            path = (scope.get("raw_path") or scope["path"].encode()).split(b"?", 1)[0].decode("latin-1")
            if path == PREFIX or path.startswith(PREFIX + "/"):
                await self.admin(scope, receive, send)
            else:
                await self.gateway(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.store.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return


def create_app(settings: Settings) -> App:
    return App(settings)
