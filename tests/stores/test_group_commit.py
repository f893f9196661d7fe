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


def test_checkpoints_run_off_the_event_loop_and_keep_the_wal_bounded(tmp_path):
    """SQLite's automatic checkpoint (and the fsyncs it does) would run inside a commit, on the event loop; the
    store turns it off and checkpoints on a worker thread instead, about every 1,000 WAL pages. Eight writers keep
    committing while checkpoints run: unless writes wait for a checkpoint, the WAL never starts again from its
    beginning and grows past 30 MB here."""
    import asyncio
    import os
    import threading

    from localconnect.store import engine

    store = engine.SQLiteStore(str(tmp_path / "ckpt.db"))
    try:
        assert store._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        store.run_sync(lambda tx: tx.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, v TEXT)"), write=True)
        threads = set()
        checkpoint = store._checkpoint

        def recorded():
            threads.add(threading.get_ident())
            checkpoint()
        store._checkpoint = recorded

        async def write(n):
            for _ in range(n):
                await store.run(lambda tx: tx.insert("scratch", v="x" * 2000), write=True)

        async def main():
            await asyncio.gather(*(write(500) for _ in range(8)))
            return threading.get_ident()
        loop_thread = asyncio.run(main())
        assert store.checkpoints >= 2 and threads and loop_thread not in threads
        # 4,000 commits of a 2 KB row write over 16 MB to the WAL; checkpointed as they went, the WAL file is reused
        # from its start and stays near 1,000 pages of 4 KiB.
        assert os.path.getsize(str(tmp_path / "ckpt.db-wal")) < 2 * engine.CHECKPOINT_FRAMES * 4096
        assert store.stats()["checkpoints"] == store.checkpoints
    finally:
        store.close()
