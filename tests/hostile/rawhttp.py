"""Raw HTTP/1.1 over a socket, byte for byte as given, and the property every answer must have."""
from __future__ import annotations

import json
import socket
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from support import Answer

CONNECT_JSON = "application/json"
EUM_JSON = "application/x-amz-json-1.0"
# Every status the server may answer; 5xx only as the documented 501 for operations it does not emulate.
ALLOWED = {200, 400, 402, 403, 404, 405, 408, 409, 413, 429, 431, 501}


@dataclass
class Exchange:
    responses: list[Answer] = field(default_factory=list)
    seconds: float = 0.0
    closed: bool = False     # the server closed the connection
    trailing: bytes = b""    # bytes that were not a whole response


def address(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def exchange(url: str, data: bytes, *, wait: float = 5.0, pause: float | None = None, head: bool = False) -> Exchange:
    """Send ``data``, then read until the server closes or ``wait`` seconds pass; parse what came back.
    With ``pause``, stop reading ``pause`` seconds after the first complete response instead; ``head``: the
    answers to a HEAD request have no body whatever their Content-Length says."""
    result = Exchange()
    raw = b""
    started = time.monotonic()
    with socket.create_connection(address(url), timeout=wait) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may refuse before everything was sent; read what it answered
        deadline = started + wait
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                result.closed = True
                break
            if not chunk:
                result.closed = True
                break
            raw += chunk
            if pause is not None and _responses(raw, head)[0]:
                deadline = min(deadline, time.monotonic() + pause)
    result.seconds = time.monotonic() - started
    result.responses, result.trailing = _responses(raw, head)
    return result


def _responses(raw: bytes, head: bool = False) -> tuple[list[Answer], bytes]:
    out: list[Answer] = []
    while raw:
        top, sep, rest = raw.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = top.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head else int(headers.get("content-length", "0"))
        if len(rest) < length:
            break
        raw = rest[length:]
        if 100 <= status < 200:
            continue  # 100 Continue
        out.append(Answer(status, headers, rest[:length]))
    return out, raw


def check(response: Answer, *, head: bool = False) -> None:
    """An allowed status; a JSON object in the right content type; errors in the AWS form of their protocol."""
    shown = (response.status, response.headers.get("content-type"), response.body[:300])
    assert response.status in ALLOWED, shown
    if head:
        return  # a HEAD answer has no body
    ctype = response.headers.get("content-type", "")
    assert ctype in (CONNECT_JSON, EUM_JSON), shown
    data = response.json()
    assert isinstance(data, dict), shown
    assert b"Traceback" not in response.body, shown
    if response.status >= 300:
        assert isinstance(data.get("Message"), str) and data["Message"], shown
        if ctype == EUM_JSON:
            assert isinstance(data.get("__type"), str) and data["__type"], shown
        else:
            assert response.headers.get("x-amzn-errortype", "").isalnum(), shown


def state(url: str) -> list:
    """Everything a request could have written: the partitions of /_localconnect/state (no clock reading)."""
    with urllib.request.urlopen(url + "/_localconnect/state", timeout=30) as answer:
        return json.loads(answer.read())["partitions"]


def request(method: str, path: str, headers: dict[str, str] | list[tuple[str, str]], body: bytes = b"",
            *, version: str = "HTTP/1.1", length: bool = True, close: bool = True) -> bytes:
    """Bytes of a request; Host, Connection: close (unless ``close`` is False) and a correct Content-Length
    (unless ``length`` is False) are added."""
    items = list(headers.items()) if isinstance(headers, dict) else list(headers)
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1"] + (["Connection: close"] if close else [])
    lines += [f"{name}: {value}" for name, value in items]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body
