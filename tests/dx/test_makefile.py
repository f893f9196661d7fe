"""`make serve` and `make test` started together on a fresh clone both succeed: one installs while the other waits
on the lock, and the install shows progress. Run with the repository's Makefile and a stand-in Python whose venv
has a `bin/python` before it has pip (what made the second make fail with "No module named pip"), so no network
and no real install are needed."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# `python -m venv DIR`: bin/python at once, pip two seconds later (a real venv runs ensurepip last).
FAKE_PYTHON = f"""\
#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
    for last; do :; done
    mkdir -p "$last/bin"
    cp "{{venv_python}}" "$last/bin/python"
    printf '#!/bin/sh\\necho "localconnect serve $*"\\n' > "$last/bin/localconnect"
    chmod +x "$last/bin/python" "$last/bin/localconnect"
    echo venv >> "{{log}}"
    sleep 2
    touch "$last/pip-ready"
    exit 0
fi
exec {sys.executable} "$@"
"""

FAKE_VENV_PYTHON = """\
#!/bin/sh
here=$(dirname "$0")/..
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
    [ -f "$here/pip-ready" ] || { echo "No module named pip" >&2; exit 1; }
    [ "$3" = "--version" ] && exit 0
    echo "Collecting boto3"
    echo "Requirement already satisfied: six"
    sleep 1
    echo "Successfully installed boto3"
    echo install >> "{log}"
    exit 0
fi
if [ "$1" = "-m" ] && [ "$2" = "pytest" ]; then echo "pytest ran"; exit 0; fi
exit 3
"""


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_concurrent_serve_and_test_on_a_fresh_clone_share_one_install(tmp_path):
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy(ROOT / "Makefile", clone)
    (clone / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    log = tmp_path / "log"
    venv_python = executable(tmp_path / "venv-python", FAKE_VENV_PYTHON.replace("{log}", str(log)))
    python = executable(tmp_path / "python", FAKE_PYTHON.replace("{venv_python}", str(venv_python)).replace("{log}", str(log)))
    env = {**os.environ, "MAKEFLAGS": ""}
    started = [subprocess.Popen(["make", "--no-print-directory", target, f"PYTHON={python}"], cwd=clone, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for target in ("serve", "test")]
    outputs = [p.communicate(timeout=120)[0] for p in started]
    assert [p.returncode for p in started] == [0, 0], outputs
    assert log.read_text().split() == ["venv", "install"]  # one venv, one install, whoever came first
    serve, test = outputs
    assert "localconnect serve serve --host 127.0.0.1 --port 4599" in serve
    assert "pytest ran" in test
    installer, waiter = (serve, test) if "installing localconnect" in serve else (test, serve)
    assert "waiting for the install into .venv that another make is running ..." in waiter
    assert textwrap.dedent("""\
        creating .venv with {python} ...
        installing localconnect and its test dependencies into .venv (about 30 s the first time) ...
          Collecting boto3
          Successfully installed boto3
        .venv is ready
        """).format(python=python) in installer
    assert "Requirement already satisfied" not in installer

    # Up to date: nothing is installed again.
    again = subprocess.run(["make", "--no-print-directory", "test", f"PYTHON={python}"], cwd=clone, env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and again.stdout.splitlines()[-1] == "pytest ran"
    assert log.read_text().split() == ["venv", "install"]
