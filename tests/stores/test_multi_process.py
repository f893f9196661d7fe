"""Rules enforced by the database, not by a process: two server processes sharing one store (a SQLite file,
or PostgreSQL) race 20 claims and imports at the release allowance's last slot (issue: quotas, docs/behaviour.md §4."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from localconnect.testing import ServerProcess, admin_call, clients

N = 20


def _outcome(fn):
    try:
        return fn()
    except ClientError as err:
        return err.response["Error"]["Code"]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_two_processes_let_exactly_the_allowed_number_through(kind, tmp_path, request):
    store = ("sqlite:///" + str(tmp_path / "shared.db") if kind == "sqlite"
             else request.getfixturevalue("postgres_schema")())
    with ServerProcess("--store", store) as one, ServerProcess("--store", store) as two:
        url = one.url
        connect, sms = clients(url)
        admin_call(url, "POST", "/quotas", {"phone_numbers_per_instance": 1})  # allowance 2
        instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="race",
                                           InboundCallsEnabled=True, OutboundCallsEnabled=True)
        admin_call(url, "POST", "/clock", {"advance_seconds": 1})
        pages = connect.get_paginator("search_available_phone_numbers").paginate(
            InstanceId=instance["Id"], PhoneNumberCountryCode="US", PhoneNumberType="DID")
        available = [n["PhoneNumber"] for page in pages for n in page["AvailableNumbersList"]][:2 + N // 2]
        first = connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=available[0])
        admin_call(url, "POST", "/clock", {"advance_seconds": 1})
        connect.release_phone_number(PhoneNumberId=first["PhoneNumberId"])             # 1 event: one slot left
        connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=available[1])  # the instance is full
        sources = [sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="TOLL_FREE")["PhoneNumberArn"]
                   for _ in range(N // 2)]
        # Several clients, half on each process, with no retries: every answer is the first one.
        racers = [clients(server.url, retries={"total_max_attempts": 1, "mode": "standard"})[0]
                  for server in (one, two) for _ in range(2)]

        def attempt(i: int):
            client = racers[i % len(racers)]
            if i % 2:
                return _outcome(lambda: client.import_phone_number(InstanceId=instance["Id"],
                                                                   SourcePhoneNumberArn=sources[i // 2]))
            return _outcome(lambda: client.claim_phone_number(InstanceId=instance["Id"],
                                                              PhoneNumber=available[2 + i // 2]))

        with ThreadPoolExecutor(max_workers=N) as pool:
            results = list(pool.map(attempt, range(N)))
        accepted = [r for r in results if isinstance(r, dict)]
        refused = [r for r in results if not isinstance(r, dict)]
        # The one accepted call lands in a full instance, so it ends FAILED and uses the last slot.
        assert len(accepted) == 1, results
        assert refused == ["LimitExceededException"] * (N - 1), results
        state = admin_call(two.url, "GET", "/state")[1]["partitions"][0]
        assert state["release_window"]["events_in_window"] == 2 and state["release_window"]["blocked"]
