"""ClientToken idempotency on ImportPhoneNumber and ReleasePhoneNumber (docs/behaviour.md §6), including the SDK's own
retry of a 500 or 429 with the same token after the server has already committed the first attempt."""
from __future__ import annotations

import http.server
import threading
import urllib.request

import pytest

from localconnect.testing import clients
from support import connect_numbers, error_of, make_instance, request_number


def test_same_token_same_parameters_replays_the_same_number(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms)
    first = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                        ClientToken="token-1")
    again = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                        ClientToken="token-1")
    assert (again["PhoneNumberId"], again["PhoneNumberArn"]) == (first["PhoneNumberId"], first["PhoneNumberArn"])
    assert len(connect_numbers(lc)) == 1
    # Even after the number has moved on (released), the token still answers with the same ids.
    lc.advance(1)
    connect.release_phone_number(PhoneNumberId=first["PhoneNumberId"])
    late = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                       ClientToken="token-1")
    assert late["PhoneNumberId"] == first["PhoneNumberId"]
    assert connect_numbers(lc) == []


def test_same_token_other_parameters_is_idempotency_exception(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms)
    connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                ClientToken="token-2")
    code, status, message, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                        SourcePhoneNumberArn=source["PhoneNumberArn"], ClientToken="token-2",
                                        PhoneNumberDescription="different")
    assert (code, status) == ("IdempotencyException", 409)
    assert "token-2" in message
    assert len(connect_numbers(lc)) == 1


def test_tokens_are_per_operation_and_expire(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms)
    first = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                        ClientToken="shared")
    lc.advance(25 * 3600)  # past idempotency_hours (24): the token is forgotten, the call runs again
    code, status, _, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"],
                                  SourcePhoneNumberArn=source["PhoneNumberArn"], ClientToken="shared")
    assert (code, status) == ("InvalidParameterException", 400)  # already imported
    # ReleasePhoneNumber keeps its own tokens: the same string does not collide with the import's.
    connect.release_phone_number(PhoneNumberId=first["PhoneNumberId"], ClientToken="shared")
    assert connect_numbers(lc) == []


def test_release_with_the_same_token_twice_answers_200_twice(connect, sms, lc):
    instance = make_instance(connect, lc)
    out = connect.import_phone_number(InstanceId=instance["Id"],
                                      SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"])
    lc.advance(1)
    connect.release_phone_number(PhoneNumberId=out["PhoneNumberId"], ClientToken="release-1")
    connect.release_phone_number(PhoneNumberId=out["PhoneNumberId"], ClientToken="release-1")
    assert lc.state()["partitions"][0]["release_window"]["events_in_window"] == 1
    code, status, _, _ = error_of(connect.release_phone_number, PhoneNumberId=out["PhoneNumberId"],
                                  ClientToken="release-2")
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_errors_are_not_remembered(connect, sms, lc):
    instance = make_instance(connect, lc)
    source = request_number(sms, "TOLL_FREE")
    arn = source["PhoneNumberArn"].replace(source["PhoneNumberId"], "phone-" + "a" * 32)
    code, _, _, _ = error_of(connect.import_phone_number, InstanceId=instance["Id"], SourcePhoneNumberArn=arn,
                             ClientToken="retry-me")
    assert code == "ResourceNotFoundException"
    # The same token with other parameters is not a conflict: the failed attempt left nothing behind.
    out = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"],
                                      ClientToken="retry-me")
    assert out["PhoneNumberId"]


class _LosingProxy(http.server.ThreadingHTTPServer):
    """Forwards every request to the server, but for the first ``lose`` requests throws the real answer
    away and answers ``status`` instead — a response lost after the server committed."""

    def __init__(self, target: str, lose: int, status: int, code: str):
        self.target, self.lose, self.status, self.code = target, lose, status, code
        self.seen: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _forward(self):
        server: _LosingProxy = self.server  # type: ignore[assignment]
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        server.seen.append(body)
        request = urllib.request.Request(server.target + self.path, data=body or None, method=self.command,
                                         headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, headers, payload = response.status, response.headers, response.read()
        except urllib.error.HTTPError as err:
            status, headers, payload = err.code, err.headers, err.read()
        if server.lose > 0:
            server.lose -= 1
            payload = b'{"Message":"lost on the way back"}'
            status, headers = server.status, {"content-type": "application/json", "x-amzn-ErrorType": server.code}
        self.send_response(status)
        for key in ("content-type", "x-amzn-ErrorType", "x-amzn-RequestId"):
            if headers.get(key):
                self.send_header(key, headers[key])
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _forward


@pytest.mark.parametrize("status,code", [(500, "InternalServiceException"), (429, "ThrottlingException")])
def test_sdk_retry_after_a_lost_response_creates_one_number(connect, sms, lc, status, code):
    instance = make_instance(connect, lc)
    source = request_number(sms)
    proxy = _LosingProxy(lc.url, lose=1, status=status, code=code)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        retrying, _ = clients(f"http://127.0.0.1:{proxy.server_address[1]}",
                              retries={"mode": "standard", "max_attempts": 3})
        out = retrying.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=source["PhoneNumberArn"])
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert out["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(proxy.seen) == 2 and proxy.seen[0] == proxy.seen[1]  # the SDK resent the same ClientToken
    numbers = connect_numbers(lc)
    assert [n["PhoneNumberId"] for n in numbers] == [out["PhoneNumberId"]]


def test_sdk_auto_fills_the_token(connect, sms, lc):
    """Without a ClientToken botocore generates one per call (docs/behaviour.md §6): two calls are two imports."""
    instance = make_instance(connect, lc)
    a = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"])
    b = connect.import_phone_number(InstanceId=instance["Id"], SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"])
    assert a["PhoneNumberId"] != b["PhoneNumberId"]
    assert len(connect_numbers(lc)) == 2
