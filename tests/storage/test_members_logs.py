"""MemberRepo and LogRepo: upserts, inactivity, recent entries, undo, purge, shadow summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.events import Role, Sender
from bot.ports import LogEntry
from bot.verdict import Action
from storage.db import Database
from storage.logs import LogRepo
from storage.members import MemberRepo
from storage.warns import WarnRepo
from tests.storage.conftest import CHAT, NOW


async def test_member_upsert_sets_fields_and_refuses_unknown_ones(db: Database) -> None:
    async with db.session() as s:
        members = MemberRepo(s)
        await members.upsert(CHAT, "tg:7", role=Role.ADMIN, joined_at=NOW, approved=True)
        got = await members.upsert(CHAT, "tg:7", voice_allowed=True, last_seen=NOW)
        with pytest.raises(TypeError):
            await members.upsert(CHAT, "tg:7", karma=3)
    assert got.role is Role.ADMIN and got.approved and got.voice_allowed
    assert got.joined_at == NOW and got.last_seen == NOW


async def test_inactive_since_lists_present_members_silent_before_the_cutoff(
        db: Database) -> None:
    cutoff = NOW - timedelta(days=30)
    async with db.session() as s:
        members = MemberRepo(s)
        await members.joined(CHAT, Sender("tg:1", "quiet"), NOW - timedelta(days=90))
        await members.touch(CHAT, Sender("tg:1", "quiet"), NOW - timedelta(days=60))
        await members.joined(CHAT, Sender("tg:2", "active"), NOW - timedelta(days=90))
        await members.touch(CHAT, Sender("tg:2", "active"), NOW - timedelta(days=1))
        await members.joined(CHAT, Sender("tg:3", "lurker"), NOW - timedelta(days=40))
        await members.joined(CHAT, Sender("tg:4", "newcomer"), NOW - timedelta(days=2))
        await members.joined(CHAT, Sender("tg:5", "gone"), NOW - timedelta(days=90))
        await members.left(CHAT, "tg:5", NOW - timedelta(days=80))
    async with db.session() as s:
        inactive = await MemberRepo(s).inactive_since(CHAT, cutoff)
    assert sorted(m.user_id for m in inactive) == ["tg:1", "tg:3"]


async def test_recent_log_entries_come_newest_first(db: Database) -> None:
    async with db.session() as s:
        logs = LogRepo(s)
        ids = [await logs.add(LogEntry(CHAT, f"tg:{n}", Action.DELETE, NOW + timedelta(n)))
               for n in range(5)]
        await logs.add(LogEntry("tg:-9", "tg:1", Action.BAN, NOW))
        recent = await logs.recent(CHAT, 3)
    assert [e.id for e in recent] == ids[:1:-1]


async def test_undo_is_recorded_once_with_who_undid_it(db: Database) -> None:
    async with db.session() as s:
        warn_id = await WarnRepo(s).add(CHAT, "tg:7", reason="", at=NOW,
                                        expires_at=NOW + timedelta(1))
        log_id = await LogRepo(s).add(LogEntry(CHAT, "tg:7", Action.WARN, NOW, warn_id=warn_id))
    async with db.session() as s:
        logs = LogRepo(s)
        assert await logs.mark_undone(log_id, "tg:1", NOW)
        assert not await logs.mark_undone(log_id, "tg:2", NOW)
        assert await logs.undone(log_id) == (NOW, "tg:1")
        entry = await logs.get(log_id)
    assert entry is not None and entry.warn_id == warn_id


async def test_purge_removes_only_entries_older_than_the_cutoff(db: Database) -> None:
    async with db.session() as s:
        logs = LogRepo(s)
        for days in (100, 50, 1):
            await logs.add(LogEntry(CHAT, "tg:7", Action.DELETE, NOW - timedelta(days=days)))
        assert await logs.purge_older_than(NOW - timedelta(days=60)) == 1
        assert len(await logs.recent(CHAT, 10)) == 2


async def test_shadow_summary_counts_observed_decisions_by_action_and_symbol(
        db: Database) -> None:
    def observed(user: str, would: Action, *symbols: str, days: int = 0) -> LogEntry:
        return LogEntry(CHAT, user, Action.FLAG, NOW - timedelta(days=days), observe=True,
                        shadow_action=would, symbols=dict.fromkeys(symbols, 1.0))

    async with db.session() as s:
        logs = LogRepo(s)
        await logs.add(observed("tg:1", Action.WARN, "AD_LINK", "AD_CONTACT_WECHAT"))
        await logs.add(observed("tg:1", Action.MUTE, "AD_LINK"))
        await logs.add(observed("tg:2", Action.DELETE, "VOICE_UNAPPROVED"))
        await logs.add(observed("tg:3", Action.BAN, "AD_LINK", days=30))  # before `since`
        await logs.add(LogEntry(CHAT, "tg:4", Action.KICK, NOW, symbols={"AD_LINK": 9.0}))
        summary = await logs.shadow_summary(CHAT, NOW - timedelta(days=7))
    assert summary == {
        "decisions": 3,
        "actions": {"warn": 1, "mute": 1, "delete": 1},
        "symbols": {"AD_LINK": 2, "AD_CONTACT_WECHAT": 1, "VOICE_UNAPPROVED": 1},
        "members": {"tg:1": "mute"},
    }
    assert next(iter(summary["symbols"])) == "AD_LINK"


async def test_warn_list_shows_all_or_only_active(db: Database) -> None:
    async with db.session() as s:
        warns = WarnRepo(s)
        old = await warns.add(CHAT, "tg:7", reason="old", at=NOW - timedelta(days=9),
                              expires_at=NOW - timedelta(days=1))
        new = await warns.add(CHAT, "tg:7", reason="new", at=NOW, expires_at=NOW + timedelta(1))
        assert [w.id for w in await warns.list(CHAT, "tg:7")] == [old, new]
        assert [w.id for w in await warns.list(CHAT, "tg:7", NOW)] == [new]
