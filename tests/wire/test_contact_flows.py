"""Contact flows and phone-number flow associations through boto3 (docs/behaviour.md §12, §13): the flows every
new instance has, create / describe / list / update / delete with tags, flow-language checks with their
``problems``, unique names, the SAVED alias, and associations that never dangle (release, move, delete)."""
from __future__ import annotations

import hashlib
import json

import pytest

from localconnect.testing import clients
from support import error_of, make_instance, sigv4_server

FLOW = {"Version": "2019-10-30", "StartAction": "hello", "Actions": [
    {"Identifier": "hello", "Type": "MessageParticipant", "Parameters": {"Text": "Hello"},
     "Transitions": {"NextAction": "bye", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
    {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]}
CONTENT = json.dumps(FLOW)


def all_flows(connect, instance_id: str, **kw) -> list[dict]:
    return [f for page in connect.get_paginator("list_contact_flows").paginate(InstanceId=instance_id, **kw)
            for f in page["ContactFlowSummaryList"]]


def flow_named(connect, instance_id: str, name: str) -> dict:
    return next(f for f in all_flows(connect, instance_id) if f["Name"] == name)


def claimed_number(connect, lc, instance: dict, country: str = "US") -> dict:
    found = connect.search_available_phone_numbers(TargetArn=instance["Arn"], PhoneNumberCountryCode=country,
                                                   PhoneNumberType="DID", MaxResults=1)["AvailableNumbersList"]
    out = connect.claim_phone_number(TargetArn=instance["Arn"], PhoneNumber=found[0]["PhoneNumber"])
    lc.advance(1)
    return out


# --- the flows of a new instance ------------------------------------------------------------------------

def test_a_new_instance_has_the_default_and_sample_flows(connect, lc):
    instance = make_instance(connect, lc, alias="defaults")
    flows = all_flows(connect, instance["Id"])
    by_name = {f["Name"]: f["ContactFlowType"] for f in flows}
    assert len(flows) == 19 and len(by_name) == 19
    assert {k: by_name[k] for k in ("Default agent hold", "Default agent whisper", "Default customer hold",
                                     "Default customer queue", "Default customer whisper", "Default outbound",
                                     "Default agent transfer", "Default queue transfer",
                                     "Sample inbound flow (first contact experience)",
                                     "Sample interruptible queue flow with callback")} == {
        "Default agent hold": "AGENT_HOLD", "Default agent whisper": "AGENT_WHISPER",
        "Default customer hold": "CUSTOMER_HOLD", "Default customer queue": "CUSTOMER_QUEUE",
        "Default customer whisper": "CUSTOMER_WHISPER", "Default outbound": "OUTBOUND_WHISPER",
        "Default agent transfer": "AGENT_TRANSFER", "Default queue transfer": "QUEUE_TRANSFER",
        "Sample inbound flow (first contact experience)": "CONTACT_FLOW",
        "Sample interruptible queue flow with callback": "CUSTOMER_QUEUE"}
    assert [f["Name"] for f in flows][:2] == ["Default agent hold", "Default agent transfer"]  # a stable order
    assert {(f["ContactFlowState"], f["ContactFlowStatus"]) for f in flows} == {("ACTIVE", "PUBLISHED")}
    prefix = f"{instance['Arn']}/contact-flow/"
    assert all(f["Arn"] == prefix + f["Id"] for f in flows)
    sample = flow_named(connect, instance["Id"], "Sample inbound flow (first contact experience)")
    described = connect.describe_contact_flow(InstanceId=instance["Id"], ContactFlowId=sample["Id"])["ContactFlow"]
    content = json.loads(described["Content"])
    assert content["Version"] == "2019-10-30" and content["StartAction"] in {a["Identifier"] for a in content["Actions"]}
    assert described["FlowContentSha256"] == hashlib.sha256(described["Content"].encode()).hexdigest()
    # A second instance has flows of its own.
    other = make_instance(connect, lc, alias="defaults-2")
    assert not {f["Id"] for f in all_flows(connect, other["Id"])} & {f["Id"] for f in flows}


def test_type_filter_and_pagination(connect, lc):
    instance = make_instance(connect, lc, alias="paging")
    every = all_flows(connect, instance["Id"])
    pages = list(connect.get_paginator("list_contact_flows").paginate(
        InstanceId=instance["Id"], PaginationConfig={"PageSize": 5}))
    assert [len(p["ContactFlowSummaryList"]) for p in pages] == [5, 5, 5, 4]
    assert "NextToken" not in pages[-1]
    assert [f["Id"] for p in pages for f in p["ContactFlowSummaryList"]] == [f["Id"] for f in every]
    queues = all_flows(connect, instance["Id"], ContactFlowTypes=["CUSTOMER_QUEUE", "AGENT_HOLD"])
    assert sorted(f["Name"] for f in queues) == ["Default agent hold", "Default customer queue",
                                                 "Sample interruptible queue flow with callback"]
    assert all_flows(connect, instance["Id"], ContactFlowTypes=["CAMPAIGN"]) == []
    code, status, message, _ = error_of(connect.list_contact_flows, InstanceId=instance["Id"], NextToken="forged")
    assert (code, status, message) == ("InvalidParameterException", 400, "The NextToken is not valid for this request.")
    code, status, _, _ = error_of(connect.list_contact_flows, InstanceId="no-such-instance")
    assert (code, status) == ("ResourceNotFoundException", 404)


# --- create, describe, update, delete -------------------------------------------------------------------

def test_flow_lifecycle_with_tags(connect, lc):
    instance = make_instance(connect, lc, alias="lifecycle")
    made = connect.create_contact_flow(InstanceId=instance["Id"], Name="Routing", Type="CONTACT_FLOW",
                                       Description="first", Content=CONTENT, Tags={"team": "ops"})
    assert made["ContactFlowArn"] == f"{instance['Arn']}/contact-flow/{made['ContactFlowId']}"
    assert made["FlowContentSha256"] == hashlib.sha256(CONTENT.encode()).hexdigest()
    flow = connect.describe_contact_flow(InstanceId=instance["Id"], ContactFlowId=made["ContactFlowId"])["ContactFlow"]
    created_at = flow.pop("LastModifiedTime")
    assert flow == {"Arn": made["ContactFlowArn"], "Id": made["ContactFlowId"], "Name": "Routing",
                    "Type": "CONTACT_FLOW", "State": "ACTIVE", "Status": "PUBLISHED", "Description": "first",
                    "Content": CONTENT, "Tags": {"team": "ops"}, "FlowContentSha256": made["FlowContentSha256"],
                    "LastModifiedRegion": "us-east-1"}
    # By ARN, as Terraform's import and the IAM reference name it.
    assert connect.describe_contact_flow(InstanceId=instance["Arn"], ContactFlowId=made["ContactFlowArn"])[
        "ContactFlow"]["Id"] == made["ContactFlowId"]

    lc.advance(5)
    changed = dict(FLOW, StartAction="bye")
    connect.update_contact_flow_content(InstanceId=instance["Id"], ContactFlowId=made["ContactFlowId"],
                                        Content=json.dumps(changed))
    connect.update_contact_flow_name(InstanceId=instance["Id"], ContactFlowId=made["ContactFlowId"],
                                     Name="Routing v2", Description="second")
    flow = connect.describe_contact_flow(InstanceId=instance["Id"], ContactFlowId=made["ContactFlowId"])["ContactFlow"]
    assert (flow["Name"], flow["Description"], json.loads(flow["Content"])["StartAction"]) == (
        "Routing v2", "second", "bye")
    assert (flow["LastModifiedTime"] - created_at).total_seconds() >= 5

    connect.tag_resource(resourceArn=made["ContactFlowArn"], tags={"cost": "42"})
    connect.untag_resource(resourceArn=made["ContactFlowArn"], tagKeys=["team"])
    assert connect.list_tags_for_resource(resourceArn=made["ContactFlowArn"])["tags"] == {"cost": "42"}

    connect.delete_contact_flow(InstanceId=instance["Id"], ContactFlowId=made["ContactFlowId"])
    code, status, _, _ = error_of(connect.describe_contact_flow, InstanceId=instance["Id"],
                                  ContactFlowId=made["ContactFlowId"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    code, status, _, _ = error_of(connect.list_tags_for_resource, resourceArn=made["ContactFlowArn"])
    assert (code, status) == ("ResourceNotFoundException", 404)  # its tags went with it
    assert "Routing v2" not in {f["Name"] for f in all_flows(connect, instance["Id"])}


@pytest.mark.parametrize("content, problems", [
    ("not json", None),
    ('["a list"]', ["Content must be a JSON object with Version, StartAction and Actions."]),
    (json.dumps({"Version": "2019-10-30", "StartAction": "nowhere", "Actions": FLOW["Actions"]}),
     ["StartAction refers to an action that does not exist: nowhere."]),
    (json.dumps({"Version": "2020-01-01", "StartAction": "a", "Actions": [
        {"Identifier": "a", "Type": "MessageParticipant", "Transitions": {
            "NextAction": "b", "Errors": [{"NextAction": "c", "ErrorType": "NoMatchingError"}],
            "Conditions": [{"NextAction": "a", "Condition": {"Operator": "Equals", "Operands": ["1"]}}]}},
        {"Identifier": "a", "Type": ""}, {"Identifier": "x:y", "Type": "EndFlowExecution"}]}),
     ["Version must be \"2019-10-30\"; found '2020-01-01'.",
      "Actions[1].Identifier 'a' is used by more than one action.", "Actions[1].Type is required.",
      "Actions[2].Identifier 'x:y' contains a character or name that is not allowed.",
      "Actions[0].Transitions.NextAction refers to an action that does not exist: 'b'.",
      "Actions[0].Transitions.Errors[0].NextAction refers to an action that does not exist: 'c'."]),
    (json.dumps({"Version": "2019-10-30", "StartAction": "a", "Actions": []}),
     ["Actions must be a non-empty list of actions.", "StartAction refers to an action that does not exist: a."]),
])
def test_invalid_flow_language_is_refused_with_its_problems(connect, lc, content, problems):
    instance = make_instance(connect, lc, alias="invalid")
    before = all_flows(connect, instance["Id"])
    code, status, message, response = error_of(connect.create_contact_flow, InstanceId=instance["Id"], Name="Bad",
                                               Type="CONTACT_FLOW", Content=content)
    assert (code, status, message) == ("InvalidContactFlowException", 400, "The flow is not valid.")
    got = [p["message"] for p in response["problems"]]
    if problems is None:
        assert len(got) == 1 and got[0].startswith("Content is not valid JSON: ")
    else:
        assert got == problems
    assert all_flows(connect, instance["Id"]) == before  # nothing written
    # UpdateContactFlowContent checks the same way and leaves the flow as it was.
    made = connect.create_contact_flow(InstanceId=instance["Id"], Name="Good", Type="CONTACT_FLOW", Content=CONTENT)
    code, status, _, _ = error_of(connect.update_contact_flow_content, InstanceId=instance["Id"],
                                  ContactFlowId=made["ContactFlowId"], Content=content)
    assert (code, status) == ("InvalidContactFlowException", 400)
    assert connect.describe_contact_flow(InstanceId=instance["Id"], ContactFlowId=made["ContactFlowId"])[
        "ContactFlow"]["Content"] == CONTENT


def test_names_are_unique_per_instance(connect, lc):
    instance = make_instance(connect, lc, alias="unique")
    first = connect.create_contact_flow(InstanceId=instance["Id"], Name="Main", Type="CONTACT_FLOW", Content=CONTENT)
    second = connect.create_contact_flow(InstanceId=instance["Id"], Name="Other", Type="CONTACT_FLOW", Content=CONTENT)
    for call, kwargs in ((connect.create_contact_flow, {"Name": "Main", "Type": "CONTACT_FLOW", "Content": CONTENT}),
                         (connect.create_contact_flow, {"Name": "Default agent hold", "Type": "AGENT_HOLD",
                                                        "Content": CONTENT}),
                         (connect.update_contact_flow_name, {"ContactFlowId": second["ContactFlowId"],
                                                             "Name": "Main"})):
        code, status, message, _ = error_of(call, InstanceId=instance["Id"], **kwargs)
        assert (code, status) == ("DuplicateResourceException", 409) and "already exists" in message
    assert connect.describe_contact_flow(InstanceId=instance["Id"], ContactFlowId=second["ContactFlowId"])[
        "ContactFlow"]["Name"] == "Other"
    # Renaming a flow to its own name, or another instance using the name, is fine.
    connect.update_contact_flow_name(InstanceId=instance["Id"], ContactFlowId=first["ContactFlowId"], Name="Main")
    other = make_instance(connect, lc, alias="unique-2")
    connect.create_contact_flow(InstanceId=other["Id"], Name="Main", Type="CONTACT_FLOW", Content=CONTENT)


def test_saved_flows_skip_validation_and_need_the_saved_alias(connect, lc):
    instance = make_instance(connect, lc, alias="saved")
    made = connect.create_contact_flow(InstanceId=instance["Id"], Name="Draft", Type="CONTACT_FLOW",
                                       Content='{"work": "in progress"}', Status="SAVED")
    code, status, _, _ = error_of(connect.describe_contact_flow, InstanceId=instance["Id"],
                                  ContactFlowId=made["ContactFlowId"])
    assert (code, status) == ("ContactFlowNotPublishedException", 404)
    saved = connect.describe_contact_flow(InstanceId=instance["Id"], ContactFlowId=made["ContactFlowId"] + ":$SAVED")
    assert (saved["ContactFlow"]["Status"], saved["ContactFlow"]["Content"]) == ("SAVED", '{"work": "in progress"}')


def test_unknown_flows_and_instances_are_404(connect, lc):
    a = make_instance(connect, lc, alias="four-oh-four")
    b = make_instance(connect, lc, alias="four-oh-four-b")
    flow_of_b = flow_named(connect, b["Id"], "Sample AB test")
    for flow_id in ("00000000-0000-4000-8000-000000000000", flow_of_b["Id"], flow_of_b["Arn"]):
        for call, extra in ((connect.describe_contact_flow, {}), (connect.delete_contact_flow, {}),
                            (connect.update_contact_flow_content, {"Content": CONTENT}),
                            (connect.update_contact_flow_name, {"Name": "x"})):
            code, status, _, _ = error_of(call, InstanceId=a["Id"], ContactFlowId=flow_id, **extra)
            assert (code, status) == ("ResourceNotFoundException", 404), (call, flow_id)
    code, status, _, _ = error_of(connect.create_contact_flow, InstanceId="no-such-instance", Name="x",
                                  Type="CONTACT_FLOW", Content=CONTENT)
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_default_flows_cannot_be_deleted_but_samples_can(connect, lc):
    instance = make_instance(connect, lc, alias="deletes")
    default = flow_named(connect, instance["Id"], "Default customer queue")
    code, status, message, _ = error_of(connect.delete_contact_flow, InstanceId=instance["Id"],
                                        ContactFlowId=default["Id"])
    assert (code, status) == ("InvalidRequestException", 400) and "default flow" in message
    sample = flow_named(connect, instance["Id"], "Sample AB test")
    connect.delete_contact_flow(InstanceId=instance["Id"], ContactFlowId=sample["Id"])
    assert len(all_flows(connect, instance["Id"])) == 18


# --- phone number <-> flow ------------------------------------------------------------------------------

def associations(connect, instance_id: str, **kw) -> list[dict]:
    return [a for page in connect.get_paginator("list_flow_associations").paginate(InstanceId=instance_id, **kw)
            for a in page["FlowAssociationSummaryList"]]


def test_associate_list_disassociate(connect, lc):
    instance = make_instance(connect, lc, alias="assoc")
    number = claimed_number(connect, lc, instance)
    flow = flow_named(connect, instance["Id"], "Sample inbound flow (first contact experience)")
    assert associations(connect, instance["Id"]) == []
    connect.associate_phone_number_contact_flow(PhoneNumberId=number["PhoneNumberId"], InstanceId=instance["Id"],
                                                ContactFlowId=flow["Id"])
    expected = [{"ResourceId": number["PhoneNumberArn"], "FlowId": flow["Arn"], "ResourceType": "VOICE_PHONE_NUMBER"}]
    assert associations(connect, instance["Id"]) == expected
    assert associations(connect, instance["Id"], ResourceType="VOICE_PHONE_NUMBER") == expected
    assert associations(connect, instance["Id"], ResourceType="WHATSAPP_MESSAGING_PHONE_NUMBER") == []
    # Associating another flow replaces the first (by the number's ARN this time).
    other = connect.create_contact_flow(InstanceId=instance["Id"], Name="Mine", Type="CONTACT_FLOW", Content=CONTENT)
    connect.associate_phone_number_contact_flow(PhoneNumberId=number["PhoneNumberArn"], InstanceId=instance["Arn"],
                                                ContactFlowId=other["ContactFlowId"])
    assert [a["FlowId"] for a in associations(connect, instance["Id"])] == [other["ContactFlowArn"]]
    connect.disassociate_phone_number_contact_flow(PhoneNumberId=number["PhoneNumberId"], InstanceId=instance["Id"])
    assert associations(connect, instance["Id"]) == []
    connect.disassociate_phone_number_contact_flow(PhoneNumberId=number["PhoneNumberId"], InstanceId=instance["Id"])


def test_association_errors(connect, lc):
    a = make_instance(connect, lc, alias="assoc-errors")
    b = make_instance(connect, lc, alias="assoc-errors-b")
    number = claimed_number(connect, lc, a)
    flow_a = flow_named(connect, a["Id"], "Sample AB test")
    flow_b = flow_named(connect, b["Id"], "Sample AB test")
    cases = [({"PhoneNumberId": "00000000-0000-4000-8000-000000000000", "ContactFlowId": flow_a["Id"]}, 404),
             ({"PhoneNumberId": number["PhoneNumberId"], "ContactFlowId": "00000000-0000-4000-8000-000000000000"}, 404),
             ({"PhoneNumberId": number["PhoneNumberId"], "ContactFlowId": flow_b["Id"]}, 404)]  # another instance's
    for kwargs, expected in cases:
        code, status, _, _ = error_of(connect.associate_phone_number_contact_flow, InstanceId=a["Id"], **kwargs)
        assert (code, status) == ("ResourceNotFoundException", expected), kwargs
    # The number is a's: through b it is not found.
    code, status, _, _ = error_of(connect.associate_phone_number_contact_flow, InstanceId=b["Id"],
                                  PhoneNumberId=number["PhoneNumberId"], ContactFlowId=flow_b["Id"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    hold = flow_named(connect, a["Id"], "Default agent hold")
    code, status, message, _ = error_of(connect.associate_phone_number_contact_flow, InstanceId=a["Id"],
                                        PhoneNumberId=number["PhoneNumberId"], ContactFlowId=hold["Id"])
    assert (code, status) == ("InvalidParameterException", 400) and "AGENT_HOLD" in message
    assert associations(connect, a["Id"]) == []
    code, status, _, _ = error_of(connect.disassociate_phone_number_contact_flow, InstanceId=a["Id"],
                                  PhoneNumberId="00000000-0000-4000-8000-000000000000")
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_a_flow_in_use_cannot_be_deleted(connect, lc):
    instance = make_instance(connect, lc, alias="in-use")
    number = claimed_number(connect, lc, instance)
    flow = connect.create_contact_flow(InstanceId=instance["Id"], Name="Busy", Type="CONTACT_FLOW", Content=CONTENT)
    connect.associate_phone_number_contact_flow(PhoneNumberId=number["PhoneNumberId"], InstanceId=instance["Id"],
                                                ContactFlowId=flow["ContactFlowId"])
    code, status, message, _ = error_of(connect.delete_contact_flow, InstanceId=instance["Id"],
                                        ContactFlowId=flow["ContactFlowId"])
    assert (code, status) == ("InvalidRequestException", 400) and number["PhoneNumberArn"] in message
    assert len(associations(connect, instance["Id"])) == 1
    connect.disassociate_phone_number_contact_flow(PhoneNumberId=number["PhoneNumberId"], InstanceId=instance["Id"])
    connect.delete_contact_flow(InstanceId=instance["Id"], ContactFlowId=flow["ContactFlowId"])


def test_release_move_and_instance_deletion_leave_no_association(connect, lc):
    a = make_instance(connect, lc, alias="dangling")
    b = make_instance(connect, lc, alias="dangling-b")
    flow = flow_named(connect, a["Id"], "Sample inbound flow (first contact experience)")
    released, moved = claimed_number(connect, lc, a), claimed_number(connect, lc, a)
    for number in (released, moved):
        connect.associate_phone_number_contact_flow(PhoneNumberId=number["PhoneNumberId"], InstanceId=a["Id"],
                                                    ContactFlowId=flow["Id"])
    assert len(associations(connect, a["Id"])) == 2
    connect.release_phone_number(PhoneNumberId=released["PhoneNumberId"])
    connect.update_phone_number(PhoneNumberId=moved["PhoneNumberId"], TargetArn=b["Arn"])
    lc.advance(1)
    assert associations(connect, a["Id"]) == [] and associations(connect, b["Id"]) == []
    # Moving back does not bring the old association back, and the flow can be deleted now.
    connect.update_phone_number(PhoneNumberId=moved["PhoneNumberId"], TargetArn=a["Arn"])
    lc.advance(1)
    assert associations(connect, a["Id"]) == []
    connect.delete_contact_flow(InstanceId=a["Id"], ContactFlowId=flow["Id"])
    # An update that stays in the instance keeps the association.
    kept = connect.create_contact_flow(InstanceId=a["Id"], Name="Kept", Type="CONTACT_FLOW", Content=CONTENT)
    connect.associate_phone_number_contact_flow(PhoneNumberId=moved["PhoneNumberId"], InstanceId=a["Id"],
                                                ContactFlowId=kept["ContactFlowId"])
    connect.update_phone_number(PhoneNumberId=moved["PhoneNumberId"], TargetArn=a["Arn"])
    lc.advance(1)
    connect.update_phone_number_metadata(PhoneNumberId=moved["PhoneNumberId"], PhoneNumberDescription="still here")
    lc.advance(1)
    assert [x["FlowId"] for x in associations(connect, a["Id"])] == [kept["ContactFlowArn"]]
    connect.tag_resource(resourceArn=kept["ContactFlowArn"], tags={"k": "v"})
    connect.delete_instance(InstanceId=a["Id"])
    code, status, _, _ = error_of(connect.list_flow_associations, InstanceId=a["Id"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    partition = lc.state()["partitions"][0]
    assert [n["PhoneNumberId"] for n in partition["phone_numbers"]] == []


def test_flow_associations_pagination(connect, lc):
    instance = make_instance(connect, lc, alias="assoc-pages")
    flow = flow_named(connect, instance["Id"], "Sample queue customer")
    numbers = [claimed_number(connect, lc, instance) for _ in range(3)]
    for number in numbers:
        connect.associate_phone_number_contact_flow(PhoneNumberId=number["PhoneNumberId"], InstanceId=instance["Id"],
                                                    ContactFlowId=flow["Id"])
    pages = list(connect.get_paginator("list_flow_associations").paginate(
        InstanceId=instance["Id"], PaginationConfig={"PageSize": 2}))
    assert [len(p["FlowAssociationSummaryList"]) for p in pages] == [2, 1]
    listed = [a["ResourceId"] for p in pages for a in p["FlowAssociationSummaryList"]]
    assert sorted(listed) == sorted(n["PhoneNumberArn"] for n in numbers) and len(set(listed)) == 3
    code, status, _, _ = error_of(connect.list_flow_associations, InstanceId=instance["Id"], NextToken="forged")
    assert (code, status) == ("InvalidParameterException", 400)


# --- country coverage -----------------------------------------------------------------------------------

@pytest.mark.parametrize("country, kind, prefix", [
    ("SE", "DID", "+4605550"), ("SE", "TOLL_FREE", "+4608005550"), ("IT", "DID", "+3915550"),
    ("ZA", "SHARED", "+2708605550"), ("PR", "DID", "+1787555"), ("JP", "TOLL_FREE", "+8108005550"),
    ("BR", "DID", "+5505550"), ("US", "DID", "+1206555"), ("GB", "TOLL_FREE", "+44808157"),
])
def test_countries_beyond_the_first_nine(connect, lc, country, kind, prefix):
    instance = make_instance(connect, lc, alias=f"cc-{country.lower()}-{kind.lower().replace('_', '')}")
    found = connect.search_available_phone_numbers(InstanceId=instance["Id"], PhoneNumberCountryCode=country,
                                                   PhoneNumberType=kind, MaxResults=3)["AvailableNumbersList"]
    assert len(found) == 3 and all(n["PhoneNumber"].startswith(prefix) for n in found), found
    assert {(n["PhoneNumberCountryCode"], n["PhoneNumberType"]) for n in found} == {(country, kind)}
    claimed = connect.claim_phone_number(TargetArn=instance["Arn"], PhoneNumber=found[0]["PhoneNumber"])
    lc.advance(1)
    summary = connect.describe_phone_number(PhoneNumberId=claimed["PhoneNumberId"])["ClaimedPhoneNumberSummary"]
    assert (summary["PhoneNumberCountryCode"], summary["PhoneNumberType"], summary["PhoneNumberStatus"]) == (
        country, kind, {"Status": "CLAIMED"})
    again = connect.search_available_phone_numbers(InstanceId=instance["Id"], PhoneNumberCountryCode=country,
                                                   PhoneNumberType=kind, MaxResults=3)["AvailableNumbersList"]
    assert found[0]["PhoneNumber"] not in [n["PhoneNumber"] for n in again]


def test_types_a_country_does_not_offer_give_an_empty_list(connect, lc):
    instance = make_instance(connect, lc, alias="not-offered")
    for country, kind in (("SE", "SHARED"), ("PR", "TOLL_FREE"), ("AQ", "DID"), ("DE", "UIFN")):
        assert connect.search_available_phone_numbers(InstanceId=instance["Id"], PhoneNumberCountryCode=country,
                                                      PhoneNumberType=kind)["AvailableNumbersList"] == []


# --- IAM (auth = sigv4) ----------------------------------------------------------------------------------

PROTECT_FLOWS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "connect:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "connect:DeleteContactFlow", "Resource": "arn:aws:connect:*:*:instance/*/contact-flow/*",
     "Condition": {"StringEquals": {"aws:ResourceTag/protected": "yes"}}}]}


@pytest.fixture(scope="module")
def signed_connect(tmp_path_factory):
    with sigv4_server(tmp_path_factory.mktemp("flows-iam"), [
        {"access_key_id": "AKIDFLOWS", "secret_access_key": "flows-secret", "account": "123456789012",
         "principal_arn": "arn:aws:iam::123456789012:user/flows", "policies": [PROTECT_FLOWS]},
    ]) as server:
        yield clients(server.url, access_key="AKIDFLOWS", secret="flows-secret")[0]


def test_iam_sees_the_flow_arn_and_its_tags(signed_connect):
    connect = signed_connect
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="iam-flows",
                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)
    kept = connect.create_contact_flow(InstanceId=instance["Id"], Name="Kept", Type="CONTACT_FLOW", Content=CONTENT,
                                       Tags={"protected": "yes"})
    loose = connect.create_contact_flow(InstanceId=instance["Id"], Name="Loose", Type="CONTACT_FLOW", Content=CONTENT)
    code, status, message, _ = error_of(connect.delete_contact_flow, InstanceId=instance["Id"],
                                        ContactFlowId=kept["ContactFlowId"])
    assert (code, status) == ("AccessDeniedException", 403)
    assert f"on resource: {kept['ContactFlowArn']} with an explicit deny" in message
    connect.describe_contact_flow(InstanceId=instance["Id"], ContactFlowId=kept["ContactFlowId"])  # still there
    connect.delete_contact_flow(InstanceId=instance["Id"], ContactFlowId=loose["ContactFlowId"])
