"""The README's settings table names every setting, and the README keeps its two set-up commands."""
import json
import re
from dataclasses import fields
from pathlib import Path

from localconnect.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_every_setting_is_in_the_readme_table():
    missing = [f.name for f in fields(Settings) if f"| `{f.name}` |" not in README]
    assert missing == []


def test_readme_shows_the_two_commands():
    assert "make serve" in README and "make test" in README


def test_every_behaviour_citation_names_a_section_that_exists():
    """Code, tests and README cite docs/behaviour.md as "§N" or "§2 step K"; each must resolve there."""
    doc = (ROOT / "docs" / "behaviour.md").read_text()
    sections = set(re.findall(r"^#{2,3} §(\d+(?:\.\d+)?) ", doc, re.MULTILINE))
    steps = set(re.findall(r"^\| (\d+) \|", doc.split("## §2 ", 1)[1].split("\n## ", 1)[0], re.MULTILINE))
    cited = re.compile(r"behaviour\.md (§\d+(?:\.\d+)?(?: step \d+)?(?:, §\d+(?:\.\d+)?)*)")
    broken = []
    for path in [ROOT / "README.md", *(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]:
        for group in cited.findall(path.read_text()):
            for ref in group.split(", "):
                number, _, step = ref[1:].partition(" step ")
                if number not in sections or (step and (number != "2" or step not in steps)):
                    broken.append(f"{path.relative_to(ROOT)}: {ref}")
    assert sections >= {str(n) for n in range(1, 12)}
    assert broken == []


def test_every_setting_is_a_flag_and_an_environment_variable():
    from localconnect.cli import _parser
    from localconnect.settings import load

    serve = next(a for a in _parser()._subparsers._group_actions[0].choices.values() if a.prog.endswith(" serve"))
    flags = {option for action in serve._actions for option in action.option_strings}
    assert [f.name for f in fields(Settings) if "--" + f.name.replace("_", "-") not in flags] == []
    # and each environment variable is read (a table as JSON)
    defaults = Settings()
    for f in fields(Settings):
        value = getattr(defaults, f.name)
        if f.name == "config" or value is None:
            continue
        text = json.dumps(value) if isinstance(value, (dict, list)) else str(value).lower() \
            if isinstance(value, bool) else str(value)
        assert getattr(load(environ={"LOCALCONNECT_" + f.name.upper(): text}), f.name) == value, f.name
