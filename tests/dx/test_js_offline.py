"""Where npm cannot install the JavaScript SDK (offline), its test is one skip line, or a failure when
LOCALCONNECT_REQUIRE_JS=1 (CI). Run on a copy of the test and tests/js without node_modules, with npm pointed at
a registry that refuses connections."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def run_copy(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    (tmp_path / "tests" / "wire").mkdir(parents=True)
    shutil.copy(TESTS / "conftest.py", tmp_path / "tests")
    shutil.copy(TESTS / "wire" / "test_js_sdk.py", tmp_path / "tests" / "wire")
    shutil.copytree(TESTS / "js", tmp_path / "tests" / "js", ignore=shutil.ignore_patterns("node_modules"))
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LOCALCONNECT_", "npm_config_"))}
    clean.update({"npm_config_registry": "http://127.0.0.1:9/", "npm_config_cache": str(tmp_path / "npm-cache"),
                  **env})
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs",
                           "tests/wire/test_js_sdk.py"], cwd=tmp_path, env=clean, capture_output=True, text=True,
                          timeout=300)
    return done, time.monotonic() - started


def test_npm_unable_to_install_is_one_skip_line(tmp_path):
    if shutil.which("npm") is None:
        pytest.skip("needs npm (to see it fail to install)")
    done, seconds = run_copy(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, done.stdout
    assert "JavaScript SDK test not run: npm ci failed (exit " in skipped[0]
    assert skipped[0].endswith("LOCALCONNECT_REQUIRE_JS=1 makes this a failure")
    assert seconds < 60, seconds


def test_required_js_fails_instead(tmp_path):
    done, _ = run_copy(tmp_path, LOCALCONNECT_REQUIRE_JS="1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 error" in done.stdout.splitlines()[-1]
    assert ("failed (exit " in done.stdout and "npm ci in " in done.stdout) or \
        "it needs Node.js 20+ and npm on PATH" in done.stdout, done.stdout
