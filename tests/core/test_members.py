"""Joins and departures through the dispatcher: records, join traces, promotional names."""

from __future__ import annotations

from bot.events import MemberJoined, MemberLeft, Sender
from bot.gateway_fake import RecordingGateway
from handlers.services import Services
from storage.members import MemberRepo
from tests.core.conftest import CHAT, NOW


async def test_a_join_and_a_departure_are_recorded(services: Services) -> None:
    gateway = RecordingGateway("test")
    ann = Sender("test:7", "Ann")
    await services.dispatcher(MemberJoined(CHAT, ann, NOW, message_id="11"), gateway)
    assert [r.fingerprint for r in services.history.recent(CHAT, NOW)] == ["join:test:7"]
    await services.dispatcher(MemberLeft(CHAT, ann, NOW), gateway)
    async with services.db.session() as session:
        member = await MemberRepo(session).get(CHAT, "test:7")
    assert member is not None and member.joined_at == NOW and member.left_at == NOW
    assert gateway.calls == []


async def test_a_member_named_like_an_ad_is_removed_and_logged(services: Services) -> None:
    gateway = RecordingGateway("test")
    spam = Sender("test:9", "加微信 vx8888888 领福利")
    await services.dispatcher(MemberJoined(CHAT, spam, NOW, message_id="12"), gateway)
    assert "kick" in gateway.names()
    assert gateway.of("delete")[0].args["message_ids"] == ["12"]
