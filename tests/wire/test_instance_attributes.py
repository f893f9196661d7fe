"""Instance attributes through boto3 (docs/behaviour.md §3.3): AWS's defaults for a new instance, "true"/"false"
values, INBOUND_CALLS/OUTBOUND_CALLS kept one value with DescribeInstance, pagination, and what Terraform's
aws_connect_instance does after CreateInstance (internal/service/connect/instance.go: UpdateInstanceAttribute
for each configured attribute, then DescribeInstanceAttribute for each on read)."""
from __future__ import annotations

import pytest

from localconnect.services.connect.instance_attributes import DEFAULTS
from support import error_of, make_instance


def test_a_new_instance_has_the_defaults_and_its_calls_settings(connect, lc):
    instance = make_instance(connect, lc, alias="attrs")
    seen = {}
    token = None
    while True:
        page = connect.list_instance_attributes(InstanceId=instance["Id"], **({"NextToken": token} if token else {}))
        assert len(page["Attributes"]) <= 7
        seen.update({a["AttributeType"]: a["Value"] for a in page["Attributes"]})
        token = page.get("NextToken")
        if not token:
            break
    model = connect.meta.service_model.shape_for("InstanceAttributeType").enum
    assert list(seen) == model
    assert seen == {**DEFAULTS, "INBOUND_CALLS": "true", "OUTBOUND_CALLS": "true"}
    assert seen["CONTACT_LENS"] == "true" and seen["CONTACTFLOW_LOGS"] == "false"


def test_calls_attributes_and_describe_instance_are_one_value(connect, lc):
    made = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="calls",
                                   InboundCallsEnabled=True, OutboundCallsEnabled=False)
    lc.advance(1)
    describe = connect.describe_instance_attribute
    assert describe(InstanceId=made["Id"], AttributeType="OUTBOUND_CALLS")["Attribute"] == {
        "AttributeType": "OUTBOUND_CALLS", "Value": "false"}
    connect.update_instance_attribute(InstanceId=made["Id"], AttributeType="OUTBOUND_CALLS", Value="true")
    connect.update_instance_attribute(InstanceId=made["Arn"], AttributeType="INBOUND_CALLS", Value="FALSE")
    instance = connect.describe_instance(InstanceId=made["Id"])["Instance"]
    assert (instance["InboundCallsEnabled"], instance["OutboundCallsEnabled"]) == (False, True)
    assert describe(InstanceId=made["Id"], AttributeType="INBOUND_CALLS")["Attribute"]["Value"] == "false"


def test_terraform_instance_create_then_read(connect, lc):
    instance = make_instance(connect, lc, alias="tf-instance")
    wanted = {"CONTACTFLOW_LOGS": "true", "CONTACT_LENS": "false", "AUTO_RESOLVE_BEST_VOICES": "true",
              "EARLY_MEDIA": "false", "MULTI_PARTY_CONFERENCE": "true", "INBOUND_CALLS": "true",
              "OUTBOUND_CALLS": "true"}
    for kind, value in wanted.items():
        connect.update_instance_attribute(InstanceId=instance["Id"], AttributeType=kind, Value=value)
    for kind, value in wanted.items():
        assert connect.describe_instance_attribute(InstanceId=instance["Id"], AttributeType=kind)["Attribute"][
            "Value"] == value


@pytest.mark.parametrize("value", ["yes", "1", "enabled"])
def test_values_other_than_true_or_false_are_refused(connect, lc, value):
    instance = make_instance(connect, lc, alias="bad-values")
    code, status, message, _ = error_of(connect.update_instance_attribute, InstanceId=instance["Id"],
                                        AttributeType="EARLY_MEDIA", Value=value)
    assert (code, status) == ("InvalidRequestException", 400) and "true or false" in message
    assert connect.describe_instance_attribute(InstanceId=instance["Id"], AttributeType="EARLY_MEDIA")[
        "Attribute"]["Value"] == "true"


def test_unknown_type_and_unknown_instance(connect, lc):
    instance = make_instance(connect, lc, alias="unknowns")
    code, status, _, _ = error_of(connect.describe_instance_attribute, InstanceId=instance["Id"],
                                  AttributeType="NOT_A_TYPE")
    assert (code, status) == ("InvalidParameterException", 400)
    code, status, _, _ = error_of(connect.describe_instance_attribute, InstanceId="no-such-instance",
                                  AttributeType="EARLY_MEDIA")
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_deleting_the_instance_forgets_its_attributes(connect, lc):
    instance = make_instance(connect, lc, alias="forget-me")
    connect.update_instance_attribute(InstanceId=instance["Id"], AttributeType="CONTACTFLOW_LOGS", Value="true")
    connect.delete_instance(InstanceId=instance["Id"])
    code, status, _, _ = error_of(connect.list_instance_attributes, InstanceId=instance["Id"])
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_delete_instance_removes_the_attribute_rows():
    """Straight through the handlers on a memory store: nothing of a deleted instance is left behind."""
    from localconnect.app import App
    from localconnect.services import registry
    from localconnect.settings import Settings

    app = App(Settings(store="memory", instance_settle_seconds=0))

    def run(name: str, req: dict):
        handler = registry.lookup("connect", name)
        return app.store.run_sync(lambda tx: handler.fn(registry.open_call(
            tx, app.settings, "connect", name, "123456789012", "us-east-1", "arn:aws:iam::123456789012:root", "t"),
            req), write=True)

    def rows() -> int:
        return app.store.run_sync(lambda tx: tx.one("SELECT COUNT(*) AS n FROM instance_attributes")["n"], write=False)
    try:
        made = run("CreateInstance", {"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "rows",
                                      "InboundCallsEnabled": True, "OutboundCallsEnabled": True})
        run("UpdateInstanceAttribute", {"InstanceId": made["Id"], "AttributeType": "EARLY_MEDIA", "Value": "false"})
        assert rows() == 1
        run("DeleteInstance", {"InstanceId": made["Id"]})
        assert rows() == 0
    finally:
        app.store.close()
