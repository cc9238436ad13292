"""Checks of the whole file beyond its schema: chat keys each platform accepts, and a file
that would moderate nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.config.schema import AppConfig, ProfileConfig, normalise_chat_key

Report = Callable[[tuple[str | int, ...], str], None]

_TG = re.compile(r"-?\d{1,19}")
_QQ = re.compile(r"(?:private:)?\d{1,19}")
_WX = re.compile(r"(?:private:)?[A-Za-z0-9_.\-]{1,64}(?:@chatroom)?")
_ANY = re.compile(r"\S{1,128}")

#: What each platform's adapter accepts as a chat id (after ``platform:``).
CHAT_IDS: Mapping[str, tuple[re.Pattern[str], str]] = {
    "tg": (_TG, "a numeric Telegram chat id such as -1001234567890 (Telegram 群 id 为数字)"),
    "qq": (_QQ, "a numeric QQ group number such as 123456789 (QQ 群号为数字)"),
    "wx": (_WX, "a WeChat room id such as 12345678@chatroom or a wxid "
                "(微信群 id 形如 12345678@chatroom)"),
    "local": (_ANY, "a playground chat name (试玩聊天名称)"),
}


def platforms(app: AppConfig) -> dict[str, tuple[re.Pattern[str], str]]:
    """The platforms known to this file: the built-in ones plus each OneBot entry's own (any
    other prefix, a platform added by a plugin or a test, needs only an id without spaces)."""
    known = dict(CHAT_IDS)
    for entry in app.onebot:
        if "platform" in entry.model_fields_set and entry.platform not in known:
            known[entry.platform] = (_ANY, f"a {entry.platform} chat id")
    return known


def chat_key_problem(key: object, known: Mapping[str, tuple[re.Pattern[str], str]]) -> str:
    """Why a chat key cannot name a chat (an empty string when it can)."""
    text = normalise_chat_key(key)
    platform, _, raw = text.partition(":")
    rule = known.get(platform, (_ANY, "a chat id without spaces (群 id 不能含空格)"))
    if not rule[0].fullmatch(raw):
        return f"chat key {text!r} can never match a chat: use {rule[1]}"
    return ""


def check_chat_keys(app: AppConfig, report: Report) -> None:
    """Every chat key under ``chats``, ``networks`` and ``log_chat`` names a chat its platform
    can have; a key that never matches would silently never apply."""
    known = platforms(app)

    def check(path: tuple[str | int, ...], key: object) -> None:
        wrong = chat_key_problem(key, known)
        if wrong:
            report(path, wrong)

    for key in app.chats:
        check(("chats", key), key)
    for name, network in app.networks.items():
        for index, chat in enumerate(network.chats):
            check(("networks", name, "chats", index), chat)
        if network.core_chat:
            check(("networks", name, "core_chat"), network.core_chat)
    for path, layer in _layers(app):
        log_chat = layer.get("log_chat")
        if isinstance(log_chat, str | int) and str(log_chat).strip():
            check((*path, "log_chat"), log_chat)


def _layers(app: AppConfig) -> Iterable[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    yield ("defaults",), app.defaults
    for name, raw in app.profiles.items():
        yield ("profiles", name), raw
    for key, raw in app.chats.items():
        yield ("chats", key), raw


def moderates_nothing(app: AppConfig, resolved: Iterable[ProfileConfig]) -> bool:
    """No policy enabled in any resolved profile or chat, and none written out as
    ``policies: {}`` (which says that moderation is left off on purpose)."""
    if any(entry.enabled for profile in resolved for entry in profile.policies.values()):
        return False
    layers = [app.defaults, *app.profiles.values(), *app.chats.values()]
    return not any("policies" in layer for layer in layers)


NOTHING_ENABLED = ("no policy is enabled in defaults, a profile or a chat: nothing would be "
                   "moderated; add defaults.policies (see config.example.yaml), or write "
                   "'policies: {}' if that is meant "
                   "(未启用任何策略：不会处置任何消息，请在 defaults.policies 中配置；"
                   "有意关闭请写 policies: {})")
EMPTY_FILE = ("the file is empty: nothing would be moderated; start from config.example.yaml "
              "(配置文件为空，请参照 config.example.yaml)")
