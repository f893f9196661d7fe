"""Every code block of the README runs as written, in order, against a fresh server started as `make serve` starts
it (its URL put in place of http://127.0.0.1:4599), each in a process of its own with no AWS variables and no ~/.aws:

* ```python: run with this interpreter; a ``print(x)  # expected`` line must print what its comment says
  (``…`` stands for anything);
* ```sh: run with bash -e, with this environment's bin/ (aws, localconnect) on PATH and LOCALCONNECT_URL set;
* ```toml: a config file is loaded as the server would load it, a ``[[credentials]]`` file as --credentials-file;
* ``<!-- example: pytest -->`` before a block: it is a test file, run by pytest in a throwaway project;
* ``<!-- example: twice -->``: run two times in a row (the quick start must be re-runnable);
* ``<!-- example: skip (reason) -->``: not run, and the reason says why; ```text blocks are output, not code.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from localconnect.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
MAKE_SERVE_URL = "http://127.0.0.1:4599"
BLOCK = re.compile(r"(?:<!-- example: (?P<mark>[^\n]*?) -->\n)?^```(?P<lang>\w*)\n(?P<code>.*?)^```$", re.S | re.M)
CHECKED = {"python", "sh", "toml"}


@dataclass
class Example:
    line: int
    lang: str
    code: str
    mark: str

    @property
    def id(self) -> str:
        return f"README.md:{self.line}-{self.lang}"


def examples() -> list[Example]:
    found = []
    for match in BLOCK.finditer(README):
        found.append(Example(README.count("\n", 0, match.start("code")), match["lang"], match["code"],
                             (match["mark"] or "").strip()))
    return found


EXAMPLES = examples()


def test_every_block_is_run_or_says_why_not():
    for example in EXAMPLES:
        assert example.lang in CHECKED | {"text"}, f"{example.id}: a block of an unchecked language"
        if example.mark.startswith("skip"):
            assert re.fullmatch(r"skip \(.{10,}\)", example.mark), f"{example.id}: give the reason for skipping"
        else:
            assert example.mark in ("", "pytest", "twice"), f"{example.id}: unknown mark {example.mark!r}"
    assert sum(e.lang == "python" and not e.mark.startswith("skip") for e in EXAMPLES) >= 6


@pytest.fixture(scope="module")
def make_serve(tmp_path_factory):
    """A server with `make serve`'s settings (defaults, SQLite file store), on a free port."""
    with ServerProcess("--data-dir", str(tmp_path_factory.mktemp("readme") / ".localconnect")) as server:
        yield server


def environment(tmp_path: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALCONNECT_"))}
    env.update({"HOME": str(tmp_path), "LOCALCONNECT_URL": url,
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"})
    return env


def run_python(code: str, url: str, tmp_path: Path) -> str:
    code = code.replace(MAKE_SERVE_URL, url)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=environment(tmp_path, url),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    expected = re.findall(r"^\s*print\(.*\)\s+# (.+)$", code, re.M)
    printed = done.stdout.splitlines()
    assert len(printed) == len(expected), (printed, expected)
    for out, want in zip(printed, expected, strict=True):
        pattern = ".*".join(re.escape(part) for part in want.split("…"))
        assert re.fullmatch(pattern, out), (out, want)
    return done.stdout


def run_sh(code: str, url: str, tmp_path: Path) -> str:
    host_port = url.split("://", 1)[1]
    code = code.replace(MAKE_SERVE_URL, url).replace("localhost:4599", host_port)
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], cwd=tmp_path, env=environment(tmp_path, url),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def run_toml(code: str, tmp_path: Path) -> None:
    from localconnect.app import check_throttle_limits
    from localconnect.gateway.identity import load_credentials
    from localconnect.settings import load

    path = tmp_path / "example.toml"
    path.write_text(code)
    if "[[credentials]]" in code:
        assert load_credentials(str(path))
    else:
        check_throttle_limits(load({"config": str(path)}, environ={}))


def run_pytest(code: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_from_readme.py").write_text(code)
    env = environment(tmp_path, "")
    env = {k: v for k, v in env.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    tests = len(re.findall(r"^def test_", code, re.M))
    assert re.search(rf"^{tests} passed in ", done.stdout, re.M), done.stdout


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.lang in CHECKED], ids=lambda e: e.id)
def test_example_runs_as_written(example: Example, make_serve, tmp_path):
    if example.mark.startswith("skip"):
        pytest.skip(example.mark)
    for _ in range(2 if example.mark == "twice" else 1):
        if example.mark == "pytest":
            run_pytest(example.code, tmp_path)
        elif example.lang == "python":
            run_python(example.code, make_serve.url, tmp_path)
        elif example.lang == "sh":
            run_sh(example.code, make_serve.url, tmp_path)
        else:
            run_toml(example.code, tmp_path)


def test_the_quick_start_is_marked_to_run_twice():
    quick_start = README.index("## Quick start")
    first_python = next(e for e in EXAMPLES if e.lang == "python" and README.count("\n", 0, quick_start) < e.line)
    assert first_python.mark == "twice"
    cli = next(e for e in EXAMPLES if e.lang == "sh" and e.line > first_python.line)
    assert cli.mark == "twice" and "aws connect import-phone-number" in cli.code
