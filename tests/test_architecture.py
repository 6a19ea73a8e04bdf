"""The shape of the code, held: the pure core imports no Django and no shell app, rules are
broken only in law/, apps import no one's private names, and the imports between apps form
no new cycle. Run as a program (`.venv/bin/python tests/test_architecture.py`), it prints
the counts the code's shape is judged by, as one JSON line.

Where the code does not yet hold a line, the exceptions are listed here by name and must
match exactly: a new one fails, and so does one that was fixed and left on the list (so the
lists only shrink). docs/development.md gives the layout.
"""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import mailcover

PACKAGE = Path(mailcover.__file__).parent
PURE = {"law", "postal", "matching", "imaging"}
"""No Django, no database, no shell app: plain, typed functions (docs/development.md)."""

# Modules of the shell that still make a Violation themselves instead of asking law/.
VIOLATIONS_OUTSIDE_LAW = {
    "accounts/changes_api.py",
    "accounts/grants.py",
    "covers/actions.py",
    "oversight/actions.py",
    "records/actions.py",
    "records/api.py",
    "records/notices.py",
    "records/schemas.py",
}
# Private names one app still takes from another: (importing module, imported name); none.
PRIVATE_IMPORTS: set[tuple[str, str]] = set()
# The one cycle among the shell's apps today (covers is the others' shared kernel): no app
# may join it, and none may form another.
KNOWN_CYCLE = frozenset(
    {"accounts", "config", "covers", "ledger", "oversight", "records", "stream", "web"}
)


def _apps() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}


def _modules() -> Iterator[tuple[str, str, ast.Module]]:
    """(app, path relative to the package, tree) of every module but the migrations."""
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if "migrations" in relative.parts or len(relative.parts) < 2:
            continue
        yield relative.parts[0], relative.as_posix(), ast.parse(path.read_text(), str(path))


def _imports(tree: ast.Module) -> Iterator[tuple[str, list[str]]]:
    """(module, names taken from it) of every import, at any depth (lazy imports too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_the_pure_packages_import_no_django_and_no_shell_app() -> None:
    shell = _apps() - PURE
    found = []
    for app, relative, tree in _modules():
        if app not in PURE:
            continue
        for module, _ in _imports(tree):
            parts = module.split(".")
            if parts[0] == "django" or (
                parts[0] == "mailcover" and len(parts) > 1 and parts[1] in shell
            ):
                found.append(f"{relative}: {module}")
    assert found == []


def test_a_violation_is_made_only_in_law() -> None:
    making = set()
    for app, relative, tree in _modules():
        if app == "law":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Violation"):
                making.add(relative)
    assert making == VIOLATIONS_OUTSIDE_LAW


def test_no_app_imports_another_app_s_private_name() -> None:
    apps = _apps()
    private = set()
    for app, relative, tree in _modules():
        for module, names in _imports(tree):
            parts = module.split(".")
            if parts[0] != "mailcover" or len(parts) < 2 or parts[1] == app:
                continue
            if parts[1] not in apps:
                continue
            if any(part.startswith("_") for part in parts[2:]):
                private.add((relative, module))
            private.update((relative, f"{module}.{n}") for n in names if n.startswith("_"))
    assert private == PRIVATE_IMPORTS


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for other in sorted(edges[app]):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in on_stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == app:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for app in sorted(edges):
        if app not in index:
            visit(app)
    return found


def _app_edges() -> dict[str, set[str]]:
    apps = _apps()
    edges: dict[str, set[str]] = defaultdict(set)
    for app in apps:
        edges[app]
    for app, _, tree in _modules():
        for module, _ in _imports(tree):
            parts = module.split(".")
            if parts[0] == "mailcover" and len(parts) > 1 and parts[1] in apps - {app}:
                edges[app].add(parts[1])
    return edges


def test_no_new_cycle_between_apps() -> None:
    assert _cycles(_app_edges()) == [KNOWN_CYCLE]


def test_the_cycle_finder_finds_a_cycle_and_only_one() -> None:
    edges: dict[str, set[str]] = defaultdict(set, {"a": {"b"}, "b": {"c"}, "c": {"a"}})
    edges["d"] = {"a"}
    assert _cycles(edges) == [frozenset({"a", "b", "c"})]
    edges["c"] = set()
    assert _cycles(edges) == []


def shape() -> dict[str, object]:
    """Cross-app imports, private names taken across apps, app cycles, modules over 500 and
    600 lines and functions over 60 (migrations aside), and the `Any`s of the package."""
    apps, cross, private = _apps(), 0, 0
    for app, _, tree in _modules():
        for module, names in _imports(tree):
            parts = module.split(".")
            if parts[0] == "mailcover" and len(parts) > 1 and parts[1] in apps - {app}:
                cross += 1
                private += any(p.startswith("_") for p in parts[2:])
                private += sum(name.startswith("_") for name in names)
    lines: dict[str, int] = {}
    long_functions, anys = [], 0
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/migrations/" in relative:
            continue
        text = path.read_text()
        lines[relative] = len(text.splitlines())
        anys += len(re.findall(r"\bAny\b", text))
        long_functions += [
            f"{relative}:{node.name}"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and (node.end_lineno or node.lineno) - node.lineno + 1 > 60
        ]
    return {
        "cross_app_imports": cross,
        "private_cross_app_imports": private,
        "app_cycles": [sorted(c) for c in _cycles(_app_edges())],
        "modules_over_500_lines": sum(n > 500 for n in lines.values()),
        "modules_over_600_lines": sorted(r for r, n in lines.items() if n > 600),
        "functions_over_60_lines": sorted(long_functions),
        "any": anys,
    }


def test_the_shape_counts_what_the_lists_above_hold() -> None:
    counted = shape()
    assert counted["private_cross_app_imports"] == len(PRIVATE_IMPORTS)
    assert counted["app_cycles"] == [sorted(KNOWN_CYCLE)]
    assert isinstance(counted["cross_app_imports"], int)
    assert counted["cross_app_imports"] > 100


if __name__ == "__main__":
    print(json.dumps(shape()))
