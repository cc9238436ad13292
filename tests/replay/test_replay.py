"""Replay of an export and neutral events through the real pipeline, observe mode only."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import LoadedConfig, load_config
from bot.tools.replay import observed, replay

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "replay"
PATHS = [FIXTURES / "result.json", FIXTURES / "events.jsonl"]
SPAMMER = "tg:666"


@pytest.fixture
def config() -> LoadedConfig:
    loaded = load_config(ROOT / "config.example.yaml", env={})
    features = {**loaded.default.features, "checkin": {"enabled": True},
                "points": {"enabled": True}}
    return replace(loaded, default=loaded.default.model_copy(update={"features": features}))


async def test_replay_reports_decisions_members_and_acts_on_nothing(
        config: LoadedConfig) -> None:
    report = await replay(PATHS, config)
    data = report.to_json()
    assert data["chats"] == ["tg:-1001234567890"]
    assert (data["messages"], data["commands"], data["joins"], data["leaves"]) == (20, 1, 5, 2)
    assert {"AD_CONTACT_WECHAT", "AD_CONTACT_QQ", "VOICE_MESSAGE"} <= set(data["symbols"])
    samples = data["samples"]["AD_CONTACT_WECHAT"]
    assert samples[0]["sender"] == SPAMMER and "薇信" in samples[0]["evidence"]
    # observe mode stores no warns, yet repeated ads still climb the ladder past a warn
    assert SPAMMER in data["members"]["mute"] + data["members"]["kick"]
    assert sum(data["decisions"].values()) >= 3
    assert not {"delete", "mute", "kick", "ban"} & set(data["platform_calls"])
    assert data["handler_errors"] == 0


async def test_replay_counts_unknown_shapes_from_both_sources(config: LoadedConfig) -> None:
    data = (await replay(PATHS, config)).to_json()
    assert data["unknown"] == {
        "entity:sparkles": 1, "media_type:hologram": 1, "service:teleport_group": 1,
        "type:weird": 1, "malformed:KeyError": 1, "jsonl:ValueError": 1,
        "jsonl:JSONDecodeError": 1}


async def test_replay_reports_check_in_and_contribution_leaders(config: LoadedConfig) -> None:
    data = (await replay(PATHS, config)).to_json()
    assert [c["user"] for c in data["checkins"]] == ["tg:1003"]
    assert data["checkins"][0]["current"] == 1
    assert data["contributions"] and all(c["points"] > 0 for c in data["contributions"])


def test_observed_config_forces_observe_everywhere(config: LoadedConfig) -> None:
    shadowed = observed(config, "sqlite+aiosqlite:///x.db")
    assert shadowed.default.observe and shadowed.app.storage.url == "sqlite+aiosqlite:///x.db"
    assert all(p.observe for p in (*shadowed.profiles.values(), *shadowed.chats.values()))


def test_cli_replay_prints_the_report_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["replay", *map(str, PATHS), "--config",
                                      str(ROOT / "config.example.yaml"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "Decisions by symbol:" in result.output and "Unknown shapes:" in result.output
    assert "AD_CONTACT_WECHAT" in json.loads(out.read_text(encoding="utf-8"))["symbols"]


def test_cli_replay_of_a_missing_file_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["replay", str(tmp_path / "nope.json")])
    assert result.exit_code == 1 and "not found" in result.output
