"""CloudFormation's AWS::Connect::PhoneNumber against a running server, call for call, as its resource handler
makes them (aws-cloudformation/aws-cloudformation-resource-providers-connect, aws-connect-phonenumber/src/main/
java/software/amazon/connect/phonenumber/: CreateHandler.java, ReadHandler.java, UpdateHandler.java,
DeleteHandler.java, BaseHandlerStd.java, ArnHelper.java).

* Create (claim): SearchAvailablePhoneNumbers (MaxResults 10, at most two more pages), a number picked at random,
  ClaimPhoneNumber (the Java SDK fills ClientToken), then stabilize: wait 2 s, DescribePhoneNumber by ARN until
  CLAIMED (FAILED → CfnNotStabilizedException), 30 s between attempts; then the read handler.
* Create (import, with SourcePhoneNumberArn, a property of the published resource schema that the handler in the
  repository read predates): ImportPhoneNumber with InstanceId = TargetArn, then the same stabilization.
* Read: the PhoneNumberArn must match ArnHelper's pattern, then DescribePhoneNumber; a 404 is CfnNotFoundException.
* Update: UpdatePhoneNumber when TargetArn changed, stabilized until DescribePhoneNumber shows the new target;
  UntagResource of removed tags, TagResource of added ones; then read.
* Delete: ReleasePhoneNumber by ARN; a later read is NotFound (CloudFormation's delete contract).
"""
from __future__ import annotations

import random
import re

import pytest
from iac_support import error_code, names, recorded

from support import make_instance, request_number

PHONE_NUMBER_ARN_PATTERN = r"^arn:aws:connect:[-a-z0-9]*:[0-9]{12}:phone-number/[-a-zA-Z0-9]*$"  # ArnHelper.java


class CfnNotFound(Exception):
    pass


class CfnNotStabilized(Exception):
    pass


def _invoke(call, **kwargs):
    """BaseHandlerStd.invoke: service errors become CloudFormation's handler errors."""
    try:
        return call(**kwargs)
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            raise CfnNotFound(str(exc)) from exc
        raise


def _stabilize(connect, lc, arn: str, done) -> dict:
    """STABILIZATION_DELAY: constant 30 s between attempts, 10 minutes at most; each attempt first sleeps 2 s."""
    for _ in range(20):
        lc.advance(2)
        summary = _invoke(connect.describe_phone_number, PhoneNumberId=arn)["ClaimedPhoneNumberSummary"]
        if summary["PhoneNumberStatus"]["Status"] == "FAILED":
            raise CfnNotStabilized(arn)
        if done(summary):
            return summary
        lc.advance(30)
    raise CfnNotStabilized(f"{arn}: not stabilized in 10 minutes")


def read(connect, model: dict) -> dict:
    if not re.match(PHONE_NUMBER_ARN_PATTERN, model.get("PhoneNumberArn") or ""):
        raise CfnNotFound(f"{model.get('PhoneNumberArn')} is not a valid PhoneNumber Arn")
    summary = _invoke(connect.describe_phone_number, PhoneNumberId=model["PhoneNumberArn"])["ClaimedPhoneNumberSummary"]
    return dict(model, TargetArn=summary["TargetArn"], Description=summary.get("PhoneNumberDescription"),
                Type=summary["PhoneNumberType"], Tags={t: v for t, v in (summary.get("Tags") or {}).items()},
                Address=summary["PhoneNumber"], CountryCode=summary["PhoneNumberCountryCode"])


def create(connect, lc, model: dict, tags: dict) -> dict:
    """``tags`` is request.getDesiredResourceTags(): null when the stack and resource have none."""
    model = dict(model)
    tagged = {"Tags": tags} if tags else {}
    if model.get("SourcePhoneNumberArn"):
        out = _invoke(connect.import_phone_number, InstanceId=model["TargetArn"],
                      SourcePhoneNumberArn=model["SourcePhoneNumberArn"], **tagged,
                      **({"PhoneNumberDescription": model["Description"]} if model.get("Description") else {}))
    else:
        search = {"TargetArn": model["TargetArn"], "PhoneNumberCountryCode": model["CountryCode"],
                  "PhoneNumberType": model["Type"], "MaxResults": 10}
        if model.get("Prefix"):
            search["PhoneNumberPrefix"] = model["Prefix"]
        page = _invoke(connect.search_available_phone_numbers, **search)
        available = list(page["AvailableNumbersList"])
        for _ in range(2):  # NUMBER_LOOPS
            if not page.get("NextToken"):
                break
            page = _invoke(connect.search_available_phone_numbers, **search, NextToken=page["NextToken"])
            available += page["AvailableNumbersList"]
        if not available:
            raise CfnNotFound("No available numbers were found with the given request configuration.")
        number = random.SystemRandom().choice(available)["PhoneNumber"]
        out = _invoke(connect.claim_phone_number, TargetArn=model["TargetArn"], PhoneNumber=number, **tagged,
                      **({"PhoneNumberDescription": model["Description"]} if model.get("Description") else {}))
    model["PhoneNumberArn"] = out["PhoneNumberArn"]
    summary = _stabilize(connect, lc, model["PhoneNumberArn"], lambda s: s["PhoneNumberStatus"]["Status"] == "CLAIMED")
    model["Address"] = summary["PhoneNumber"]
    return read(connect, model)


def update(connect, lc, previous: dict, desired: dict, previous_tags: dict, desired_tags: dict) -> dict:
    if desired["TargetArn"] != previous["TargetArn"]:
        _invoke(connect.update_phone_number, PhoneNumberId=desired["PhoneNumberArn"], TargetArn=desired["TargetArn"])
        _stabilize(connect, lc, desired["PhoneNumberArn"], lambda s: s["TargetArn"] == desired["TargetArn"])
    removed = {(k, v) for k, v in previous_tags.items()} - {(k, v) for k, v in desired_tags.items()}
    added = {(k, v) for k, v in desired_tags.items()} - {(k, v) for k, v in previous_tags.items()}
    if removed:
        _invoke(connect.untag_resource, resourceArn=desired["PhoneNumberArn"], tagKeys=sorted(k for k, _ in removed))
    if added:
        _invoke(connect.tag_resource, resourceArn=desired["PhoneNumberArn"], tags=dict(added))
    return read(connect, desired)


def delete(connect, model: dict) -> None:
    _invoke(connect.release_phone_number, PhoneNumberId=model["PhoneNumberArn"])


def test_claim_update_and_delete(connect, lc):
    a = make_instance(connect, lc, alias="cfn-a")
    b = make_instance(connect, lc, alias="cfn-b")
    model = {"TargetArn": a["Arn"], "CountryCode": "GB", "Type": "DID", "Description": "from a stack"}
    with recorded(connect) as calls:
        created = create(connect, lc, model, {"stack": "one"})
    made = names(calls)
    # 200 GB DIDs: the first page and two more, as NUMBER_LOOPS allows.
    assert made[:4] == ["SearchAvailablePhoneNumbers"] * 3 + ["ClaimPhoneNumber"]
    assert calls[0][1]["MaxResults"] == 10 and calls[1][1]["NextToken"]
    assert made[4:] == ["DescribePhoneNumber", "DescribePhoneNumber"]  # stabilized, then the read handler
    assert re.match(PHONE_NUMBER_ARN_PATTERN, created["PhoneNumberArn"])
    assert {k: created[k] for k in ("TargetArn", "Type", "CountryCode", "Description", "Tags")} == {
        "TargetArn": a["Arn"], "Type": "DID", "CountryCode": "GB", "Description": "from a stack",
        "Tags": {"stack": "one"}}
    assert created["Address"].startswith(("+4420794600", "+4411349600"))

    with recorded(connect) as calls:
        moved = update(connect, lc, created, dict(created, TargetArn=b["Arn"]), {"stack": "one"}, {"stack": "two"})
    assert names(calls) == ["UpdatePhoneNumber", "DescribePhoneNumber", "UntagResource", "TagResource",
                            "DescribePhoneNumber"]
    assert (moved["TargetArn"], moved["Tags"]) == (b["Arn"], {"stack": "two"})

    lc.advance(1)  # the move has settled
    delete(connect, moved)
    with pytest.raises(CfnNotFound):
        read(connect, moved)
    with pytest.raises(CfnNotFound):  # an ARN the handler does not accept is NotFound before any call
        read(connect, dict(moved, PhoneNumberArn=moved["PhoneNumberArn"].replace("phone-number", "instance")))


def test_import_with_source_phone_number_arn(connect, sms, lc):
    instance = make_instance(connect, lc, alias="cfn-import")
    source = request_number(sms, "TOLL_FREE")
    with recorded(connect) as calls:
        imported = create(connect, lc, {"TargetArn": instance["Arn"], "SourcePhoneNumberArn": source["PhoneNumberArn"]},
                          {"stack": "import"})
    assert names(calls) == ["ImportPhoneNumber", "DescribePhoneNumber", "DescribePhoneNumber"]
    assert calls[0][1]["InstanceId"] == instance["Arn"]
    assert (imported["Address"], imported["Type"], imported["CountryCode"], imported["Tags"]) == (
        source["PhoneNumber"], "TOLL_FREE", "US", {"stack": "import"})
    summary = connect.describe_phone_number(PhoneNumberId=imported["PhoneNumberArn"])["ClaimedPhoneNumberSummary"]
    assert summary["SourcePhoneNumberArn"] == source["PhoneNumberArn"]
    delete(connect, imported)
    with pytest.raises(CfnNotFound):
        read(connect, imported)


def test_no_number_available_is_not_found(connect, lc):
    instance = make_instance(connect, lc, alias="cfn-none")
    with pytest.raises(CfnNotFound, match="No available numbers"):
        create(connect, lc, {"TargetArn": instance["Arn"], "CountryCode": "AQ", "Type": "DID"}, {})
    found = create(connect, lc, {"TargetArn": instance["Arn"], "CountryCode": "KR", "Type": "TOLL_FREE"}, {})
    assert found["Address"].startswith("+8208005550")


def test_a_failed_claim_does_not_stabilize(connect, lc):
    instance = make_instance(connect, lc, alias="cfn-full")
    assert lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})[0] == 200
    create(connect, lc, {"TargetArn": instance["Arn"], "CountryCode": "US", "Type": "DID"}, {})
    with pytest.raises(CfnNotStabilized):
        create(connect, lc, {"TargetArn": instance["Arn"], "CountryCode": "US", "Type": "DID"}, {})
