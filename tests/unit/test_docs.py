"""The README's settings table names every setting, and the README keeps its two set-up commands."""
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
