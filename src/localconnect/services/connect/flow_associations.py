"""A phone number's flow: AssociatePhoneNumberContactFlow, DisassociatePhoneNumberContactFlow and
ListFlowAssociations (docs/behaviour.md §13). The association is the number's ``contact_flow_id`` (numbers.py);
it goes with the number when the number is released or its instance deleted, ends when the number moves to
another instance, and a flow in use cannot be deleted (contact_flows.py).

DescribePhoneNumber has no flow member in the model; ListFlowAssociations is where AWS shows it.
"""
from __future__ import annotations

from typing import Iterator

from ...core.call import Call
from ...core.errors import InvalidParameterException, ResourceNotFoundException
from .. import authorization, pagination
from ..authorization import resource
from ..registry import operation
from . import contact_flows, instances, numbers

VOICE_PHONE_NUMBER = "VOICE_PHONE_NUMBER"


def _number_of(call: Call, instance, phone_number_id: str):
    """A live number claimed to this instance, or 404 (a number of another instance is not found here)."""
    row = numbers.find(call, phone_number_id)
    if row is None or row["outcome"] != "CLAIMED" or row["instance_id"] != instance["id"]:
        raise ResourceNotFoundException(f"Phone number not found: {phone_number_id}")
    return row


def _checks(call: Call, req: dict) -> Iterator[authorization.Check]:
    """IAM: the phone number, and for Associate the flow too (both resources of the IAM reference)."""
    yield from resource("PhoneNumberId", "phone-number")(call, req)
    if "ContactFlowId" in req:
        yield from contact_flows.flow_checks(call, req)


@operation("connect", "AssociatePhoneNumberContactFlow", iam=_checks)
def associate_phone_number_contact_flow(call: Call, req: dict) -> None:
    instance = instances.get(call, req["InstanceId"])                                    # ResourceNotFound
    number = _number_of(call, instance, req["PhoneNumberId"])                            # ResourceNotFound
    flow = contact_flows.get(call, instance, req["ContactFlowId"])                       # ResourceNotFound
    if flow["flow_type"] != "CONTACT_FLOW":                                              # InvalidParameter
        raise InvalidParameterException(
            f"Flow {flow['id']} is of type {flow['flow_type']}; only inbound flows (CONTACT_FLOW) can be "
            "associated with a phone number.")
    numbers.set_contact_flow(call, number["id"], flow["id"])
    return None


@operation("connect", "DisassociatePhoneNumberContactFlow", iam=_checks)
def disassociate_phone_number_contact_flow(call: Call, req: dict) -> None:
    instance = instances.get(call, req["InstanceId"])
    number = _number_of(call, instance, req["PhoneNumberId"])
    numbers.set_contact_flow(call, number["id"], None)  # no association: nothing to remove, as AWS answers 200
    return None


@operation("connect", "ListFlowAssociations", write=False, iam=resource("InstanceId", "instance"))
def list_flow_associations(call: Call, req: dict) -> dict:
    instance = instances.get(call, req["InstanceId"])
    limit = req.get("MaxResults") or 100
    after = pagination.decode("flow-associations", req.get("NextToken"), InvalidParameterException, (str, str))
    if req.get("ResourceType", VOICE_PHONE_NUMBER) != VOICE_PHONE_NUMBER:
        return {"FlowAssociationSummaryList": []}  # only voice numbers have flows here
    rows = numbers.flow_associations(call, instance["id"], after=after, limit=limit + 1)
    page, token = pagination.page(rows, limit, lambda r: [r["phone_number"], r["id"]], "flow-associations")
    return {"FlowAssociationSummaryList": [
        {"ResourceId": r["arn"], "FlowId": contact_flows.flow_arn(instance["arn"], r["contact_flow_id"]),
         "ResourceType": VOICE_PHONE_NUMBER} for r in page], "NextToken": token}
