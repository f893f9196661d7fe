"""The Terraform and CloudFormation sequences through the AWS SDK for JavaScript v3 (tests/js/iac.mjs), so a
second SDK parses every answer they depend on: STS's XML, the waiters' statuses, the 404s taken as "gone",
InvalidContactFlowException's ``problems``, DuplicateResourceException's 409. The packages come from
tests/js/package.json (installed once, as for tests/wire/test_js_sdk.py, whose fixture this reuses: offline it
is one skip line, or a failure with LOCALCONNECT_REQUIRE_JS=1)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("js_sdk_support", TESTS / "wire" / "test_js_sdk.py")
_js = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_js)
node = _js.node  # the session fixture: Node.js with tests/js/node_modules installed

SCRIPT = TESTS / "js" / "iac.mjs"
ACCOUNT = "123456789012"


def run_script(node: str, url: str, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_CONFIG_FILE": str(tmp_path / "absent" / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent" / "credentials")})
    done = subprocess.run([node, str(SCRIPT), url], cwd=SCRIPT.parent, env=env, capture_output=True, text=True,
                          timeout=_js.RUN_TIMEOUT)
    assert done.returncode == 0, f"iac.mjs exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return json.loads(done.stdout)


def test_terraform_and_cloudformation_sequences_through_the_js_sdk(lc, node, tmp_path):
    out = run_script(node, lc.url, tmp_path)
    assert out["configure"] == {"result": {"UserId": ACCOUNT, "Account": ACCOUNT,
                                           "Arn": f"arn:aws:iam::{ACCOUNT}:root"}, "sent": ["GetCallerIdentity"]}

    instance = out["instance"]
    sent = instance["sent"]
    polls = sent[1:sent.index("UpdateInstanceAttribute")]
    assert sent[0] == "CreateInstance" and len(polls) >= 2 and set(polls) == {"DescribeInstance"}
    assert sent[1 + len(polls):] == (["UpdateInstanceAttribute"] * 7 + ["DescribeInstance"]
                                     + ["DescribeInstanceAttribute"] * 7)
    state = instance["result"]
    assert (state["status"], state["contact_flow_logs_enabled"], state["multi_party_conference_enabled"]) == (
        "ACTIVE", True, False)

    number = out["number"]
    assert number["sent"][:2] == ["SearchAvailablePhoneNumbers", "ClaimPhoneNumber"]
    assert set(number["sent"][2:]) == {"DescribePhoneNumber"}
    assert (number["result"]["countryCode"], number["result"]["status"], number["result"]["tags"]) == (
        "NZ", {"Status": "CLAIMED"}, {"managed_by": "terraform"})
    assert number["result"]["phoneNumber"].startswith("+6405550")

    flow = out["flow"]
    assert flow["sent"] == ["ListContactFlows", "DescribeContactFlow"]
    assert (flow["result"]["type"], flow["result"]["status"]) == ("CONTACT_FLOW", "PUBLISHED")
    assert out["associate"]["sent"] == ["AssociatePhoneNumberContactFlow"]
    assert out["associationRead"] == {
        "result": {"ResourceId": number["result"]["arn"], "FlowId": flow["result"]["arn"],
                   "ResourceType": "VOICE_PHONE_NUMBER"},
        "sent": ["DescribePhoneNumber", "DescribeContactFlow", "ListFlowAssociations"]}

    errors = out["errors"]["result"]
    assert errors["invalidFlow"] == {
        "name": "InvalidContactFlowException", "httpStatusCode": 400, "message": "The flow is not valid.",
        "problems": [{"message": "Actions must be a non-empty list of actions."},
                     {"message": "StartAction must name the action the flow starts with."}]}
    assert (errors["duplicateFlow"]["name"], errors["duplicateFlow"]["httpStatusCode"]) == (
        "DuplicateResourceException", 409)

    assert out["disassociate"]["sent"] == ["DisassociatePhoneNumberContactFlow"]
    assert out["associationReadAfter"]["result"] is None  # removed from state

    source = out["source"]
    assert source["sent"] == ["RequestPhoneNumber", "DescribePhoneNumbers", "ListTagsForResource"]
    assert source["result"]["tags"] == [{"Key": "managed_by", "Value": "terraform"}]
    imported = out["imported"]
    assert imported["sent"][0] == "ImportPhoneNumber" and set(imported["sent"][1:]) == {"DescribePhoneNumber"}
    assert (imported["result"]["phoneNumber"], imported["result"]["type"], imported["result"]["status"]) == (
        source["result"]["phoneNumber"], "TOLL_FREE", {"Status": "CLAIMED"})

    for key in ("releaseImported", "numberDelete"):
        assert out[key]["sent"][0] == "ReleasePhoneNumber" and out[key]["result"] is None
    assert out["smsDelete"] == {"result": None, "sent": ["ReleasePhoneNumber", "DescribePhoneNumbers"]}
    assert out["instanceDelete"]["sent"][:2] == ["DeleteInstance", "DescribeInstance"]
    assert out["instanceDelete"]["result"] is None
    partition = lc.state()["partitions"][0]
    assert partition["instances"] == [] and partition["phone_numbers"] == []
