"""Config: the example loads; typos and bad values fail with file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.verdict import Action

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "qunguan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    return info.value.problems


def test_example_config_loads_with_every_policy_valid() -> None:
    config = load_config(ROOT / "config.example.yaml", env={})
    assert {"ads", "voice", "flood"} <= set(config.default.policies)
    assert config.app.storage.url.startswith("sqlite+aiosqlite://")


def test_unknown_key_is_reported_with_its_position(tmp_path: Path) -> None:
    path = write(tmp_path, "defaults:\n  language: en\n  langauge: zh-CN\n")
    assert problems(path) == [f"{path}:3:3: defaults.langauge: unknown key 'langauge'"]


def test_secrets_in_yaml_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "telegram:\n  token: '123:abc'\n")
    [problem] = problems(path)
    assert problem.startswith(f"{path}:2:3:") and "environment" in problem


def test_non_monotonic_thresholds_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "defaults:\n  ladder:\n    thresholds: {warn: 10, kick: 5}\n")
    [problem] = problems(path)
    assert problem.startswith(f"{path}:3:5:") and "kick" in problem


def test_broken_yaml_reports_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "defaults:\n  rules: [a, b\n")
    [problem] = problems(path)
    assert problem.startswith(f"{path}:3:1:")


def test_chat_override_errors_point_into_the_chat_entry(tmp_path: Path) -> None:
    path = write(tmp_path, "chats:\n  -1001:\n    timezone: Mars/Base\n  qq:5:\n    observe: 7\n")
    found = problems(path)
    assert found[0].startswith(f"{path}:3:5: chats.-1001.timezone")
    assert found[1].startswith(f"{path}:5:5: chats.qq:5.observe")


def test_chats_inherit_their_profile_then_override_it(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "defaults: {language: zh-CN, ladder: {warn_expiry: 30d}}\n"
        "profiles:\n  strict: {observe: true, ladder: {thresholds: {delete: 2, warn: 3}}}\n"
        "chats:\n  -1001: {profile: strict, language: en}\n"
    ))
    config = load_config(path, env={})
    chat = config.for_chat("tg:-1001")
    assert chat.language == "en" and chat.observe
    assert chat.ladder.action_thresholds() == {Action.DELETE: 2.0, Action.WARN: 3.0}
    assert config.profile_name("tg:-1001") == "strict"
    assert config.for_chat("tg:-999").language == "zh-CN"


def test_unknown_profile_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "chats:\n  -1001: {profile: nosuch}\n")
    assert "unknown profile 'nosuch'" in problems(path)[0]


def test_environment_overrides_database_url(tmp_path: Path) -> None:
    path = write(tmp_path, "storage: {url: 'sqlite+aiosqlite:///a.db'}\n")
    config = load_config(path, env={"QUNGUAN_DATABASE_URL": "postgresql+asyncpg://x/y"})
    assert config.app.storage.url == "postgresql+asyncpg://x/y"


def test_feature_options_are_validated_with_positions(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "defaults:\n  features:\n    checkin:\n      enabled: true\n      chalenge_days: 21\n"
        "    nosuch: {}\n"))
    found = problems(path)
    assert found[0] == (f"{path}:5:7: defaults.features.checkin.chalenge_days: "
                        "unknown key 'chalenge_days'")
    assert found[1].startswith(f"{path}:6:5: defaults.features.nosuch: unknown feature")
