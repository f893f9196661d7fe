"""Token-bucket arithmetic against the service clock, and the fault injector's bookkeeping."""
from __future__ import annotations

import random

import pytest

from localconnect.rules.faults import FaultError, FaultInjector
from localconnect.rules.throttling import Throttler, TokenBucket


def test_bucket_starts_full_then_refills_at_its_rate():
    bucket = TokenBucket(rate=2.0, burst=5.0, tokens=5.0, updated=100.0)
    assert [bucket.take(100.0) for _ in range(6)] == [True] * 5 + [False]
    assert bucket.take(100.4) is False   # 0.8 tokens
    assert bucket.take(100.5) is True    # 1.0 token
    assert bucket.take(110.0) and bucket.tokens == pytest.approx(4.0)  # capped at the burst, minus one


def test_bucket_ignores_a_clock_that_goes_backwards():
    bucket = TokenBucket(rate=1.0, burst=1.0, tokens=0.0, updated=50.0)
    assert bucket.take(40.0) is False
    assert bucket.updated == 50.0
    assert bucket.take(51.0) is True


def test_throttler_modes_and_limits():
    off = Throttler("off")
    assert all(off.allow("a", "r", "connect:ListInstances", 0.0) for _ in range(100))
    aws = Throttler("aws", {"connect:ImportPhoneNumber": (1.0, 2.0)})
    assert aws.limit_for("connect:DescribePhoneNumber") == (2.0, 5.0)
    assert aws.limit_for("connect:CreateInstance") == (0.1, 1.0)
    assert aws.limit_for("connect:ImportPhoneNumber") == (1.0, 2.0)
    assert aws.limit_for("sms-voice:RequestPhoneNumber") is None
    assert [aws.allow("a", "r", "connect:ImportPhoneNumber", 0.0) for _ in range(3)] == [True, True, False]
    assert aws.allow("b", "r", "connect:ImportPhoneNumber", 0.0)  # per account
    aws.reset()
    assert aws.allow("a", "r", "connect:ImportPhoneNumber", 0.0)


def test_counted_faults_are_spent_and_account_scoped():
    faults = FaultInjector()
    faults.add({"operation": "connect:ImportPhoneNumber", "error": "ThrottlingException", "count": 2,
                "account": "111122223333"})
    assert faults.draw("connect:ImportPhoneNumber", "123456789012") is None
    assert faults.draw("connect:ClaimPhoneNumber", "111122223333") is None
    assert [faults.draw("connect:ImportPhoneNumber", "111122223333") for _ in range(3)] == [
        "ThrottlingException", "ThrottlingException", None]
    assert faults.describe() == []


def test_rate_faults_follow_their_fraction():
    faults = FaultInjector(rng=random.Random(7))
    faults.add({"operation": "connect:DescribePhoneNumber", "error": "InternalServiceException", "rate": 0.25})
    hits = sum(faults.draw("connect:DescribePhoneNumber", "123456789012") is not None for _ in range(4000))
    assert 850 < hits < 1150
    assert faults.describe()[0]["injected"] == hits
    assert faults.clear() == 1 and faults.describe() == []


def test_bad_fault_specs():
    with pytest.raises(FaultError, match="give exactly one of count, rate"):
        FaultInjector().add({"operation": "connect:X", "error": "ThrottlingException", "count": 1, "rate": 0.5})
