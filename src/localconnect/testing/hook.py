"""The botocore hook of the in-process mode, kept apart from the app so that the pytest plugin can install it
when pytest starts (before any test module creates a boto3 session) without loading the whole server."""
from __future__ import annotations

import sys
from typing import Any

import botocore.handlers

# botocore's event names use the hyphenated service id
SERVICES = ("connect", "pinpoint-sms-voice-v2")

# The in-process apps answering now, innermost last (mock_localconnect blocks may nest).
ACTIVE: list[Any] = []


def dispatch(request, **kwargs):
    """Inside mock_localconnect the innermost app answers; outside, the request goes out as usual."""
    return ACTIVE[-1].handle(request, **kwargs) if ACTIVE else None


def install() -> None:
    """Hook every botocore session created from now on (sessions copy the built-in handlers when they are
    created), and boto3's default session if one was created before this import. Once only: botocore calls
    every before-send handler, so a second registration would answer each request twice."""
    for service in SERVICES:
        botocore.handlers.BUILTIN_HANDLERS.append((f"before-send.{service}", dispatch))
    boto3 = sys.modules.get("boto3")
    session = getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None
    if session is not None:
        for service in SERVICES:
            session._session.register(f"before-send.{service}", dispatch, unique_id=f"localconnect-{service}")


install()
