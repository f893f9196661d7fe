"""Settings are coerced from their real type hints, from a TOML file, LOCALCONNECT_* variables and flags alike."""
from __future__ import annotations

from dataclasses import fields
from typing import Optional

import pytest

from localconnect.settings import Settings, SettingsError, _coerce, load, setting_types


@pytest.mark.parametrize("kind, raw, expected", [
    (int | None, "5", 5),            # the old substring match skipped "int" when "None" was in the annotation
    (Optional[int], "5", 5),
    (float | None, "2.5", 2.5),
    (int | None, "", None),
    (str | None, "", None),
    (int, 7.0, 7),                   # TOML 7.0 is a whole number
    (int, "1_000", 1000),
    (float, 3, 3.0),
    (bool, "off", False),
    (bool, "YES", True),
    (str, 123456789012, "123456789012"),  # an unquoted account id in TOML
    (dict[str, str], "AKIDA=111122223333, AKIDB=444455556666", {"AKIDA": "111122223333", "AKIDB": "444455556666"}),
    (dict[str, str], '{"AKIDA": "111122223333"}', {"AKIDA": "111122223333"}),
    (dict[str, dict[str, float]], '{"connect:ImportPhoneNumber": {"rate": 1, "burst": 2}}',
     {"connect:ImportPhoneNumber": {"rate": 1.0, "burst": 2.0}}),
    (dict[str, dict[str, float]], {"sms-voice:RequestPhoneNumber": {"rate": 0.5}},
     {"sms-voice:RequestPhoneNumber": {"rate": 0.5}}),
    (list[str], "eu-west-2, ap-southeast-2", ["eu-west-2", "ap-southeast-2"]),
    (list[str], ["eu-west-2"], ["eu-west-2"]),
])
def test_values_take_the_type_of_the_hint(kind, raw, expected):
    value = _coerce("x", kind, raw)
    assert value == expected and type(value) is type(expected)
    if isinstance(expected, dict) and expected and isinstance(next(iter(expected.values())), dict):
        assert all(type(v) is float for limit in value.values() for v in limit.values())


@pytest.mark.parametrize("kind, raw, words", [
    (int, "5.5", "a whole number"),
    (int, 5.5, "a whole number"),
    (int, True, "a whole number"),
    (float, "nan", "a number"),
    (float, "fast", "a number"),
    (bool, "maybe", "true or false"),
    (str, ["a"], "a string"),
    (int | None, "x", "a whole number (or empty for none)"),
    (dict[str, str], "AKIDA", "a table of strings"),
    (dict[str, dict[str, float]], '{"connect:ImportPhoneNumber": {"rate": "fast"}}', "a table of tables of numbers"),
    (dict[str, dict[str, float]], "{not json", "a table of tables of numbers"),
])
def test_a_wrong_value_names_the_setting_and_what_it_takes(kind, raw, words):
    with pytest.raises(SettingsError) as info:
        _coerce("some_setting", kind, raw)
    assert str(info.value).startswith(f"setting some_setting: cannot use {raw!r} as {words}")


def test_every_field_is_coerced_from_its_resolved_hint():
    types = setting_types()
    assert set(types) == {f.name for f in fields(Settings)}
    assert all(not isinstance(kind, str) for kind in types.values())  # resolved, not the annotation's text
    assert types["port"] is int and types["config"] == (str | None)


def test_environment_strings_become_typed_settings():
    s = load(environ={"LOCALCONNECT_PORT": "4600", "LOCALCONNECT_SETTLE_SECONDS": "0",
                      "LOCALCONNECT_ALLOW_SIMULATOR_IMPORT": "true", "LOCALCONNECT_QUIET": "1",
                      "LOCALCONNECT_ACCOUNTS": "AKIDA=111122223333",
                      "LOCALCONNECT_THROTTLE_LIMITS": '{"connect:ImportPhoneNumber": {"rate": 1, "burst": 2}}'})
    assert (s.port, s.settle_seconds, s.allow_simulator_import, s.quiet) == (4600, 0.0, True, True)
    assert type(s.port) is int and type(s.settle_seconds) is float
    assert s.accounts == {"AKIDA": "111122223333"}
    assert s.throttle_limits == {"connect:ImportPhoneNumber": {"rate": 1.0, "burst": 2.0}}


def test_flags_win_over_environment_which_wins_over_the_file(tmp_path):
    config = tmp_path / "lc.toml"
    config.write_text('settle_seconds = 3\nlog_format = "json"\ndefault_account = 111122223333\n'
                      '[accounts]\nAKIDFILE = "555566667777"\n')
    s = load({"config": str(config), "settle_seconds": "1"}, environ={"LOCALCONNECT_SETTLE_SECONDS": "2",
                                                                     "LOCALCONNECT_LOG_FORMAT": "text"})
    assert (s.settle_seconds, s.log_format, s.default_account) == (1.0, "text", "111122223333")
    assert s.accounts == {"AKIDFILE": "555566667777"}


@pytest.mark.parametrize("flags, message", [
    ({"log_level": "verbose"}, "setting log_level: 'verbose' is not a level; use one of critical, error, warning, "
                               "info, debug, trace"),
    ({"log_format": "xml"}, "setting log_format: 'xml' is not a format; use text or json"),
    ({"port": "70000"}, "setting port: 70000 is not a port number (0 to 65535; 0 picks a free one)"),
    ({"store": "mysql://x"}, "setting store: 'mysql://x' is not a store; use sqlite, memory, sqlite:///PATH or "
                             "postgresql://USER@HOST:PORT/DB"),
])
def test_values_out_of_their_set_are_refused(flags, message):
    with pytest.raises(SettingsError) as info:
        load(flags, environ={})
    assert str(info.value) == message


def test_log_level_is_case_insensitive():
    assert load({"log_level": "DEBUG"}, environ={}).log_level == "debug"
