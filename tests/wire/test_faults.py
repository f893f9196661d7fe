"""Fault injection through the admin API (docs/behaviour.md §7): the 500, 429 and 403 of ImportPhoneNumber on demand, and
boto3's standard retry recovering from an injected 500 with exactly one number created."""
from __future__ import annotations

import pytest

from support import connect_numbers, error_of, make_instance, request_number

IMPORT = "connect:ImportPhoneNumber"



def test_sdk_standard_retry_recovers_from_an_injected_500_with_one_number(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms)
    status, fault = lc.admin("POST", "/faults", {"operation": IMPORT, "error": "InternalServiceException", "count": 1})
    assert status == 200 and fault["count"] == 1
    retrying, _ = lc.clients(retries={"mode": "standard", "max_attempts": 3})
    out = retrying.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                       ClientToken="once")
    assert out["ResponseMetadata"]["RetryAttempts"] == 1
    assert [n["PhoneNumberId"] for n in connect_numbers(lc)] == [out["PhoneNumberId"]]
    assert lc.admin("GET", "/faults")[1] == {"faults": []}  # a counted fault is spent


@pytest.mark.parametrize("error,status", [("InternalServiceException", 500), ("ThrottlingException", 429),
                                          ("AccessDeniedException", 403)])
def test_each_injected_error_has_its_code_and_status_and_writes_nothing(connect, sms, lc, error, status):
    instance = make_instance(connect, lc)
    source = request_number(sms)
    lc.admin("POST", "/faults", {"operation": IMPORT, "error": error, "rate": 1.0})
    no_retry, _ = lc.clients(retries={"mode": "standard", "total_max_attempts": 1})
    code, got, _, response = error_of(no_retry.import_phone_number, InstanceId=instance["Id"],
                                      SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, got) == (error, status)
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == error
    assert connect_numbers(lc) == []
    assert lc.admin("GET", "/faults")[1]["faults"][0]["injected"] == 1
    assert lc.admin("DELETE", "/faults")[1] == {"cleared": 1}
    assert no_retry.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"])


def test_faults_can_target_one_account_and_exhaust_retries(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms)
    lc.admin("POST", "/faults", {"operation": IMPORT, "error": "InternalServiceException", "count": 3,
                                 "account": "111122223333"})
    assert connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"])
    other, other_sms = lc.clients(access_key="111122223333", retries={"mode": "standard", "total_max_attempts": 3})
    other_instance = make_instance(other, lc, alias="other")
    other_source = request_number(other_sms)
    code, status, _, response = error_of(other.import_phone_number, InstanceId=other_instance["Id"],
                                         SourcePhoneNumberArn=other_source["PhoneNumberArn"])
    assert (code, status, response["ResponseMetadata"]["RetryAttempts"]) == ("InternalServiceException", 500, 2)
    assert [p["phone_numbers"] for p in lc.state()["partitions"] if p["account"] == "111122223333"] == [[]]


def test_end_user_messaging_faults_speak_its_protocol(sms, lc):
    lc.admin("POST", "/faults", {"operation": "sms-voice:RequestPhoneNumber", "error": "InternalServiceException",
                                 "count": 1})
    no_retry = lc.clients(retries={"mode": "standard", "total_max_attempts": 1})[1]
    code, status, _, _ = error_of(request_number, no_retry)
    assert (code, status) == ("InternalServerException", 500)


@pytest.mark.parametrize("spec,message", [
    ({"operation": IMPORT, "error": "Nope", "count": 1}, "error must be one of"),
    ({"operation": "ImportPhoneNumber", "error": "ThrottlingException", "count": 1}, "operation must look like"),
    ({"operation": IMPORT, "error": "ThrottlingException"}, "give exactly one of count, rate"),
    ({"operation": IMPORT, "error": "ThrottlingException", "count": 0}, "count must be"),
    ({"operation": IMPORT, "error": "ThrottlingException", "rate": 1.5}, "rate must be"),
    ({"operation": IMPORT, "error": "ThrottlingException", "rate": 0.5, "colour": "red"}, "unknown fault fields"),
])
def test_bad_fault_requests_are_400(lc, spec, message):
    status, body = lc.admin("POST", "/faults", spec)
    assert status == 400 and message in body["error"]["message"]
    assert lc.admin("GET", "/faults")[1] == {"faults": []}
