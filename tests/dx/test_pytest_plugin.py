"""The pytest plugin, as another project sees it: a throwaway directory with nothing but test files, run by pytest in
a child process (no conftest, no PYTHONPATH, no AWS variables or ~/.aws), so the fixtures come from the installed
package's pytest11 entry point alone."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get("LOCALCONNECT_TEST_POSTGRES_URL")


def run_project(tmp_path: Path, files: dict[str, str], *args: str, env: dict[str, str] | None = None):
    project = tmp_path / "project"
    project.mkdir()
    for name, text in files.items():
        (project / name).write_text(textwrap.dedent(text))
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("AWS_", "LOCALCONNECT_", "PYTEST_", "PYTHON"))}
    clean.update({"HOME": str(tmp_path / "home"), **(env or {})})
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=project,
                          env=clean, capture_output=True, text=True, timeout=300)
    return done


def outcome(done) -> str:
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr


def test_the_readme_two_line_test_passes_in_a_project_with_nothing_else(tmp_path):
    done = run_project(tmp_path, {"test_readme.py": """
        import boto3
        def test_import(localconnect):
            assert boto3.client("connect").list_instances()["InstanceSummaryList"] == []
        """})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.match(r"1 passed in ", outcome(done)), outcome(done)


IN_PROCESS = """
    import os
    import boto3
    import pytest

    def create(alias):
        return boto3.client("connect").create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias=alias,
                                                       InboundCallsEnabled=True, OutboundCallsEnabled=True)

    def test_first(localconnect):
        create("first")
        assert [p["region"] for p in localconnect.state()["partitions"]] == ["us-east-1"]
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"

    def test_second_starts_empty(localconnect):
        create("second")
        listed = boto3.client("connect").list_instances()["InstanceSummaryList"]
        assert [i["InstanceAlias"] for i in listed] == ["second"]
        assert [i["InstanceStatus"] for i in listed] == ["CREATION_IN_PROGRESS"]
        localconnect.advance(1)
        assert boto3.client("connect").list_instances()["InstanceSummaryList"][0]["InstanceStatus"] == "ACTIVE"

    @pytest.mark.localconnect(instance_settle_seconds=0, default_region="eu-west-2")
    def test_settings_by_marker(localconnect):
        create("marked")
        assert boto3.client("connect").list_instances()["InstanceSummaryList"][0]["InstanceStatus"] == "ACTIVE"
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-2"

    def test_environment_restored_after():
        assert os.environ.get("AWS_ACCESS_KEY_ID") == "outer-key"
        assert "AWS_DEFAULT_REGION" not in os.environ

    def test_store(localconnect, localconnect_store):
        assert localconnect.settings.store == localconnect_store
        print("STORE", localconnect_store)
    """


def test_in_process_fixture_fresh_state_per_test_settings_by_marker_environment_restored(tmp_path):
    done = run_project(tmp_path, {"test_in_process.py": IN_PROCESS}, "-s", env={"AWS_ACCESS_KEY_ID": "outer-key"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.match(r"5 passed in ", outcome(done)), outcome(done)
    assert "STORE memory" in done.stdout


def test_store_option_sqlite(tmp_path):
    done = run_project(tmp_path, {"test_in_process.py": IN_PROCESS}, "-s", "--localconnect-store", "sqlite",
                       env={"AWS_ACCESS_KEY_ID": "outer-key"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.match(r"5 passed in ", outcome(done)), outcome(done)
    assert re.search(r"STORE sqlite:///\S+/localconnect\.db", done.stdout)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs LOCALCONNECT_TEST_POSTGRES_URL")
def test_store_option_postgresql(tmp_path, postgres_schema):
    store = postgres_schema()
    done = run_project(tmp_path, {"test_in_process.py": IN_PROCESS}, "-s", "--localconnect-store", store,
                       env={"AWS_ACCESS_KEY_ID": "outer-key"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.match(r"5 passed in ", outcome(done)), outcome(done)


SERVER = """
    import boto3

    def test_clients_without_an_endpoint_reach_the_server(localconnect_server):
        boto3.client("connect").create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="served",
                                                InboundCallsEnabled=True, OutboundCallsEnabled=True)
        sms = boto3.client("pinpoint-sms-voice-v2")
        sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL", NumberCapabilities=["SMS"],
                                 NumberType="SIMULATOR")
        partition = localconnect_server.state()["partitions"][0]
        assert [i["InstanceAlias"] for i in partition["instances"]] == ["served"]
        assert len(partition["sms_voice_phone_numbers"]) == 1
        assert localconnect_server.url.startswith("http://127.0.0.1:")

    def test_state_is_reset_between_tests(localconnect_server):
        assert localconnect_server.state()["partitions"] == []
        connect, _ = localconnect_server.clients()
        assert connect.list_instances()["InstanceSummaryList"] == []
    """


def test_server_fixture_one_server_reset_between_tests_boto3_pointed_at_it(tmp_path):
    done = run_project(tmp_path, {"test_server.py": SERVER})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.match(r"2 passed in ", outcome(done)), outcome(done)


def test_a_failing_test_shows_the_calls_localconnect_answered(tmp_path):
    done = run_project(tmp_path, {"test_fails.py": """
        import boto3
        def test_in_process(localconnect):
            boto3.client("connect").list_instances()
            assert False, "on purpose"

        def test_server(localconnect_server):
            boto3.client("connect").list_instances()
            assert False, "on purpose"
        """})
    assert done.returncode == 1
    assert re.match(r"2 failed in ", outcome(done)), outcome(done)
    sections = re.findall(r"-+ localconnect calls -+\n(.*?)\n", done.stdout)
    assert len(sections) == 2, done.stdout
    for line in sections:
        assert re.search(r" AWS connect\.ListInstances => 200 \d+\.\dms 123456789012 us-east-1 ", line), line
