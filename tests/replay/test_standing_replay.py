"""The replay's emulated ladder stops where the enforcer's would: top contributors' voice
notes are warned, not muted or removed; anyone's ads still climb."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import LoadedConfig, load_config
from bot.tools.replay import replay

ROOT = Path(__file__).resolve().parents[2]
CHAT = "tg:-1005550001"
DAY = datetime(2025, 3, 3, 9, tzinfo=UTC)
TOP, ORDINARY = "tg:301", "tg:302"
OTHERS = ["tg:303", "tg:304", "tg:305", "tg:306"]


@pytest.fixture
def config() -> LoadedConfig:
    loaded = load_config(ROOT / "config.example.yaml", env={})
    features = {**loaded.default.features, "points": {"enabled": True}}
    return replace(loaded, default=loaded.default.model_copy(update={"features": features}))


def message(n: int, user: str, when: datetime, segment: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "chat": CHAT, "message_id": str(n),
            "sender": {"id": user, "name": f"Member {user[3:]}"}, "date": when.isoformat(),
            "segments": [segment]}


def text(words: str) -> dict[str, Any]:
    return {"kind": "text", "text": words}


VOICE = {"kind": "voice", "data": {"file_id": "v"}}


AD = text("兼职日结，加薇信 wx5566123 详聊")


def events(*, voices_by: list[str], post: dict[str, Any] = VOICE) -> list[dict[str, Any]]:
    """A week of ordinary talk (TOP talks most, so ranks first), then voice notes."""
    out: list[dict[str, Any]] = []
    n = 100
    for day in range(5):
        start = DAY + timedelta(days=day)
        for i in range(12):
            n += 1
            out.append(message(n, TOP, start + timedelta(minutes=7 * i),
                               text(f"how do I configure the interpreter, step {day}-{i}?")))
        for j, user in enumerate([ORDINARY, *OTHERS]):
            n += 1
            out.append(message(n, user, start + timedelta(hours=2, minutes=9 * j),
                               text(f"thanks, that answer on virtualenv helped ({day}-{j})")))
    later = DAY + timedelta(days=6)
    for k in range(4):
        for j, user in enumerate(voices_by):
            n += 1
            out.append(message(n, user, later + timedelta(minutes=5 * k, seconds=j), post))
    return out


async def run(tmp_path: Path, config: LoadedConfig, rows: list[dict[str, Any]]
              ) -> dict[str, Any]:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows),
                    encoding="utf-8")
    return (await replay([path], config)).to_json()


async def test_replayed_top_contributor_voice_notes_stop_at_warn(
        tmp_path: Path, config: LoadedConfig) -> None:
    data = await run(tmp_path, config, events(voices_by=[TOP, ORDINARY]))
    assert data["contributions"][0]["user"] == TOP
    assert TOP in data["members"]["warn"]
    assert ORDINARY in data["members"]["mute"] + data["members"]["kick"]
    assert data["kept_by_standing"] == {TOP: 2}
    sanctioned = {s["user"]: s for s in data["sanctioned"]}
    assert TOP not in sanctioned and sanctioned[ORDINARY]["symbols"] == {"VOICE_REPEATED": 3}


async def test_replayed_top_contributor_posting_ads_still_climbs(
        tmp_path: Path, config: LoadedConfig) -> None:
    data = await run(tmp_path, config, events(voices_by=[TOP], post=AD))
    assert data["contributions"][0]["user"] == TOP
    assert TOP in data["members"]["mute"] + data["members"]["kick"]
    assert data["kept_by_standing"] == {}
