"""Imports run one way (docs/architecture.md): entry points → gateway → services → rules → store, clock,
settings → core. No module imports a higher layer, and no modules import each other in a cycle.

A small AST walk over src/ rather than an import-linter contract: it needs no dependency and no config file,
it sees every import (lazy ones inside functions too, all but ``if TYPE_CHECKING:`` blocks), and its failure
message names the file, the line and the rule.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "localconnect"

# Layer of each top-level module or package of localconnect; a module may import its own layer or lower ones.
LAYERS = {
    "core": 0,
    "asgi": 1, "clock": 1, "settings": 1, "store": 1,
    "rules": 2,
    "services": 3,
    "gateway": 4,
    "admin": 5, "app": 5, "cli": 5, "testing": 5, "requestlog": 5, "server": 5, "__init__": 5, "__main__": 5,
    "pytest_plugin": 5, "adminclient": 5, "startup": 5,
}
NAMES = {0: "core", 1: "store/clock/settings", 2: "rules", 3: "services", 4: "gateway", 5: "entry points"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every import statement, skipping ``if TYPE_CHECKING:`` bodies (types only, never run)."""
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node)
               for child in node.body for n in ast.walk(child)}
    return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in skipped]


def graph(modules: dict[str, ast.AST], is_package: dict[str, bool]) -> dict[str, list[tuple[str, int]]]:
    """module -> [(imported localconnect module, line)], relative imports resolved."""
    edges: dict[str, list[tuple[str, int]]] = {}
    for name, tree in modules.items():
        out = edges.setdefault(name, [])
        package = name if is_package[name] else name.rsplit(".", 1)[0]
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # "from . import x" names a submodule when there is one, else something inside the package.
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
            for target in targets:
                while target and target not in modules:  # localconnect.core.errors.X -> localconnect.core.errors
                    target = target.rsplit(".", 1)[0] if "." in target else ""
                if target.startswith(PACKAGE) and target != name:
                    out.append((target, node.lineno))
    return edges


def layer_of(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top not in LAYERS:
        raise AssertionError(f"{module}: add its top-level name {top!r} to LAYERS in {Path(__file__).name}")
    return LAYERS[top]


def find_violations(edges) -> list[str]:
    problems = []
    for source, targets in edges.items():
        for target, line in targets:
            if layer_of(target) > layer_of(source):
                problems.append(f"{source} (line {line}) imports {target}: {NAMES[layer_of(source)]} may not "
                                f"import {NAMES[layer_of(target)]}")
    return problems


def find_cycles(edges) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w, _ in edges.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))
    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def load(root: Path = SRC / PACKAGE):
    modules, is_package = {}, {}
    for path in sorted(root.rglob("*.py")):
        name = _module_name(path)
        modules[name] = ast.parse(path.read_text(), str(path))
        is_package[name] = path.name == "__init__.py"
    return modules, is_package


def test_no_module_imports_a_higher_layer():
    assert find_violations(graph(*load())) == []


def test_no_import_cycles():
    assert find_cycles(graph(*load())) == []


def _tree(sources: dict[str, str]):
    modules = {name: ast.parse(text) for name, text in sources.items()}
    return graph(modules, {name: name.count(".") == 1 and name.endswith(("rules", "services")) for name in sources})


@pytest.mark.parametrize("upward", ["from ..gateway import catalog", "from localconnect.gateway import catalog",
                                    "def f():\n    from ..services import registry"])
def test_an_upward_import_is_caught(upward):
    edges = _tree({"localconnect.rules.quotas": upward, "localconnect.gateway.catalog": "",
                   "localconnect.services.registry": ""})
    assert find_violations(edges), upward


def test_a_type_checking_import_is_allowed():
    edges = _tree({"localconnect.core.call": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                             "    from ..store.engine import Tx\n",
                   "localconnect.store.engine": ""})
    assert find_violations(edges) == []


def test_a_cycle_is_caught():
    edges = _tree({"localconnect.services.a": "from . import b", "localconnect.services.b": "from . import a",
                   "localconnect.services": ""})
    assert find_cycles(edges) == [["localconnect.services.a", "localconnect.services.b"]]
