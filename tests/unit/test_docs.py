"""The README's settings table names every setting, and the README keeps its two set-up commands."""
from pathlib import Path

from localconnect.settings import Settings, fields

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_in_the_readme_table():
    missing = [f.name for f in fields(Settings) if f"| `{f.name}` |" not in README]
    assert missing == []


def test_readme_shows_the_two_commands():
    assert "make serve" in README and "make test" in README
