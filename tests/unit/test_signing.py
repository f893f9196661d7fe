"""SigV4 verification against requests signed by botocore itself, converted to what an ASGI server receives."""
from __future__ import annotations

import datetime
import http.server
import os
import shutil
import subprocess
import sys
import threading
from typing import ClassVar
from urllib.parse import unquote, urlsplit

import boto3
import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.credentials import Credentials

from localconnect.core.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from localconnect.gateway.signing import MISMATCH, Verified, verify

SECRETS = {"AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "ASIATEMP": "session-secret"}
ARN = "arn:aws:connect:us-east-1:123456789012:phone-number/0b8e5c2a-1111-4222-8333-444455556666"
SIGNED_AT = datetime.datetime(2026, 11, 28, 0, 10, 0, tzinfo=datetime.UTC)
T0 = SIGNED_AT.timestamp()
ENDPOINT = "http://127.0.0.1:4599"


@pytest.fixture(autouse=True)
def fixed_signing_clock(monkeypatch):
    # botocore stamps X-Amz-Date from this; fixing it makes the expiry messages exact.
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: SIGNED_AT.replace(tzinfo=None))


class _Raw:
    def stream(self, *args, **kwargs):
        yield b"{}"


_SESSION = boto3.Session()  # one botocore session: the service models load once, not per test


def _client(service="connect", key="AKIDEXAMPLE", token=None, region="us-east-1"):
    return _SESSION.client(service, endpoint_url=ENDPOINT, region_name=region, aws_access_key_id=key,
                           aws_secret_access_key=SECRETS[key], aws_session_token=token)


def wire(client, call) -> dict:
    """Run one call with the network cut at before-send; return the request as an ASGI server would see it."""
    sent = []

    def capture(request, **kwargs):
        sent.append(request)
        return AWSResponse(request.url, 200, {}, _Raw())

    client.meta.events.register("before-send.*", capture)
    call(client)
    request = sent[-1]
    url = urlsplit(request.url)
    headers = [(b"host", url.netloc.encode())]  # what urllib3 adds from the URL
    for name, value in request.headers.items():
        headers.append((name.lower().encode(), value if isinstance(value, bytes) else value.encode("latin-1")))
    body = request.body or b""
    return {"method": request.method, "raw_path": url.path, "query": url.query.encode(), "headers": headers,
            "body": body.encode() if isinstance(body, str) else body}


def presigned(url: str) -> dict:
    parts = urlsplit(url)
    return {"method": "GET", "raw_path": parts.path, "query": parts.query.encode(),
            "headers": [(b"host", parts.netloc.encode())], "body": b""}


def check(req: dict, now: float = T0) -> Verified:
    return verify(req["method"], req["raw_path"], req["query"], req["headers"], req["body"], SECRETS.get, now)


def rejected(req: dict, error=InvalidSignatureException, now: float = T0) -> str:
    with pytest.raises(error) as caught:
        check(req, now)
    assert type(caught.value) is error
    return caught.value.message


def with_header(req: dict, name: bytes, value: bytes | None) -> dict:
    headers = [(k, v) for k, v in req["headers"] if k != name]
    return {**req, "headers": headers + ([(name, value)] if value is not None else [])}


def header(req: dict, name: bytes) -> bytes:
    return next(v for k, v in req["headers"] if k == name)


# --- what verifies --------------------------------------------------------------------------------------


def test_describe_phone_number_with_an_arn_in_the_path():
    req = wire(_client(), lambda c: c.describe_phone_number(PhoneNumberId=ARN))
    assert req["raw_path"].startswith("/phone-number/arn%3Aaws%3Aconnect%3Aus-east-1")
    assert check(req) == Verified("AKIDEXAMPLE", "us-east-1", "connect", T0)


def test_the_path_is_signed_as_sent_not_decoded():
    # botocore quotes the already-encoded path again ("%3A" -> "%253A"); the decoded path signs differently.
    req = wire(_client(), lambda c: c.describe_phone_number(PhoneNumberId=ARN))
    assert rejected({**req, "raw_path": unquote(req["raw_path"])}) == MISMATCH


def test_untag_resource_with_repeated_query_keys():
    req = wire(_client(), lambda c: c.untag_resource(resourceArn=ARN, tagKeys=["zeta", "alpha", "a b/é"]))
    assert req["query"] == b"tagKeys=zeta&tagKeys=alpha&tagKeys=a%20b%2F%C3%A9"
    assert check(req).service == "connect"


def test_release_phone_number_with_client_token_in_the_query():
    req = wire(_client(), lambda c: c.release_phone_number(PhoneNumberId=ARN, ClientToken="tok-1"))
    assert req["method"] == "DELETE" and req["query"] == b"clientToken=tok-1"
    assert check(req).access_key == "AKIDEXAMPLE"


def test_import_phone_number_post_body_with_unicode_tags():
    req = wire(_client(), lambda c: c.import_phone_number(
        InstanceId="inst", SourcePhoneNumberArn="arn:aws:sms-voice:us-east-1:123456789012:phone-number/x",
        Tags={"ключ": "значение", "日本": "東京"}))
    assert req["method"] == "POST" and req["body"]
    assert b"content-type" in header(req, b"authorization")
    assert check(req).region == "us-east-1"


def test_sms_voice_describe_phone_numbers():
    req = wire(_client("pinpoint-sms-voice-v2", region="eu-west-2"),
               lambda c: c.describe_phone_numbers(PhoneNumberIds=["phone-123"]))
    assert req["raw_path"] == "/" and header(req, b"x-amz-target") == b"PinpointSMSVoiceV2.DescribePhoneNumbers"
    assert check(req) == Verified("AKIDEXAMPLE", "eu-west-2", "sms-voice", T0)


def test_session_credentials_sign_the_security_token():
    req = wire(_client(key="ASIATEMP", token="FwoGZXIvYXdzE//token=="), lambda c: c.describe_instance(InstanceId="i"))
    assert b"x-amz-security-token" in header(req, b"authorization")
    assert check(req).access_key == "ASIATEMP"
    assert rejected(with_header(req, b"x-amz-security-token", b"another-token")) == MISMATCH


def test_unsigned_headers_may_change():
    req = wire(_client(), lambda c: c.describe_phone_number(PhoneNumberId=ARN))
    assert check(with_header(req, b"user-agent", b"something else")).access_key == "AKIDEXAMPLE"


def test_repeated_header_values_are_joined_with_commas():
    request = AWSRequest("GET", ENDPOINT + "/instance/x", headers={"X-Custom": "a,b", "Host": "127.0.0.1:4599"})
    SigV4Auth(Credentials("AKIDEXAMPLE", SECRETS["AKIDEXAMPLE"]), "connect", "us-east-1").add_auth(request)
    headers = [(k.lower().encode(), v.encode()) for k, v in request.headers.items() if k != "X-Custom"]
    req = {"method": "GET", "raw_path": "/instance/x", "query": b"", "body": b"",
               "headers": headers + [(b"x-custom", b"a"), (b"x-custom", b"  b ")]}
    assert check(req).service == "connect"


def test_date_header_instead_of_x_amz_date():
    request = AWSRequest("GET", ENDPOINT + "/instance/x", headers={"Date": "x", "Host": "127.0.0.1:4599"})
    SigV4Auth(Credentials("AKIDEXAMPLE", SECRETS["AKIDEXAMPLE"]), "connect", "us-east-1").add_auth(request)
    assert "X-Amz-Date" not in request.headers and "date;host" in request.headers["Authorization"]
    req = {"method": "GET", "raw_path": "/instance/x", "query": b"", "body": b"",
               "headers": [(k.lower().encode(), v.encode()) for k, v in request.headers.items()]}
    assert check(req).signed_at == T0


def test_host_header_missing_falls_back_to_host_default():
    req = wire(_client(), lambda c: c.describe_instance(InstanceId="i"))
    req = with_header(req, b"host", None)
    assert verify(req["method"], req["raw_path"], req["query"], req["headers"], req["body"], SECRETS.get, T0,
                  host_default="127.0.0.1:4599").service == "connect"


# --- what is rejected -----------------------------------------------------------------------------------


def test_missing_authentication():
    req = wire(_client(), lambda c: c.describe_instance(InstanceId="i"))
    req = with_header(req, b"authorization", None)
    assert rejected(req, MissingAuthenticationTokenException) == "Missing Authentication Token"


def test_unknown_access_key():
    req = wire(_client(), lambda c: c.describe_instance(InstanceId="i"))
    assert verify(req["method"], req["raw_path"], req["query"], req["headers"], req["body"],
                  SECRETS.get, T0).access_key == "AKIDEXAMPLE"
    with pytest.raises(UnrecognizedClientException) as caught:
        verify(req["method"], req["raw_path"], req["query"], req["headers"], req["body"], {}.get, T0)
    assert caught.value.message == "The security token included in the request is invalid."


def test_wrong_secret():
    req = wire(_client(), lambda c: c.describe_instance(InstanceId="i"))
    with pytest.raises(InvalidSignatureException) as caught:
        verify(req["method"], req["raw_path"], req["query"], req["headers"], req["body"], lambda k: "nope", T0)
    assert caught.value.message == MISMATCH


def test_tampered_body():
    req = wire(_client(), lambda c: c.import_phone_number(InstanceId="inst", SourcePhoneNumberArn="arn:x"))
    assert rejected({**req, "body": req["body"].replace(b"inst", b"evil")}) == MISMATCH


def test_tampered_path():
    req = wire(_client(), lambda c: c.describe_phone_number(PhoneNumberId=ARN))
    assert rejected({**req, "raw_path": req["raw_path"].replace("4444", "4445")}) == MISMATCH


def test_tampered_query():
    req = wire(_client(), lambda c: c.untag_resource(resourceArn=ARN, tagKeys=["a", "b"]))
    assert rejected({**req, "query": b"tagKeys=a&tagKeys=c"}) == MISMATCH
    assert rejected({**req, "query": b"tagKeys=a"}) == MISMATCH
    # The same parameters in another order, or encoded otherwise, are the same canonical query.
    assert check({**req, "query": b"tagKeys=b&tagKeys=%61"}).service == "connect"


@pytest.mark.parametrize("name,value", [
    (b"host", b"127.0.0.1:4600"),
    (b"content-type", b"application/x-amz-json-1.1"),
    (b"x-amz-date", b"20261128T001001Z"),
])
def test_a_signed_header_changed(name, value):
    req = wire(_client(), lambda c: c.import_phone_number(InstanceId="inst", SourcePhoneNumberArn="arn:x"))
    assert rejected(with_header(req, name, value)) == MISMATCH


def test_payload_hash_header_cannot_replace_the_body():
    request = AWSRequest("POST", ENDPOINT + "/phone-number/import", data=b'{"a": 1}',
                         headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD", "Host": "127.0.0.1:4599"})
    SigV4Auth(Credentials("AKIDEXAMPLE", SECRETS["AKIDEXAMPLE"]), "connect", "us-east-1").add_auth(request)
    req = {"method": "POST", "raw_path": "/phone-number/import", "query": b"", "body": b'{"a": 2}',
               "headers": [(k.lower().encode(), v.encode()) for k, v in request.headers.items()]}
    assert rejected(req) == MISMATCH


def test_request_time_window_is_five_minutes_each_way():
    req = wire(_client(), lambda c: c.describe_instance(InstanceId="i"))
    assert check(req, now=T0 + 300).signed_at == T0
    assert check(req, now=T0 - 300).signed_at == T0
    assert rejected(req, now=T0 + 301) == (
        "Signature expired: 20261128T001000Z is now earlier than 20261128T001001Z (20261128T001501Z - 5 min.)")
    assert rejected(req, now=T0 - 301) == (
        "Signature not yet current: 20261128T001000Z is still later than 20261128T000959Z "
        "(20261128T000459Z + 5 min.)")


def test_time_is_checked_before_the_key_and_signature():
    req = wire(_client(), lambda c: c.describe_instance(InstanceId="i"))
    with pytest.raises(InvalidSignatureException, match="^Signature expired"):
        verify(req["method"], req["raw_path"], req["query"], req["headers"], req["body"], {}.get, T0 + 1000)


REQUIRES = ("Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
            "parameter. Authorization header requires 'SignedHeaders' parameter.")
GOOD_SCOPE = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/connect/aws4_request"


@pytest.mark.parametrize("authorization,message", [
    ("Bearer abc", REQUIRES + " Authorization=Bearer abc"),
    ("AWS4-HMAC-SHA256", REQUIRES + " Authorization=AWS4-HMAC-SHA256"),
    (GOOD_SCOPE + ", SignedHeaders=host;x-amz-date",
     "Authorization header requires 'Signature' parameter. Authorization=" + GOOD_SCOPE
     + ", SignedHeaders=host;x-amz-date"),
    ("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc",
     ("Authorization header requires 'Credential' parameter. "
      "Authorization=AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc")),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1, SignedHeaders=host;x-amz-date, Signature=abc",
     ("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
      "got 'AKIDEXAMPLE/20261128/us-east-1'")),
    (("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/connect/aws5_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc"),
     "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."),
    (("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/connect/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc"),
     ("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
      "'20261127' != '20261128', from '20261128T001000Z'.")),
    (GOOD_SCOPE + ", SignedHeaders=x-amz-date, Signature=abc",
     "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
])
def test_malformed_authorization_header(authorization, message):
    req = wire(_client(), lambda c: c.describe_instance(InstanceId="i"))
    assert rejected(with_header(req, b"authorization", authorization.encode())) == message


def test_no_date_header():
    req = with_header(wire(_client(), lambda c: c.describe_instance(InstanceId="i")), b"x-amz-date", None)
    assert rejected(req) == ("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                             "Authorization=" + header(req, b"authorization").decode())


@pytest.mark.parametrize("date", [b"2026-11-28", b"20261328T001000Z"])
def test_malformed_x_amz_date(date):
    req = with_header(wire(_client(), lambda c: c.describe_instance(InstanceId="i")), b"x-amz-date", date)
    assert rejected(req) == (f"Date must be in ISO-8601 'basic format'. Got '{date.decode()}'. "
                             "See http://en.wikipedia.org/wiki/ISO_8601")


# --- presigned URLs --------------------------------------------------------------------------------------


def test_presigned_url_verifies():
    url = _client().generate_presigned_url("describe_instance", Params={"InstanceId": "x"}, ExpiresIn=60)
    assert check(presigned(url)) == Verified("AKIDEXAMPLE", "us-east-1", "connect", T0)
    assert check(presigned(url), now=T0 + 60).signed_at == T0


def test_presigned_url_with_session_token_and_query_parameters():
    client = _client(key="ASIATEMP", token="FwoGZXIvYXdzE//token==")
    url = client.generate_presigned_url("untag_resource", Params={"resourceArn": ARN, "tagKeys": ["k"]})
    assert "X-Amz-Security-Token=" in url and "tagKeys=k" in url
    assert check({**presigned(url), "method": "DELETE"}).access_key == "ASIATEMP"


def test_presigned_url_expires():
    url = _client().generate_presigned_url("describe_instance", Params={"InstanceId": "x"}, ExpiresIn=60)
    assert rejected(presigned(url), now=T0 + 61) == (
        "Signature expired: 20261128T001000Z is now earlier than 20261128T001001Z (20261128T001101Z - 1 min.)")
    assert rejected(presigned(url), now=T0 - 301).startswith("Signature not yet current: ")


def test_presigned_url_tampered():
    url = _client().generate_presigned_url("describe_instance", Params={"InstanceId": "x"}, ExpiresIn=60)
    assert rejected(presigned(url.replace("/instance/x", "/instance/y"))) == MISMATCH
    assert rejected(presigned(url.replace("X-Amz-Expires=60", "X-Amz-Expires=600"))) == MISMATCH
    assert rejected({**presigned(url), "method": "DELETE"}) == MISMATCH
    assert rejected({**presigned(url), "body": b"{}"}) == MISMATCH


def test_presigned_url_malformed():
    url = _client().generate_presigned_url("describe_instance", Params={"InstanceId": "x"}, ExpiresIn=60)
    no_credential = url.split("X-Amz-Credential=")[0] + url.split("aws4_request&")[1]
    assert rejected(presigned(no_credential)) == (
        "AWS query-string parameters must include 'X-Amz-Credential'. Re-examine the query-string parameters.")
    too_long = url.replace("X-Amz-Expires=60", "X-Amz-Expires=604801")
    assert rejected(presigned(too_long)) == "X-Amz-Expires must be less than a week (in seconds) that is 604800"
    both = presigned(url)
    both["headers"].append((b"authorization", b"AWS4-HMAC-SHA256 Credential=x"))
    assert rejected(both).startswith("Only one auth mechanism allowed")


# --- over a real socket: the raw path as urllib3 puts it on the wire ---------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list] = []

    def _any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, _, query = self.path.partition("?")
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        self.seen.append({"method": self.command, "raw_path": path, "query": query.encode(), "headers": headers, "body": body})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()
    server.server_close()


def test_boto3_over_the_wire(recorder):
    url, seen = recorder
    client = _SESSION.client("connect", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                             aws_secret_access_key=SECRETS["AKIDEXAMPLE"])
    client.untag_resource(resourceArn=ARN, tagKeys=["a", "b"])
    assert seen[-1]["raw_path"].startswith("/tags/arn%3Aaws%3Aconnect")
    assert check(seen[-1]).access_key == "AKIDEXAMPLE"


@pytest.mark.skipif(not shutil.which("aws", path=os.path.dirname(sys.executable)), reason="AWS CLI v1 not installed")
def test_aws_cli_v1_over_the_wire(recorder, tmp_path):
    url, seen = recorder
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": SECRETS["AKIDEXAMPLE"],
           "AWS_DEFAULT_REGION": "us-west-2", "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")}
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    aws = shutil.which("aws", path=os.path.dirname(sys.executable))
    subprocess.run([aws, "connect", "describe-phone-number", "--phone-number-id", ARN, "--endpoint-url", url],
                   env=env, check=True, capture_output=True, timeout=60)
    # The CLI ran in its own process with the real clock, so the service clock is the request's own time.
    now = datetime.datetime.strptime(header(seen[-1], b"x-amz-date").decode(), "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.UTC).timestamp()
    assert check(seen[-1], now=now) == Verified("AKIDEXAMPLE", "us-west-2", "connect", now)


# --- repeated signature parameters -----------------------------------------------------------------------

def test_a_bogus_signature_placed_before_the_real_one_is_refused():
    url = _client().generate_presigned_url("describe_instance", Params={"InstanceId": "x"}, ExpiresIn=60)
    forged = url.replace("X-Amz-Signature=", "X-Amz-Signature=" + "0" * 64 + "&X-Amz-Signature=")
    assert rejected(presigned(forged)) == (
        "X-Amz-Signature must be given once; the request gives it more than once.")
    assert rejected(presigned(url + "&X-Amz-Date=20261128T001000Z")).startswith("X-Amz-Date must be given once")


def test_two_authorization_headers_are_refused():
    req = wire(_client(), lambda c: c.describe_instance(InstanceId="x"))
    doubled = {**req, "headers": req["headers"] + [(b"authorization", header(req, b"authorization"))]}
    assert rejected(doubled) == "the Authorization header must be given once; the request gives it more than once."
