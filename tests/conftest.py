"""Fixtures: a real server per store (SQLite file always; PostgreSQL when LOCALCONNECT_TEST_POSTGRES_URL is set),
state reset before each test, boto3 clients, and the admin API."""
from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from localconnect.testing import ServerProcess, admin_call, clients
from localconnect.testing import postgres as pg

POSTGRES_URL = os.environ.get("LOCALCONNECT_TEST_POSTGRES_URL")
STORES = ["sqlite", "postgresql"]


def _needs_postgres(item) -> bool:
    params = getattr(item, "callspec", None)
    return "postgres_schema" in item.fixturenames or (params is not None and "postgresql" in params.params.values())


def pytest_collection_modifyitems(config, items):
    """Without LOCALCONNECT_TEST_POSTGRES_URL, the PostgreSQL variants are left out and counted in one line,
    not reported as a skip each."""
    if POSTGRES_URL:
        return
    left_out = [item for item in items if _needs_postgres(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not _needs_postgres(item)]
        config.stash[_POSTGRES_LEFT_OUT] = len(left_out)


_POSTGRES_LEFT_OUT = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, config):
    left_out = config.stash.get(_POSTGRES_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"PostgreSQL: {left_out} test{'s' if left_out > 1 else ''} not run (deselected); set "
            "LOCALCONNECT_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test to run them too (.ci/run does)")


@pytest.fixture(scope="session")
def postgres_schema():
    """A fresh PostgreSQL schema for this test session (factory: call it for more), dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need LOCALCONNECT_TEST_POSTGRES_URL (CI sets it; e.g. "
                    "postgresql://postgres@127.0.0.1:5432/test)")
    made: list[str] = []

    def make() -> str:
        made.append(pg.create_schema(POSTGRES_URL, "lc_test_"))
        return pg.schema_url(POSTGRES_URL, made[-1])

    yield make
    for schema in made:
        pg.drop_schema(POSTGRES_URL, schema)


def store_argument(kind: str, tmp_path_factory, postgres_schema) -> str:
    if kind == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("store") / "localconnect.db")
    return postgres_schema()


@pytest.fixture(scope="session", params=STORES)
def server(request, tmp_path_factory):
    """One server per store for the whole session; tests reset its state (see ``lc``)."""
    kind = request.param
    pg = request.getfixturevalue("postgres_schema") if kind == "postgresql" else None
    store = store_argument(kind, tmp_path_factory, pg)
    proc = ServerProcess("--store", store, "--data-dir", str(tmp_path_factory.mktemp("data")))
    proc.start()
    proc.store_kind = kind
    yield proc
    proc.stop()


_CLIENTS: dict[tuple, tuple] = {}


@dataclass
class Local:
    """What a test needs of a running server."""
    url: str
    store: str

    def clients(self, region: str = "us-east-1", access_key: str = "AKIDLOCALCONNECT", **config):
        # boto3 clients are stateless and slow to build (~0.25 s each): build each kind once per session.
        key = (self.url, region, access_key, repr(sorted(config.items())))
        if key not in _CLIENTS:
            _CLIENTS[key] = clients(self.url, region=region, access_key=access_key, **config)
        return _CLIENTS[key]

    def admin(self, method: str, path: str, body: dict | None = None):
        return admin_call(self.url, method, path, body)

    def advance(self, seconds: float) -> None:
        status, _ = self.admin("POST", "/clock", {"advance_seconds": seconds})
        assert status == 200

    def state(self) -> dict:
        return self.admin("GET", "/state")[1]


@pytest.fixture
def lc(server) -> Local:
    status, _ = admin_call(server.url, "POST", "/reset")
    assert status == 200
    return Local(server.url, server.store_kind)


@pytest.fixture
def connect(lc):
    return lc.clients()[0]


@pytest.fixture
def sms(lc):
    return lc.clients()[1]
