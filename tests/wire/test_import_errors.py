"""Each check of docs/behaviour.md §2, in order, by code, HTTP status and message, with the state unchanged after it."""
import pytest

from support import connect_numbers, error_of, import_settled, make_instance, request_number, seed_number


@pytest.fixture
def ready(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms, "TOLL_FREE")
    return instance, source


def test_validation_comes_first_with_coral_message(connect, lc, ready):
    instance, source = ready
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=source["PhoneNumberArn"],
                                        PhoneNumberDescription="d" * 501)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith("1 validation error detected: Value '")
    assert message.endswith("at 'phoneNumberDescription' failed to satisfy constraint: "
                            "Member must have length less than or equal to 500")
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId="x" * 101,
                                        SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, status) == ("InvalidParameterException", 400)
    assert "at 'instanceId'" in message and "less than or equal to 100" in message
    assert connect_numbers(lc) == []


def test_tags_are_validated(connect, lc, ready):
    instance, source = ready
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=source["PhoneNumberArn"], Tags={"aws:team": "x"})
    assert (code, status) == ("InvalidParameterException", 400)
    assert "at 'tags' failed to satisfy constraint: Map keys must satisfy constraint" in message
    assert connect_numbers(lc) == []


def test_unknown_instance_is_not_found(connect, lc, ready):
    _, source = ready
    missing = "00000000-0000-4000-8000-000000000000"
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=missing,
                                        SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert missing in message
    assert connect_numbers(lc) == []


def test_instance_not_yet_active_is_not_found(connect, sms, lc):
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="young",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)
    source = request_number(sms)
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert "not active" in message
    assert connect_numbers(lc) == []


def test_instance_of_another_region_is_not_found(connect, lc, ready):
    instance, _ = ready
    west_connect, west_sms = lc.clients(region="eu-west-2")
    west_source = request_number(west_sms, "LONG_CODE", country="GB")
    code, status, _, _ = error_of(west_connect.import_phone_number, InstanceId=instance["Id"],
                                  SourcePhoneNumberArn=west_source["PhoneNumberArn"])
    assert (code, status) == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize("arn", [
    "not-an-arn",
    "arn:aws:connect:us-east-1:123456789012:phone-number/abc",
    "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef",
    "arn:aws:sms-voice:us-east-1:12345:phone-number/phone-0123",
])
def test_source_arn_that_does_not_parse(connect, lc, ready, arn):
    instance, _ = ready
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=arn)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == f"SourcePhoneNumberArn is not an AWS End User Messaging SMS phone number ARN: {arn}"
    assert connect_numbers(lc) == []


def test_source_arn_of_another_region(connect, lc, ready):
    instance, source = ready
    arn = source["PhoneNumberArn"].replace(":us-east-1:", ":eu-west-2:")
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=arn)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == "SourcePhoneNumberArn is in Region eu-west-2; import it in that Region, not us-east-1."


def test_source_arn_of_another_account(connect, lc, ready):
    instance, source = ready
    arn = source["PhoneNumberArn"].replace(":123456789012:", ":111122223333:")
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=arn)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == ("SourcePhoneNumberArn belongs to account 111122223333, not to the calling account "
                       "123456789012.")


def test_unknown_source_number(connect, lc, ready):
    instance, _ = ready
    arn = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-" + "f" * 32
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=arn)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Source phone number not found: {arn}"


def test_deleted_source_number(connect, sms, lc, ready):
    instance, source = ready
    sms.release_phone_number(PhoneNumberId=source["PhoneNumberId"])
    code, status, _, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                  SourcePhoneNumberArn=source["PhoneNumberArn"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert connect_numbers(lc) == []


@pytest.mark.parametrize("status_", ["PENDING", "ASSOCIATING", "DISASSOCIATING"])
def test_source_not_active(connect, lc, ready, status_):
    instance, _ = ready
    seeded = seed_number(lc, NumberType="TOLL_FREE", Status=status_)
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=seeded["PhoneNumberArn"])
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == (f"Source phone number {seeded['PhoneNumberArn']} is {status_}; "
                       "only ACTIVE numbers can be imported.")
    assert connect_numbers(lc) == []


def test_simulator_numbers_cannot_be_imported(connect, sms, lc, ready):
    instance, _ = ready
    simulator = request_number(sms, "SIMULATOR")
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=simulator["PhoneNumberArn"])
    assert (code, status) == ("InvalidParameterException", 400)
    assert "SIMULATOR" in message and "cannot be imported" in message
    assert connect_numbers(lc) == []


def test_already_imported_while_in_progress_and_claimed(connect, lc, ready):
    instance, source = ready
    first = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"])
    for _ in range(2):  # once IN_PROGRESS, once CLAIMED
        code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                            SourcePhoneNumberArn=source["PhoneNumberArn"])
        assert (code, status) == ("InvalidParameterException", 400)
        assert message == f"Source phone number {source['PhoneNumberArn']} is already imported into Amazon Connect."
        assert [n["PhoneNumberId"] for n in connect_numbers(lc)] == [first["PhoneNumberId"]]
        lc.advance(1)


def test_short_code_and_ten_dlc_types_map(connect, lc, ready):
    instance, _ = ready
    short = seed_number(lc, NumberType="SHORT_CODE")
    ten_dlc = seed_number(lc, NumberType="TEN_DLC")
    long_code = seed_number(lc, NumberType="LONG_CODE", IsoCountryCode="GB")
    types = {}
    for seeded in (short, ten_dlc, long_code):
        out = import_settled(connect, lc, instance["Id"], seeded["PhoneNumberArn"])
        summary = connect.describe_phone_number(PhoneNumberId=out["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
        types[seeded["NumberType"]] = (summary["PhoneNumberType"], summary["PhoneNumberCountryCode"])
    assert types == {"SHORT_CODE": ("SHORT_CODE", "US"), "TEN_DLC": ("DID", "US"), "LONG_CODE": ("DID", "GB")}


def test_full_instance_accepts_then_fails_with_the_limit_message(connect, sms, lc, ready):
    instance, _ = ready
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 2})
    ids = [connect.import_phone_number(InstanceId=instance["Id"],
                                       SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"])["PhoneNumberId"]
           for _ in range(3)]
    assert [connect.describe_phone_number(PhoneNumberId=i)["ClaimedPhoneNumberSummary"]["PhoneNumberStatus"]
            for i in ids] == [{"Status": "IN_PROGRESS"}] * 3
    lc.advance(1)
    statuses = [connect.describe_phone_number(PhoneNumberId=i)["ClaimedPhoneNumberSummary"]["PhoneNumberStatus"]
                for i in ids]
    assert statuses == [{"Status": "CLAIMED"}, {"Status": "CLAIMED"},
                        {"Status": "FAILED", "Message": "The phone number limit for the target has been reached."}]
    listed = connect.list_phone_numbers_v2(InstanceId=instance["Id"])["ListPhoneNumbersSummaryList"]
    assert sorted(n["PhoneNumberId"] for n in listed) == sorted(ids[:2])


def test_failed_import_frees_the_source_and_disappears_after_a_day(connect, sms, lc, ready):
    instance, source = ready
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    import_settled(connect, lc, instance["Id"], request_number(sms)["PhoneNumberArn"])  # fills the instance
    failed = import_settled(connect, lc, instance["Id"], source["PhoneNumberArn"])
    summary = connect.describe_phone_number(PhoneNumberId=failed["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
    assert summary["PhoneNumberStatus"]["Status"] == "FAILED"
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 2})
    again = import_settled(connect, lc, instance["Id"], source["PhoneNumberArn"])  # source is free at once
    assert connect.describe_phone_number(PhoneNumberId=again["PhoneNumberId"])[
        "ClaimedPhoneNumberSummary"]["PhoneNumberStatus"] == {"Status": "CLAIMED"}
    lc.advance(24 * 3600)
    code, status, _, _ = error_of(connect.describe_phone_number, PhoneNumberId=failed["PhoneNumberId"])
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_release_while_in_progress_is_resource_in_use(connect, lc, ready):
    instance, source = ready
    out = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"])
    code, status, message, response = error_of(connect.release_phone_number, PhoneNumberId=out["PhoneNumberId"])
    assert (code, status) == ("ResourceInUseException", 409)
    assert response["ResourceType"] == "PHONE_NUMBER"
    assert response["ResourceId"] == out["PhoneNumberArn"]
    assert "IN_PROGRESS" in message
    lc.advance(1)
    connect.release_phone_number(PhoneNumberId=out["PhoneNumberArn"])  # by ARN works too
    assert connect_numbers(lc) == []


def test_release_unknown_number(connect, lc):
    code, status, _, _ = error_of(connect.release_phone_number, PhoneNumberId="00000000-0000-4000-8000-000000000000")
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_describe_with_arn_of_other_region_is_not_found(connect, lc, ready):
    instance, source = ready
    out = import_settled(connect, lc, instance["Id"], source["PhoneNumberArn"])
    arn = out["PhoneNumberArn"].replace(":us-east-1:", ":us-west-2:")
    code, status, _, _ = error_of(connect.describe_phone_number, PhoneNumberId=arn)
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_deleting_the_instance_releases_its_numbers(connect, sms, lc, ready):
    instance, source = ready
    out = import_settled(connect, lc, instance["Id"], source["PhoneNumberArn"])
    connect.delete_instance(InstanceId=instance["Id"])
    code, status, _, _ = error_of(connect.describe_phone_number, PhoneNumberId=out["PhoneNumberId"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    window = lc.state()["partitions"][0]["release_window"]
    assert window["events_in_window"] == 1
    sms.release_phone_number(PhoneNumberId=source["PhoneNumberId"])  # no longer used by Connect
