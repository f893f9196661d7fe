"""IAM identity-policy evaluation alone: matching, condition operators, decisions, parse errors."""
from __future__ import annotations

import json

import pytest

from localconnect.rules.iam import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    PolicyError,
    evaluate,
    parse_policy,
)

ACCOUNT = "111122223333"
PN = f"arn:aws:connect:us-east-1:{ACCOUNT}:phone-number/0b8e5c2a-1111-4222-8333-444455556666"
LEGACY_PN = f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/abcd-1234/phone-number/0b8e5c2a"
INSTANCE = f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/abcd-1234"
SMS_PN = f"arn:aws:sms-voice:us-east-1:{ACCOUNT}:phone-number/phone-0123456789abcdef"
IMPORT = "connect:ImportPhoneNumber"
ABSENT = object()  # the context key is not in the request at all


def statement(effect="Allow", action="*", resource="*", **extra) -> dict:
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


def policy(*statements: dict) -> dict:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)})


def decide(policies, action=IMPORT, resource=PN, context=None) -> str:
    return evaluate(policies if isinstance(policies, list) else [policies], action, resource, context or {})


def condition_holds(operator: str, key: str, wanted, value) -> bool:
    """Whether one Allow statement with this single condition applies to a request carrying value."""
    context = {} if value is ABSENT else {key: value}
    return decide(policy(statement(Condition={operator: {key: wanted}})), context=context) == ALLOW


# --- Action and Resource matching -----------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, action, expected", [
    ("connect:ImportPhoneNumber", "connect:ImportPhoneNumber", True),
    ("connect:importphonenumber", "connect:ImportPhoneNumber", True),   # actions ignore case
    ("CONNECT:IMPORTPHONENUMBER", "connect:ImportPhoneNumber", True),
    ("connect:ImportPhoneNumber", "connect:ClaimPhoneNumber", False),
    ("connect:Import", "connect:ImportPhoneNumber", False),             # no prefix match without a wildcard
    ("connect:*", "connect:ClaimPhoneNumber", True),
    ("Connect:*", "connect:ClaimPhoneNumber", True),
    ("connect:*", "sms-voice:DescribePhoneNumbers", False),
    ("connect:*PhoneNumber*", "connect:ListPhoneNumbersV2", True),
    ("connect:*PhoneNumber*", "connect:DescribePhoneNumber", True),
    ("connect:*PhoneNumber*", "connect:CreateInstance", False),
    ("connect:*phonenumber", "connect:ReleasePhoneNumber", True),
    ("connect:Describe?honeNumber", "connect:DescribePhoneNumber", True),
    ("connect:Describe?PhoneNumber", "connect:DescribePhoneNumber", False),  # ? is exactly one character
    ("connect:List?honeNumbers??", "connect:ListPhoneNumbersV2", True),
    ("*", "sms-voice:DescribePhoneNumbers", True),
    ("*:Describe*", "sms-voice:DescribePhoneNumbers", True),
    ("sms-voice:*", "connect:ImportPhoneNumber", False),
    ("connect:Import.*", "connect:ImportPhoneNumber", False),           # regex characters are literal
])
def test_action_patterns(pattern, action, expected):
    assert (decide(policy(statement(action=pattern)), action=action) == ALLOW) is expected


@pytest.mark.parametrize("pattern, resource, expected", [
    (PN, PN, True),
    ("*", PN, True),
    ("*", SMS_PN, True),
    (PN.replace("0b8e5c2a", "0B8E5C2A"), PN, False),                     # resources are case-sensitive
    (PN.replace("phone-number", "Phone-Number"), PN, False),
    (f"arn:aws:connect:us-east-1:{ACCOUNT}:phone-number/*", PN, True),
    (f"arn:aws:connect:*:{ACCOUNT}:phone-number/*", PN, True),
    ("arn:aws:connect:*:*:phone-number/*", SMS_PN, False),
    ("arn:aws:connect:*", PN, True),                                       # * spans ':' and '/'
    ("arn:aws:*", SMS_PN, True),
    (f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/*", LEGACY_PN, True),  # * spans '/'
    (f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/*", PN, False),
    (f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/*", INSTANCE, True),
    (f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/abcd-1234", LEGACY_PN, False),  # no implied prefix match
    (f"arn:aws:connect:us-east-?:{ACCOUNT}:phone-number/*", PN, True),
    (f"arn:aws:connect:us-east-??:{ACCOUNT}:phone-number/*", PN, False),
    (f"arn:aws:connect:us-west-2:{ACCOUNT}:phone-number/*", PN, False),
    ("arn:aws:connect:us-east-1:999999999999:phone-number/*", PN, False),
])
def test_resource_patterns(pattern, resource, expected):
    assert (decide(policy(statement(resource=pattern)), resource=resource) == ALLOW) is expected


def test_action_and_resource_lists_are_ored():
    p = policy(statement(action=["connect:ClaimPhoneNumber", "connect:Import*"], resource=[INSTANCE, PN]))
    assert decide(p, "connect:ImportPhoneNumber", PN) == ALLOW
    assert decide(p, "connect:ClaimPhoneNumber", INSTANCE) == ALLOW
    assert decide(p, "connect:ReleasePhoneNumber", PN) == IMPLICIT_DENY
    assert decide(p, "connect:ClaimPhoneNumber", SMS_PN) == IMPLICIT_DENY


@pytest.mark.parametrize("not_action, action, expected", [
    ("connect:ReleasePhoneNumber", "connect:ImportPhoneNumber", True),
    ("connect:ReleasePhoneNumber", "connect:ReleasePhoneNumber", False),
    ("connect:releasephonenumber", "connect:ReleasePhoneNumber", False),   # NotAction ignores case too
    (["connect:Release*", "sms-voice:*"], "sms-voice:DescribePhoneNumbers", False),
    (["connect:Release*", "sms-voice:*"], "connect:ClaimPhoneNumber", True),
    ("*", "connect:ClaimPhoneNumber", False),
])
def test_not_action_matches_every_other_action(not_action, action, expected):
    p = policy({"Effect": "Allow", "NotAction": not_action, "Resource": "*"})
    assert (decide(p, action=action) == ALLOW) is expected


@pytest.mark.parametrize("not_resource, resource, expected", [
    (PN, PN, False),
    (PN, SMS_PN, True),
    (PN.replace("0b8e5c2a", "0B8E5C2A"), PN, True),                      # still case-sensitive
    ("arn:aws:sms-voice:*", SMS_PN, False),
    ([INSTANCE + "/*", "arn:aws:sms-voice:*"], LEGACY_PN, False),
    ([INSTANCE + "/*", "arn:aws:sms-voice:*"], PN, True),
    ("*", PN, False),
])
def test_not_resource_matches_every_other_resource(not_resource, resource, expected):
    p = policy({"Effect": "Allow", "Action": "*", "NotResource": not_resource})
    assert (decide(p, resource=resource) == ALLOW) is expected


# --- Condition operators --------------------------------------------------------------------------------------

TAG = "aws:RequestTag/team"
KEYS = "aws:TagKeys"


@pytest.mark.parametrize("operator, wanted, value, expected", [
    # StringEquals: exact and case-sensitive; policy values OR'd; absent key fails
    ("StringEquals", "blue", "blue", True),
    ("StringEquals", "blue", "Blue", False),
    ("StringEquals", ["red", "blue"], "blue", True),
    ("StringEquals", ["red", "blue"], "green", False),
    ("StringEquals", "blue", "", False),
    ("StringEquals", "blue", ABSENT, False),
    ("StringEquals", "b*", "blue", False),                                 # no wildcards in StringEquals
    # StringNotEquals: none of the values; absent key holds (negated operator)
    ("StringNotEquals", "blue", "green", True),
    ("StringNotEquals", "blue", "blue", False),
    ("StringNotEquals", "blue", "BLUE", True),
    ("StringNotEquals", ["red", "blue"], "red", False),
    ("StringNotEquals", ["red", "blue"], "green", True),
    ("StringNotEquals", "blue", ABSENT, True),
    # IgnoreCase variants
    ("StringEqualsIgnoreCase", "blue", "BLUE", True),
    ("StringEqualsIgnoreCase", ["Red", "bLuE"], "Blue", True),
    ("StringEqualsIgnoreCase", "blue", "green", False),
    ("StringEqualsIgnoreCase", "blue", ABSENT, False),
    ("StringNotEqualsIgnoreCase", "blue", "BLUE", False),
    ("StringNotEqualsIgnoreCase", "blue", "green", True),
    ("StringNotEqualsIgnoreCase", "blue", ABSENT, True),
    # StringLike: * and ? wildcards, case-sensitive
    ("StringLike", "bl*", "blue", True),
    ("StringLike", "bl*", "Blue", False),
    ("StringLike", "b??e", "blue", True),
    ("StringLike", "b?e", "blue", False),
    ("StringLike", "*", "", True),
    ("StringLike", ["red*", "*ue"], "blue", True),
    ("StringLike", "blue", "blue-ish", False),                             # whole value, not a substring
    ("StringLike", "a.c", "abc", False),                                   # '.' is literal
    ("StringLike", "bl*", ABSENT, False),
    ("StringNotLike", "bl*", "blue", False),
    ("StringNotLike", "bl*", "red", True),
    ("StringNotLike", ["r*", "b*"], "blue", False),
    ("StringNotLike", "bl*", ABSENT, True),
    # Bool: the text true/false, JSON booleans allowed in the policy, any case in the request
    ("Bool", "true", "true", True),
    ("Bool", True, "true", True),
    ("Bool", "true", "TRUE", True),
    ("Bool", "true", "false", False),
    ("Bool", False, "false", True),
    ("Bool", "true", ABSENT, False),
    # IfExists: absent key holds; present key as the base operator
    ("StringEqualsIfExists", "blue", ABSENT, True),
    ("StringEqualsIfExists", "blue", "blue", True),
    ("StringEqualsIfExists", "blue", "red", False),
    ("StringNotEqualsIfExists", "blue", ABSENT, True),
    ("StringNotEqualsIfExists", "blue", "blue", False),
    ("StringEqualsIgnoreCaseIfExists", "blue", "BLUE", True),
    ("StringEqualsIgnoreCaseIfExists", "blue", ABSENT, True),
    ("StringNotEqualsIgnoreCaseIfExists", "blue", "Blue", False),
    ("StringLikeIfExists", "bl*", ABSENT, True),
    ("StringLikeIfExists", "bl*", "red", False),
    ("StringNotLikeIfExists", "bl*", "blue", False),
    ("StringNotLikeIfExists", "bl*", ABSENT, True),
    ("BoolIfExists", "true", ABSENT, True),
    ("BoolIfExists", "true", "false", False),
    # Null: "true" means the key is absent, "false" that it is present (with any value, even empty)
    ("Null", "true", ABSENT, True),
    ("Null", "true", "blue", False),
    ("Null", "false", "blue", True),
    ("Null", "false", "", True),
    ("Null", "false", ABSENT, False),
    ("Null", True, ABSENT, True),
    ("Null", "TRUE", ABSENT, True),
])
def test_single_valued_operators(operator, wanted, value, expected):
    assert condition_holds(operator, TAG, wanted, value) is expected


@pytest.mark.parametrize("operator, wanted, tag_keys, expected", [
    # ForAllValues: every request value matches some policy value; absent or empty key holds
    ("ForAllValues:StringEquals", ["team", "cost"], ["team"], True),
    ("ForAllValues:StringEquals", ["team", "cost"], ["team", "cost"], True),
    ("ForAllValues:StringEquals", ["team", "cost"], ["team", "other"], False),
    ("ForAllValues:StringEquals", ["team", "cost"], ["Team"], False),
    ("ForAllValues:StringEquals", ["team", "cost"], [], True),
    ("ForAllValues:StringEquals", ["team", "cost"], ABSENT, True),
    ("ForAllValues:StringEqualsIfExists", ["team"], ABSENT, True),
    ("ForAllValues:StringEqualsIgnoreCase", ["team"], ["TEAM", "Team"], True),
    ("ForAllValues:StringLike", "key1*", ["key1:hr", "key1:personnel"], True),
    ("ForAllValues:StringLike", "key1*", ["key1:hr", "key2:audit"], False),
    # ForAllValues with a negated operator: every request value matches none of the policy values
    ("ForAllValues:StringNotLike", "key1*", ["key1:legal"], False),
    ("ForAllValues:StringNotLike", "key1*", ["key2:audit"], True),
    ("ForAllValues:StringNotLike", "key1*", ["key1:hr", "key2:audit"], False),
    ("ForAllValues:StringNotLike", "key1*", ABSENT, True),
    ("ForAllValues:StringNotEquals", ["team"], ["cost", "owner"], True),
    # ForAnyValue: at least one request value matches; absent or empty key fails, IfExists or not
    ("ForAnyValue:StringEquals", ["team", "cost"], ["team", "other"], True),
    ("ForAnyValue:StringEquals", ["team", "cost"], ["other"], False),
    ("ForAnyValue:StringEquals", ["team", "cost"], [], False),
    ("ForAnyValue:StringEquals", ["team", "cost"], ABSENT, False),
    ("ForAnyValue:StringEqualsIfExists", ["team"], ABSENT, False),
    ("ForAnyValue:StringLike", "cost*", ["team", "cost-center"], True),
    ("ForAnyValue:StringEqualsIgnoreCase", ["TEAM"], ["team"], True),
    ("ForAnyValue:StringNotEquals", ["team"], ["team", "other"], True),
    ("ForAnyValue:StringNotEquals", ["team"], ["team"], False),
    ("ForAnyValue:StringNotEquals", ["team"], ABSENT, False),
    ("ForAnyValue:StringNotLike", "key1*", ["key1:a", "key1:b"], False),
    # A set operator also accepts a single-valued key as a one-element set
    ("ForAnyValue:StringEquals", ["team"], "team", True),
    ("ForAllValues:StringEquals", ["team"], "cost", False),
    # Without a set operator a multi-valued key matches if any value matches (negated: if none does)
    ("StringEquals", "team", ["cost", "team"], True),
    ("StringEquals", "team", ["cost"], False),
    ("StringEquals", "team", [], False),
    ("StringNotEquals", "team", ["cost", "team"], False),
    ("StringNotEquals", "team", ["cost"], True),
    ("StringLike", "t*", ["cost", "team"], True),
    ("Null", "true", [], True),                                            # an empty list is an absent key
    ("Null", "false", ["team"], True),
])
def test_multi_valued_keys_and_set_operators(operator, wanted, tag_keys, expected):
    assert condition_holds(operator, KEYS, wanted, tag_keys) is expected


@pytest.mark.parametrize("policy_key, context_key", [
    ("aws:RequestTag/team", "aws:requesttag/team"),
    ("AWS:REQUESTTAG/TEAM", "aws:RequestTag/team"),
    ("connect:instanceid", "connect:InstanceId"),
    ("aws:TagKeys", "AWS:TAGKEYS"),
])
def test_condition_key_names_ignore_case(policy_key, context_key):
    p = policy(statement(Condition={"StringLike": {policy_key: "*"}}))
    assert decide(p, context={context_key: "x"}) == ALLOW


def test_condition_values_keep_their_case_while_key_names_do_not():
    p = policy(statement(Condition={"StringEquals": {"aws:ResourceTag/Team": "Blue"}}))
    assert decide(p, context={"aws:resourcetag/team": "Blue"}) == ALLOW
    assert decide(p, context={"aws:resourcetag/team": "blue"}) == IMPLICIT_DENY


@pytest.mark.parametrize("context, expected", [
    ({"aws:RequestTag/team": "blue", "connect:InstanceId": "abcd-1234", "aws:RequestedRegion": "us-east-1"}, ALLOW),
    ({"aws:RequestTag/team": "red", "connect:InstanceId": "abcd-1234", "aws:RequestedRegion": "us-east-1"}, ALLOW),
    ({"aws:RequestTag/team": "green", "connect:InstanceId": "abcd-1234", "aws:RequestedRegion": "us-east-1"},
     IMPLICIT_DENY),                                                       # one key of an operator fails
    ({"aws:RequestTag/team": "blue", "connect:InstanceId": "other", "aws:RequestedRegion": "us-east-1"},
     IMPLICIT_DENY),
    ({"aws:RequestTag/team": "blue", "connect:InstanceId": "abcd-1234", "aws:RequestedRegion": "eu-west-2"},
     IMPLICIT_DENY),                                                       # a second operator fails
    ({"aws:RequestTag/team": "blue", "connect:InstanceId": "abcd-1234"}, IMPLICIT_DENY),
])
def test_conditions_and_across_operators_and_keys_or_across_values(context, expected):
    p = policy(statement(Condition={
        "StringEquals": {"aws:RequestTag/team": ["blue", "red"], "connect:InstanceId": "abcd-1234"},
        "StringLike": {"aws:RequestedRegion": "us-*"},
    }))
    assert decide(p, "connect:ClaimPhoneNumber", INSTANCE, context) == expected


# --- Decisions (IAM policy evaluation logic) ------------------------------------------------------------------

ALLOW_CONNECT = policy(statement(action="connect:*"))
ALLOW_ALL = policy(statement())
DENY_RELEASE = policy(statement("Deny", action="connect:ReleasePhoneNumber"))
DENY_UNLESS_TEAM = policy(statement("Deny", action="connect:*", Condition={"StringNotEquals": {
    "aws:ResourceTag/team": "blue"}}))
ALLOW_EXCEPT_SMS = parse_policy({"Statement": {"Effect": "Allow", "NotAction": "sms-voice:*", "Resource": "*"}})
DENY_SMS_RELEASE = policy(statement("Deny", action="sms-voice:ReleasePhoneNumber"))
ALLOW_TAG_KEYS = policy(statement(action="connect:TagResource", Condition={
    "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost"]}}))
ALLOW_ANY_TEAM_KEY = policy(statement(action="connect:TagResource", Condition={
    "ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}))
DENY_CLAIM_ELSEWHERE = policy(statement("Deny", action="connect:ClaimPhoneNumber", resource="*", Condition={
    "StringNotEqualsIfExists": {"connect:InstanceId": "abcd-1234"}}))


@pytest.mark.parametrize("policies, action, resource, context, expected", [
    # no policy, or no applicable statement: implicit deny
    ([], IMPORT, PN, {}, IMPLICIT_DENY),
    ([ALLOW_CONNECT], "sms-voice:DescribePhoneNumbers", SMS_PN, {}, IMPLICIT_DENY),
    ([DENY_RELEASE], IMPORT, PN, {}, IMPLICIT_DENY),                     # a Deny that does not apply allows nothing
    # an applicable Allow allows
    ([ALLOW_CONNECT], IMPORT, PN, {}, ALLOW),
    # explicit deny in one policy beats allow in another, in either order
    ([ALLOW_ALL, DENY_RELEASE], "connect:ReleasePhoneNumber", PN, {}, EXPLICIT_DENY),
    ([DENY_RELEASE, ALLOW_ALL], "connect:ReleasePhoneNumber", PN, {}, EXPLICIT_DENY),
    ([DENY_RELEASE], "connect:ReleasePhoneNumber", PN, {}, EXPLICIT_DENY),  # deny without any allow
    ([ALLOW_ALL, DENY_RELEASE], "connect:DescribePhoneNumber", PN, {}, ALLOW),
    # a conditional deny applies only when its condition holds
    ([ALLOW_ALL, DENY_UNLESS_TEAM], "connect:DescribePhoneNumber", PN, {"aws:ResourceTag/team": "blue"}, ALLOW),
    ([ALLOW_ALL, DENY_UNLESS_TEAM], "connect:DescribePhoneNumber", PN, {"aws:ResourceTag/team": "red"},
     EXPLICIT_DENY),
    ([ALLOW_ALL, DENY_UNLESS_TEAM], "connect:DescribePhoneNumber", PN, {}, EXPLICIT_DENY),  # untagged: denied
    # Allow with NotAction plus a Deny
    ([ALLOW_EXCEPT_SMS], IMPORT, PN, {}, ALLOW),
    ([ALLOW_EXCEPT_SMS], "sms-voice:DescribePhoneNumbers", SMS_PN, {}, IMPLICIT_DENY),
    ([ALLOW_EXCEPT_SMS, DENY_RELEASE], "connect:ReleasePhoneNumber", PN, {}, EXPLICIT_DENY),
    ([ALLOW_EXCEPT_SMS, DENY_SMS_RELEASE], "sms-voice:ReleasePhoneNumber", SMS_PN, {}, EXPLICIT_DENY),
    ([ALLOW_EXCEPT_SMS, ALLOW_ALL], "sms-voice:DescribePhoneNumbers", SMS_PN, {}, ALLOW),  # another policy allows
    # the IAM documentation's aws:TagKeys examples
    ([ALLOW_TAG_KEYS], "connect:TagResource", PN, {"aws:TagKeys": ["team"]}, ALLOW),
    ([ALLOW_TAG_KEYS], "connect:TagResource", PN, {"aws:TagKeys": ["team", "cost"]}, ALLOW),
    ([ALLOW_TAG_KEYS], "connect:TagResource", PN, {}, ALLOW),
    ([ALLOW_TAG_KEYS], "connect:TagResource", PN, {"aws:TagKeys": []}, ALLOW),
    ([ALLOW_TAG_KEYS], "connect:TagResource", PN, {"aws:TagKeys": ["team", "other"]}, IMPLICIT_DENY),
    ([ALLOW_ANY_TEAM_KEY], "connect:TagResource", PN, {"aws:TagKeys": ["team", "other"]}, ALLOW),
    ([ALLOW_ANY_TEAM_KEY], "connect:TagResource", PN, {}, IMPLICIT_DENY),
    ([ALLOW_ANY_TEAM_KEY], "connect:TagResource", PN, {"aws:TagKeys": []}, IMPLICIT_DENY),
    # IfExists on a deny: absent key means the deny applies
    ([ALLOW_ALL, DENY_CLAIM_ELSEWHERE], "connect:ClaimPhoneNumber", INSTANCE, {"connect:InstanceId": "abcd-1234"},
     ALLOW),
    ([ALLOW_ALL, DENY_CLAIM_ELSEWHERE], "connect:ClaimPhoneNumber", INSTANCE, {"connect:InstanceId": "zzz"},
     EXPLICIT_DENY),
    ([ALLOW_ALL, DENY_CLAIM_ELSEWHERE], "connect:ClaimPhoneNumber", INSTANCE, {}, EXPLICIT_DENY),
])
def test_policy_evaluation_logic(policies, action, resource, context, expected):
    assert evaluate(policies, action, resource, context) == expected


def test_statements_within_one_policy_combine_like_separate_policies():
    one = policy(statement(action="connect:*"), statement("Deny", action="connect:Release*"),
                 statement(action="sms-voice:DescribePhoneNumbers", resource="arn:aws:sms-voice:*"))
    assert decide(one, IMPORT) == ALLOW
    assert decide(one, "connect:ReleasePhoneNumber") == EXPLICIT_DENY
    assert decide(one, "sms-voice:DescribePhoneNumbers", SMS_PN) == ALLOW
    assert decide(one, "sms-voice:DescribePhoneNumbers", PN) == IMPLICIT_DENY
    assert decide(one, "sms-voice:ReleasePhoneNumber", SMS_PN) == IMPLICIT_DENY


def test_import_needs_both_connect_and_sms_voice_permissions():
    only_connect = policy(statement(action="connect:ImportPhoneNumber", resource=INSTANCE + "*"))
    assert decide(only_connect, IMPORT, INSTANCE) == ALLOW
    assert decide(only_connect, "sms-voice:DescribePhoneNumbers", SMS_PN) == IMPLICIT_DENY


def test_policies_with_a_condition_on_an_unused_key_do_not_apply():
    p = policy(statement(Condition={"StringEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/alice"}}))
    assert decide(p, context={"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/alice"}) == ALLOW
    assert decide(p, context={"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/bob"}) == IMPLICIT_DENY


def test_tag_key_placeholder_is_not_a_policy_variable():
    p = policy(statement(Condition={"StringEquals": {"aws:RequestTag/${TagKey}": "x"}}))
    assert decide(p, context={"aws:RequestTag/team": "x"}) == IMPLICIT_DENY
    assert decide(p, context={"aws:RequestTag/${TagKey}": "x"}) == ALLOW


# --- parse_policy ---------------------------------------------------------------------------------------------

def test_parse_normalises_strings_to_lists_and_a_statement_object_to_a_list():
    doc = {"Statement": {"Sid": "One", "Effect": "Allow", "Action": "connect:*", "NotResource": PN,
                         "Condition": {"Bool": {"aws:SecureTransport": True}, "Null": {KEYS: False}}}}
    assert parse_policy(doc) == {"Version": "2008-10-17", "Statement": [{
        "Sid": "One", "Effect": "Allow", "Action": ["connect:*"], "NotResource": [PN],
        "Condition": {"Bool": {"aws:SecureTransport": ["true"]}, "Null": {KEYS: ["false"]}}}]}


def test_parse_accepts_json_text_and_both_versions():
    text = json.dumps({"Version": "2012-10-17", "Id": "p1", "Statement": [statement()]})
    parsed = parse_policy(text)
    assert parsed["Version"] == "2012-10-17" and parsed["Id"] == "p1"
    assert parsed["Statement"][0] == {"Effect": "Allow", "Action": ["*"], "Resource": ["*"], "Condition": {}}
    assert parse_policy({"Version": "2008-10-17", "Statement": []})["Statement"] == []
    assert parse_policy(parsed) == parsed                                   # idempotent


def test_parse_accepts_every_supported_operator_form():
    operators = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
                 "StringLike", "StringNotLike", "Bool"]
    names = [prefix + op + suffix for op in operators for prefix in ("", "ForAllValues:", "ForAnyValue:")
             for suffix in ("", "IfExists")] + ["Null"]
    parsed = parse_policy({"Statement": statement(Condition={name: {"k": "true"} for name in names})})
    assert sorted(parsed["Statement"][0]["Condition"]) == sorted(names)


def ok(**changes) -> dict:
    st = {"Effect": "Allow", "Action": "connect:*", "Resource": "*"}
    st.update(changes)
    return {"Version": "2012-10-17", "Statement": [{k: v for k, v in st.items() if v is not None}]}


@pytest.mark.parametrize("document, message", [
    ("{not json", "Policy is not valid JSON"),
    ("", "Policy is not valid JSON"),
    ("[]", "Policy must be a JSON object"),
    (42, "Policy must be a JSON object"),
    ({"Version": "2012-10-17"}, "Policy is missing Statement"),
    ({"Version": "2013-01-01", "Statement": []}, "Policy Version must be one of 2012-10-17, 2008-10-17, not '2013-01-01'"),
    ({"Statement": [], "Extra": 1}, "Policy has unknown element Extra"),
    ({"Statement": ["Allow"]}, "Statement[0] must be a JSON object"),
    (ok(Effect=None), "Statement[0]: missing Effect"),
    (ok(Effect="allow"), "Statement[0]: Effect must be Allow or Deny, not 'allow'"),
    (ok(Effect="Permit"), "Statement[0]: Effect must be Allow or Deny, not 'Permit'"),
    (ok(NotAction="connect:Release*"), "Statement[0]: needs exactly one of Action or NotAction"),
    (ok(Action=None), "Statement[0]: needs exactly one of Action or NotAction"),
    (ok(NotResource=PN), "Statement[0]: needs exactly one of Resource or NotResource"),
    (ok(Resource=None), "Statement[0]: needs exactly one of Resource or NotResource"),
    (ok(Principal={"AWS": "*"}), "Statement[0]: Principal is not allowed in an identity policy"),
    (ok(NotPrincipal={"AWS": "*"}), "Statement[0]: Principal is not allowed in an identity policy"),
    (ok(Sid=7), "Statement[0]: Sid must be a string"),
    (ok(Effects="Allow"), "Statement[0]: unknown element Effects"),
    (ok(Action=[]), "Statement[0]: Action must be a string or a non-empty list of strings"),
    (ok(Action=["connect:*", 3]), "Statement[0]: Action must be a string or a non-empty list of strings"),
    (ok(Action="connect"), "Statement[0]: Action: 'connect' must be '*' or 'service:action'"),
    (ok(Action=":Import"), "Statement[0]: Action: ':Import' must be '*' or 'service:action'"),
    (ok(Resource="phone-number/1"), "Statement[0]: Resource: 'phone-number/1' must be '*' or an ARN"),
    (ok(Condition={"StringEqual": {"k": "v"}}), "Unknown condition operator: StringEqual"),
    (ok(Condition={"NumericEquals": {"k": "1"}}), "Unknown condition operator: NumericEquals"),
    (ok(Condition={"ForEachValue:StringEquals": {"k": "v"}}), "Unknown condition operator: ForEachValue:StringEquals"),
    (ok(Condition={"stringequals": {"k": "v"}}), "Unknown condition operator: stringequals"),
    (ok(Condition={"IfExists": {"k": "v"}}), "Unknown condition operator: IfExists"),
    (ok(Condition={"NullIfExists": {"k": "true"}}), "Null takes no set prefix or IfExists suffix"),
    (ok(Condition={"ForAllValues:Null": {"k": "true"}}), "Null takes no set prefix or IfExists suffix"),
    (ok(Condition={"Null": {"k": "yes"}}), "Null takes 'true' or 'false' for k"),
    (ok(Condition=["StringEquals"]), "Statement[0]: Condition must be a JSON object"),
    (ok(Condition={"StringEquals": "v"}), "StringEquals must map condition keys to values"),
    (ok(Condition={"StringEquals": {"k": {"nested": 1}}}), "condition values must be strings, numbers or booleans"),
    (ok(Condition={"StringEquals": {"k": None}}), "condition values must be strings, numbers or booleans"),
])
def test_parse_errors_name_what_is_wrong(document, message):
    with pytest.raises(PolicyError) as caught:
        parse_policy(document)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_parse_error_names_the_statement_index():
    with pytest.raises(PolicyError, match=r"^Statement\[1\]: missing Effect$"):
        parse_policy({"Statement": [statement(), {"Action": "*", "Resource": "*"}]})
