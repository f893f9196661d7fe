"""What ``localconnect serve`` checks before it starts, so that each way of getting the environment wrong is
one line naming what to change: the store's file and directory, and the address to listen on."""
from __future__ import annotations

import dataclasses
import errno
import os
import socket
from pathlib import Path

from .settings import Settings


class StartupError(Exception):
    """The environment, not a setting's syntax, stops the server from starting (exit status 1)."""


def resolve_store(settings: Settings) -> Settings:
    """Settings whose SQLite file store is an absolute path that can be created and written; other stores as given.

    ``sqlite:///`` + a path is relative to the current directory and ``sqlite:////`` absolute (the SQLAlchemy
    convention). A server restarted from another directory would silently open an empty store, so the path is
    made absolute here, printed at start-up, and a missing directory is an error, not created under the current
    one (the default ``data_dir`` is created: it is ours)."""
    if settings.store == "sqlite":
        data_dir = Path(settings.data_dir).expanduser().absolute()
        _usable_directory(data_dir, "data_dir", create=True)
        _usable_file(data_dir / "localconnect.db", "data_dir")
        return dataclasses.replace(settings, data_dir=str(data_dir))
    if settings.store.startswith("sqlite:///"):
        given = settings.store[len("sqlite:///"):]
        if not given:
            raise StartupError("store sqlite:/// names no file: write sqlite:///relative/path.db or "
                               "sqlite:////absolute/path.db")
        path = Path(given).expanduser().absolute()
        if not path.parent.is_dir():
            relative = "" if given.startswith("/") else (
                f" (sqlite:/// + a path is relative to the current directory {Path.cwd()}; "
                f"write sqlite:////{given} for an absolute path)")
            raise StartupError(f"store {settings.store}: directory {path.parent} does not exist{relative}; "
                               "create it or change --store")
        _usable_directory(path.parent, "store", create=False)
        _usable_file(path, "store")
        return dataclasses.replace(settings, store="sqlite:///" + str(path))
    return settings


def _usable_directory(path: Path, setting: str, create: bool) -> None:
    flag = "--" + setting.replace("_", "-")
    if path.exists() and not path.is_dir():
        raise StartupError(f"{setting} {path} is a file, not a directory: give {flag} a directory "
                           "(or move the file away)")
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StartupError(f"{setting} {path} cannot be created ({exc.strerror}): give {flag} a directory "
                               "you can write to") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartupError(f"{setting} {path} is not writable by this user: give {flag} a directory you can "
                           "write to, or change its permissions")


def _usable_file(path: Path, setting: str) -> None:
    flag = "--" + setting.replace("_", "-")
    if path.is_dir():
        raise StartupError(f"{setting}: {path} is a directory, not a database file: change {flag}")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StartupError(f"{setting}: the database file {path} is not readable and writable by this user: "
                           "change its permissions or give another " + flag)


def store_label(settings: Settings, description: str) -> str:
    """The store, as the start-up line names it: a file store by its absolute path."""
    if settings.store == "sqlite":
        return "SQLite file " + str(Path(settings.data_dir, "localconnect.db"))
    if settings.store.startswith("sqlite:///"):
        return "SQLite file " + settings.store[len("sqlite:///"):]
    if settings.store == "memory":
        return "memory (gone when the server stops)"
    return description


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here rather than by uvicorn so that a busy port is one line, not [Errno 98]."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StartupError(f"host {host!r} cannot be resolved ({exc.strerror}): give --host an address such as "
                           "127.0.0.1") from None
    infos.sort(key=lambda info: info[0] != socket.AF_INET)  # localhost: 127.0.0.1 before ::1, as curl tries
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        where = f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(f"port {port} on {host} is already in use (another localconnect or `make serve`?): "
                               "stop it, or choose another port with --port (0 picks a free one)") from None
        if exc.errno == errno.EACCES:
            raise StartupError(f"not allowed to listen on {where} (ports below 1024 need privileges): "
                               "choose another port with --port") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise StartupError(f"{host} is not an address of this machine: give --host one that is, "
                               "such as 127.0.0.1") from None
        raise StartupError(f"cannot listen on {where}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
