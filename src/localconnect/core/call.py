"""The context a handler receives: who is calling, where, when, and the open transaction. Handlers never see HTTP."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: core imports nothing of ours at run time
    from ..settings import Settings
    from ..store.engine import Tx


@dataclass
class Call:
    """One API call: who, where, when, and the open transaction."""
    service: str
    operation: str
    account: str
    region: str
    principal_arn: str
    now: float
    tx: "Tx"
    settings: "Settings"
    request_id: str
    # The account+Region's partitions row (quota overrides) when the call holds its lock, else None.
    partition: Any = None

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"
