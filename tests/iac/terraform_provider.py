"""The Terraform AWS provider's resources, re-enacted with boto3: each function makes the calls, with the
parameters, waiters and "gone" rules of the Go code it names (hashicorp/terraform-provider-aws, main branch,
read for this re-enactment). A resource's state is the dict its Read sets; None means "removed from state".

* internal/service/connect/instance.go — aws_connect_instance
* internal/service/connect/phone_number.go — aws_connect_phone_number
* internal/service/connect/phone_number_contact_flow_association.go — aws_connect_phone_number_contact_flow_association
* internal/service/connect/contact_flow.go (findContactFlowByTwoPartKey) and contact_flow_data_source.go
  (lookup by name: ListContactFlows pages of 60, then DescribeContactFlow)
* internal/service/pinpointsmsvoicev2/phone_number.go — aws_pinpointsmsvoicev2_phone_number
* internal/service/sts (the provider's configure step): GetCallerIdentity unless skip_requesting_account_id

Transparent tagging (internal/provider's tags interceptor, ``@Tags(identifierAttribute="arn")``): tags go in the
create call (getTagsIn), come back from the resource's Describe when its Read calls setTagsOut (Connect
instance and phone number), else from ListTagsForResource (End User Messaging); an update of tags alone is
UntagResource of removed keys then TagResource of new or changed ones.
"""
from __future__ import annotations

import uuid

from iac_support import NotFound, StateChangeConf, error_code, unique_id

# instance.go: instanceAttributeMap, with each attribute's schema Default ("verified default result from
# ListInstanceAttributes()"); inbound/outbound_calls_enabled are Required.
INSTANCE_ATTRIBUTES = {
    "auto_resolve_best_voices_enabled": ("AUTO_RESOLVE_BEST_VOICES", True),
    "contact_flow_logs_enabled": ("CONTACTFLOW_LOGS", False),
    "contact_lens_enabled": ("CONTACT_LENS", True),
    "early_media_enabled": ("EARLY_MEDIA", True),
    "inbound_calls_enabled": ("INBOUND_CALLS", None),
    "multi_party_conference_enabled": ("MULTI_PARTY_CONFERENCE", False),
    "outbound_calls_enabled": ("OUTBOUND_CALLS", None),
}


def _update_tags(client, arn: str, old: dict, new: dict, *, list_form: bool = False) -> None:
    removed = [k for k in old if k not in new]
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    if list_form:  # End User Messaging
        if removed:
            client.untag_resource(ResourceArn=arn, TagKeys=removed)
        if changed:
            client.tag_resource(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in changed.items()])
    else:
        if removed:
            client.untag_resource(resourceArn=arn, tagKeys=removed)
        if changed:
            client.tag_resource(resourceArn=arn, tags=changed)


# --- provider configure -----------------------------------------------------------------------------------

def configure(sts) -> str:
    """The provider's account id, from GetCallerIdentity (the default: skip_requesting_account_id = false)."""
    return sts.get_caller_identity()["Account"]


# --- aws_connect_instance (instance.go) ---------------------------------------------------------------------

def _find_instance(connect, instance_id: str) -> dict:
    try:
        return connect.describe_instance(InstanceId=instance_id)["Instance"]
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            raise NotFound(instance_id) from exc
        raise


def _status_instance(connect, instance_id: str):
    def refresh():
        try:
            found = _find_instance(connect, instance_id)
        except NotFound:
            return None, ""
        return found, found["InstanceStatus"]
    return refresh


def instance_create(connect, lc, config: dict) -> dict:
    out = connect.create_instance(ClientToken=unique_id(), IdentityManagementType=config["identity_management_type"],
                                  InboundCallsEnabled=config["inbound_calls_enabled"],
                                  OutboundCallsEnabled=config["outbound_calls_enabled"],
                                  **({"Tags": config["tags"]} if config.get("tags") else {}),
                                  **({"InstanceAlias": config["instance_alias"]} if config.get("instance_alias") else {}))
    instance_id = out["Id"]
    StateChangeConf(["CREATION_IN_PROGRESS"], ["ACTIVE"], _status_instance(connect, instance_id), 300).wait(lc)
    for key, (attribute, default) in sorted(INSTANCE_ATTRIBUTES.items()):  # createInstanceAttributes
        value = config.get(key, default)
        _update_instance_attribute(connect, instance_id, attribute, "true" if value else "false")
    return instance_read(connect, instance_id, new=True)


def _update_instance_attribute(connect, instance_id: str, attribute: str, value: str) -> None:
    try:
        connect.update_instance_attribute(InstanceId=instance_id, AttributeType=attribute, Value=value)
    except Exception as exc:
        if error_code(exc) != "AccessDeniedException":  # pre-release attributes: ignored, as the provider does
            raise


def instance_read(connect, instance_id: str, *, new: bool = False) -> dict | None:
    try:
        instance = _find_instance(connect, instance_id)
    except NotFound:
        if new:
            raise
        return None  # "[WARN] Connect Instance (...) not found, removing from state"
    state = {"id": instance["Id"], "arn": instance["Arn"], "identity_management_type": instance["IdentityManagementType"],
             "inbound_calls_enabled": instance["InboundCallsEnabled"], "instance_alias": instance.get("InstanceAlias"),
             "outbound_calls_enabled": instance["OutboundCallsEnabled"], "service_role": instance["ServiceRole"],
             "status": instance["InstanceStatus"], "created_time": instance["CreatedTime"],
             "tags": instance.get("Tags") or {}}
    for key, (attribute, _) in sorted(INSTANCE_ATTRIBUTES.items()):  # readInstanceAttributes
        value = connect.describe_instance_attribute(InstanceId=instance_id, AttributeType=attribute)["Attribute"]["Value"]
        state[key] = {"true": True, "false": False}[value.lower()]  # strconv.ParseBool
    return state


def instance_update(connect, state: dict, config: dict) -> dict:
    for key, (attribute, default) in sorted(INSTANCE_ATTRIBUTES.items()):  # updateInstanceAttributes
        value = config.get(key, default)
        if value != state[key]:
            _update_instance_attribute(connect, state["id"], attribute, "true" if value else "false")
    if config.get("tags", {}) != state["tags"]:
        _update_tags(connect, state["arn"], state["tags"], config.get("tags", {}))
    return instance_read(connect, state["id"])


def instance_delete(connect, lc, instance_id: str) -> None:
    try:
        connect.delete_instance(InstanceId=instance_id)
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return
        raise
    StateChangeConf(["ACTIVE"], [], _status_instance(connect, instance_id), 300).wait(lc)


# --- aws_connect_phone_number (phone_number.go) -------------------------------------------------------------

def _find_phone_number(connect, phone_number_id: str) -> dict:
    try:
        out = connect.describe_phone_number(PhoneNumberId=phone_number_id)
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            raise NotFound(phone_number_id) from exc
        raise
    summary = out.get("ClaimedPhoneNumberSummary")
    if not summary or not summary.get("PhoneNumberStatus"):
        raise AssertionError("empty result")  # tfresource.NewEmptyResultError
    return summary


def _status_phone_number(connect, phone_number_id: str):
    def refresh():
        try:
            found = _find_phone_number(connect, phone_number_id)
        except NotFound:
            return None, ""
        return found, found["PhoneNumberStatus"]["Status"]
    return refresh


def phone_number_create(connect, lc, config: dict) -> dict:
    search = {"MaxResults": 1, "PhoneNumberCountryCode": config["country_code"], "PhoneNumberType": config["type"],
              "TargetArn": config["target_arn"]}
    if config.get("prefix"):
        search["PhoneNumberPrefix"] = config["prefix"]
    available = connect.search_available_phone_numbers(**search).get("AvailableNumbersList") or []
    if not available:
        raise AssertionError(f"searching Connect Phone Numbers ({config['target_arn']},{config['type']}): empty result")
    claim = {"ClientToken": str(uuid.uuid4()), "PhoneNumber": available[0]["PhoneNumber"],
             "TargetArn": config["target_arn"]}
    if config.get("tags"):
        claim["Tags"] = config["tags"]
    if config.get("description"):
        claim["PhoneNumberDescription"] = config["description"]
    phone_number_id = connect.claim_phone_number(**claim)["PhoneNumberId"]
    StateChangeConf(["IN_PROGRESS"], ["CLAIMED"], _status_phone_number(connect, phone_number_id), 120).wait(lc)
    return phone_number_read(connect, phone_number_id, new=True)


def phone_number_read(connect, phone_number_id: str, *, new: bool = False) -> dict | None:
    try:
        summary = _find_phone_number(connect, phone_number_id)
    except NotFound:
        if new:
            raise
        return None
    status = summary["PhoneNumberStatus"]
    return {"id": phone_number_id, "arn": summary["PhoneNumberArn"], "country_code": summary["PhoneNumberCountryCode"],
            "description": summary.get("PhoneNumberDescription"), "phone_number": summary["PhoneNumber"],
            "status": [{"message": status.get("Message", ""), "status": status["Status"]}],
            "target_arn": summary["TargetArn"], "type": summary["PhoneNumberType"], "tags": summary.get("Tags") or {}}


def phone_number_update(connect, lc, state: dict, config: dict) -> dict:
    if config["target_arn"] != state["target_arn"]:  # d.HasChangesExcept(tags, tags_all)
        connect.update_phone_number(ClientToken=str(uuid.uuid4()), PhoneNumberId=state["id"],
                                    TargetArn=config["target_arn"])
        StateChangeConf(["IN_PROGRESS"], ["CLAIMED"], _status_phone_number(connect, state["id"]), 120).wait(lc)
    if config.get("tags", {}) != state["tags"]:
        _update_tags(connect, state["arn"], state["tags"], config.get("tags", {}))
    return phone_number_read(connect, state["id"])


def phone_number_delete(connect, lc, phone_number_id: str) -> None:
    try:
        connect.release_phone_number(ClientToken=str(uuid.uuid4()), PhoneNumberId=phone_number_id)
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return
        raise
    StateChangeConf(["IN_PROGRESS"], [], _status_phone_number(connect, phone_number_id), 120).wait(lc)


# --- aws_connect_contact_flow lookups (contact_flow.go, contact_flow_data_source.go) ----------------------

def find_contact_flow(connect, instance_id: str, contact_flow_id: str) -> dict:
    try:
        return connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=contact_flow_id)["ContactFlow"]
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            raise NotFound(contact_flow_id) from exc
        raise


def contact_flow_data_source(connect, instance_id: str, name: str) -> dict:
    """data "aws_connect_contact_flow" by name: ListContactFlows (MaxResults 60) until the name, then Describe."""
    token = None
    while True:
        page = connect.list_contact_flows(InstanceId=instance_id, MaxResults=60, **({"NextToken": token} if token else {}))
        found = next((f for f in page["ContactFlowSummaryList"] if f["Name"] == name), None)
        if found is not None:
            return connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=found["Id"])["ContactFlow"]
        token = page.get("NextToken")
        if not token:
            raise AssertionError(f"error finding Connect Contact Flow Summary by name ({name}): not found")


# --- aws_connect_phone_number_contact_flow_association ------------------------------------------------------

def association_create(connect, config: dict) -> dict:
    connect.associate_phone_number_contact_flow(ContactFlowId=config["contact_flow_id"],
                                                InstanceId=config["instance_id"],
                                                PhoneNumberId=config["phone_number_id"])
    return dict(config)


def association_read(connect, state: dict) -> dict | None:
    """findPhoneNumberContactFlowAssociationByThreePartKey: the number, the flow, then the one association of
    ListFlowAssociations (VOICE_PHONE_NUMBER) with both ARNs (tfresource.AssertSingleValueResult)."""
    try:
        number = _find_phone_number(connect, state["phone_number_id"])
        flow = find_contact_flow(connect, state["instance_id"], state["contact_flow_id"])
        matches = []
        for page in connect.get_paginator("list_flow_associations").paginate(
                InstanceId=state["instance_id"], ResourceType="VOICE_PHONE_NUMBER"):
            matches += [a for a in page["FlowAssociationSummaryList"]
                        if a["ResourceId"] == number["PhoneNumberArn"] and a["FlowId"] == flow["Arn"]]
    except NotFound:
        return None
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":  # the paginator's 404: retry.NotFoundError
            return None
        raise
    if not matches:
        return None  # empty result: NotFound, removed from state
    if len(matches) > 1:
        raise AssertionError(f"too many results: wanted 1, got {len(matches)}")
    return dict(state)


def association_delete(connect, state: dict) -> None:
    try:
        connect.disassociate_phone_number_contact_flow(InstanceId=state["instance_id"],
                                                       PhoneNumberId=state["phone_number_id"])
    except Exception as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise


def association_import(connect, import_id: str) -> dict | None:
    """terraform import ... "phone_number_id,instance_id,contact_flow_id" (intflex.ExpandResourceId, 3 parts)."""
    phone_number_id, instance_id, contact_flow_id = import_id.split(",")
    return association_read(connect, {"phone_number_id": phone_number_id, "instance_id": instance_id,
                                      "contact_flow_id": contact_flow_id})


# --- aws_pinpointsmsvoicev2_phone_number (pinpointsmsvoicev2/phone_number.go) ----------------------------

def _find_sms_number(sms, phone_number_id: str) -> dict:
    found = []
    try:
        for page in sms.get_paginator("describe_phone_numbers").paginate(PhoneNumberIds=[phone_number_id]):
            found += page["PhoneNumbers"]
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            raise NotFound(phone_number_id) from exc
        raise
    if len(found) != 1:
        raise AssertionError(f"wanted 1 result, got {len(found)}")  # tfresource.AssertSingleValueResult
    if found[0]["Status"] == "DELETED":
        raise NotFound(phone_number_id)
    return found[0]


def _status_sms_number(sms, phone_number_id: str):
    def refresh():
        try:
            found = _find_sms_number(sms, phone_number_id)
        except NotFound:
            return None, ""
        return found, found["Status"]
    return refresh


def sms_number_create(sms, lc, config: dict) -> dict:
    request = {"IsoCountryCode": config["iso_country_code"], "MessageType": config["message_type"],
               "NumberCapabilities": config["number_capabilities"], "NumberType": config["number_type"],
               "OptOutListName": config.get("opt_out_list_name", "Default")}
    if config.get("tags"):
        request["Tags"] = [{"Key": k, "Value": v} for k, v in config["tags"].items()]
    if config.get("deletion_protection_enabled"):
        request["DeletionProtectionEnabled"] = True
    if config.get("registration_id"):
        request["RegistrationId"] = config["registration_id"]
    phone_number_id = sms.request_phone_number(**request)["PhoneNumberId"]
    StateChangeConf(["PENDING", "ASSOCIATING"], ["ACTIVE"], _status_sms_number(sms, phone_number_id), 300).wait(lc)
    if config.get("self_managed_opt_outs_enabled"):  # sdkv2.HasNonZeroValues(...)
        sms.update_phone_number(PhoneNumberId=phone_number_id, SelfManagedOptOutsEnabled=True)
        StateChangeConf(["PENDING", "ASSOCIATING"], ["ACTIVE"], _status_sms_number(sms, phone_number_id), 300).wait(lc)
    return sms_number_read(sms, phone_number_id, new=True)


def sms_number_read(sms, phone_number_id: str, *, new: bool = False) -> dict | None:
    try:
        found = _find_sms_number(sms, phone_number_id)
    except NotFound:
        if new:
            raise
        return None
    tags = sms.list_tags_for_resource(ResourceArn=found["PhoneNumberArn"])["Tags"]  # no setTagsOut in Read
    return {"id": phone_number_id, "arn": found["PhoneNumberArn"],
            "deletion_protection_enabled": found["DeletionProtectionEnabled"],
            "iso_country_code": found["IsoCountryCode"], "message_type": found["MessageType"],
            "monthly_leasing_price": found["MonthlyLeasingPrice"],
            "number_capabilities": sorted(found["NumberCapabilities"]), "number_type": found["NumberType"],
            "opt_out_list_name": found["OptOutListName"], "phone_number": found["PhoneNumber"],
            "self_managed_opt_outs_enabled": found["SelfManagedOptOutsEnabled"],
            "two_way_channel_enabled": found["TwoWayEnabled"], "tags": {t["Key"]: t["Value"] for t in tags}}


def sms_number_update(sms, lc, state: dict, config: dict) -> dict:
    changes = {}
    if config.get("deletion_protection_enabled", False) != state["deletion_protection_enabled"]:
        changes["DeletionProtectionEnabled"] = config.get("deletion_protection_enabled", False)
    if config.get("self_managed_opt_outs_enabled", False) != state["self_managed_opt_outs_enabled"]:
        changes["SelfManagedOptOutsEnabled"] = config.get("self_managed_opt_outs_enabled", False)
    if changes:
        sms.update_phone_number(PhoneNumberId=state["id"], **changes)
        StateChangeConf(["PENDING", "ASSOCIATING"], ["ACTIVE"], _status_sms_number(sms, state["id"]), 300).wait(lc)
    if config.get("tags", {}) != state["tags"]:
        _update_tags(sms, state["arn"], state["tags"], config.get("tags", {}), list_form=True)
    return sms_number_read(sms, state["id"])


def sms_number_delete(sms, lc, phone_number_id: str) -> None:
    try:
        sms.release_phone_number(PhoneNumberId=phone_number_id)
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return
        raise
    StateChangeConf(["DISASSOCIATING"], [], _status_sms_number(sms, phone_number_id), 300).wait(lc)
