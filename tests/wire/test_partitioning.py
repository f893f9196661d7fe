"""All state is partitioned by (account, Region) (docs/behaviour.md §1): Region from the SigV4 credential scope, account
from a 12-digit access key id (the moto convention) or the default 123456789012."""
import functools

import requests

from localconnect.testing import clients
from support import error_of, make_instance, request_number

DEFAULT_ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"


@functools.cache
def _clients(url: str, region: str, access_key: str):
    return clients(url, region=region, access_key=access_key)


def clients_for(lc, region: str = "us-east-1", access_key: str = "AKIDLOCALCONNECT"):
    """(connect, sms) for another partition; built once per server, as making boto3 clients is slow."""
    return _clients(lc.url, region, access_key)


def ids(connect) -> list[str]:
    return [i["Id"] for i in connect.list_instances()["InstanceSummaryList"]]


def test_instance_from_us_east_1_is_not_found_from_eu_west_1(connect, lc):
    instance = make_instance(connect, lc, "home")
    eu = clients_for(lc, region="eu-west-2")[0]
    for ident in (instance["Id"], instance["Arn"]):
        code, status, message, _ = error_of(eu.describe_instance, InstanceId=ident)
        assert (code, status) == ("ResourceNotFoundException", 404)
        assert message == f"Instance not found: {ident}"
    assert connect.describe_instance(InstanceId=instance["Id"])["Instance"]["InstanceStatus"] == "ACTIVE"


def test_instance_of_one_account_is_not_found_from_another(connect, lc):
    instance = make_instance(connect, lc, "mine")
    other = clients_for(lc, access_key=OTHER_ACCOUNT)[0]
    code, status, _, _ = error_of(other.describe_instance, InstanceId=instance["Id"])
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert ids(other) == []


def test_twelve_digit_access_key_is_the_account_in_arns(lc):
    other = clients_for(lc, access_key=OTHER_ACCOUNT, region="eu-west-2")[0]
    out = make_instance(other, lc, "theirs")
    assert out["Arn"] == f"arn:aws:connect:eu-west-2:{OTHER_ACCOUNT}:instance/{out['Id']}"
    instance = other.describe_instance(InstanceId=out["Id"])["Instance"]
    assert instance["ServiceRole"].startswith(f"arn:aws:iam::{OTHER_ACCOUNT}:role/")


def test_other_access_keys_use_the_default_account(lc):
    plain = clients_for(lc, access_key="AKIAEXAMPLEKEY")[0]
    out = make_instance(plain, lc, "default")
    assert out["Arn"].startswith(f"arn:aws:connect:us-east-1:{DEFAULT_ACCOUNT}:instance/")
    # ... which is the same partition as the fixture's client
    assert ids(clients_for(lc)[0]) == [out["Id"]]


def test_region_comes_from_the_credential_scope(lc):
    client = clients_for(lc, region="ap-southeast-2")[0]
    out = make_instance(client, lc, "sydney")
    assert out["Arn"] == f"arn:aws:connect:ap-southeast-2:{DEFAULT_ACCOUNT}:instance/{out['Id']}"


def test_unsigned_request_uses_the_default_account_and_region(connect, lc):
    instance = make_instance(connect, lc, "unsigned")
    response = requests.get(f"{lc.url}/instance", timeout=10)
    assert response.status_code == 200
    assert [i["Id"] for i in response.json()["InstanceSummaryList"]] == [instance["Id"]]


def test_list_instances_sees_only_its_own_partition(connect, lc):
    eu = clients_for(lc, region="eu-west-2")[0]
    other = clients_for(lc, access_key=OTHER_ACCOUNT)[0]
    mine = make_instance(connect, lc, "same")["Id"]
    in_eu = make_instance(eu, lc, "same")["Id"]           # the alias is unique per partition only
    theirs = make_instance(other, lc, "same")["Id"]
    assert ids(connect) == [mine]
    assert ids(eu) == [in_eu]
    assert ids(other) == [theirs]
    assert ids(clients_for(lc, region="eu-west-2", access_key=OTHER_ACCOUNT)[0]) == []

    by_partition = {(p["account"], p["region"]): [i["Id"] for i in p["instances"]]
                    for p in lc.state()["partitions"] if p["instances"]}
    assert by_partition == {(DEFAULT_ACCOUNT, "us-east-1"): [mine], (DEFAULT_ACCOUNT, "eu-west-2"): [in_eu],
                            (OTHER_ACCOUNT, "us-east-1"): [theirs]}


def test_delete_from_another_partition_is_not_found_and_leaves_the_instance(connect, lc):
    instance = make_instance(connect, lc, "stays")
    for client in (clients_for(lc, region="eu-west-2")[0], clients_for(lc, access_key=OTHER_ACCOUNT)[0]):
        code, status, _, _ = error_of(client.delete_instance, InstanceId=instance["Id"])
        assert (code, status) == ("ResourceNotFoundException", 404)
    assert ids(connect) == [instance["Id"]]


def test_tags_of_another_partition_cannot_be_read_or_changed(connect, lc):
    instance = make_instance(connect, lc, "tagged", Tags={"team": "ops"})
    for client in (clients_for(lc, region="eu-west-2")[0], clients_for(lc, access_key=OTHER_ACCOUNT)[0]):
        for call, kwargs in ((client.list_tags_for_resource, {}),
                             (client.tag_resource, {"tags": {"team": "intruder"}}),
                             (client.untag_resource, {"tagKeys": ["team"]})):
            code, status, message, _ = error_of(call, resourceArn=instance["Arn"], **kwargs)
            assert (code, status) == ("ResourceNotFoundException", 404)
            assert message == f"Resource not found: {instance['Arn']}"
    assert connect.list_tags_for_resource(resourceArn=instance["Arn"])["tags"] == {"team": "ops"}


def test_instance_quota_is_per_partition(connect, lc):
    make_instance(connect, lc, "one"), make_instance(connect, lc, "two")
    assert error_of(make_instance, connect, lc, "three")[:2] == ("ServiceQuotaExceededException", 402)
    eu = clients_for(lc, region="eu-west-2")[0]
    other = clients_for(lc, access_key=OTHER_ACCOUNT)[0]
    for client in (eu, other):
        make_instance(client, lc, "one"), make_instance(client, lc, "two")
        assert error_of(make_instance, client, lc, "three")[:2] == ("ServiceQuotaExceededException", 402)


def test_admin_quota_change_applies_to_its_partition_only(connect, lc):
    status, _ = lc.admin("POST", "/quotas", {"account": DEFAULT_ACCOUNT, "region": "eu-west-2",
                                             "instances_per_region": 3})
    assert status == 200
    eu = clients_for(lc, region="eu-west-2")[0]
    for n in range(3):
        make_instance(eu, lc, f"eu{n}")
    make_instance(connect, lc, "us0"), make_instance(connect, lc, "us1")
    code, status, _, _ = error_of(make_instance, connect, lc, "us2")
    assert (code, status) == ("ServiceQuotaExceededException", 402)
    assert len(ids(eu)) == 3 and len(ids(connect)) == 2


def test_client_token_is_scoped_to_the_partition(connect, lc):
    eu = clients_for(lc, region="eu-west-2")[0]
    other = clients_for(lc, access_key=OTHER_ACCOUNT)[0]
    made = [c.create_instance(ClientToken="shared-token", IdentityManagementType="CONNECT_MANAGED",
                              InstanceAlias="tok", InboundCallsEnabled=True, OutboundCallsEnabled=True)
            for c in (connect, eu, other)]
    assert len({m["Id"] for m in made}) == 3
    assert made[1]["Arn"].split(":")[3:5] == ["eu-west-2", DEFAULT_ACCOUNT]
    assert made[2]["Arn"].split(":")[3:5] == ["us-east-1", OTHER_ACCOUNT]
    # A different parameter set with the same token elsewhere is no conflict either
    fourth = clients_for(lc, region="ap-northeast-2")[0].create_instance(
        ClientToken="shared-token", IdentityManagementType="CONNECT_MANAGED", InstanceAlias="different",
        InboundCallsEnabled=False, OutboundCallsEnabled=False)
    assert fourth["Id"] not in {m["Id"] for m in made}


def test_end_user_messaging_numbers_are_partitioned_too(sms, lc):
    mine = request_number(sms, "LONG_CODE")
    eu_sms = clients_for(lc, region="eu-west-2")[1]
    other_sms = clients_for(lc, access_key=OTHER_ACCOUNT)[1]
    for client in (eu_sms, other_sms):
        assert client.describe_phone_numbers()["PhoneNumbers"] == []
        code, status, _, _ = error_of(client.describe_phone_numbers, PhoneNumberIds=[mine["PhoneNumberId"]])
        assert (code, status) == ("ResourceNotFoundException", 400)
    listed = sms.describe_phone_numbers()["PhoneNumbers"]
    assert [n["PhoneNumberId"] for n in listed] == [mine["PhoneNumberId"]]
    assert mine["PhoneNumberArn"].startswith(f"arn:aws:sms-voice:us-east-1:{DEFAULT_ACCOUNT}:phone-number/")


def test_reset_of_one_account_leaves_the_others(connect, lc):
    mine = make_instance(connect, lc, "mine")
    other = clients_for(lc, access_key=OTHER_ACCOUNT)[0]
    make_instance(other, lc, "theirs")
    status, _ = lc.admin("POST", "/reset", {"account": OTHER_ACCOUNT})
    assert status == 200
    assert ids(other) == []
    assert ids(connect) == [mine["Id"]]
