"""Broken Unicode cannot disguise an ad: a lone surrogate (valid JSON, invalid text) in a
message is moderated like the same message without it, and its log entry is stored."""

from __future__ import annotations

from bot.events import Kind, Message, Segment, Sender
from bot.gateway_fake import RecordingGateway
from bot.serialize import message_to_dict
from bot.verdict import Action
from handlers.services import Services
from storage.logs import LogRepo
from tests.core.conftest import CHAT, NOW


def said(text: str) -> Message:
    return Message(CHAT, "1", Sender("test:7", "Spammer"), NOW, (Segment(Kind.TEXT, text),))


def test_lone_surrogates_are_replaced_when_a_segment_or_sender_is_made() -> None:
    segment = Segment(Kind.TEXT, "加\ud800我\udfff薇信")
    assert segment.text == "加\ufffd我\ufffd薇信"
    assert segment.text.encode("utf-8")  # storable, sendable, hashable by every policy
    assert Segment(Kind.TEXT, "emoji 😀 stays").text == "emoji 😀 stays"
    assert Sender("test:7", "名\udc00字").name == "名\ufffd字"


async def test_an_ad_with_a_lone_surrogate_is_deleted_warned_and_logged(
        services: Services) -> None:
    gateway = RecordingGateway("test")
    message = said("兼職日結，加我薇信\ud83d qq88166 詳聊")  # traditional: OpenCC runs too
    await services.dispatcher(message, gateway)
    assert {c.name for c in gateway.calls} >= {"delete", "send"}
    await services.enforcer.flush()
    async with services.db.session() as session:
        (entry,) = await LogRepo(session).recent(CHAT, 5)
    assert entry.action == Action.WARN
    assert "\ufffd" in str(message_to_dict(message))
