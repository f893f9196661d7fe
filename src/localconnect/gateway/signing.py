"""SigV4 verification for `auth = sigv4`: re-sign the request with botocore's own signer and compare."""
from __future__ import annotations

import calendar
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import mktime_tz, parsedate_tz
from typing import NamedTuple
from urllib.parse import unquote

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from ..core.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

ALGORITHM = "AWS4-HMAC-SHA256"
SKEW = 300  # seconds the request time may be off the service clock, either way
MAX_EXPIRES = 604800  # a presigned URL lives at most a week
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")
_ISO_BASIC = re.compile(r"^\d{8}T\d{6}Z$")


@dataclass(frozen=True)
class Verified:
    access_key: str
    region: str
    service: str          # the credential scope's service, e.g. "connect" or "sms-voice"
    signed_at: float      # epoch seconds of X-Amz-Date


class _Claim(NamedTuple):
    credential: str
    signed_headers: str
    signature: str
    timestamp: str            # X-Amz-Date, or the Date header in the same basic ISO-8601 form
    expires: int | None       # X-Amz-Expires of a presigned URL


class _Replay:
    """Signs with exactly the headers the client listed in SignedHeaders (botocore would pick its own set)."""

    def __init__(self, credentials, service, region, signed_headers: str, header_map: HTTPHeaders):
        super().__init__(credentials, service, region)
        self._signed_headers = signed_headers
        self._header_map = header_map

    def headers_to_sign(self, request):
        return self._header_map

    def signed_headers(self, headers_to_sign):
        return self._signed_headers


class _HeaderReplay(_Replay, SigV4Auth):
    pass


class _QueryReplay(_Replay, SigV4QueryAuth):
    pass


def verify(method: str, raw_path: str, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes,
           secret_for: Callable[[str], str | None], now: float, host_default: str = "localhost") -> Verified:
    """Raise MissingAuthenticationTokenException / UnrecognizedClientException / InvalidSignatureException,
    or return who signed."""
    values: dict[str, list[str]] = {}
    for name, value in headers:
        values.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    # AWS decodes the query and re-encodes it canonically; for botocore's own encoding this is the identity.
    pairs = (p.partition("=") for p in query.decode("latin-1").split("&") if p)
    params = [(unquote(k), unquote(v)) for k, _, v in pairs]
    query_auth = {k: v for k, v in params if k.startswith("X-Amz-")}
    # A parameter given twice would be read one way here and maybe another way by a proxy or a log: refuse it,
    # rather than let the last X-Amz-Signature win.
    repeated = sorted({k for k, _ in params if k.startswith("X-Amz-")
                       and sum(1 for other, _ in params if other == k) > 1})
    if repeated or len(values.get("authorization", [])) > 1:
        what = ", ".join(repeated) if repeated else "the Authorization header"
        raise InvalidSignatureException(f"{what} must be given once; the request gives it more than once.")
    authorization = values.get("authorization", [None])[0]
    presigned = "X-Amz-Signature" in query_auth or "X-Amz-Algorithm" in query_auth
    if authorization is not None and presigned:
        raise InvalidSignatureException("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter "
                                        "or the Authorization header should be specified")
    if authorization is not None:
        claim = _from_header(authorization, values)
    elif presigned:
        claim = _from_query(query_auth)
    else:
        raise MissingAuthenticationTokenException("Missing Authentication Token")

    access_key, region, service = _check_claim(claim)
    signed_at = _check_time(claim, now)
    secret = secret_for(access_key)
    if secret is None:
        raise UnrecognizedClientException("The security token included in the request is invalid.")

    header_map = HTTPHeaders()
    for name in claim.signed_headers.lower().split(";"):
        # Repeated headers stay repeated here; botocore's canonical_headers joins them with ",".
        for value in values.get(name) or ([host_default] if name == "host" else []):
            header_map[name] = value
    signer = (_QueryReplay if presigned else _HeaderReplay)(
        Credentials(access_key, secret), service, region, claim.signed_headers, header_map)
    # The URL only lends its path: botocore re-quotes it as received (so "%3A" is signed as "%253A"), which is
    # why the raw path, not the decoded one, goes in. The host here is never signed; the Host header is.
    # An http URL makes botocore hash the body; request.headers stays empty so a client's
    # X-Amz-Content-SHA256 can't stand in for the body's real hash.
    request = AWSRequest(method=method.upper(), url="http://localhost" + raw_path, data=body or b"",
                         params=[(k, v) for k, v in params if k != "X-Amz-Signature"])
    request.context["timestamp"] = claim.timestamp
    string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
    expected = signer.signature(string_to_sign, request)
    if not hmac.compare_digest(expected.encode(), claim.signature.encode("utf-8", "replace")):
        raise InvalidSignatureException(MISMATCH)
    return Verified(access_key, region, service, signed_at)


def _from_header(authorization: str, values: dict[str, list[str]]) -> _Claim:
    scheme, _, rest = authorization.strip().partition(" ")
    fields: dict[str, str] = {}
    if scheme == ALGORITHM:  # any other scheme is answered as if it had none of the parameters, like AWS
        for part in rest.split(","):
            key, _, value = part.strip().partition("=")
            fields[key] = value.strip()
    date = (values.get("x-amz-date") or values.get("date") or [None])[0]
    missing = [f"Authorization header requires '{name}' parameter."
               for name in ("Credential", "Signature", "SignedHeaders") if not fields.get(name)]
    if date is None:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise InvalidSignatureException(" ".join(missing) + f" Authorization={authorization}")
    if "x-amz-date" not in values:
        date = _from_http_date(date)
    return _Claim(fields["Credential"], fields["SignedHeaders"], fields["Signature"], date, None)


def _from_query(auth: dict[str, str]) -> _Claim:
    missing = [f"AWS query-string parameters must include '{name}'." for name in
               ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")
               if not auth.get(name)]
    if missing:
        raise InvalidSignatureException(" ".join(missing) + " Re-examine the query-string parameters.")
    if auth["X-Amz-Algorithm"] != ALGORITHM:
        raise InvalidSignatureException(f"Unsupported AWS 'algorithm': '{auth['X-Amz-Algorithm']}'.")
    expires = None
    if "X-Amz-Expires" in auth:
        if not auth["X-Amz-Expires"].isdigit():
            raise InvalidSignatureException("X-Amz-Expires should be a number")
        expires = int(auth["X-Amz-Expires"])
        if expires > MAX_EXPIRES:
            raise InvalidSignatureException(
                f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_EXPIRES}")
    return _Claim(auth["X-Amz-Credential"], auth["X-Amz-SignedHeaders"], auth["X-Amz-Signature"],
                  auth["X-Amz-Date"], expires)


def _check_claim(claim: _Claim) -> tuple[str, str, str]:
    parts = claim.credential.split("/")
    if len(parts) != 5:
        raise InvalidSignatureException("Credential must have exactly 5 slash-delimited elements, "
                                        f"e.g. keyid/date/region/service/term, got '{claim.credential}'")
    access_key, date, region, service, terminator = parts
    if terminator != "aws4_request":
        raise InvalidSignatureException(
            f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'.")
    if "host" not in claim.signed_headers.lower().split(";"):
        raise InvalidSignatureException("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    if not _ISO_BASIC.match(claim.timestamp) or _epoch(claim.timestamp) is None:
        raise InvalidSignatureException(f"Date must be in ISO-8601 'basic format'. Got '{claim.timestamp}'. "
                                        "See http://en.wikipedia.org/wiki/ISO_8601")
    # botocore derives the signing key from the timestamp's date, so a different scope date could never verify.
    if date != claim.timestamp[:8]:
        raise InvalidSignatureException("Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                                        f"of date from HTTP: '{date}' != '{claim.timestamp[:8]}', "
                                        f"from '{claim.timestamp}'.")
    return access_key, region, service


def _check_time(claim: _Claim, now: float) -> float:
    signed_at = _epoch(claim.timestamp)
    if signed_at - now > SKEW:
        raise InvalidSignatureException(f"Signature not yet current: {claim.timestamp} is still later than "
                                        f"{_stamp(now + SKEW)} ({_stamp(now)} + 5 min.)")
    # A presigned URL lasts X-Amz-Expires; a signed header (or a presigned URL without one) lasts 5 minutes.
    window = SKEW if claim.expires is None else claim.expires
    if now - signed_at > window:
        span = f"{window // 60} min." if window % 60 == 0 else f"{window} sec."
        raise InvalidSignatureException(f"Signature expired: {claim.timestamp} is now earlier than "
                                        f"{_stamp(now - window)} ({_stamp(now)} - {span})")
    return signed_at


def _from_http_date(value: str) -> str:
    parsed = parsedate_tz(value)
    return value if parsed is None else _stamp(mktime_tz(parsed))  # not an HTTP date: the ISO-8601 check says so


def _epoch(timestamp: str) -> float | None:
    try:
        return float(calendar.timegm(time.strptime(timestamp, SIGV4_TIMESTAMP)))
    except ValueError:  # the right shape but no such time, e.g. month 13
        return None


def _stamp(epoch: float) -> str:
    return time.strftime(SIGV4_TIMESTAMP, time.gmtime(epoch))
