"""A network shares one profile: each of its chats follows it unless the chat names its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, LoadedConfig, load_config
from bot.runtime import RuntimeBook

NETWORK = (
    "profiles:\n"
    "  study: {language: en, topic: exam preparation}\n"
    "  strict: {observe: true}\n"
    "networks:\n"
    "  school:\n"
    "    profile: study\n"
    "    chats: [-1001, -1002, qq:7]\n"
    "chats:\n"
    "  -1002: {timezone: Europe/Berlin}\n"
)


def load(tmp_path: Path, text: str) -> LoadedConfig:
    path = tmp_path / "qunguan.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env={})


def test_network_chats_without_an_entry_follow_the_network_profile(tmp_path: Path) -> None:
    config = load(tmp_path, NETWORK)
    for chat in ("tg:-1001", "qq:7"):
        assert config.for_chat(chat).language == "en"
        assert config.profile_name(chat) == "study"
    assert config.for_chat("tg:-9").language == "zh-CN"


def test_a_chat_entry_layers_over_the_network_profile(tmp_path: Path) -> None:
    config = load(tmp_path, NETWORK)
    chat = config.for_chat("tg:-1002")
    assert (chat.language, chat.topic, chat.timezone) == (
        "en", "exam preparation", "Europe/Berlin")


def test_a_chat_can_still_pick_its_own_profile(tmp_path: Path) -> None:
    config = load(tmp_path, NETWORK.replace("{timezone: Europe/Berlin}", "{profile: strict}"))
    chat = config.for_chat("tg:-1002")
    assert chat.observe and chat.language == "zh-CN"
    assert config.profile_name("tg:-1002") == "strict"


def test_the_runtime_of_a_network_chat_uses_the_shared_profile(tmp_path: Path) -> None:
    book = RuntimeBook(load(tmp_path, NETWORK))
    runtime = book.get("tg:-1001")
    assert runtime.profile_name == "study" and runtime.info.network == "school"


@pytest.mark.parametrize(("yaml", "problem"), [
    (NETWORK.replace("profile: study", "profile: nosuch"),
     "network school: unknown profile 'nosuch'"),
    (NETWORK.replace("chats:\n  -1002", "  other:\n    chats: [-1001]\nchats:\n  -1002"),
     "chat -1001 is in two networks: school and other"),
])
def test_network_mistakes_are_reported(tmp_path: Path, yaml: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, yaml)
    assert any(problem in p for p in info.value.problems), info.value.problems
