"""The ``localconnect`` command: ``localconnect serve`` with every setting as a flag, and the admin API of a
running server from the command line (``state``, ``reset``, ``clock``, ``quotas``, ``faults``, ...)."""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from dataclasses import fields
from typing import get_args

from . import __version__
from .adminclient import DEFAULT_URL, AdminClient, AdminClientError
from .settings import ENV_PREFIX, HELP, Settings, SettingsError, load, setting_types

URL_ENV = ENV_PREFIX + "URL"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="localconnect",
        description="Amazon Connect's phone-number API (ImportPhoneNumber and its lifecycle) and AWS End User "
                    "Messaging SMS/voice numbers, served locally over the real AWS wire protocols.",
        epilog="Run `localconnect COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"localconnect {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _serve_parser(sub)
    _admin_parsers(sub)
    return parser


def _serve_parser(sub) -> None:
    serve = sub.add_parser(
        "serve", help="run the server", description="Run the localconnect server.",
        epilog=f"Every setting is also read from {ENV_PREFIX}<NAME> environment variables and from the TOML file "
               "given by --config (keys as the flags, with underscores). Flags win over the environment, "
               "which wins over the file. Tables (accounts, throttle_limits) take JSON as a flag or variable.")
    defaults = Settings()
    types = setting_types()
    for f in fields(Settings):
        flag = "--" + f.name.replace("_", "-")
        env = ENV_PREFIX + f.name.upper()
        names = [flag, "-q"] if f.name == "quiet" else [flag]
        # A boolean flag alone means true (--quiet); it also takes a value (--failed-counts-as-release false).
        boolean = types[f.name] is bool or bool in get_args(types[f.name])
        extra = {"nargs": "?", "const": "true", "metavar": "BOOL"} if boolean else {"metavar": f.name.upper()}
        serve.add_argument(*names, dest=f.name, default=None,
                           help=f"{HELP.get(f.name, f.name)} [env {env}; default {getattr(defaults, f.name)!r}]",
                           **extra)


def _admin_parsers(sub) -> None:
    # On each command and on its actions (`clock advance 1d --url ...`); SUPPRESS so that an action's parser
    # does not overwrite a value given before it with its default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=argparse.SUPPRESS,
                        help=f"the running server (env {URL_ENV}; default {DEFAULT_URL})")
    common.add_argument("--admin-token", default=argparse.SUPPRESS,
                        help=f"bearer token, when the server listens beyond loopback (env {ENV_PREFIX}ADMIN_TOKEN)")
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--account", help="12-digit account (default: the server's default_account)")
    where.add_argument("--region", help="Region (default: the server's default_region)")

    def command(name: str, help_: str, *parents) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_ + ".", parents=[common, *parents])

    command("health", "show the server's health and store")
    command("state", "show every account's and Region's instances, numbers, quotas and release window")
    reset = command("reset", "empty all state (and reset the clock, faults and throttling), or one account's")
    reset.add_argument("--account", help="empty only this account's state")
    requests = command("requests", "show the recent API calls the server kept")
    requests.add_argument("--since", type=int, default=0, help="only calls after this sequence number")
    requests.add_argument("--limit", type=int, default=None, help="at most this many of the newest")
    requests.add_argument("--json", action="store_true", help="print the JSON answer instead of one line per call")
    command("support-case", "record a support case: clear the account's release events, lifting the block", where)

    clock = command("clock", "show or move the service clock")
    clock_sub = clock.add_subparsers(dest="action", metavar="ACTION")
    clock_sub.add_parser("show", help="show the clock (the default)", parents=[common])
    advance = clock_sub.add_parser("advance", help="move the clock forward, e.g. `clock advance 180d`",
                                   parents=[common])
    advance.add_argument("duration", help="seconds, or a duration such as 180d, 12h, 30m, 45s, 2w")
    set_ = clock_sub.add_parser("set", help="set the offset from the wall clock, e.g. `clock set 0`",
                                parents=[common])
    set_.add_argument("offset", help="seconds or a duration, may be negative: -1h")
    # argparse takes "-1h" for an option; it knows negative numbers only as digits (its own matcher, widened).
    set_._negative_number_matcher = re.compile(r"^-\d+(\.\d+)?[smhdw]?$")

    quotas = command("quotas", "show or set the per-account quotas")
    quotas_sub = quotas.add_subparsers(dest="action", metavar="ACTION")
    quotas_sub.add_parser("show", help="show the defaults and overrides (the default)", parents=[common])
    set_quotas = quotas_sub.add_parser("set", parents=[common, where], help="set an account and Region's quotas")
    set_quotas.add_argument("--phone-numbers-per-instance", type=int)
    set_quotas.add_argument("--instances-per-region", type=int)

    faults = command("faults", "list, add or clear injected faults")
    faults_sub = faults.add_subparsers(dest="action", metavar="ACTION")
    faults_sub.add_parser("list", help="list the faults and how many were injected (the default)", parents=[common])
    add = faults_sub.add_parser("add", parents=[common], help="fail an operation's next calls, e.g. "
                                "`faults add connect:ImportPhoneNumber InternalServiceException --count 1`")
    add.add_argument("operation", help="service:Operation, e.g. connect:ImportPhoneNumber")
    add.add_argument("error", help="InternalServiceException, ThrottlingException or AccessDeniedException")
    add.add_argument("--count", type=int, help="fail this many calls")
    add.add_argument("--rate", type=float, help="fail this share of calls (0 to 1)")
    add.add_argument("--account", help="only this account's calls")
    faults_sub.add_parser("clear", help="remove every fault", parents=[common])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command != "serve":
        return admin_command(args)
    flags = {k: v for k, v in vars(args).items() if k != "command"}
    try:
        settings = load(flags)
    except SettingsError as exc:
        print(f"localconnect: {exc}", file=sys.stderr)
        return 2
    return serve(settings)


# --- the admin commands --------------------------------------------------------------------------------------
def admin_command(args: argparse.Namespace) -> int:
    client = AdminClient(getattr(args, "url", None) or os.environ.get(URL_ENV) or DEFAULT_URL,
                         getattr(args, "admin_token", None) or os.environ.get(ENV_PREFIX + "ADMIN_TOKEN"))
    action = getattr(args, "action", None)
    try:
        if args.command == "health":
            out = client.health()
        elif args.command == "state":
            out = client.state()
        elif args.command == "reset":
            out = client.reset(args.account)
        elif args.command == "support-case":
            out = client.support_case(args.account, args.region)
        elif args.command == "requests":
            out = client.requests(args.since, args.limit)
            if not args.json:
                return _print_requests(out)
        elif args.command == "clock":
            out = {"advance": lambda: client.advance(args.duration),
                   "set": lambda: client.set_offset(args.offset)}.get(action, client.clock)()
        elif args.command == "quotas":
            out = client.quotas() if action in (None, "show") else client.set_quotas(
                account=args.account, region=args.region,
                phone_numbers_per_instance=args.phone_numbers_per_instance,
                instances_per_region=args.instances_per_region)
        else:  # faults
            out = {"add": lambda: client.add_fault(operation=args.operation, error=args.error, count=args.count,
                                                   rate=args.rate, account=args.account),
                   "clear": client.clear_faults}.get(action, client.faults)()
    except ValueError as exc:  # a duration that is not one
        print(f"localconnect {args.command}: {exc}", file=sys.stderr)
        return 2
    except AdminClientError as exc:
        print(f"localconnect {args.command}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(out, indent=2))
    return 0


def _print_requests(out: dict) -> int:
    from .requestlog import RequestLog

    formatter = RequestLog(0)
    for entry in out["requests"]:
        print(formatter.line(entry, entry["time"]))
    return 0


# --- serve ------------------------------------------------------------------------------------------------
def serve(settings: Settings) -> int:
    import uvicorn

    from . import server as edge
    from .app import App
    from .startup import StartupError, bind, resolve_store, store_label, url_of

    level = 5 if settings.log_level == "trace" else settings.log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = resolve_store(settings)
        sock = bind(settings.host, settings.port)  # before the store: a busy port creates no files
    except StartupError as exc:
        print(f"localconnect: {exc}", file=sys.stderr)
        return 1
    try:
        app = App(settings)
    except SettingsError as exc:  # e.g. a credentials file with a mistake in it, an unknown throttled operation
        sock.close()
        print(f"localconnect: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a store that cannot be opened is a clear one-line error, not a traceback
        sock.close()
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"localconnect: cannot open store {store_label(settings, settings.store)}: {reason}", file=sys.stderr)
        return 1
    url = url_of(sock)
    store = store_label(settings, app.store.description)
    announce = _Announcer(settings.log_format == "json")

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            super().handle_exit(sig, frame)
            # A requested stop is a clean exit with status 0; uvicorn would re-raise the signal afterwards.
            self._captured_signals.clear()

        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started:
                announce.started(url, store)

    config = edge.config(app, settings)  # uvicorn with deadlines and a connection bound (server.py)
    server = Server(config)
    started = time.monotonic()
    server.run(sockets=[sock])  # uvloop where installed (server.config); stops cleanly on SIGINT and SIGTERM
    if server.started:
        announce.stopped(app.requests.api_calls, time.monotonic() - started)
    return 0


class _Announcer:
    """The start-up and stop lines, in the request log's format. The start-up line's " listening on URL " is
    what ServerProcess (and scripts) wait for."""

    def __init__(self, as_json: bool):
        self.as_json = as_json

    def _say(self, event: str, message: str, **fields) -> None:
        if self.as_json:
            print(json.dumps({"time": time.time(), "event": event, "message": message, **fields}), flush=True)
        else:
            print(message, flush=True)

    def started(self, url: str, store: str) -> None:
        self._say("listening", f"localconnect {__version__} listening on {url} (store: {store})",
                  url=url, store=store, version=__version__)
        admin = f"{url}/_localconnect"
        self._say("help", f"  dashboard {admin}/ui/  health {admin}/health  state {admin}/state  "
                          f"recent calls {admin}/requests; one line per API call follows; Ctrl-C stops the server")

    def stopped(self, calls: int, seconds: float) -> None:
        self._say("stopped", f"localconnect stopped after {seconds:.0f} s and {calls} API calls", calls=calls)


if __name__ == "__main__":
    sys.exit(main())
