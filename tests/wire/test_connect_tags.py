"""Connect TagResource, UntagResource and ListTagsForResource on instances docs/behaviour.md §10 TagMap/TagKey, 4.2, 8.1):
one source of truth shared with DescribeInstance, tags leave with their resource, limits and ARN forms."""
from urllib.parse import quote

import requests

from support import error_of, make_instance

TAG_KEY_PATTERN = r"^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"


def tags_of(connect, arn) -> dict:
    return connect.list_tags_for_resource(resourceArn=arn)["tags"]


def test_tags_given_at_create_are_listed_and_described(connect, lc):
    instance = make_instance(connect, lc, "tagged", Tags={"team": "ops", "cost-center": "42"})
    assert tags_of(connect, instance["Arn"]) == {"team": "ops", "cost-center": "42"}
    assert connect.describe_instance(InstanceId=instance["Id"])["Instance"]["Tags"] == \
        {"team": "ops", "cost-center": "42"}


def test_tag_untag_and_list_keep_describe_and_list_tags_equal(connect, lc):
    instance = make_instance(connect, lc, "tagging", Tags={"team": "ops"})
    arn = instance["Arn"]

    connect.tag_resource(resourceArn=arn, tags={"env": "prod", "team": "support"})  # adds one, overwrites one
    expected = {"team": "support", "env": "prod"}
    assert tags_of(connect, arn) == expected
    assert connect.describe_instance(InstanceId=instance["Id"])["Instance"]["Tags"] == expected

    connect.untag_resource(resourceArn=arn, tagKeys=["team", "not-there"])  # an absent key is no error
    assert tags_of(connect, arn) == {"env": "prod"}
    assert connect.describe_instance(InstanceId=instance["Id"])["Instance"]["Tags"] == {"env": "prod"}

    connect.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert tags_of(connect, arn) == {}
    assert connect.describe_instance(InstanceId=instance["Id"])["Instance"].get("Tags", {}) == {}


def test_tag_operations_answer_200(connect, lc):
    instance = make_instance(connect, lc, "status")
    out = connect.tag_resource(resourceArn=instance["Arn"], tags={"a": "1"})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    out = connect.untag_resource(resourceArn=instance["Arn"], tagKeys=["a"])
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_tags_of_one_instance_do_not_leak_to_another(connect, lc):
    first = make_instance(connect, lc, "first", Tags={"who": "first"})
    second = make_instance(connect, lc, "second")
    connect.tag_resource(resourceArn=second["Arn"], tags={"who": "second"})
    assert tags_of(connect, first["Arn"]) == {"who": "first"}
    assert tags_of(connect, second["Arn"]) == {"who": "second"}


def test_tags_go_with_the_deleted_instance(connect, lc):
    instance = make_instance(connect, lc, "leaving", Tags={"team": "ops"})
    connect.delete_instance(InstanceId=instance["Id"])
    for call, kwargs in ((connect.list_tags_for_resource, {}),
                         (connect.tag_resource, {"tags": {"x": "y"}}),
                         (connect.untag_resource, {"tagKeys": ["team"]})):
        code, status, message, _ = error_of(call, resourceArn=instance["Arn"], **kwargs)
        assert (code, status) == ("ResourceNotFoundException", 404)
        assert message == f"Resource not found: {instance['Arn']}"
    assert connect.list_instances()["InstanceSummaryList"] == []


def test_unknown_instance_arn_is_resource_not_found(connect, lc):
    make_instance(connect, lc, "known")
    arn = "arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-0000-0000-000000000000"
    for call, kwargs in ((connect.list_tags_for_resource, {}),
                         (connect.tag_resource, {"tags": {"x": "y"}}),
                         (connect.untag_resource, {"tagKeys": ["x"]})):
        code, status, message, _ = error_of(call, resourceArn=arn, **kwargs)
        assert (code, status) == ("ResourceNotFoundException", 404)
        assert message == f"Resource not found: {arn}"


def test_arn_that_is_not_a_connect_arn_is_invalid_parameter(connect, lc):
    code, status, message, _ = error_of(connect.list_tags_for_resource, resourceArn="not-an-arn")
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == "resourceArn is not a valid Amazon Connect ARN: not-an-arn"


def test_legacy_phone_number_arn_cannot_be_tagged(connect, lc):
    instance = make_instance(connect, lc, "legacy")
    legacy = f"{instance['Arn']}/phone-number/11111111-2222-3333-4444-555555555555"
    code, status, message, _ = error_of(connect.tag_resource, resourceArn=legacy, tags={"k": "v"})
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Resource not found: {legacy}"
    code, status, _, _ = error_of(connect.list_tags_for_resource, resourceArn=legacy)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert tags_of(connect, instance["Arn"]) == {}


def test_aws_prefixed_key_is_invalid_parameter_naming_the_pattern(connect, lc):
    instance = make_instance(connect, lc, "awsprefix", Tags={"keep": "me"})
    code, status, message, _ = error_of(connect.tag_resource, resourceArn=instance["Arn"],
                                        tags={"aws:createdBy": "me"})
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == ("1 validation error detected: Value '{aws:createdBy=me}' at 'tags' failed to satisfy "
                       "constraint: Map keys must satisfy constraint: [Member must satisfy regular expression "
                       f"pattern: {TAG_KEY_PATTERN}]")
    assert tags_of(connect, instance["Arn"]) == {"keep": "me"}


def test_aws_prefixed_key_at_create_is_rejected_and_nothing_is_created(connect, lc):
    code, status, message, _ = error_of(
        connect.create_instance, IdentityManagementType="CONNECT_MANAGED", InstanceAlias="awscreate",
        InboundCallsEnabled=True, OutboundCallsEnabled=True, Tags={"aws:x": "y"})
    # CreateInstance models InvalidRequestException and no InvalidParameterException (docs/behaviour.md §8)
    assert (code, status) == ("InvalidRequestException", 400)
    assert TAG_KEY_PATTERN in message
    assert connect.list_instances()["InstanceSummaryList"] == []


def test_more_than_50_tags_in_one_call_is_a_validation_error(connect, lc):
    instance = make_instance(connect, lc, "many")
    tags = {f"k{n:02}": "v" for n in range(51)}
    code, status, message, _ = error_of(connect.tag_resource, resourceArn=instance["Arn"], tags=tags)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith("1 validation error detected: Value '{k00=v, k01=v, ")
    assert message.endswith("' at 'tags' failed to satisfy constraint: Member must have length less than or "
                            "equal to 50")
    assert tags_of(connect, instance["Arn"]) == {}


def test_exactly_50_tags_fit_and_one_more_is_refused(connect, lc):
    instance = make_instance(connect, lc, "fifty")
    arn = instance["Arn"]
    full = {f"k{n:02}": "v" for n in range(50)}
    connect.tag_resource(resourceArn=arn, tags=full)
    assert tags_of(connect, arn) == full

    code, status, message, _ = error_of(connect.tag_resource, resourceArn=arn, tags={"one-more": "v"})
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == "A resource can have at most 50 tags."
    assert tags_of(connect, arn) == full

    # Overwriting a key that is already there does not add a tag, so it still fits
    connect.tag_resource(resourceArn=arn, tags={"k00": "changed"})
    assert tags_of(connect, arn) == {**full, "k00": "changed"}
    assert len(connect.describe_instance(InstanceId=instance["Id"])["Instance"]["Tags"]) == 50


def test_49_existing_plus_two_new_is_refused_as_a_whole(connect, lc):
    instance = make_instance(connect, lc, "fortynine")
    arn = instance["Arn"]
    base = {f"k{n:02}": "v" for n in range(49)}
    connect.tag_resource(resourceArn=arn, tags=base)
    code, status, _, _ = error_of(connect.tag_resource, resourceArn=arn, tags={"new1": "v", "new2": "v"})
    assert (code, status) == ("InvalidParameterException", 400)
    assert tags_of(connect, arn) == base  # neither of the two was added


def test_resource_arn_is_percent_encoded_by_boto3_and_decoded_by_the_server(connect, lc):
    instance = make_instance(connect, lc, "encoded")
    seen = []
    connect.meta.events.register("before-send.connect.*", lambda request, **_: seen.append(request.url))
    connect.tag_resource(resourceArn=instance["Arn"], tags={"a": "b"})
    assert quote(instance["Arn"], safe="") in seen[0]  # arn%3Aaws%3Aconnect%3A...%2F<id>
    assert tags_of(connect, instance["Arn"]) == {"a": "b"}


def test_resource_arn_in_any_percent_encoding_over_raw_http(connect, lc):
    instance = make_instance(connect, lc, "rawenc", Tags={"k": "v"})
    arn = instance["Arn"]
    lower = quote(arn, safe="").replace("%3A", "%3a").replace("%2F", "%2f")
    colons_raw = arn.replace("/", "%2F")
    for form in (quote(arn, safe=""), lower, colons_raw):
        response = requests.get(f"{lc.url}/tags/{form}", timeout=10)
        assert response.status_code == 200, (form, response.text)
        assert response.json() == {"tags": {"k": "v"}}


def test_unicode_tags_round_trip(connect, lc):
    instance = make_instance(connect, lc, "unicode")
    tags = {"ключ": "значение", "タグ": "値", "with space": "ok", "a_b.c:d/e=f+g-h@i": "x"}
    connect.tag_resource(resourceArn=instance["Arn"], tags=tags)
    assert tags_of(connect, instance["Arn"]) == tags
    connect.untag_resource(resourceArn=instance["Arn"], tagKeys=["ключ", "タグ"])
    assert tags_of(connect, instance["Arn"]) == {"with space": "ok", "a_b.c:d/e=f+g-h@i": "x"}
