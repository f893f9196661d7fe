"""GET /_localconnect/state at any size: a summary per account and Region (counts per status, quotas, the release
window) and bounded, filterable pages of its instances, Connect numbers and End User Messaging numbers; and the
dashboard's two JSON reads (the window's events, a number's detail). Every status is checked against what
DescribePhoneNumber says."""
from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest

from support import make_instance, request_number, seed_number

DAY = 86400


def state(lc, **params) -> tuple[int, dict]:
    return lc.admin("GET", "/state?" + urlencode(params))


def walk(lc, **params) -> list[dict]:
    """Every page of a listing: (the partition entries of each page)."""
    pages, token = [], None
    for _ in range(100):
        status, out = state(lc, **params, **({"next_token": token} if token else {}))
        assert status == 200, out
        pages.append(out)
        token = out.get("next_token")
        if token is None:
            return pages
    raise AssertionError("more than 100 pages")


def claim(connect, instance_id: str, n: int) -> list[dict]:
    out = []
    while len(out) < n:
        found = connect.search_available_phone_numbers(InstanceId=instance_id, PhoneNumberCountryCode="US",
                                                       PhoneNumberType="DID", MaxResults=10)["AvailableNumbersList"]
        out += [connect.claim_phone_number(InstanceId=instance_id, PhoneNumber=f["PhoneNumber"])
                for f in found[: n - len(out)]]
    return out


def described(connect, number_id: str) -> str:
    return connect.describe_phone_number(PhoneNumberId=number_id)["ClaimedPhoneNumberSummary"][
        "PhoneNumberStatus"]["Status"]


@pytest.fixture
def scene(connect, sms, lc):
    """Quota 2: two instances; sales holds an import and a claim (full), a third import FAILED; support holds a
    number whose move to full sales FAILED (it stays live); one PENDING seeded End User Messaging number."""
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 2})
    sales, support = make_instance(connect, lc, "sales")["Id"], make_instance(connect, lc, "support")["Id"]
    toll_free = request_number(sms)
    imported = connect.import_phone_number(InstanceId=sales, SourcePhoneNumberArn=toll_free["PhoneNumberArn"])
    claimed = claim(connect, sales, 1)[0]
    failed = connect.import_phone_number(InstanceId=sales,
                                         SourcePhoneNumberArn=request_number(sms, "LONG_CODE")["PhoneNumberArn"])
    moved = claim(connect, support, 1)[0]
    lc.advance(1)
    connect.update_phone_number(PhoneNumberId=moved["PhoneNumberId"], InstanceId=sales)  # sales is full
    pending = seed_number(lc, Status="PENDING", NumberType="LONG_CODE")
    return {"sales": sales, "support": support, "imported": imported["PhoneNumberId"],
            "claimed": claimed["PhoneNumberId"], "failed": failed["PhoneNumberId"], "moved": moved["PhoneNumberId"],
            "toll_free": toll_free, "pending": pending["PhoneNumberId"]}


def test_summary_counts_every_status_as_describe_shows_it(connect, lc, scene):
    partition = state(lc)[1]["partitions"][0]
    # Right after the move, the moved number is IN_PROGRESS; the rest have settled.
    assert partition["counts"] == {"instances": 2,
                                   "phone_numbers": {"IN_PROGRESS": 1, "CLAIMED": 2, "FAILED": 1},
                                   "sms_voice_phone_numbers": {"ACTIVE": 2, "PENDING": 1}}
    lc.advance(1)
    partition = state(lc)[1]["partitions"][0]
    assert partition["counts"]["phone_numbers"] == {"IN_PROGRESS": 0, "CLAIMED": 2, "FAILED": 2}
    listed = {n["PhoneNumberId"]: n["Status"] for n in partition["phone_numbers"]}
    assert listed == {i: described(connect, i) for i in (scene["imported"], scene["claimed"], scene["failed"],
                                                         scene["moved"])}
    assert listed[scene["moved"]] == listed[scene["failed"]] == "FAILED"
    assert partition["phone_numbers_per_instance"] == 2 and partition["instances_per_region"] == 2
    assert partition["release_window"] == {"events_in_window": 1, "allowance": 4, "blocked": False,
                                           "lifts_at": None, "window_days": 180.0, "allowance_percent": 200.0}
    # A failed claim or import is gone (404) after failed_retention_hours: no longer counted or listed.
    lc.advance(25 * 3600)
    partition = state(lc)[1]["partitions"][0]
    assert partition["counts"]["phone_numbers"] == {"IN_PROGRESS": 0, "CLAIMED": 2, "FAILED": 1}
    assert scene["failed"] not in [n["PhoneNumberId"] for n in partition["phone_numbers"]]


def test_filters_by_status_instance_type_country_and_prefix(lc, scene):
    def listed(**params) -> list[str]:
        status, out = state(lc, **params)
        assert status == 200, out
        assert set(out["partitions"][0]) >= {"phone_numbers", "counts"}
        return [n["PhoneNumberId"] for n in out["partitions"][0]["phone_numbers"]]

    assert listed(status="IN_PROGRESS") == [scene["moved"]]
    lc.advance(1)
    assert listed(status="IN_PROGRESS") == []
    assert sorted(listed(status="FAILED")) == sorted([scene["failed"], scene["moved"]])
    assert sorted(listed(status="CLAIMED")) == sorted([scene["imported"], scene["claimed"]])
    assert sorted(listed(instance=scene["support"])) == [scene["moved"]]
    arn = f"arn:aws:connect:us-east-1:123456789012:instance/{scene['sales']}"
    assert sorted(listed(instance=arn)) == sorted([scene["imported"], scene["claimed"], scene["failed"]])
    assert listed(instance=scene["sales"], status="FAILED") == [scene["failed"]]
    assert listed(type="TOLL_FREE") == [scene["imported"]]
    assert listed(country="GB") == []
    assert listed(prefix=scene["toll_free"]["PhoneNumber"][:5]) == [scene["imported"]]
    assert listed(prefix=scene["toll_free"]["PhoneNumber"][1:5]) == [scene["imported"]]  # '+' added
    # A filter of Connect numbers lists only them; `lists` chooses; an empty one gives summaries only.
    out = state(lc, status="FAILED")[1]["partitions"][0]
    assert "instances" not in out and "sms_voice_phone_numbers" not in out
    out = state(lc, lists="sms_voice_phone_numbers", status="PENDING")[1]["partitions"][0]
    assert [n["PhoneNumberId"] for n in out["sms_voice_phone_numbers"]] == [scene["pending"]]
    out = state(lc, lists="none")[1]["partitions"][0]
    assert out["counts"]["instances"] == 2 and not {"instances", "phone_numbers", "sms_voice_phone_numbers"} & set(out)
    out = state(lc, lists="instances", status="ACTIVE")[1]["partitions"][0]
    assert [i["InstanceAlias"] for i in out["instances"]] == ["sales", "support"]


def test_end_user_messaging_numbers_show_the_connect_number_using_them(lc, scene):
    rows = state(lc, lists="sms_voice_phone_numbers")[1]["partitions"][0]["sms_voice_phone_numbers"]
    by_id = {r["PhoneNumberId"]: r for r in rows}
    used = by_id[scene["toll_free"]["PhoneNumberId"]]
    assert (used["ConnectPhoneNumberId"], used["ConnectInstanceId"]) == (scene["imported"], scene["sales"])
    assert by_id[scene["pending"]]["ConnectPhoneNumberId"] is None and by_id[scene["pending"]]["Status"] == "PENDING"


def test_pages_are_bounded_and_walk_everything_once(connect, lc):
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 20})
    instance = make_instance(connect, lc)["Id"]
    numbers = claim(connect, instance, 7)
    other, _ = lc.clients(access_key="111122223333")
    make_instance(other, lc, "other")
    full = state(lc, max_results=1000)[1]
    assert "next_token" not in full
    assert [(p["account"], p["region"]) for p in full["partitions"]] == [("111122223333", "us-east-1"),
                                                                         ("123456789012", "us-east-1")]
    pages = walk(lc, max_results=3)
    assert all(sum(len(p.get(k, [])) for p in page["partitions"] for k in ("instances", "phone_numbers",
                                                                           "sms_voice_phone_numbers")) <= 3
               for page in pages)
    assert "next_token" not in pages[-1]
    seen = [(p["account"], kind, row.get("PhoneNumberId") or row.get("Id"))
            for page in pages for p in page["partitions"] for kind in ("instances", "phone_numbers")
            for row in p.get(kind, [])]
    expected = [(p["account"], kind, row.get("PhoneNumberId") or row.get("Id"))
                for p in full["partitions"] for kind in ("instances", "phone_numbers") for row in p[kind]]
    assert seen == expected and len(expected) == 1 + 1 + 7
    # Numbers come in E.164 order; the default page is 100 rows.
    ours = full["partitions"][1]["phone_numbers"]
    assert [n["PhoneNumber"] for n in ours] == sorted(n["PhoneNumber"] for n in ours)
    assert {n["PhoneNumberId"] for n in ours} == {n["PhoneNumberId"] for n in numbers}
    # A page of exactly the rows left has no next_token.
    assert "next_token" not in state(lc, account="123456789012", lists="phone_numbers", max_results=7)[1]
    one = state(lc, account="123456789012", lists="phone_numbers", max_results=6)[1]
    last = state(lc, account="123456789012", lists="phone_numbers", max_results=6, next_token=one["next_token"])[1]
    assert len(last["partitions"][0]["phone_numbers"]) == 1 and "next_token" not in last


@pytest.mark.parametrize("params, status, code, words", [
    ({"status": "DELETED"}, 400, "InvalidParameterException", "status must be one of"),
    ({"lists": "instances", "status": "CLAIMED"}, 400, "InvalidParameterException", "status must be one of ACTIVE"),
    ({"max_results": "0"}, 400, "InvalidParameterException", "max_results must be a whole number from 1 to 1000"),
    ({"max_results": "1001"}, 400, "InvalidParameterException", "max_results"),
    ({"max_results": "ten"}, 400, "InvalidParameterException", "max_results"),
    ({"lists": "numbers"}, 400, "InvalidParameterException", "lists must be a comma-separated subset"),
    ({"type": "MOBILE"}, 400, "InvalidParameterException", "type must be one of"),
    ({"country": "usa"}, 400, "InvalidParameterException", "country must be"),
    ({"prefix": "+1-206"}, 400, "InvalidParameterException", "prefix must be"),
    ({"account": "42"}, 400, "InvalidParameterException", "account must be 12 digits"),
    ({"region": "mars"}, 400, "InvalidParameterException", "region must be"),
    ({"colour": "blue"}, 400, "InvalidParameterException", "unknown parameter colour"),
    ({"next_token": "not-a-token"}, 400, "InvalidParameterException", "next_token is not valid"),
    ({"instance": "00000000-0000-0000-0000-000000000000"}, 404, "ResourceNotFoundException", "Instance not found"),
])
def test_bad_parameters_are_named(lc, params, status, code, words):
    answer, out = state(lc, **params)
    assert (answer, out["error"]["code"]) == (status, code)
    assert words in out["error"]["message"]


def test_a_token_of_other_filters_is_refused(connect, lc):
    instance = make_instance(connect, lc)["Id"]
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 5})
    claim(connect, instance, 3)
    token = state(lc, lists="phone_numbers", max_results=1)[1]["next_token"]
    assert state(lc, lists="phone_numbers", max_results=1, next_token=token)[0] == 200
    answer, out = state(lc, lists="phone_numbers", status="CLAIMED", max_results=1, next_token=token)
    assert (answer, out["error"]["message"]) == (400, "The next_token is not valid for this request.")


def test_the_release_window_events_and_a_numbers_detail(connect, sms, lc):
    lc.admin("POST", "/quotas", {"phone_numbers_per_instance": 1})
    instance = make_instance(connect, lc)["Id"]
    spare = make_instance(connect, lc, "spare")["Id"]
    kept = connect.import_phone_number(InstanceId=instance, SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"],
                                       Tags={"team": "ops"})
    failed = connect.import_phone_number(InstanceId=instance,
                                         SourcePhoneNumberArn=request_number(sms)["PhoneNumberArn"])
    lc.advance(1)
    connect.update_phone_number_metadata(PhoneNumberId=kept["PhoneNumberId"], PhoneNumberDescription="desk")
    lc.advance(1)
    connect.update_phone_number(PhoneNumberId=kept["PhoneNumberId"], InstanceId=spare)
    status, detail = lc.admin("GET", f"/ui/api/number?id={failed['PhoneNumberId']}")
    assert status == 200 and detail["PhoneNumber"]["PhoneNumberStatus"]["Status"] == "FAILED"
    assert [h["event"] for h in detail["History"]] == ["accepted", "counted as a release", "settled"]
    lc.advance(DAY)  # the failed import is gone (404) after failed_retention_hours
    released = claim(connect, instance, 1)[0]
    lc.advance(1)
    connect.release_phone_number(PhoneNumberId=released["PhoneNumberId"])

    status, win = lc.admin("GET", "/ui/api/window?account=123456789012&region=us-east-1")
    assert status == 200
    assert [e["cause"] for e in win["events"]] == ["FAILED", "ReleasePhoneNumber"]
    assert win["events"][0]["phone_number_id"] == failed["PhoneNumberId"]
    assert win["events"][1]["leaves_window_at"] == win["events"][1]["released_at"] + 180 * DAY
    assert (win["allowance"], win["events_in_window"], win["blocked"]) == (2, 2, True)
    assert win["lifts_at"] == win["events"][0]["released_at"] + 180 * DAY

    status, detail = lc.admin("GET", f"/ui/api/number?id={kept['PhoneNumberId']}")
    assert status == 200
    assert detail["PhoneNumber"]["Tags"] == {"team": "ops"} and detail["Instance"]["InstanceAlias"] == "spare"
    assert [h["event"] for h in detail["History"]] == ["accepted", "UpdatePhoneNumberMetadata", "UpdatePhoneNumber",
                                                       "settled"]
    assert detail["History"][2]["detail"] == f"from instance {instance}"
    assert lc.admin("GET", f"/ui/api/number?id={failed['PhoneNumberId']}")[0] == 404
    assert lc.admin("GET", f"/ui/api/number?id={released['PhoneNumberId']}")[0] == 404
    assert lc.admin("GET", "/ui/api/number?id=x&colour=blue")[1]["error"]["message"] == "unknown parameter colour"
    assert lc.admin("GET", "/ui/api/number")[0] == 400


def test_the_page_and_its_files(lc):
    def get(path: str, **headers) -> tuple[int, Any, bytes]:
        request = urllib.request.Request(lc.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()

    status, headers, body = get("/_localconnect/ui/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src 'self' 'unsafe-eval'" in headers["Content-Security-Policy"]
    assert b"<title>localconnect dashboard</title>" in body and b"$$" not in body  # every placeholder filled
    script = next(part.split('"')[0] for part in body.decode().split('src="')[1:] if "alpine" in part)
    status, headers, raw = get(script, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(raw).startswith(b"(()=>{")
    status, _, body = get("/_localconnect/ui/static/../api.py")
    assert status == 404 and json.loads(body)["error"]["code"] == "UnknownOperationException"
    assert lc.admin("GET", "/")[1]["dashboard"] == "/_localconnect/ui/"
