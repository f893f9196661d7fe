"""The whole ImportPhoneNumber story through boto3 against a running server (issue: ImportPhoneNumber end to end)."""
from support import error_of, import_settled, make_instance, request_number


def test_create_request_import_settle_list_tag_release_reimport(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms, "TOLL_FREE")
    assert source["Status"] == "ACTIVE"

    imported = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                           PhoneNumberDescription="support line", Tags={"team": "ops"})
    number_id, number_arn = imported["PhoneNumberId"], imported["PhoneNumberArn"]
    assert number_arn == f"arn:aws:connect:us-east-1:123456789012:phone-number/{number_id}"

    summary = connect.describe_phone_number(PhoneNumberId=number_id)["ClaimedPhoneNumberSummary"]
    assert summary["PhoneNumberStatus"] == {"Status": "IN_PROGRESS"}
    assert summary["SourcePhoneNumberArn"] == source["PhoneNumberArn"]
    assert summary["PhoneNumber"] == source["PhoneNumber"]
    assert summary["PhoneNumberType"] == "TOLL_FREE"
    assert summary["PhoneNumberCountryCode"] == "US"
    assert summary["TargetArn"] == instance["Arn"]
    assert summary["InstanceId"] == instance["Id"]
    assert summary["PhoneNumberDescription"] == "support line"
    assert summary["Tags"] == {"team": "ops"}
    # Lists show CLAIMED numbers only (docs/behaviour.md §3)
    assert connect.list_phone_numbers_v2(InstanceId=instance["Id"])["ListPhoneNumbersSummaryList"] == []

    lc.advance(1)
    by_arn = connect.describe_phone_number(PhoneNumberId=number_arn)["ClaimedPhoneNumberSummary"]
    assert by_arn["PhoneNumberStatus"] == {"Status": "CLAIMED"}

    listed = connect.list_phone_numbers_v2(InstanceId=instance["Id"])["ListPhoneNumbersSummaryList"]
    assert [n["PhoneNumberId"] for n in listed] == [number_id]
    assert listed[0]["SourcePhoneNumberArn"] == source["PhoneNumberArn"]

    connect.tag_resource(resourceArn=number_arn, tags={"cost": "42"})
    assert connect.list_tags_for_resource(resourceArn=number_arn)["tags"] == {"team": "ops", "cost": "42"}
    assert connect.describe_phone_number(PhoneNumberId=number_id)["ClaimedPhoneNumberSummary"]["Tags"] == \
        {"team": "ops", "cost": "42"}

    connect.release_phone_number(PhoneNumberId=number_id)
    code, status, _, _ = error_of(connect.describe_phone_number, PhoneNumberId=number_id)
    assert (code, status) == ("ResourceNotFoundException", 404)
    # The End User Messaging number stays, unchanged
    again = sms.describe_phone_numbers(PhoneNumberIds=[source["PhoneNumberId"]])["PhoneNumbers"][0]
    assert again["Status"] == "ACTIVE"

    second = import_settled(connect, lc, instance["Id"], source["PhoneNumberArn"])
    assert second["PhoneNumberId"] != number_id
    status_now = connect.describe_phone_number(PhoneNumberId=second["PhoneNumberId"])
    assert status_now["ClaimedPhoneNumberSummary"]["PhoneNumberStatus"]["Status"] == "CLAIMED"
