"""Each way of starting the server wrong is one line on stderr naming what to change, a non-zero exit status and
no traceback; a good start says where to look and how to stop, and a stop says so."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from localconnect.testing import ServerProcess

CLI = [sys.executable, "-m", "localconnect.cli"]


def run(*args: str, cwd: Path | str, prefix: tuple[str, ...] = (), timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCALCONNECT_")}
    return subprocess.run([*prefix, *CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def one_line_error(done: subprocess.CompletedProcess, status: int) -> str:
    assert done.returncode == status, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert done.stdout == ""
    return lines[0]


def test_unknown_log_level(tmp_path):
    line = one_line_error(run("serve", "--log-level", "verbose", cwd=tmp_path), 2)
    assert line == ("localconnect: setting log_level: 'verbose' is not a level; use one of critical, error, warning, "
                    "info, debug, trace")


def test_data_dir_that_is_a_file(tmp_path):
    (tmp_path / "data").write_text("not a directory")
    line = one_line_error(run("serve", "--data-dir", "data", "--port", "0", cwd=tmp_path), 1)
    assert line == (f"localconnect: data_dir {tmp_path / 'data'} is a file, not a directory: give --data-dir a "
                    "directory (or move the file away)")


def test_data_dir_without_write_permission(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:  # root writes anywhere: run without the capabilities that let it
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot take away the permission to write")
        prefix = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search")
    try:
        line = one_line_error(run("serve", "--data-dir", str(locked), "--port", "0", cwd=tmp_path, prefix=prefix), 1)
        assert line == (f"localconnect: data_dir {locked} is not writable by this user: give --data-dir a directory "
                        "you can write to, or change its permissions")
        line = one_line_error(run("serve", "--data-dir", str(locked / "inner"), "--port", "0", cwd=tmp_path,
                                  prefix=prefix), 1)
        assert line == (f"localconnect: data_dir {locked / 'inner'} cannot be created (Permission denied): give "
                        "--data-dir a directory you can write to")
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


def test_relative_sqlite_path_in_a_missing_directory_is_not_created(tmp_path):
    line = one_line_error(run("serve", "--store", "sqlite:///nonexistent/dir/x.db", "--port", "0", cwd=tmp_path), 1)
    assert line == (f"localconnect: store sqlite:///nonexistent/dir/x.db: directory {tmp_path}/nonexistent/dir does "
                    f"not exist (sqlite:/// + a path is relative to the current directory {tmp_path}; write "
                    "sqlite:////nonexistent/dir/x.db for an absolute path); create it or change --store")
    assert list(tmp_path.iterdir()) == []


def test_unknown_operation_under_throttle_limits(tmp_path):
    (tmp_path / "lc.toml").write_text('[throttle_limits]\n"connect:ImportPhoneNumbers" = {rate = 1, burst = 2}\n')
    line = one_line_error(run("serve", "--config", "lc.toml", "--store", "memory", "--port", "0", cwd=tmp_path), 2)
    assert line == ("localconnect: throttle_limits: 'connect:ImportPhoneNumbers' is not an operation of connect "
                    "(did you mean connect:ImportPhoneNumber?)")
    line = one_line_error(run("serve", "--throttle-limits", '{"sms:RequestPhoneNumber": {"rate": 1}}',
                              "--store", "memory", "--port", "0", cwd=tmp_path), 2)
    assert line == ("localconnect: throttle_limits: 'sms:RequestPhoneNumber' names no service; write "
                    "connect:Operation or sms-voice:Operation, e.g. connect:ImportPhoneNumber")


def test_busy_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_line_error(run("serve", "--port", str(port), "--store", "memory", cwd=tmp_path), 1)
    assert line == (f"localconnect: port {port} on 127.0.0.1 is already in use (another localconnect or `make serve`?):"
                    " stop it, or choose another port with --port (0 picks a free one)")


def test_a_value_of_the_wrong_type(tmp_path):
    line = one_line_error(run("serve", "--settle-seconds", "soon", cwd=tmp_path), 2)
    assert line == "localconnect: setting settle_seconds: cannot use 'soon' as a number"


def test_startup_names_the_absolute_store_path_where_to_look_and_how_to_stop(tmp_path):
    (tmp_path / "work").mkdir()
    server = ServerProcess("--data-dir", "state", "--quiet", cwd=tmp_path / "work")
    server.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(server.output) < 2:  # the second line comes just after
            time.sleep(0.02)
        first, second = server.output[0], server.output[1]
        assert first == (f"localconnect 0.1.0 listening on {server.url} (store: SQLite file "
                         f"{tmp_path}/work/state/localconnect.db)\n")
        admin = server.url + "/_localconnect"
        assert second == (f"  dashboard {admin}/ui/  health {admin}/health  state {admin}/state  recent calls "
                          f"{admin}/requests; one line per API call follows; Ctrl-C stops the server\n")
    finally:
        os.kill(server.proc.pid, signal.SIGINT)
        assert server.proc.wait(15) == 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not server.output[-1].startswith("localconnect stopped"):
        time.sleep(0.05)
    assert server.output[-1].startswith("localconnect stopped after ")
    assert server.output[-1].endswith(" s and 0 API calls\n")
    assert len(server.output) == 3  # nothing else: no traceback, no uvicorn lines
