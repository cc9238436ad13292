"""Layering guard: the core, policies and storage never import platform SDKs or what sits above."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("telegram", "aiohttp")
#: Composition-level modules may wire everything together.
COMPOSITION = {"bot/app.py", "bot/assembly.py", "bot/cli.py", "bot/wiring.py",
               "bot/tools/evaluate.py", "bot/tools/replay.py"}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", [p for p in modules("bot")
                                  if "adapters" not in p.parts and rel(p) not in COMPOSITION],
                         ids=rel)
def test_core_imports_no_sdk_and_nothing_above_it(path: Path) -> None:
    bad = imports(path) & {*SDKS, "handlers", "policies", "storage"}
    assert not bad, f"{rel(path)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", modules("policies"), ids=rel)
def test_policies_import_only_the_neutral_model(path: Path) -> None:
    found = imports(path)
    assert not found & {*SDKS, "handlers", "storage", "sqlalchemy"}, rel(path)
    allowed_bot = {"bot.events", "bot.policy", "bot.verdict", "bot.i18n"}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot"):
            assert node.module in allowed_bot, f"{rel(path)} imports {node.module}"


@pytest.mark.parametrize("path", modules("storage"), ids=rel)
def test_storage_imports_no_sdk_and_no_handlers(path: Path) -> None:
    assert not imports(path) & {*SDKS, "handlers", "policies"}, rel(path)


@pytest.mark.parametrize("path", modules("handlers"), ids=rel)
def test_handlers_use_no_platform_types(path: Path) -> None:
    assert not imports(path) & set(SDKS), rel(path)


def test_nothing_but_the_composition_root_imports_handlers() -> None:
    for package in ("bot", "policies", "storage"):
        for path in modules(package):
            if rel(path) in COMPOSITION:
                continue
            assert "handlers" not in imports(path), rel(path)


def _runtime_imports(path: Path, known: set[str]) -> set[str]:
    """Project modules ``path`` imports when it runs (``if TYPE_CHECKING:`` blocks left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
               and getattr(node.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found & known


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def test_no_import_cycles_among_the_projects_modules() -> None:
    paths = {_module_name(p): p for pkg in ("bot", "handlers", "policies", "storage")
             for p in modules(pkg)}
    known = set(paths)
    graph = {name: _runtime_imports(path, known) - {name} for name, path in paths.items()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = [*trail[trail.index(name):], name]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_offline_tools_are_used_by_the_cli_only() -> None:
    for package in ("bot", "handlers", "policies", "storage"):
        for path in modules(package):
            if rel(path) in {"bot/cli.py"} or rel(path).startswith("bot/tools/"):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            reached = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                       and (n.module or "").startswith("bot.tools")]
            assert not reached, f"{rel(path)} reaches into the offline tools: {reached}"


def test_handlers_are_grouped_by_use_case_without_prefixes() -> None:
    names = [p.name for p in modules("handlers")]
    assert not [n for n in names if n.startswith(("comm_", "mod_", "onboard_"))]
    for family in ("community", "moderation", "onboarding"):
        init = ROOT / "handlers" / family / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
