"""What the benchmark sends: request templates for each measured operation, and the untimed set-up they need.

Each template is a job for bench/load.py (see its docstring for ``$I`` and ``$V``). Every account used here
is made up for this run (a 12-digit access key id is the account, the moto convention localconnect follows),
so a run never meets data of an earlier run, even in a shared PostgreSQL store.
"""
from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from localconnect.testing import admin_call

LOAD = str(Path(__file__).with_name("load.py"))
REGION = "us-east-1"
SMS_TARGET = "PinpointSMSVoiceV2."


def authorization(account: str, service: str) -> str:
    # Auth is off by default, so the signature is never checked; the credential scope still names the
    # Region (and, with a 12-digit key id, the account) the server files the call under.
    return (f"AWS4-HMAC-SHA256 Credential={account}/20260101/{REGION}/{service}/aws4_request, "
            "SignedHeaders=host, Signature=0")


def connect_job(account: str, method: str, path: str, body: dict | None = None, **extra) -> dict:
    headers = {"Authorization": authorization(account, "connect")}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return {"method": method, "path": path, "body": None if body is None else json.dumps(body),
            "headers": headers, **extra}


def seed_numbers_job(account: str, count: int) -> dict:
    """Admin-seeded ACTIVE End User Messaging numbers, one per request, with numbers chosen here so that
    thousands of them never collide (RequestPhoneNumber draws from 10,000 per type and may give up)."""
    numbers = [f"+1206{5550000 + k}" for k in range(count)]
    body = json.dumps({"account": account, "region": REGION, "PhoneNumber": "$V"})
    return {"method": "POST", "path": "/_localconnect/seed/sms-voice/phone-numbers", "body": body,
            "headers": {"Content-Type": "application/json"}, "values": numbers, "unique": True,
            "collect": "PhoneNumberArn"}


def _token(body: dict, client_tokens: bool) -> dict:
    # SDKs fill an idempotencyToken member with a fresh UUID when the caller gives none, which sends the
    # server through its idempotency record; $I keeps each token unique within the (per-round) account.
    return {**body, "ClientToken": "bench-token-$I"} if client_tokens else body


def import_job(account: str, instance_id: str, source_arns: list[str], client_tokens: bool = False) -> dict:
    # Each import needs a source number no other import has taken, so every value is used once.
    return connect_job(account, "POST", "/phone-number/import",
                       _token({"InstanceId": instance_id, "SourcePhoneNumberArn": "$V"}, client_tokens),
                       values=source_arns, unique=True)


def create_instance_job(account: str, client_tokens: bool = False) -> dict:
    return connect_job(account, "PUT", "/instance",
                       _token({"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "bench$I",
                               "InboundCallsEnabled": True, "OutboundCallsEnabled": True}, client_tokens))


def drive(url: str, job: dict, *, seconds: float, max_requests: int, connections: int,
          server_pid: int | None = None) -> dict:
    """Run one job in a load-generator child process and return its result."""
    full = {"url": url, "seconds": seconds, "max_requests": max_requests, "connections": connections,
            "server_pid": server_pid, **job}
    proc = subprocess.Popen([sys.executable, LOAD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        out, _ = proc.communicate(json.dumps(full), timeout=seconds + 300)
    finally:
        if proc.poll() is None:  # interrupted or timed out: stop our child by its pid
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed (exit {proc.returncode}) on {job['method']} {job['path']}")
    return json.loads(out)


def setup_drive(url: str, job: dict, count: int, connections: int) -> list:
    """Untimed set-up through the load generator: ``count`` requests, all of which must succeed."""
    result = drive(url, job, seconds=600, max_requests=count, connections=connections)
    if result["errors"] or result["ok"] != count:
        raise RuntimeError(f"set-up {job['path']} failed: {result['errors']} errors, e.g. {result['error_samples']}")
    return result["collected"]


def call(url: str, job: dict) -> dict:
    """One request in this process, for set-up steps too small to be worth a child process."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(job["method"], job["path"], body=job["body"], headers=job["headers"])
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    if not 200 <= response.status < 300:
        raise RuntimeError(f"set-up {job['method']} {job['path']} -> {response.status}: {data[:300]!r}")
    return json.loads(data or b"null")


def prepare_account(url: str, account: str) -> None:
    """Quotas high enough that no measured request is refused for quota."""
    status, body = admin_call(url, "POST", "/quotas", {
        "account": account, "region": REGION, "phone_numbers_per_instance": 1_000_000,
        "instances_per_region": 1_000_000})
    if status != 200:
        raise RuntimeError(f"setting quotas failed: {status} {body}")


def create_instance(url: str, account: str, alias: str) -> str:
    # Instances settle at once: the server runs with --instance-settle-seconds 0.
    return call(url, connect_job(account, "PUT", "/instance", {
        "IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": alias,
        "InboundCallsEnabled": True, "OutboundCallsEnabled": True}))["Id"]


def read_fixture(url: str, account: str, numbers: int, connections: int) -> dict:
    """One instance holding ``numbers`` imported numbers: what the read operations look at."""
    prepare_account(url, account)
    instance_id = create_instance(url, account, "reads")
    arns = setup_drive(url, seed_numbers_job(account, numbers), numbers, connections)
    job = {**import_job(account, instance_id, arns), "collect": "PhoneNumberId"}
    number_ids = setup_drive(url, job, numbers, connections)
    return {"instance_id": instance_id, "number_ids": number_ids}


def read_jobs(account: str, fixture: dict) -> dict[str, dict]:
    instance_id = fixture["instance_id"]
    return {
        "DescribeInstance": connect_job(account, "GET", f"/instance/{instance_id}"),
        "DescribePhoneNumber": connect_job(account, "GET", "/phone-number/$V", values=fixture["number_ids"]),
        "ListPhoneNumbersV2": connect_job(account, "POST", "/phone-number/list",
                                          {"InstanceId": instance_id, "MaxResults": 10}),
    }
