"""The admin API from the command line: `localconnect state`, `reset`, `clock advance 180d`, `quotas set`, `faults`,
`support-case`, `requests`, against a running server named by --url or LOCALCONNECT_URL."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from localconnect.testing import AdminClient, ServerProcess, clients

CLI = [sys.executable, "-m", "localconnect.cli"]


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--store", "memory", "--quiet") as running:
        yield running


def cli(*args: str, url: str | None = None, env_url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCALCONNECT_")}
    if env_url:
        env["LOCALCONNECT_URL"] = env_url
    return subprocess.run([*CLI, *args, *(["--url", url] if url else [])], env=env, capture_output=True, text=True,
                          timeout=60)


def ok(done: subprocess.CompletedProcess):
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return json.loads(done.stdout)


def test_state_reset_clock_quotas_support_case_through_the_url_variable(server):
    admin = AdminClient(server.url)
    admin.reset()
    connect, sms = clients(server.url)
    connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="cli",
                            InboundCallsEnabled=True, OutboundCallsEnabled=True)
    state = ok(cli("state", env_url=server.url))
    assert [i["InstanceAlias"] for i in state["partitions"][0]["instances"]] == ["cli"]

    before = admin.clock()["offset_seconds"]
    moved = ok(cli("clock", "advance", "180d", env_url=server.url))
    assert moved["offset_seconds"] == before + 180 * 86400
    assert ok(cli("clock", env_url=server.url))["offset_seconds"] == before + 180 * 86400
    assert ok(cli("clock", "set", "-1h", env_url=server.url))["offset_seconds"] == -3600

    assert ok(cli("quotas", "set", "--phone-numbers-per-instance", "1", "--account", "111122223333",
                  "--region", "eu-west-2", url=server.url)) == {
        "account": "111122223333", "region": "eu-west-2", "phone_numbers_per_instance": 1, "instances_per_region": 2}
    assert ok(cli("quotas", url=server.url))["overrides"] == [
        {"account": "111122223333", "region": "eu-west-2", "phone_numbers_per_instance": 1,
         "instances_per_region": None}]
    assert ok(cli("support-case", url=server.url)) == {"account": "123456789012", "region": "us-east-1",
                                                       "release_events_cleared": 0}

    assert ok(cli("reset", "--account", "123456789012", url=server.url)) == {"reset": "123456789012"}
    assert admin.state()["partitions"][0]["instances"] == []
    assert ok(cli("reset", url=server.url)) == {"reset": "all"}
    assert admin.clock()["offset_seconds"] == 0


def test_faults_add_list_clear(server):
    AdminClient(server.url).reset()
    added = ok(cli("faults", "add", "connect:ListInstances", "InternalServiceException", "--count", "1",
                   url=server.url))
    assert (added["operation"], added["error"], added["count"]) == ("connect:ListInstances",
                                                                    "InternalServiceException", 1)
    listed = ok(cli("faults", "list", url=server.url))["faults"]
    assert [(f["operation"], f["count"], f["injected"]) for f in listed] == [("connect:ListInstances", 1, 0)]
    connect, _ = clients(server.url, retries={"total_max_attempts": 1})
    with pytest.raises(connect.exceptions.InternalServiceException):
        connect.list_instances()
    assert ok(cli("faults", url=server.url))["faults"] == []  # used up
    ok(cli("faults", "add", "sms-voice:DescribePhoneNumbers", "ThrottlingException", "--rate", "0.5",
           "--account", "111122223333", url=server.url))
    assert ok(cli("faults", "clear", url=server.url)) == {"cleared": 1}
    bad = cli("faults", "add", "connect:ListInstances", "NoSuchError", "--count", "1", url=server.url)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.startswith("localconnect faults: POST /_localconnect/faults: 400 InvalidParameterException ")


def test_requests_one_line_per_call(server):
    AdminClient(server.url).reset()
    clients(server.url)[0].list_instances()
    done = cli("requests", "--limit", "2", url=server.url)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split(" ", 2)[1:] for line in lines][0] == ["ADMIN", "POST /_localconnect/reset => 200 " +
                                                             lines[0].split(" => 200 ")[1]]
    assert " AWS connect.ListInstances => 200 " in lines[1]


def test_no_server_is_one_line_naming_the_url_and_how_to_give_it():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = cli("state", url=f"http://127.0.0.1:{port}")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"localconnect state: no localconnect server answers at http://127.0.0.1:{port} "
                           "([Errno 111] Connection refused): start one with `localconnect serve` (or `make serve`), "
                           "or give its URL with --url or LOCALCONNECT_URL\n")


def test_a_duration_that_is_not_one(server):
    done = cli("clock", "advance", "soon", url=server.url)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("localconnect clock: 'soon' is not a duration: give a number of seconds or a duration "
                           "such as 180d, 12h, 30m, 45s, 2w\n")
