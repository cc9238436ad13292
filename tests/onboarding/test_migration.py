"""Group → supergroup through the stand-in Bot API: every table's rows move in one go, the YAML
entry under the old id keeps applying (also after a restart), and the warns keep counting."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from bot.app import App
from bot.events import Sender
from bot.knowledge import DomainState, TextPost
from bot.ports import LogEntry
from bot.verdict import Action
from storage import tallies
from storage.chats import ChatRepo
from storage.checkins import CheckinRepo
from storage.contributions import ContributionRepo
from storage.deletions import SqlPendingDeletions
from storage.insights_activity import record_activity
from storage.knowledge import KnowledgeRepo
from storage.logs import LogRepo
from storage.members import MemberRepo
from storage.models import CHAT_TABLES, ClassifierRow
from storage.queue import JoinQueueRepo
from storage.state import ClassifierRepo, DutyRepo, GateRepo, StateRepo
from storage.warns import WarnRepo
from tests.onboarding.conftest import (
    AD,
    MEMBER,
    NEW_GROUP,
    OLD_GROUP,
    OWNER,
    bot_member,
    membership,
    message,
    record,
    sent_to,
    serving,
    settle,
)

OLD, NEW = f"tg:{OLD_GROUP}", f"tg:{NEW_GROUP}"
USER = f"tg:{MEMBER}"


async def seed_every_table(app: App, chat: str) -> None:
    assert app.services is not None
    now = app.services.clock()
    async with app.services.db.session() as s:
        await MemberRepo(s).joined(chat, Sender(USER, "Member"), now)
        await WarnRepo(s).add(chat, USER, reason="ad", at=now, expires_at=now + timedelta(30))
        await LogRepo(s).add(LogEntry(chat, USER, Action.WARN, now))
        await ContributionRepo(s).add(chat, USER, "message", 1.0, now)
        await tallies.claim(s, chat, USER, "message", date(2026, 11, 22), 1.0, 20.0)
        await CheckinRepo(s).record(chat, USER, date(2026, 11, 22), now)
        await JoinQueueRepo(s).enqueue(chat, "tg:8", "", now)
        await DutyRepo(s).join(chat, USER, "Member", now)
        await GateRepo(s).open(chat, "tg:9", answer="4", deadline=now + timedelta(1), at=now)
        await StateRepo(s).put(chat, "duty", {"day": "2026-11-22"}, now)
        await ClassifierRepo(s).save(chat, b"model", now)
        await KnowledgeRepo(s).add_posts([TextPost(chat, USER, "1", now, bytes(64))])
        await KnowledgeRepo(s).put_domains([(chat, DomainState("example.org", now))])
        await ChatRepo(s).update_settings(chat, now, shadow={"observe": None})
        await record_activity(s, [(chat, Sender(USER, "Member"), now, 1)])
    await SqlPendingDeletions(app.services.db).add(chat, "55", now + timedelta(days=1))


async def rows_of(app: App, chat: str) -> dict[str, int]:
    assert app.services is not None
    counts: dict[str, int] = {}
    async with app.services.db.session() as s:
        for table in CHAT_TABLES:
            column = table.__table__.c.chat
            counts[table.__tablename__] = int((await s.execute(
                select(func.count()).select_from(table).where(column == chat))).scalar_one())
        counts["classifier"] = int((await s.execute(select(func.count()).select_from(
            ClassifierRow).where(ClassifierRow.scope == chat))).scalar_one())
    return counts


async def test_migration_moves_state_in_every_table_and_keeps_the_yaml_entry(
    api: StandInBotApi, tmp_path: Path
) -> None:
    api.admins[OLD_GROUP] = [admin(OWNER, owner=True), admin(BOT_ID)]
    async with serving(api, tmp_path) as app:
        assert app.services is not None
        await api.feed(membership(OLD_GROUP, bot_member("administrator"), kind="group"))
        await settle(api)
        (hello,) = sent_to(api, OLD_GROUP)
        assert "大家好" in hello["text"] and "普通群" in hello["text"], "in the chat's language"
        await seed_every_table(app, OLD)
        before = await rows_of(app, OLD)
        assert all(before.values()), before
        await api.feed(message(OLD_GROUP, OWNER, "", kind="group",
                               migrate_to_chat_id=NEW_GROUP))
        await api.feed(message(NEW_GROUP, OWNER, "", migrate_from_chat_id=OLD_GROUP))
        await settle(api)
        assert await rows_of(app, NEW) == before
        assert not any((await rows_of(app, OLD)).values())
        moved = await record(app, NEW)
        assert moved.settings["migrated_from"] == OLD and moved.settings["shadow"]
        assert moved.settings["onboarding"]["status"] == "admin" and moved.active
        runtime = app.services.book.get(NEW)
        assert runtime.profile.rules == ["旧群规：友善交流"] and runtime.language == "zh-CN"
        await api.feed(message(NEW_GROUP, MEMBER, AD))  # the moved warn + this one → mute
        await api.wait_for("restrictChatMember")
        assert api.of("restrictChatMember")[0]["chat_id"] == NEW_GROUP
    async with serving(api, tmp_path) as app:
        assert app.services is not None
        assert app.services.book.get(NEW).profile.rules == ["旧群规：友善交流"]


async def test_migration_after_the_new_id_was_seen_first_keeps_the_group_state(
    api: StandInBotApi, tmp_path: Path
) -> None:
    api.admins[OLD_GROUP] = [admin(OWNER, owner=True), admin(BOT_ID)]
    async with serving(api, tmp_path) as app:
        assert app.services is not None
        await api.feed(membership(OLD_GROUP, bot_member("administrator"), kind="group"))
        await settle(api)
        await seed_every_table(app, OLD)
        await api.feed(membership(NEW_GROUP, bot_member("administrator")))
        await api.feed(message(OLD_GROUP, OWNER, "", kind="group",
                               migrate_to_chat_id=NEW_GROUP))
        await settle(api)
        new, old = await record(app, NEW), await record(app, OLD)
        assert new.active and new.settings["shadow"] and new.settings["migrated_from"] == OLD
        assert not old.active and old.settings["migrated_to"] == NEW
        assert (await rows_of(app, NEW))["warns"] == 1
        assert OLD in app.services.extras["inactive_chats"]
