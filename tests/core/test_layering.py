"""Layering guard: the core, policies and storage never import platform SDKs or what sits above."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("telegram", "aiohttp")
#: Composition-level modules may wire everything together.
COMPOSITION = {"bot/app.py", "bot/cli.py", "bot/wiring.py", "bot/server.py",
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
