"""STS GetCallerIdentity (docs/behaviour.md §15): who the calling key is, from the same identity every other
call of the key gets (docs/behaviour.md §1): its account and principal ARN.

UserId is what AWS gives for each kind of principal: the account id for the root user, the principal's unique
id for an IAM user (``AIDA…``) or role (``AROA…:{session}``), ``{account}:{name}`` for a federated user. localconnect
keeps no IAM users, so the unique id is derived from the principal ARN: the same ARN always has the same id.
"""
from __future__ import annotations

import base64
import hashlib
from typing import Iterator

from ...core import arns
from ...core.call import Call
from ..registry import operation


def _no_checks(call: Call, req: dict) -> Iterator:
    """GetCallerIdentity needs no permission: AWS answers it even when a policy denies sts:GetCallerIdentity."""
    return iter(())


def unique_id(prefix: str, principal_arn: str) -> str:
    """An IAM-style unique id: the prefix and 17 characters of [A-Z2-7], stable for one principal ARN."""
    digest = base64.b32encode(hashlib.sha256(principal_arn.encode()).digest()).decode()
    return prefix + digest[:17]


def user_id(account: str, principal_arn: str) -> str:
    parsed = arns.parse(principal_arn)
    if parsed is None:
        return account
    kind, _, rest = parsed.resource.partition("/")
    if kind == "user":
        return unique_id("AIDA", principal_arn)
    if kind == "assumed-role":
        role, _, session = rest.partition("/")
        return f"{unique_id('AROA', f'arn:aws:iam::{parsed.account}:role/{role}')}:{session}"
    if kind == "role":
        return unique_id("AROA", principal_arn)
    if kind == "federated-user":
        return f"{parsed.account}:{rest}"
    return account  # root


@operation("sts", "GetCallerIdentity", write=False, iam=_no_checks)
def get_caller_identity(call: Call, req: dict) -> dict:
    return {"UserId": user_id(call.account, call.principal_arn), "Account": call.account,
            "Arn": call.principal_arn}
