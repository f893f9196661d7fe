"""The pytest plugin (entry point ``pytest11``), loaded by pytest wherever localconnect is installed:

* ``localconnect``: boto3 answered in process, empty state per test, fake credentials and AWS_DEFAULT_REGION set
  for the test and restored after. Settings per test with ``@pytest.mark.localconnect(settle_seconds=0)``.
* ``localconnect_server``: a real server for the session (127.0.0.1, a free port), state reset before each test,
  and AWS_ENDPOINT_URL_CONNECT / _PINPOINT_SMS_VOICE_V2 pointing boto3 at it during the test.
* ``--localconnect-store`` (or the ini key ``localconnect_store``): memory (default), sqlite (a file in a
  temporary directory) or postgresql://…; ``localconnect_server_args`` (ini) adds server flags.

Only the botocore hook is loaded when pytest starts; the app is loaded when a fixture is first used.
"""
from __future__ import annotations

import shlex

import pytest

from ..adminclient import AdminClient
from . import hook  # noqa: F401  (installs the hook before any test module creates a boto3 session)

FAKE_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
CLEARED = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_CONNECT", "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2")


def pytest_addoption(parser) -> None:
    group = parser.getgroup("localconnect")
    group.addoption("--localconnect-store", default=None, metavar="STORE",
                    help="store of the localconnect fixtures: memory (default), sqlite, or postgresql://USER@HOST/DB")
    parser.addini("localconnect_store", "store of the localconnect fixtures (as --localconnect-store)", default="")
    parser.addini("localconnect_server_args", "extra flags of the localconnect_server fixture's server "
                  "(e.g. --settle-seconds 0)", default="")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "localconnect(**settings): settings of the in-process localconnect fixture "
                                       "for this test, e.g. settle_seconds=0")


@pytest.fixture(scope="session")
def localconnect_store(request, tmp_path_factory) -> str:
    """The store the fixtures use: --localconnect-store, else the ini key, else memory."""
    store = request.config.getoption("localconnect_store") or request.config.getini("localconnect_store") or "memory"
    if store == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("localconnect") / "localconnect.db")
    return store


@pytest.fixture
def localconnect(request, localconnect_store):
    """An in-process localconnect: ``boto3.client("connect")`` in the test is answered by it. Yields the
    ``InProcess`` (``.advance(seconds)``, ``.state()``, ``.admin(method, path, body)``, ``.requests()``)."""
    from .inprocess import mock_localconnect

    marker = request.node.get_closest_marker("localconnect")
    settings = {"store": localconnect_store, **(marker.kwargs if marker else {})}
    mock = mock_localconnect(**settings)
    local = mock.start()
    try:
        if local.settings.store != "memory":
            local.reset()  # a shared file or database: empty it for this test
        request.node.stash[_CALLS] = lambda: _lines(local.requests())
        yield local
    finally:
        mock.stop()


@pytest.fixture(scope="session")
def _localconnect_server_process(request, localconnect_store):
    from .server import ServerProcess

    extra = shlex.split(request.config.getini("localconnect_server_args") or "")
    server = ServerProcess("--store", localconnect_store, *extra)
    server.start()
    yield server
    server.stop()


class LocalServer(AdminClient):
    """What ``localconnect_server`` yields: the admin API of the session's server (``AdminClient``), its URL,
    boto3 clients pointed at it, and the calls it answered during the test."""

    def __init__(self, process):
        super().__init__(process.url)
        self.process = process
        self.reset()
        self.first_seq = self.call("GET", "/requests?limit=0")["last_seq"]

    def clients(self, **kwargs):
        from .server import clients
        return clients(self.url, **kwargs)

    def calls(self) -> list[dict]:
        """The calls answered since this test began (the server's request log), oldest first."""
        return self.requests(since=self.first_seq)["requests"]


@pytest.fixture
def localconnect_server(request, _localconnect_server_process, monkeypatch):
    """The session's localconnect server, emptied for this test, with boto3 pointed at it through
    AWS_ENDPOINT_URL_* and fake credentials (a ``LocalServer``)."""
    server = LocalServer(_localconnect_server_process)
    for name, value in FAKE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name in ENDPOINT_VARIABLES:
        monkeypatch.setenv(name, server.url)
    request.node.stash[_CALLS] = lambda: _lines(server.calls())
    return server


_CALLS = pytest.StashKey()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report shows the calls localconnect answered during it, next to its captured output."""
    report = yield
    calls = item.stash.get(_CALLS, None)
    if calls is not None and call.when == "call" and report.failed:
        text = calls()
        if text:
            report.sections.append(("localconnect calls", text))
    return report


def _lines(entries: list[dict]) -> str:
    from ..requestlog import RequestLog

    formatter = RequestLog(0)
    return "".join(formatter.line(entry, entry["time"]) + "\n" for entry in entries)
