"""ChatRepo: chat records with settings JSON, and migration of every row to a new chat id."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Sender
from bot.knowledge import DomainState, TextPost
from bot.ports import LogEntry
from bot.verdict import Action
from storage import tallies
from storage.chat_move import natural_key
from storage.chats import ChatRepo
from storage.checkins import CheckinRepo
from storage.classifier import ClassifierRepo
from storage.contributions import ContributionRepo
from storage.db import Database
from storage.deletions import SqlPendingDeletions
from storage.duty import DutyRepo
from storage.gates import GateRepo
from storage.insights_activity import record_activity
from storage.knowledge import KnowledgeRepo
from storage.logs import LogRepo
from storage.members import MemberRepo
from storage.models import CHAT_TABLES, Base, ChatRow
from storage.queue import JoinQueueRepo
from storage.state import StateRepo
from storage.warns import WarnRepo
from tests.storage.conftest import CHAT, NOW

NEW = "tg:-1002"


async def test_upsert_keeps_settings_json_and_rights(db: Database) -> None:
    async with db.session() as s:
        chats = ChatRepo(s)
        created = await chats.upsert(CHAT, at=NOW, title="群", missing_rights=["can_delete"])
        await chats.update_settings(CHAT, NOW, shadow={"all": True, "policies": ["ads"]})
        await chats.set_active(CHAT, False, NOW)
    assert created.platform == "tg" and created.added_at == NOW
    async with db.session() as s:
        got = await ChatRepo(s).get(CHAT)
        inactive = await ChatRepo(s).list(active=False)
    assert got is not None and got.title == "群" and got.missing_rights == ("can_delete",)
    assert got.settings == {"shadow": {"all": True, "policies": ["ads"]}} and not got.active
    assert [c.chat for c in inactive] == [CHAT]


async def test_upsert_refuses_unknown_fields(db: Database) -> None:
    with pytest.raises(TypeError, match="titel"):
        async with db.session() as s:
            await ChatRepo(s).upsert(CHAT, at=NOW, titel="typo")


def test_every_table_with_a_chat_column_is_migrated() -> None:
    with_chat = {t.name for t in Base.metadata.tables.values() if "chat" in t.c}
    covered = {m.__tablename__ for m in CHAT_TABLES} | {ChatRow.__tablename__}
    assert with_chat == covered


def test_natural_keys_cover_the_unique_tables() -> None:
    keys = {m.__tablename__: natural_key(m.__table__) for m in CHAT_TABLES}  # type: ignore[arg-type]
    assert keys["members"] == ("user_id",) and keys["checkins"] == ("user_id", "day")
    assert keys["warns"] is None and keys["chat_state"] == ("key",)


async def _fill(s: AsyncSession, chat: str) -> None:
    await ChatRepo(s).upsert(chat, at=NOW, title="old group", settings={"k": 1})
    await MemberRepo(s).joined(chat, Sender("tg:7", "Ann"), NOW)
    await WarnRepo(s).add(chat, "tg:7", reason="r", at=NOW, expires_at=NOW + timedelta(1))
    await LogRepo(s).add(LogEntry(chat, "tg:7", Action.WARN, NOW))
    await ContributionRepo(s).add(chat, "tg:7", "message", 1.0, NOW)
    await tallies.claim(s, chat, "tg:7", "message", date(2026, 11, 22), 1.0, 20.0)
    await CheckinRepo(s).record(chat, "tg:7", date(2026, 11, 22), NOW)
    await JoinQueueRepo(s).enqueue(chat, "tg:8", "", NOW)
    await DutyRepo(s).join(chat, "tg:7", "Ann", NOW)
    await GateRepo(s).open(chat, "tg:9", answer="4", deadline=NOW, at=NOW)
    await StateRepo(s).put(chat, "duty", {"day": "2026-11-22"}, NOW)
    await ClassifierRepo(s).save(chat, b"model", NOW)
    knowledge = KnowledgeRepo(s)
    await knowledge.add_posts([TextPost(chat, "tg:7", "1", NOW, bytes(64))])
    await knowledge.put_domains([(chat, DomainState("example.org", NOW, ("tg:7",)))])
    await record_activity(s, [(chat, Sender("tg:7", "Ann"), NOW, 1)])


async def _counts(s: AsyncSession, chat: str) -> dict[str, int]:
    counts = {}
    for model in (ChatRow, *CHAT_TABLES):
        table = model.__table__
        total = await s.execute(select(func.count()).select_from(table).where(
            table.c.chat == chat))  # type: ignore[attr-defined]
        counts[model.__tablename__] = int(total.scalar_one())
    return counts


async def test_migrate_moves_rows_of_every_table_to_the_new_chat_id(db: Database) -> None:
    async with db.session() as s:
        await _fill(s, CHAT)
        await MemberRepo(s).get(CHAT, "tg:7")  # a loaded object must not shadow the move
    await SqlPendingDeletions(db).add(CHAT, "55", NOW)
    async with db.session() as s:
        before = await _counts(s, CHAT)
        moved = await ChatRepo(s).migrate(CHAT, NEW, NOW)
        assert await MemberRepo(s).get(CHAT, "tg:7") is None
    assert all(before.values()) and moved == sum(before.values()) + 1  # + classifier scope
    async with db.session() as s:
        assert set((await _counts(s, CHAT)).values()) == {0}
        assert await _counts(s, NEW) == before
        chat = await ChatRepo(s).get(NEW)
        assert chat is not None and chat.settings == {"k": 1} and chat.chat_type == "supergroup"
        assert await ClassifierRepo(s).load(NEW) == b"model"
        assert await ClassifierRepo(s).load(CHAT) is None
        assert (await CheckinRepo(s).streak(NEW, "tg:7", date(2026, 11, 22))).current == 1
        assert await ChatRepo(s).migrate(CHAT, NEW, NOW) == 0  # a redelivery moves nothing


async def test_migrate_merges_with_rows_already_under_the_new_id(db: Database) -> None:
    async with db.session() as s:
        await _fill(s, CHAT)
        await _fill(s, NEW)
        await MemberRepo(s).set_flags(CHAT, "tg:7", approved=True)
    await _touch_both(db)
    async with db.session() as s:
        await ChatRepo(s).migrate(CHAT, NEW, NOW)
    async with db.session() as s:
        counts = await _counts(s, NEW)
        ann = await MemberRepo(s).get(NEW, "tg:7")
        old_chat = await ChatRepo(s).get(CHAT)
    assert counts["members"] == 1 and counts["checkins"] == 1 and counts["warns"] == 2
    assert counts["duty_roster"] == 1 and counts["gates"] == 1 and counts["mod_log"] == 2
    assert ann is not None and ann.approved and ann.message_count == 7
    assert old_chat is not None  # both chat rows stay; the caller merges their settings


async def _touch_both(db: Database) -> None:
    """The member wrote 3 messages in the old group and 4 in the new supergroup."""
    async with db.session() as s:
        for chat, n in ((CHAT, 3), (NEW, 4)):
            await MemberRepo(s).touch(chat, Sender("tg:7", "Ann"), NOW, n)
