"""Roles from real chat rights: the admin cache, its refresh, and the command layer's check."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from telegram import ChatMember

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram.admins import AdminCache
from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from bot.events import MemberJoined, Message, Role
from tests.telegram.conftest import GROUP, GROUP_ID, RecordingSink, load, settings_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def members(*raw: dict[str, Any]) -> tuple[ChatMember, ...]:
    return tuple(ChatMember.de_json(r, None) for r in raw)


async def test_admin_list_is_fetched_once_per_ttl_and_again_after_invalidation() -> None:
    fetched: list[int] = []

    async def fetch(chat_id: int) -> Sequence[ChatMember]:
        fetched.append(chat_id)
        return members(admin(111, owner=True), admin(333, can_restrict_members=False))

    clock = Clock()
    cache = AdminCache(fetch, ttl=300, clock=clock)
    await cache.ensure(GROUP)
    await cache.ensure(GROUP)
    assert fetched == [GROUP]
    assert cache.role(GROUP, 111) is Role.OWNER and cache.role(GROUP, 333) is Role.ADMIN
    assert cache.role(GROUP, 222) is Role.MEMBER
    clock.now += 301
    await cache.ensure(GROUP)
    cache.invalidate(GROUP)
    await cache.ensure(GROUP)
    assert fetched == [GROUP, GROUP, GROUP]


async def test_a_failed_refresh_keeps_the_previous_admins() -> None:
    answers: list[Any] = [members(admin(333)), RuntimeError("network down")]

    async def fetch(chat_id: int) -> Sequence[ChatMember]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    clock = Clock()
    cache = AdminCache(fetch, ttl=10, clock=clock)
    await cache.ensure(GROUP)
    clock.now += 11
    await cache.ensure(GROUP)
    assert cache.role(GROUP, 333) is Role.ADMIN


async def test_is_admin_checks_real_rights_moderators_and_anonymous_admins(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    api.admins[GROUP] = [admin(111, owner=True), admin(333, can_restrict_members=False),
                         admin(555, anonymous=True)]
    adapter = TelegramAdapter(settings_for(api), sink)
    async with adapter.bot:
        assert await adapter.is_admin(GROUP_ID, "tg:111", "can_restrict_members")
        assert await adapter.is_admin(GROUP_ID, "tg:333")
        assert await adapter.is_admin(GROUP_ID, "tg:333", "can_delete_messages")
        assert not await adapter.is_admin(GROUP_ID, "tg:333", "can_restrict_members")
        assert not await adapter.is_admin(GROUP_ID, "tg:222")
        assert await adapter.is_admin(GROUP_ID, "tg:444", "can_restrict_members")  # YAML
        assert await adapter.is_admin(GROUP_ID, GROUP_ID, "can_restrict_members")  # anonymous
    assert len(api.of("getChatAdministrators")) == 1


def _message_from(user_id: int, update_id: int) -> dict[str, Any]:
    raw: dict[str, Any] = copy.deepcopy(load("voice"))
    raw["update_id"] = update_id
    raw["message"]["from"] = {"id": user_id, "is_bot": False, "first_name": "Hank"}
    return raw


async def test_promotion_update_refreshes_roles(api: StandInBotApi, sink: RecordingSink) -> None:
    adapter = TelegramAdapter(settings_for(api), sink)
    await adapter.start()
    await api.feed(_message_from(999, 2001))
    await sink.wait(1)
    api.admins[GROUP] = [admin(BOT_ID), admin(999)]
    promotion = {**load("members")[5], "update_id": 2002}
    await api.feed(promotion, _message_from(999, 2003))  # promoted, then speaks
    await sink.wait(2)
    await adapter.stop()
    first, second = (e for e in sink.events if isinstance(e, Message))
    assert first.sender.role is Role.MEMBER and second.sender.role is Role.ADMIN
    assert len(api.of("getChatAdministrators")) == 2



async def test_join_seen_as_service_message_and_chat_member_counts_once(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    service = copy.deepcopy(load("members")[0])
    service["message"]["new_chat_members"] = service["message"]["new_chat_members"][:1]
    member_update = copy.deepcopy(load("members")[3])
    for side in ("old_chat_member", "new_chat_member"):
        member_update["chat_member"][side]["user"] = {"id": 666, "is_bot": False,
                                                      "first_name": "Eve"}
    adapter = TelegramAdapter(settings_for(api), sink)
    await adapter.start()
    await api.feed(service, member_update)
    await sink.wait(1)
    await api.feed(_message_from(999, 2003))
    await sink.wait(2)
    await adapter.stop()
    joins = [e for e in sink.events if isinstance(e, MemberJoined)]
    assert [(j.user.id, j.message_id) for j in joins] == [("tg:666", "570")]
