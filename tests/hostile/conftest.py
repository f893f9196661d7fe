"""Servers for the hostile-input suite: a real ``localconnect serve`` over raw sockets, with a short request
timeout and a small connection bound so that the slow-client tests take seconds, not minutes."""
from __future__ import annotations

import pytest

from localconnect.testing import ServerProcess

TIMEOUT = 1.0        # request_timeout_seconds of the ``edge`` server
MAX_CONNECTIONS = 64  # max_connections of the ``edge`` server


@pytest.fixture(scope="session")
def edge(tmp_path_factory):
    """A SQLite-backed server with request_timeout_seconds = 1 and max_connections = 64."""
    store = "sqlite:///" + str(tmp_path_factory.mktemp("edge") / "localconnect.db")
    with ServerProcess("--store", store, "--request-timeout-seconds", str(TIMEOUT),
                       "--max-connections", str(MAX_CONNECTIONS), "--settle-seconds", "0",
                       "--instance-settle-seconds", "0") as proc:
        yield proc


@pytest.fixture(scope="session")
def roomy(tmp_path_factory):
    """A server with the default limits (max_connections 1024, request_timeout_seconds 30)."""
    store = "sqlite:///" + str(tmp_path_factory.mktemp("roomy") / "localconnect.db")
    with ServerProcess("--store", store) as proc:
        yield proc
