"""Forged NextTokens: every one is the operation's own 400 (or a page, when it names a harmless position),
never a 500 — decoded strictly, with bounds, before any value reaches SQL."""
from __future__ import annotations

import base64
import json
import math
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rawhttp import CONNECT_JSON, EUM_JSON, check, exchange, request

from localconnect.services import pagination


def token_of(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def forged(kind: str, position) -> str:
    return token_of(json.dumps({"k": kind, "p": position}).encode())


DEEP = token_of(b"[" * 5000)
HUGE_NUMBER = 99999999999999999999  # beyond SQLite's 64-bit INTEGER


# --- over the wire: the repros, each in its operation's error shape --------------------------------------

def list_instances(url: str, token: str):
    return exchange(url, request("GET", "/instance?nextToken=" + urllib.parse.quote(token, safe=""), {}))


def list_v2(url: str, token: str):
    body = json.dumps({"NextToken": token}).encode()
    return exchange(url, request("POST", "/phone-number/list", {"Content-Type": CONNECT_JSON}, body))


def describe_eum(url: str, token: str):
    body = json.dumps({"NextToken": token}).encode()
    headers = {"Content-Type": EUM_JSON, "X-Amz-Target": "PinpointSMSVoiceV2.DescribePhoneNumbers"}
    return exchange(url, request("POST", "/", headers, body))


def refused(answer, code: str) -> dict:
    assert answer.closed and len(answer.responses) == 1, answer
    response = answer.responses[0]
    check(response)
    assert response.status == 400, response
    data = response.json()
    assert data["Message"] == "The NextToken is not valid for this request."
    if code == "ValidationException":
        assert data["__type"] == code and data["Reason"] == "INVALID_NEXT_TOKEN", data
        assert data["Fields"] == [{"Name": "NextToken", "Message": "The NextToken is not valid for this request."}]
    else:
        assert response.headers["x-amzn-errortype"] == code
    return data


@pytest.mark.parametrize("send,token,code", [
    (list_instances, DEEP, "InvalidRequestException"),
    (list_v2, DEEP, "InvalidParameterException"),
    (list_instances, forged("instances", [HUGE_NUMBER, "x"]), "InvalidRequestException"),
    (describe_eum, forged("sms-phone-numbers", [HUGE_NUMBER, "x"]), "ValidationException"),
    (list_v2, forged("phone-numbers-v2", ["\ud800", "x"]), "InvalidParameterException"),
    (describe_eum, forged("sms-phone-numbers", [1.5, "\ud800"]), "ValidationException"),
    (list_instances, forged("instances", [1.5, "a\x00b"]), "InvalidRequestException"),
    (list_instances, token_of(b'{"k":"instances","p":[Infinity,"x"]}'), "InvalidRequestException"),
    (list_instances, token_of(b'{"k":"instances","p":[1e999,"x"]}'), "InvalidRequestException"),
    (list_v2, token_of(b'{"k":"phone-numbers-v2","p":["a","b"],"p":["a","b"]}'), "InvalidParameterException"),
], ids=["deep-instances", "deep-v2", "huge-int-instances", "huge-int-eum", "surrogate-v2", "surrogate-eum",
        "nul-instances", "infinity-instances", "1e999-instances", "duplicate-key-v2"])
def test_forged_tokens_are_the_operations_400(lc, send, token, code):
    before = lc.state()
    refused(send(lc.url, token), code)
    assert lc.state()["partitions"] == before["partitions"]


# --- the decoder itself: what it accepts is exactly what encode could produce -----------------------------

KINDS = ("instances", "phone-numbers-v2")
TYPES = {"instances": (pagination.NUMBER, str), "phone-numbers-v2": (str, str)}


class Refused(Exception):
    pass


def _strings():
    return st.one_of(st.text(max_size=20), st.sampled_from(["\ud800", "a\udfffb", "\x00", "x" * 300, ""]))


def _json_values():
    scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                        st.floats(allow_nan=True, allow_infinity=True), _strings())
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(_strings(), inner, max_size=3)),
                        max_leaves=8)


@st.composite
def tokens(draw) -> str:
    choice = draw(st.integers(0, 3))
    if choice == 0:  # a well-formed envelope around any position
        kind = draw(st.sampled_from(KINDS + ("other",)))
        edge_values = st.sampled_from([2 ** 63, -(2 ** 63) - 1, HUGE_NUMBER, math.inf, -math.inf, math.nan, True,
                                       "\ud800", "a\x00", "x" * 257, 1.5, "id", 7])
        pair = st.tuples(st.one_of(edge_values, _json_values()), st.one_of(edge_values, _json_values())).map(list)
        position = draw(st.one_of(pair, pair, st.lists(_json_values(), max_size=3), _json_values()))
        return forged(kind, position)
    if choice == 1:  # any JSON at all
        return token_of(json.dumps(draw(_json_values())).encode())
    if choice == 2:  # any bytes
        return token_of(draw(st.binary(max_size=300)))
    return draw(st.text(max_size=40))  # not even base64


def _valid(position, types) -> bool:
    for value, kind in zip(position, types, strict=True):
        allowed = kind if isinstance(kind, tuple) else (kind,)
        if type(value) not in allowed:
            return False
        if type(value) is int and not -(2 ** 63) <= value < 2 ** 63:
            return False
        if type(value) is float and not math.isfinite(value):
            return False
        if type(value) is str:
            if "\x00" in value or len(value) > pagination.MAX_STRING_CHARS:
                return False
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(KINDS), token=tokens())
def test_decode_returns_only_positions_a_store_can_bind(kind, token):
    types = TYPES[kind]
    try:
        position = pagination.decode(kind, token, Refused, types)
    except Refused:
        return
    assert isinstance(position, list) and len(position) == len(types) and _valid(position, types)


@pytest.mark.parametrize("position", [[1.5, "id"], [1700000000, "x" * 256], [-(2 ** 63), ""], [2 ** 63 - 1, "é"]])
def test_every_token_encode_makes_decodes_back(position):
    assert pagination.decode("instances", pagination.encode("instances", position), Refused,
                             (pagination.NUMBER, str)) == position


@pytest.mark.parametrize("token", [
    "A" * (pagination.MAX_TOKEN_CHARS + 1),                      # over the length cap, before any decoding
    forged("instances", [1.5, "x"]) + "=",                       # padding is not ours
    forged("instances", [1.5, "x"])[:-2] + "+/",                 # the standard alphabet is not ours
    token_of(b'{"k":"instances","p":[1.5,"x"]}')[:-1] + "B",     # stray trailing bits: not canonical
    forged("instances", [[1.5], "x"]),                           # nested deeper than a position
    forged("instances", [1.5, "x" * (pagination.MAX_STRING_CHARS + 1)]),
    forged("instances", [2 ** 63, "x"]),
    forged("instances", [True, "x"]),
    token_of(b'{"k":"instances","p":[NaN,"x"]}'),
    token_of(b'{"k":"instances","p":[1.5,"x"],"z":1}'),
])
def test_decode_refuses(token):
    with pytest.raises(Refused):
        pagination.decode("instances", token, Refused, (pagination.NUMBER, str))


# --- forged tokens over the wire, generated ---------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=tokens(), send=st.sampled_from([list_instances, list_v2, describe_eum]))
def test_any_forged_token_is_a_page_or_a_400(lc, token, send):
    if not token or send is describe_eum and len(token) > 1024:
        return  # the model's own length constraints answer these (a different, also-400 message)
    answer = send(lc.url, token)
    assert answer.seconds < 2 and len(answer.responses) == 1, answer
    check(answer.responses[0])
    assert answer.responses[0].status in (200, 400), answer.responses[0]
