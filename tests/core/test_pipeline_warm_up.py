"""Pipeline.warm_up: every policy runs once at start on a made-up message; nothing it finds or
fails at reaches anyone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from bot.events import Message
from bot.pipeline import Pipeline
from bot.policy import Context, PolicyOptions, SymbolInfo
from bot.verdict import Verdict

NOW = datetime(2026, 12, 6, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


class Counting:
    name: ClassVar[str] = "counting"
    Options: ClassVar[type[PolicyOptions]] = PolicyOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {}

    def __init__(self, fail: bool = False, awaitable: bool = False) -> None:
        self.seen: list[str] = []
        self.fail, self.awaitable = fail, awaitable

    def check(self, message: Message, ctx: Context) -> Any:
        self.seen.append(message.text)
        if self.fail:
            raise RuntimeError("broken table")
        if self.awaitable:
            async def later() -> list[Verdict]:
                raise AssertionError("never awaited")
            return later()
        return []


def test_warm_up_runs_every_policy_once_and_swallows_what_they_do() -> None:
    policies = [Counting(), Counting(fail=True), Counting(awaitable=True)]
    Pipeline(policies).warm_up(NOW)  # type: ignore[arg-type]
    assert [len(p.seen) for p in policies] == [1, 1, 1]
    assert all("加微信" in p.seen[0] for p in policies)  # a text that reaches the contact paths


async def test_the_app_warms_its_policies_at_start_and_keeps_no_runtime_for_it(
        tmp_path: Path) -> None:
    from bot.app import App
    from bot.config import load_config

    config = load_config(ROOT / "config.example.yaml",
                         env={"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/q.db"})
    app = App(config, env={}, port=0)
    services = app.build()
    warmed: list[str] = []
    original = Pipeline.warm_up

    def spy(self: Pipeline, now: datetime) -> None:
        warmed.extend(self.names)
        original(self, now)

    Pipeline.warm_up = spy  # type: ignore[method-assign]
    try:
        await app.start()
    finally:
        Pipeline.warm_up = original  # type: ignore[method-assign]
        await app.stop()
    assert "ads" in warmed and "classifier" in warmed
    assert "warm-up" not in services.book._cache
