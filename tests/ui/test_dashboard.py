"""The dashboard in a real browser: what a person sees on each view, and what each action does.

The first test is the issue's story: starting from a blocked account, see why a claim is refused and when that
lifts, move the clock there from the page, and watch the block lift (and the API agree).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from browsing import PHONE, admin
from playwright.sync_api import expect

from localconnect.testing import clients as _clients

ACCOUNT, REGION = "123456789012", "us-east-1"
SETTLE = 60  # the UI server's settle_seconds (conftest): numbers stay IN_PROGRESS until the clock moves
PARTITION = f"partition-{ACCOUNT}/{REGION}"


def clients(url: str):
    """boto3 clients that never retry: the request log then shows each call once."""
    return _clients(url, retries={"mode": "standard", "total_max_attempts": 1})


def utc(t: float) -> str:
    """A time as the page shows it."""
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def advance(url: str, seconds: float) -> None:
    assert admin(url, "POST", "/clock", {"advance_seconds": seconds})[0] == 200


def window(url: str) -> dict:
    return admin(url, "GET", "/state?lists=none")[1]["partitions"][0]["release_window"]


def make_instance(connect, url: str, alias: str) -> str:
    out = connect.create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias=alias,
                                  InboundCallsEnabled=True, OutboundCallsEnabled=True)
    advance(url, 1)
    return out["Id"]


def source(sms, number_type: str = "TOLL_FREE") -> dict:
    return sms.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                    NumberCapabilities=["SMS", "VOICE"], NumberType=number_type)


def blocked_account(url: str) -> tuple[object, str, list[str]]:
    """Quota 1 (allowance 2): two numbers imported and released, three days apart; returns their E.164 numbers."""
    connect, sms = clients(url)
    admin(url, "POST", "/quotas", {"phone_numbers_per_instance": 1})
    instance = make_instance(connect, url, "support")
    released = []
    for _ in range(2):
        eum = source(sms)
        number = connect.import_phone_number(InstanceId=instance, SourcePhoneNumberArn=eum["PhoneNumberArn"])
        advance(url, 3 * 86400)
        connect.release_phone_number(PhoneNumberId=number["PhoneNumberId"])
        released.append(eum["PhoneNumber"])
    return connect, instance, released


def claim_one(connect, instance: str) -> dict:
    found = connect.search_available_phone_numbers(InstanceId=instance, PhoneNumberCountryCode="US",
                                                   PhoneNumberType="DID", MaxResults=1)
    return connect.claim_phone_number(InstanceId=instance,
                                      PhoneNumber=found["AvailableNumbersList"][0]["PhoneNumber"])


def test_see_why_a_claim_is_blocked_move_the_clock_there_and_watch_the_block_lift(lc, browse):
    connect, instance, released = blocked_account(lc.url)
    with pytest.raises(ClientError) as refused:
        claim_one(connect, instance)
    assert refused.value.response["Error"]["Code"] == "LimitExceededException"
    lifts_at = window(lc.url)["lifts_at"]

    b = browse()
    page = b.open()
    card = page.get_by_test_id(PARTITION)
    expect(card.get_by_test_id("claim-state")).to_have_text("Claims and imports blocked")
    expect(card).to_contain_text("2 release events in the last 180 days reach the allowance of 2. "
                                 f"It lifts {utc(lifts_at)}.")
    expect(card.get_by_test_id("connect-counts")).to_contain_text("CLAIMED 0")
    b.shot("overview")

    page.get_by_role("navigation", name="Views").get_by_role("link", name="Release window").click()
    expect(page.get_by_test_id("window-headline")).to_contain_text(
        "Blocked ClaimPhoneNumber and ImportPhoneNumber are refused with LimitExceededException: "
        "2 release events in the last 180 days reach the allowance of 2.")
    expect(page.get_by_test_id("lift")).to_contain_text(f"The block lifts {utc(lifts_at)} (in 177 days)")
    events = page.get_by_test_id("events")
    expect(events.locator("tbody tr")).to_have_count(2)
    expect(events.locator("tbody tr").nth(0)).to_contain_text(released[0])
    expect(events.locator("tbody tr").nth(0)).to_contain_text("lifts the block")
    expect(events.locator("tbody tr").nth(0)).to_contain_text(utc(lifts_at))

    # Hovering the first release on the chart names the number and how it went.
    first = admin(lc.url, "GET", f"/ui/api/window?account={ACCOUNT}&region={REGION}")[1]["events"][0]
    page.locator("#window-chart canvas").wait_for()
    x, y = page.evaluate("""t => { const u = document.getElementById('window-chart').uplot;
        const box = u.over.getBoundingClientRect();
        return [box.left + u.valToPos(t, 'x'), box.top + u.valToPos(1, 'y')]; }""", first["released_at"])
    page.mouse.move(x, y)
    expect(page.get_by_test_id("chart-tooltip")).to_contain_text(f"{released[0]} — released (ReleasePhoneNumber)")
    b.shot("window")
    page.mouse.move(0, 0)

    button = page.get_by_test_id("advance-to-lift")
    expect(button).to_have_text(f"To when the block lifts ({utc(lifts_at)})")
    button.click()
    expect(page.get_by_test_id("message")).to_contain_text("Clock moved to when the block lifts: now")
    expect(page.get_by_test_id("window-headline")).to_contain_text(
        "Allowed ClaimPhoneNumber and ImportPhoneNumber are allowed: 1 of 2 releases used in the last 180 days.")
    expect(page.get_by_test_id("events").locator("tbody tr")).to_have_count(1)
    expect(button).to_be_hidden()
    assert lc.url and window(lc.url)["blocked"] is False
    assert claim_one(connect, instance)["PhoneNumberId"]  # and the API agrees: a claim is accepted
    page.goto(f"{lc.url}/_localconnect/ui/#overview")
    expect(page.get_by_test_id(PARTITION).get_by_test_id("claim-state")).to_have_text("Claims and imports allowed")


def numbers_scene(url: str) -> dict:
    """Two instances of quota 2: an imported TOLL_FREE number (tagged, described), a claimed DID moved to the
    other instance, and an import that FAILED (the instance was full)."""
    connect, sms = clients(url)
    admin(url, "POST", "/quotas", {"phone_numbers_per_instance": 2})
    sales, support = make_instance(connect, url, "sales"), make_instance(connect, url, "support")
    eum = source(sms)
    imported = connect.import_phone_number(InstanceId=sales, SourcePhoneNumberArn=eum["PhoneNumberArn"],
                                           Tags={"team": "ops"})
    claimed = claim_one(connect, sales)
    failed_eum = source(sms, "LONG_CODE")
    failed = connect.import_phone_number(InstanceId=sales, SourcePhoneNumberArn=failed_eum["PhoneNumberArn"])
    advance(url, SETTLE + 1)
    connect.update_phone_number_metadata(PhoneNumberId=imported["PhoneNumberId"], PhoneNumberDescription="front desk")
    connect.update_phone_number(PhoneNumberId=claimed["PhoneNumberId"], InstanceId=support)
    return {"imported": imported["PhoneNumberId"], "imported_e164": eum["PhoneNumber"], "eum_arn": eum["PhoneNumberArn"],
            "claimed": claimed["PhoneNumberId"], "failed": failed["PhoneNumberId"],
            "failed_e164": failed_eum["PhoneNumber"], "sales": sales, "support": support}


def test_instances_numbers_and_a_numbers_detail(lc, browse):
    scene = numbers_scene(lc.url)
    b = browse()
    page = b.open("numbers")
    instances = page.get_by_test_id("instances")
    expect(instances.locator("tbody tr")).to_have_count(2)
    expect(instances).to_contain_text("sales")
    rows = page.get_by_test_id("numbers").locator("tbody tr")
    expect(rows).to_have_count(3)
    # The two updated numbers settle for settle_seconds (0.5 s): IN_PROGRESS until the clock moves.
    expect(page.get_by_test_id("numbers")).to_contain_text("IN_PROGRESS")
    page.get_by_role("button", name="+1 hour").click()
    expect(page.get_by_test_id("message")).to_contain_text("Clock advanced by 1 hour")
    expect(page.get_by_test_id("numbers").locator(".status.CLAIMED")).to_have_count(2)
    expect(page.get_by_test_id("numbers").locator(".status.FAILED")).to_have_count(1)
    expect(page.get_by_test_id("numbers")).not_to_contain_text("IN_PROGRESS")

    page.get_by_test_id("filter-status").select_option("FAILED")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(scene["failed_e164"])
    page.get_by_test_id("filter-status").select_option("")
    page.get_by_test_id("filter-prefix").fill(scene["imported_e164"][:6])
    expect(rows.first).to_contain_text(scene["imported_e164"])
    page.get_by_test_id("filter-prefix").fill("+999")
    expect(page.get_by_test_id("no-numbers")).to_be_visible()
    page.get_by_test_id("filter-prefix").fill("")
    expect(rows).to_have_count(3)

    page.get_by_role("button", name=scene["imported_e164"]).click()
    detail = page.get_by_test_id("detail")
    expect(detail.locator("h3")).to_have_text(re.compile(re.escape(scene["imported_e164"]) + r"\s+CLAIMED"))
    for text in ("TOLL_FREE", "US", scene["eum_arn"], "team = ops", "front desk", "sales (ACTIVE)",
                 "none associated"):
        expect(detail).to_contain_text(text)
    history = detail.get_by_test_id("history").locator("li")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("accepted — claim or import accepted; outcome CLAIMED")
    expect(history.nth(1)).to_contain_text("UpdatePhoneNumberMetadata — front desk")
    expect(history.nth(2)).to_contain_text("settled — CLAIMED")
    b.shot("numbers")

    page.get_by_role("button", name=scene["failed_e164"]).click()
    expect(detail).to_contain_text("The phone number limit for the target has been reached.")
    expect(detail.get_by_test_id("history")).to_contain_text("counted as a release — FAILED")

    # A number moved to the other instance: listed under it, with the move in its history.
    instances.get_by_role("row", name=re.compile("support")).get_by_role("button").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("button").click()
    expect(detail.get_by_test_id("history")).to_contain_text(f"UpdatePhoneNumber — from instance {scene['sales']}")


def test_numbers_are_paged(lc, browse):
    connect, _ = clients(lc.url)
    admin(lc.url, "POST", "/quotas", {"phone_numbers_per_instance": 100})
    instance = make_instance(connect, lc.url, "paged")
    claimed = []
    while len(claimed) < 55:
        found = connect.search_available_phone_numbers(InstanceId=instance, PhoneNumberCountryCode="US",
                                                       PhoneNumberType="DID", MaxResults=10)
        for n in found["AvailableNumbersList"][:55 - len(claimed)]:
            connect.claim_phone_number(InstanceId=instance, PhoneNumber=n["PhoneNumber"])
            claimed.append(n["PhoneNumber"])
    b = browse()
    page = b.open("numbers")
    rows = page.get_by_test_id("numbers").locator("tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text(sorted(claimed)[0])
    page.get_by_role("button", name="Next page").click()
    expect(rows).to_have_count(5)
    expect(rows.last).to_contain_text(sorted(claimed)[-1])
    expect(page.get_by_role("button", name="Next page")).to_be_disabled()
    page.get_by_role("button", name="Previous page").click()
    expect(rows).to_have_count(50)


def test_end_user_messaging_numbers_show_the_connect_number_using_them(lc, browse):
    scene = numbers_scene(lc.url)
    b = browse()
    page = b.open("eum")
    table = page.get_by_test_id("eum")
    expect(table.locator("tbody tr")).to_have_count(2)
    row = table.get_by_role("row", name=re.compile(re.escape(scene["imported_e164"])))
    expect(row).to_contain_text("ACTIVE")
    expect(row).to_contain_text("TOLL_FREE")
    expect(table.get_by_role("row", name=re.compile(re.escape(scene["failed_e164"])))).to_contain_text("not imported")
    b.shot("eum")
    row.get_by_role("button", name=scene["imported"]).click()
    expect(page).to_have_url(re.compile("#numbers$"))
    expect(page.get_by_test_id("detail").locator("h3")).to_contain_text(scene["imported_e164"])


@pytest.fixture
def own_server(tmp_path):
    """A server of this test's own: its request log holds this test's calls only (a reset keeps the log)."""
    from localconnect.testing import ServerProcess

    with ServerProcess("--store", "memory", "--data-dir", str(tmp_path)) as server:
        yield server


def test_the_request_log_lists_calls_and_filters_them(own_server, browse):
    connect, instance, _ = blocked_account(own_server.url)
    with pytest.raises(ClientError):
        claim_one(connect, instance)
    b = browse(url=own_server.url)
    page = b.open("requests")
    table = page.get_by_test_id("requests")
    expect(table).to_contain_text("connect:ClaimPhoneNumber")
    expect(table).to_contain_text("LimitExceededException")
    page.get_by_label("errors only").check()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_contain_text("429")
    page.get_by_label("errors only").uncheck()
    page.get_by_test_id("request-filter").fill("ImportPhoneNumber")
    expect(table.locator("tbody tr")).to_have_count(2)
    page.get_by_test_id("request-filter").fill("")
    b.shot("requests")
    # Live: a call made now shows up without reloading.
    connect.list_instances()
    page.get_by_test_id("request-filter").fill("ListInstances")
    expect(table.locator("tbody tr")).to_have_count(1, timeout=15_000)


def test_each_action_shows_its_result_and_updates_the_page(lc, browse):
    connect, instance, _ = blocked_account(lc.url)
    b = browse()
    page = b.open("actions")
    message = page.get_by_test_id("message")

    page.get_by_test_id("quota-numbers").fill("3")
    page.get_by_role("button", name="Set quotas").click()
    expect(message).to_have_text("Quotas of 123456789012 us-east-1: 3 numbers per instance, 2 instances per Region.")

    page.get_by_role("button", name="Record a support case").click()
    expect(message).to_have_text("Support case recorded for 123456789012 us-east-1: 2 release events cleared.")
    assert window(lc.url)["events_in_window"] == 0

    page.get_by_test_id("seed-type").select_option("SHORT_CODE")
    page.get_by_role("button", name="Seed number").click()
    expect(message).to_contain_text("Seeded SHORT_CODE")
    assert "SHORT_CODE" in [n["NumberType"] for n in admin(lc.url, "GET", "/state")[1]["partitions"][0]
                            ["sms_voice_phone_numbers"]]

    page.get_by_role("button", name="Add fault").click()
    expect(message).to_have_text("Fault added: connect:ImportPhoneNumber fails the next 1 calls with "
                                 "InternalServiceException (0 injected).")
    expect(page.get_by_test_id("faults")).to_contain_text("connect:ImportPhoneNumber fails the next 1 calls")
    page.get_by_role("button", name="Clear all faults").click()
    expect(message).to_have_text("Faults cleared (1).")
    expect(page.get_by_test_id("faults")).to_have_text("No faults.")

    before = admin(lc.url, "GET", "/clock")[1]["now"]
    page.get_by_label("Amount of time").fill("2")
    page.get_by_role("button", name="Advance", exact=True).click()
    expect(message).to_contain_text("Clock advanced by 2 days: now")
    assert admin(lc.url, "GET", "/clock")[1]["now"] - before >= 2 * 86400
    page.get_by_role("button", name="+30 days").click()
    expect(message).to_contain_text("Clock advanced by 30 days")
    page.get_by_role("button", name="Back to wall-clock time").click()
    expect(message).to_contain_text("Clock set back to wall-clock time")
    assert admin(lc.url, "GET", "/clock")[1]["offset_seconds"] == 0
    b.shot("actions")

    page.get_by_label("Account", exact=True).last.fill(ACCOUNT)
    page.get_by_role("button", name="Reset this account").click()
    expect(message).to_have_text(f"Account {ACCOUNT} reset.")
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Overview").click()
    expect(page.get_by_test_id("empty")).to_be_visible()

    page.get_by_role("navigation", name="Views").get_by_role("link", name="Actions").click()
    page.get_by_label("Account", exact=True).first.fill("12345")
    page.get_by_role("button", name="Set quotas").click()
    expect(message).to_have_text("InvalidParameterException: account must be a 12-digit string")
    b.refused(400)


def test_the_window_without_any_allowance_says_time_never_lifts_it(lc, browse):
    admin(lc.url, "POST", "/quotas", {"phone_numbers_per_instance": 0})
    b = browse()
    page = b.open("window")
    expect(page.get_by_test_id("window-headline")).to_contain_text("Blocked ClaimPhoneNumber and ImportPhoneNumber "
                                                                   "are refused: the allowance is 0")
    expect(page.get_by_test_id("lift")).to_contain_text("Time never lifts this block")
    expect(page.get_by_test_id("advance-to-lift")).to_be_hidden()


def test_dark_theme_and_phone_width(lc, browse):
    blocked_account(lc.url)
    for scheme in ("dark", "light"):
        b = browse(color_scheme=scheme, viewport=PHONE)
        page = b.open()
        expect(page.get_by_test_id(PARTITION).get_by_test_id("claim-state")).to_have_text("Claims and imports blocked")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing overflows
        b.shot(f"overview-phone-{scheme}", docs=scheme == "dark")
        page.get_by_role("link", name="Release window").first.click()
        page.locator("#window-chart canvas").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        b.shot(f"window-phone-{scheme}", docs=False)
    b = browse(color_scheme="dark")
    page = b.open("window")
    page.locator("#window-chart canvas").wait_for()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
    b.shot("window-dark")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_accessibility_violations(lc, browse, scheme):
    numbers_scene(lc.url)
    b = browse(color_scheme=scheme, bypass_csp=True)  # to inject axe-core
    page = b.open()
    expect(page.get_by_test_id(PARTITION)).to_be_visible()
    found = {}
    for view, ready in (("overview", "[data-testid=claim-state]"), ("window", "#window-chart canvas"),
                        ("numbers", "[data-testid=numbers] tbody tr"), ("eum", "[data-testid=eum] tbody tr"),
                        ("requests", "[data-testid=requests]"), ("actions", "[data-testid=faults]")):
        page.goto(f"{lc.url}/_localconnect/ui/#{view}")
        page.locator(ready).first.wait_for()
        if view == "numbers":
            page.get_by_test_id("numbers").get_by_role("button").first.click()
            page.get_by_test_id("history").wait_for()
        found[view] = b.axe()
    assert found == {view: [] for view in found}


def test_first_paint_is_well_under_a_second(lc, browse):
    """First contentful paint (the header) and the overview's data on screen, measured by the browser from the
    start of navigation. tests/ui/measure_first_paint.py measures the same with a million numbers."""
    numbers_scene(lc.url)
    b = browse()
    page = b.open()
    shown = page.wait_for_function("() => document.querySelector('[data-testid=claim-state]')?.offsetParent "
                                   "&& performance.now()").json_value()
    paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    # The budget is 1 s; the data's allowance is wider because this machine's cores are shared with other suites.
    assert paint < 1000 and shown < 2000, (paint, shown)
