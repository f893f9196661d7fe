"""ClientToken idempotency (spec 12.6), applied by the gateway to every operation whose model marks a
member ``idempotencyToken``, inside the operation's own transaction (so the token's record and the
resource it created commit together, and two requests with one token serialise on the partition lock)."""
from __future__ import annotations

import json
from typing import Any

from ..gateway import catalog
from ..gateway.errors import ConflictException, IdempotencyException
from ..services.registry import Call


def fingerprint(params: dict[str, Any], token_member: str) -> str:
    """Canonical JSON of every input member but the token: path and query members included."""
    return json.dumps({k: v for k, v in params.items() if k != token_member}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


def replay(call: Call, token: str, print_: str) -> dict | None:
    """The stored response for this token, None for a new token, or the mismatch error."""
    row = call.tx.one("SELECT fingerprint, response, created_at FROM idempotency "
                      "WHERE account = ? AND region = ? AND operation = ? AND client_token = ?",
                      call.account, call.region, call.operation, token)
    if row is None:
        return None
    if row["created_at"] + call.settings.idempotency_hours * 3600 <= call.now:
        call.tx.execute("DELETE FROM idempotency WHERE account = ? AND region = ? AND operation = ? "
                        "AND client_token = ?", call.account, call.region, call.operation, token)
        return None
    if row["fingerprint"] != print_:
        if call.service == catalog.SMS_VOICE:
            raise ConflictException("The ClientToken was already used with different parameters.",
                                    Reason="RESOURCE_ALREADY_EXISTS", ResourceType="client-token",
                                    ResourceId=token)
        raise IdempotencyException(
            f"Idempotency token {token} was already used with different parameters for {call.operation}.")
    return json.loads(row["response"])


def remember(call: Call, token: str, print_: str, response: dict | None) -> None:
    call.tx.execute("INSERT INTO idempotency (account, region, operation, client_token, fingerprint, response, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", call.account, call.region, call.operation,
                    token, print_, json.dumps(response or {}, separators=(",", ":")), call.now)
