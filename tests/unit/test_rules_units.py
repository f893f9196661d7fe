"""Rules alone: the release window arithmetic, NextTokens, settings precedence."""
from __future__ import annotations

import pytest

from localconnect import settings as settings_mod
from localconnect.rules.release_rule import DAY, allowance, evaluate
from localconnect.services import pagination


def test_allowance_is_a_percentage_of_the_quota():
    assert allowance(5, 200) == 10
    assert allowance(99, 200) == 198
    assert allowance(3, 150) == 4  # floor


def test_window_blocks_at_the_allowance_and_lifts_one_slot_at_a_time():
    now = 1000 * DAY
    events = [now - 10 * DAY + i for i in range(10)]  # ten releases, oldest first
    state = evaluate(events, now, quota=5, percent=200, window_days=180)
    assert state.blocked and state.events_in_window == 10
    assert state.lifts_at == events[0] + 180 * DAY
    later = evaluate(events, state.lifts_at, 5, 200, 180)
    assert not later.blocked and later.events_in_window == 9


def test_window_edges_and_future_events():
    now = 500 * DAY
    exactly_old = now - 180 * DAY  # ages out at exactly 180 days
    assert evaluate([exactly_old], now, 1, 100, 180).events_in_window == 0
    assert evaluate([exactly_old + 1], now, 1, 100, 180).events_in_window == 1
    assert evaluate([now + 1], now, 1, 100, 180).events_in_window == 0  # a FAILED outcome not yet reached


def test_quota_change_moves_the_allowance():
    now = 10 * DAY
    events = [now - 1] * 6
    assert evaluate(events, now, 3, 200, 180).blocked
    assert not evaluate(events, now, 4, 200, 180).blocked


def test_next_tokens_round_trip_and_reject_foreign_ones():
    token = pagination.encode("instances", [1.5, "id"])
    assert pagination.decode("instances", token, ValueError, (pagination.NUMBER, str)) == [1.5, "id"]
    assert pagination.decode("instances", None, ValueError, ()) is None
    for bad in ("garbage!!", pagination.encode("other", [1, "x"]), "e30", pagination.encode("instances", []),
                pagination.encode("instances", ["x", "y"]), pagination.encode("instances", [True, "y"])):
        with pytest.raises(ValueError):
            pagination.decode("instances", bad, ValueError, (pagination.NUMBER, str))


def test_settings_precedence(tmp_path):
    config = tmp_path / "lc.toml"
    config.write_text('port = 5000\nsettle_seconds = 2.5\n[accounts]\nAKID = "111122223333"\n')
    env = {"LOCALCONNECT_PORT": "6000", "LOCALCONNECT_ALLOW_SIMULATOR_IMPORT": "true"}
    s = settings_mod.load({"config": str(config), "port": "7000"}, environ=env)
    assert (s.port, s.settle_seconds, s.allow_simulator_import, s.accounts) == (7000, 2.5, True, {"AKID": "111122223333"})
    assert settings_mod.load({"config": str(config)}, environ=env).port == 6000


@pytest.mark.parametrize("flags,message", [
    ({"port": "x"}, "setting port"),
    ({"settle_seconds": "-1"}, "settle_seconds must be zero or more"),
    ({"default_account": "12"}, "default_account must be 12 digits"),
    ({"config": "/nonexistent.toml"}, "config file not found"),
])
def test_bad_settings_are_named(flags, message):
    with pytest.raises(settings_mod.SettingsError, match=message):
        settings_mod.load(flags, environ={})


def test_every_setting_is_documented():
    assert set(settings_mod.HELP) == set(settings_mod.setting_types())


def test_event_order_does_not_matter_and_clock_jumps_back_and_forth():
    now = 900 * DAY
    events = [now - 5 * DAY, now - 179 * DAY, now - 1, now - 90 * DAY]  # any order
    state = evaluate(events, now, quota=2, percent=200, window_days=180)
    assert state.blocked and state.lifts_at == now - 179 * DAY + 180 * DAY  # the oldest decides
    assert evaluate(list(reversed(events)), now, 2, 200, 180) == state
    jumped = evaluate(events, now + 2 * DAY, 2, 200, 180)  # forward: the oldest aged out
    assert not jumped.blocked and jumped.events_in_window == 3
    back = evaluate(events, now - 2, 2, 200, 180)  # backwards: the newest is in the future again
    assert back.events_in_window == 3 and not back.blocked


def test_an_allowance_of_zero_blocks_with_or_without_events_and_never_lifts():
    # Quota 0 after releases: the window used to index past its events (a 500 on Claim and on the state view).
    for events in ([], [50.0], [10.0, 20.0, 30.0]):
        state = evaluate(events, now=100.0, quota=0, percent=200.0, window_days=180.0)
        assert state.blocked and state.allowance == 0 and state.lifts_at is None
