"""A localconnect server in a child process, bound to 127.0.0.1 on a free port, stopped by its pid."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any


class ServerProcess:
    def __init__(self, *args: str, env: dict[str, str] | None = None, startup_timeout: float = 60.0,
                 cwd: str | os.PathLike | None = None):
        self.args = ["--host", "127.0.0.1", "--port", "0", *args]
        # Settings come from the arguments and ``env`` only: a LOCALCONNECT_* variable in the caller's shell
        # (say LOCALCONNECT_AUTH=sigv4) must not change a test's or a benchmark's server behind its back.
        inherited = {k: v for k, v in os.environ.items()
                     if not k.startswith("LOCALCONNECT_") or k.startswith("LOCALCONNECT_TEST_")}
        self.env = {**inherited, **(env or {})}
        self.startup_timeout = startup_timeout
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.output: list[str] = []

    def start(self) -> "ServerProcess":
        self.proc = subprocess.Popen([sys.executable, "-m", "localconnect.cli", "serve", *self.args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env,
                                     cwd=self.cwd)
        deadline = time.monotonic() + self.startup_timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            url = listening_url(line)
            if url:
                self.url = url
                # Keep draining the output so the server never blocks on a full pipe.
                threading.Thread(target=self._drain, daemon=True).start()
                return self
        self.stop()
        raise RuntimeError("localconnect did not start:\n" + "".join(self.output))

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def listening_url(line: str) -> str | None:
    """The URL of the start-up line, "localconnect 0.1.0 listening on http://127.0.0.1:4599 (store: ...)", or of its
    JSON form under --log-format json ({"event": "listening", "url": ...})."""
    if line.startswith("{"):
        try:
            event = json.loads(line)
        except ValueError:
            return None
        return event.get("url") if isinstance(event, dict) and event.get("event") == "listening" else None
    if " listening on " in line:
        return line.split(" listening on ", 1)[1].split()[0]
    return None


def admin_call(url: str, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
    """Call the admin API; returns (status, parsed JSON)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + "/_localconnect" + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def clients(url: str, region: str = "us-east-1", access_key: str = "AKIDLOCALCONNECT", secret: str = "secret",
            **config: Any):
    """boto3 clients for Connect and End User Messaging pointed at ``url``."""
    try:
        import boto3
    except ModuleNotFoundError:
        raise ModuleNotFoundError("localconnect.testing.clients needs boto3: pip install \"localconnect[testing]\"",
                                  name="boto3") from None
    from botocore.config import Config

    session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret, region_name=region)
    cfg = Config(**config) if config else None
    return (session.client("connect", endpoint_url=url, config=cfg),
            session.client("pinpoint-sms-voice-v2", endpoint_url=url, config=cfg))
