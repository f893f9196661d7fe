"""Without PostgreSQL, `make test` leaves its PostgreSQL variants out with one line saying how to include them,
rather than a skip line each."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_postgres_variants_are_one_summary_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LOCALCONNECT_TEST_POSTGRES_URL"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", "-ra",
                           "tests/stores/test_persistence.py", "tests/wire/test_instances.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    collected = [line for line in lines if "::" in line]
    assert collected and not any("postgresql" in line for line in collected)
    summary = [line for line in lines if line.startswith("PostgreSQL: ")]
    assert len(summary) == 1, lines
    assert summary[0].endswith(" not run (deselected); set LOCALCONNECT_TEST_POSTGRES_URL=postgresql://postgres@"
                               "127.0.0.1:5432/test to run them too (.ci/run does)")
    left_out = int(summary[0].split()[1])
    with_postgres = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
                                    "tests/stores/test_persistence.py", "tests/wire/test_instances.py"], cwd=ROOT,
                                   env={**env, "LOCALCONNECT_TEST_POSTGRES_URL": "postgresql://nobody@127.0.0.1:9/x"},
                                   capture_output=True, text=True, timeout=120)
    # the same tests are collected when PostgreSQL is configured (ids [postgresql], or test_postgres_...)
    assert sum("postgres" in line for line in with_postgres.stdout.splitlines() if "::" in line) == left_out
    assert not any(line.startswith("SKIPPED") for line in lines)
