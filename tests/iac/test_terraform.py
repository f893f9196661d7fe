"""Terraform's call sequences against a running server, call for call (terraform_provider.py re-enacts the Go
code of hashicorp/terraform-provider-aws it names): create, read (refresh and plan), update, import and destroy of
aws_connect_instance (internal/service/connect/instance.go), aws_connect_phone_number (phone_number.go),
aws_connect_phone_number_contact_flow_association (phone_number_contact_flow_association.go, with the
aws_connect_contact_flow data source of contact_flow_data_source.go) and aws_pinpointsmsvoicev2_phone_number
(internal/service/pinpointsmsvoicev2/phone_number.go), plus the provider's GetCallerIdentity.

Terraform itself cannot be downloaded here (only the PyPI, Debian and npm registries are reachable), so these
re-enactments stand in for `terraform apply` with endpoint overrides (README, "Use it from Terraform")."""
from __future__ import annotations

import boto3
import pytest
import terraform_provider as tf
from iac_support import NotFound, UnexpectedState, names, recorded

ATTRIBUTE_TYPES = ["AUTO_RESOLVE_BEST_VOICES", "CONTACTFLOW_LOGS", "CONTACT_LENS", "EARLY_MEDIA", "INBOUND_CALLS",
                   "MULTI_PARTY_CONFERENCE", "OUTBOUND_CALLS"]


@pytest.fixture
def sts(lc):
    return boto3.client("sts", endpoint_url=lc.url, region_name="us-east-1", aws_access_key_id="AKIDLOCALCONNECT",
                        aws_secret_access_key="anything")


def instance_config(alias: str, **extra) -> dict:
    return {"identity_management_type": "CONNECT_MANAGED", "instance_alias": alias, "inbound_calls_enabled": True,
            "outbound_calls_enabled": True, **extra}


def test_provider_configure_asks_sts_for_the_account(sts):
    with recorded(sts) as calls:
        assert tf.configure(sts) == "123456789012"
    assert names(calls) == ["GetCallerIdentity"]


def test_aws_connect_instance_lifecycle(connect, lc):
    config = instance_config("tf-instance", contact_flow_logs_enabled=True, tags={"env": "test"})
    with recorded(connect) as calls:
        state = tf.instance_create(connect, lc, config)
    made = names(calls)
    assert made[0] == "CreateInstance" and calls[0][1]["ClientToken"].startswith("terraform-")
    polls = made[1:made.index("UpdateInstanceAttribute")]
    assert len(polls) >= 2 and set(polls) == {"DescribeInstance"}  # CREATION_IN_PROGRESS, then ACTIVE
    rest = made[1 + len(polls):]
    assert rest == ["UpdateInstanceAttribute"] * 7 + ["DescribeInstance"] + ["DescribeInstanceAttribute"] * 7
    assert [p["AttributeType"] for n, p in calls if n == "UpdateInstanceAttribute"] == ATTRIBUTE_TYPES
    assert {k: state[k] for k in tf.INSTANCE_ATTRIBUTES} == {
        "auto_resolve_best_voices_enabled": True, "contact_flow_logs_enabled": True, "contact_lens_enabled": True,
        "early_media_enabled": True, "inbound_calls_enabled": True, "multi_party_conference_enabled": False,
        "outbound_calls_enabled": True}
    assert (state["status"], state["tags"], state["instance_alias"]) == ("ACTIVE", {"env": "test"}, "tf-instance")

    # A plan right after apply: the refreshed state equals what was applied (no diff).
    assert tf.instance_read(connect, state["id"]) == state

    # Update: two attributes and the tags; only changed attributes are sent.
    changed = dict(config, early_media_enabled=False, inbound_calls_enabled=False, tags={"env": "prod", "team": "x"})
    with recorded(connect) as calls:
        state = tf.instance_update(connect, state, changed)
    assert [(n, p.get("AttributeType")) for n, p in calls][:2] == [
        ("UpdateInstanceAttribute", "EARLY_MEDIA"), ("UpdateInstanceAttribute", "INBOUND_CALLS")]
    assert names(calls)[2:4] == ["TagResource", "DescribeInstance"]
    assert (state["early_media_enabled"], state["inbound_calls_enabled"], state["tags"]) == (
        False, False, {"env": "prod", "team": "x"})
    assert connect.describe_instance(InstanceId=state["id"])["Instance"]["InboundCallsEnabled"] is False

    # terraform import aws_connect_instance.x <id>: Read by id gives the same state.
    assert tf.instance_read(connect, state["id"]) == state

    with recorded(connect) as calls:
        tf.instance_delete(connect, lc, state["id"])
    assert names(calls) == ["DeleteInstance", "DescribeInstance"]  # the deleted waiter's first poll is a 404
    assert tf.instance_read(connect, state["id"]) is None  # refresh: removed from state, not an error
    tf.instance_delete(connect, lc, state["id"])  # destroy of an already-deleted instance: 404 is success
    with pytest.raises(NotFound):
        tf.instance_read(connect, state["id"], new=True)


def test_aws_connect_phone_number_lifecycle(connect, lc):
    a = tf.instance_create(connect, lc, instance_config("tf-numbers-a"))
    b = tf.instance_create(connect, lc, instance_config("tf-numbers-b"))
    config = {"target_arn": a["arn"], "country_code": "US", "type": "DID", "prefix": "+1206",
              "description": "main line", "tags": {"team": "ops"}}
    with recorded(connect) as calls:
        state = tf.phone_number_create(connect, lc, config)
    made = names(calls)
    assert made[:2] == ["SearchAvailablePhoneNumbers", "ClaimPhoneNumber"]
    assert calls[0][1] == {"MaxResults": 1, "PhoneNumberCountryCode": "US", "PhoneNumberType": "DID",
                           "TargetArn": a["arn"], "PhoneNumberPrefix": "+1206"}
    assert set(made[2:]) == {"DescribePhoneNumber"} and len(made) >= 4  # IN_PROGRESS polled, CLAIMED, then Read
    assert {k: state[k] for k in ("country_code", "description", "target_arn", "type", "tags", "status")} == {
        "country_code": "US", "description": "main line", "target_arn": a["arn"], "type": "DID",
        "tags": {"team": "ops"}, "status": [{"message": "", "status": "CLAIMED"}]}
    assert state["phone_number"].startswith("+1206555")

    # terraform import by id, and by ARN (DescribePhoneNumber takes either): the same number.
    assert tf.phone_number_read(connect, state["id"]) == state
    assert dict(tf.phone_number_read(connect, state["arn"]), id=state["id"]) == state

    # Move to another instance and retag.
    with recorded(connect) as calls:
        state = tf.phone_number_update(connect, lc, state, dict(config, target_arn=b["arn"], tags={"team": "sales"}))
    made = names(calls)
    assert made[0] == "UpdatePhoneNumber" and "ClientToken" in calls[0][1]
    assert set(made[1:-2]) == {"DescribePhoneNumber"} and len(made[1:-2]) >= 2  # IN_PROGRESS, then CLAIMED
    assert made[-2:] == ["TagResource", "DescribePhoneNumber"]  # only the changed tag value is sent
    assert (state["target_arn"], state["tags"], state["status"][0]["status"]) == (b["arn"], {"team": "sales"}, "CLAIMED")

    with recorded(connect) as calls:
        tf.phone_number_delete(connect, lc, state["id"])
    assert names(calls) == ["ReleasePhoneNumber", "DescribePhoneNumber"]
    assert tf.phone_number_read(connect, state["id"]) is None
    tf.phone_number_delete(connect, lc, state["id"])  # 404 on a second destroy is success


def test_phone_number_in_a_newly_covered_country_and_the_empty_result(connect, lc):
    instance = tf.instance_create(connect, lc, instance_config("tf-countries"))
    state = tf.phone_number_create(connect, lc, {"target_arn": instance["arn"], "country_code": "SE",
                                                 "type": "TOLL_FREE"})
    assert (state["country_code"], state["type"], state["phone_number"][:11]) == ("SE", "TOLL_FREE", "+4608005550")
    with pytest.raises(AssertionError, match="empty result"):
        tf.phone_number_create(connect, lc, {"target_arn": instance["arn"], "country_code": "AQ", "type": "DID"})


def test_a_failed_claim_fails_the_create_waiter(connect, lc):
    instance = tf.instance_create(connect, lc, instance_config("tf-full"))
    status, _ = lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    assert status == 200
    tf.phone_number_create(connect, lc, {"target_arn": instance["arn"], "country_code": "US", "type": "DID"})
    with pytest.raises(UnexpectedState, match="unexpected state 'FAILED', wanted target 'CLAIMED'"):
        tf.phone_number_create(connect, lc, {"target_arn": instance["arn"], "country_code": "US", "type": "DID"})


def test_aws_connect_phone_number_contact_flow_association_lifecycle(connect, lc):
    instance = tf.instance_create(connect, lc, instance_config("tf-assoc"))
    number = tf.phone_number_create(connect, lc, {"target_arn": instance["arn"], "country_code": "GB", "type": "DID"})
    with recorded(connect) as calls:
        flow = tf.contact_flow_data_source(connect, instance["id"], "Sample inbound flow (first contact experience)")
    assert names(calls) == ["ListContactFlows", "DescribeContactFlow"] and calls[0][1]["MaxResults"] == 60
    config = {"phone_number_id": number["id"], "instance_id": instance["id"], "contact_flow_id": flow["Id"]}
    with recorded(connect) as calls:
        state = tf.association_create(connect, config)
        assert tf.association_read(connect, state) == config
    assert names(calls) == ["AssociatePhoneNumberContactFlow", "DescribePhoneNumber", "DescribeContactFlow",
                            "ListFlowAssociations"]
    assert calls[-1][1] == {"InstanceId": instance["id"], "ResourceType": "VOICE_PHONE_NUMBER"}
    # terraform import aws_connect_phone_number_contact_flow_association.x "number,instance,flow"
    assert tf.association_import(connect, f"{number['id']},{instance['id']},{flow['Id']}") == config
    # A different flow id finds no association: the import of a wrong id is "not found", not an error.
    other = tf.contact_flow_data_source(connect, instance["id"], "Sample AB test")
    assert tf.association_import(connect, f"{number['id']},{instance['id']},{other['Id']}") is None

    tf.association_delete(connect, state)
    assert tf.association_read(connect, state) is None
    tf.association_delete(connect, state)  # destroying twice: 200, no association left

    # Released behind Terraform's back: the next refresh removes the association from state.
    state = tf.association_create(connect, config)
    tf.phone_number_delete(connect, lc, number["id"])
    assert tf.association_read(connect, state) is None
    tf.association_delete(connect, state)  # the number is gone: 404, which destroy treats as done


def test_aws_pinpointsmsvoicev2_phone_number_lifecycle(sms, lc):
    config = {"iso_country_code": "US", "message_type": "TRANSACTIONAL", "number_capabilities": ["SMS", "VOICE"],
              "number_type": "TOLL_FREE", "deletion_protection_enabled": True, "tags": {"team": "ops"}}
    with recorded(sms) as calls:
        state = tf.sms_number_create(sms, lc, config)
    assert names(calls) == ["RequestPhoneNumber", "DescribePhoneNumbers", "DescribePhoneNumbers",
                            "ListTagsForResource"]
    assert calls[0][1]["OptOutListName"] == "Default" and calls[0][1]["DeletionProtectionEnabled"] is True
    assert {k: state[k] for k in ("deletion_protection_enabled", "number_type", "opt_out_list_name", "tags")} == {
        "deletion_protection_enabled": True, "number_type": "TOLL_FREE", "opt_out_list_name": "Default",
        "tags": {"team": "ops"}}
    assert tf.sms_number_read(sms, state["id"]) == state  # import by id
    assert dict(tf.sms_number_read(sms, state["arn"]), id=state["id"]) == state  # and by ARN

    with pytest.raises(Exception) as info:  # destroy while protected fails, as in AWS
        tf.sms_number_delete(sms, lc, state["id"])
    assert info.value.response["Error"]["Code"] == "ConflictException"
    state = tf.sms_number_update(sms, lc, state, dict(config, deletion_protection_enabled=False,
                                                      self_managed_opt_outs_enabled=True, tags={"team": "sales"}))
    assert (state["deletion_protection_enabled"], state["self_managed_opt_outs_enabled"], state["tags"]) == (
        False, True, {"team": "sales"})
    with recorded(sms) as calls:
        tf.sms_number_delete(sms, lc, state["id"])
    assert names(calls) == ["ReleasePhoneNumber", "DescribePhoneNumbers"]
    assert tf.sms_number_read(sms, state["id"]) is None
    tf.sms_number_delete(sms, lc, state["id"])


def test_the_readme_configuration_applies_and_destroys(connect, sms, sts, lc):
    """The README's sample, in Terraform's dependency order: instance; End User Messaging number; a claimed
    Connect number; the data source's flow; the association. Then destroy in reverse order."""
    assert tf.configure(sts) == "123456789012"
    instance = tf.instance_create(connect, lc, instance_config("tf-readme"))
    source = tf.sms_number_create(sms, lc, {"iso_country_code": "US", "message_type": "TRANSACTIONAL",
                                            "number_capabilities": ["SMS", "VOICE"], "number_type": "TOLL_FREE"})
    claimed = tf.phone_number_create(connect, lc, {"target_arn": instance["arn"], "country_code": "US",
                                                   "type": "TOLL_FREE"})
    flow = tf.contact_flow_data_source(connect, instance["id"], "Sample inbound flow (first contact experience)")
    association = tf.association_create(connect, {"phone_number_id": claimed["id"], "instance_id": instance["id"],
                                                  "contact_flow_id": flow["Id"]})
    assert tf.association_read(connect, association) == association
    tf.association_delete(connect, association)
    tf.phone_number_delete(connect, lc, claimed["id"])
    tf.sms_number_delete(sms, lc, source["id"])
    tf.instance_delete(connect, lc, instance["id"])
    partition = lc.state()["partitions"][0]
    assert partition["instances"] == [] and partition["phone_numbers"] == []
