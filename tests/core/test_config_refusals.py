"""Config files that would start and moderate nothing, or name chats that never match, are
refused with their position (file:line:column)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import ConfigError, load_config

POLICY = "defaults:\n  policies:\n    ads: {mode: enforce}\n"


def problems(tmp_path: Path, text: str, *, require_policies: bool = True) -> list[str]:
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path, env={}, require_policies=require_policies)
    except ConfigError as exc:
        return exc.problems
    return []


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "{}\n"])
def test_an_empty_file_is_refused_at_its_first_line(tmp_path: Path, text: str) -> None:
    (problem,) = problems(tmp_path, text, require_policies=False)
    assert problem.startswith(f"{tmp_path / 'q.yaml'}:1:1: the file is empty")


def test_a_file_enabling_no_policy_is_refused_at_its_defaults(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, "server: {port: 9000}\ndefaults:\n  language: en\n")
    assert ":2:1: defaults.policies: no policy is enabled" in problem
    assert "未启用任何策略" in problem


def test_policies_written_out_empty_leave_moderation_off_on_purpose(tmp_path: Path) -> None:
    assert problems(tmp_path, "defaults:\n  policies: {}\n") == []


def test_one_enabled_policy_is_enough(tmp_path: Path) -> None:
    assert problems(tmp_path, POLICY) == []


@pytest.mark.parametrize(("key", "where"), [
    ("tg:not-a-chat", "use a numeric Telegram chat id"),
    ("qq:group-one", "use a numeric QQ group number"),
    ("wx:has space@chatroom", "use a WeChat room id"),
    ("tg:", "use a numeric Telegram chat id"),
])
def test_a_chat_key_its_platform_cannot_have_is_refused_at_the_key(
    tmp_path: Path, key: str, where: str
) -> None:
    (problem,) = problems(tmp_path, f'{POLICY}chats:\n  "{key}": {{observe: true}}\n')
    assert f":5:3: chats.{key}: " in problem and where in problem


@pytest.mark.parametrize("key", ["tg:-1001234567890", "-1001234567890", "qq:123456",
                                 "wx:12345678@chatroom", "wx:wxid_abc123", "local:playground"])
def test_chat_keys_the_adapters_produce_are_accepted(tmp_path: Path, key: str) -> None:
    assert problems(tmp_path, f'{POLICY}chats:\n  "{key}": {{observe: true}}\n') == []


def test_a_network_chat_that_never_matches_is_refused_at_its_item(tmp_path: Path) -> None:
    text = f"{POLICY}networks:\n  school:\n    chats: [-1001, tg:abc]\n"
    (problem,) = problems(tmp_path, text)
    assert ":6:20: networks.school.chats.1: chat key 'tg:abc' can never match" in problem


def test_check_config_exits_1_on_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1:1: the file is empty" in result.output
