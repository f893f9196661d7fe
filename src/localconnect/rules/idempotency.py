"""ClientToken idempotency (docs/behaviour.md §6), applied by the gateway to every operation whose model marks a
member ``idempotencyToken``, inside the operation's own transaction (so the token's record and the
resource it created commit together, and two requests with one token serialise on the partition lock)."""
from __future__ import annotations

import json
from typing import Any

from ..core.call import Call
from ..core.errors import ConflictException, IdempotencyException
from ..core.units import HOUR
from . import retention


def fingerprint(params: dict[str, Any], token_member: str) -> str:
    """Canonical JSON of every input member but the token: path and query members included."""
    return json.dumps({k: v for k, v in params.items() if k != token_member}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


def replay(call: Call, token: str, print_: str) -> dict | None:
    """The stored response for this token, None for a new token, or the mismatch error."""
    key = {"account": call.account, "region": call.region, "operation": call.operation, "client_token": token}
    row = call.tx.one("SELECT fingerprint, response, created_at FROM idempotency WHERE account = :account "
                      "AND region = :region AND operation = :operation AND client_token = :client_token", **key)
    if row is None:
        return None
    if row["created_at"] + call.settings.idempotency_hours * HOUR <= call.now:
        call.tx.execute("DELETE FROM idempotency WHERE account = :account AND region = :region "
                        "AND operation = :operation AND client_token = :client_token", **key)
        return None
    if row["fingerprint"] != print_:
        if call.service == "sms-voice":
            raise ConflictException("The ClientToken was already used with different parameters.",
                                    Reason="RESOURCE_ALREADY_EXISTS", ResourceType="client-token",
                                    ResourceId=token)
        raise IdempotencyException(
            f"Idempotency token {token} was already used with different parameters for {call.operation}.")
    return json.loads(row["response"])


def remember(call: Call, token: str, print_: str, response: dict | None) -> None:
    call.tx.insert("idempotency", account=call.account, region=call.region, operation=call.operation,
                   client_token=token, fingerprint=print_, response=json.dumps(response or {}, separators=(",", ":")),
                   created_at=call.now)


@retention.purger("idempotency")
def purge(call: Call, limit: int) -> int:
    """Records past ``idempotency_hours`` (they already count as absent), oldest first, at most ``limit``."""
    rows = call.tx.all("SELECT operation, client_token FROM idempotency WHERE account = :account "
                       "AND region = :region AND created_at <= :before ORDER BY created_at LIMIT :limit",
                       account=call.account, region=call.region,
                       before=call.now - call.settings.idempotency_hours * HOUR, limit=limit)
    for row in rows:
        call.tx.execute("DELETE FROM idempotency WHERE account = :account AND region = :region "
                        "AND operation = :operation AND client_token = :client_token", account=call.account,
                        region=call.region, operation=row["operation"], client_token=row["client_token"])
    return len(rows)
