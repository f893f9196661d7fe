"""The ``localconnect`` command: ``localconnect serve`` with every setting as a flag."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import fields

from . import __version__
from .settings import ENV_PREFIX, HELP, TABLES, Settings, SettingsError, load


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="localconnect",
        description="Amazon Connect's phone-number API (ImportPhoneNumber and its lifecycle) and AWS End User "
                    "Messaging SMS/voice numbers, served locally over the real AWS wire protocols.",
        epilog=f"Every setting is also read from {ENV_PREFIX}<NAME> environment variables and from the TOML file "
               "given by --config (keys as the flags, with underscores). Flags win over the environment, "
               "which wins over the file.")
    parser.add_argument("--version", action="version", version=f"localconnect {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server", description="Run the localconnect server.")
    defaults = Settings()
    for f in fields(Settings):
        if f.name in TABLES:
            continue
        flag = "--" + f.name.replace("_", "-")
        env = ENV_PREFIX + f.name.upper()
        serve.add_argument(flag, dest=f.name, default=None, metavar=f.name.upper(),
                           help=f"{HELP[f.name]} [env {env}; default {getattr(defaults, f.name)!r}]")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    flags = {k: v for k, v in vars(args).items() if k != "command"}
    try:
        settings = load(flags)
    except SettingsError as exc:
        print(f"localconnect: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return serve(settings)
    return 2


def serve(settings: Settings) -> int:
    import uvicorn

    from .app import App

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = App(settings)
    except SettingsError as exc:  # e.g. a credentials file with a mistake in it
        print(f"localconnect: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a store that cannot be opened is a clear one-line error, not a traceback
        print(f"localconnect: cannot open store {settings.store}: {exc}", file=sys.stderr)
        return 1

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            super().handle_exit(sig, frame)
            # A requested stop is a clean exit with status 0; uvicorn would re-raise the signal afterwards.
            self._captured_signals.clear()

        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started:
                host, port = self.servers[0].sockets[0].getsockname()[:2]
                print(f"localconnect {__version__} listening on http://{host}:{port} "
                      f"(store: {app.store.description})", flush=True)

    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level=settings.log_level,
                            access_log=False, lifespan="on", server_header=False)
    server = Server(config)
    asyncio.run(server.serve())  # uvicorn stops cleanly on SIGINT and SIGTERM
    return 0


if __name__ == "__main__":
    sys.exit(main())
