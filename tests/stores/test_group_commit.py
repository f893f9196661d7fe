"""The SQLite file store's group commit: every answer comes after an fsync of the WAL that covers its commit,
and concurrent commits share fsyncs."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from localconnect.testing import ServerProcess, admin_call, clients


def test_concurrent_commits_share_fsyncs_and_every_answer_is_on_disk(tmp_path):
    with ServerProcess("--store", "sqlite:///" + str(tmp_path / "group.db"), "--instance-settle-seconds", "0") as server:
        admin_call(server.url, "POST", "/quotas", {"phone_numbers_per_instance": 1000})
        connect, sms = clients(server.url, max_pool_connections=16)
        instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="group",
                                           InboundCallsEnabled=True, OutboundCallsEnabled=True)
        sources = [sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="TOLL_FREE")["PhoneNumberArn"]
                   for _ in range(60)]
        before = admin_call(server.url, "GET", "/health")[1]
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda arn: connect.import_phone_number(InstanceId=instance["Id"],
                                                                            SourcePhoneNumberArn=arn), sources))
        after = admin_call(server.url, "GET", "/health")[1]
        assert len({r["PhoneNumberId"] for r in results}) == 60
        assert after["commits"] - before["commits"] == 60
        assert after["durable_commits"] == after["commits"]  # nothing was answered before it was on disk
        fsyncs = after["fsyncs"] - before["fsyncs"]
        # Shared: fewer fsyncs than commits (one fsync per commit, the thing group commit replaces, fails here),
        # and at least one (an answer before any fsync would fail too).
        assert 1 <= fsyncs < 60, fsyncs
    # And all of it is there after a restart.
    with ServerProcess("--store", "sqlite:///" + str(tmp_path / "group.db")) as again:
        connect, _ = clients(again.url)
        listed = connect.get_paginator("list_phone_numbers_v2").paginate(InstanceId=instance["Id"])
        assert sum(len(p["ListPhoneNumbersSummaryList"]) for p in listed) == 60
