"""InsightRepo.log_page and export_log: filters, paging, keep marks, appeals and CSV rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.desk import LogFilter
from bot.events import Kind, Message, Segment, Sender
from bot.ports import LogEntry
from bot.serialize import message_to_dict
from bot.verdict import Action
from storage import insights_log
from storage.db import Database
from storage.insights import InsightRepo
from storage.logs import LogRepo
from storage.state import StateRepo
from tests.storage.conftest import CHAT, NOW

ANN, BOB = Sender("tg:1", "Ann", "ann"), Sender("tg:2", "Bob")
OTHER = "tg:-1009"


def _content(sender: Sender, text: str) -> dict[str, object]:
    return message_to_dict(Message(CHAT, "9", sender, NOW, (
        Segment(Kind.TEXT, text), Segment(Kind.LINK, "https://x.example"),
        Segment(Kind.IMAGE, "caption?"))))


async def _log(db: Database) -> list[int]:
    """Three entries of the chat (delete, observed flag, mute) and one of another chat."""
    async with db.session() as session:
        logs = LogRepo(session)
        ids = [await logs.add(LogEntry(
            CHAT, ANN.id, Action.DELETE, NOW, score=6.0, symbols={"AD_LINK": 6.0},
            reason="ad", content=_content(ANN, "buy now"))),
            await logs.add(LogEntry(
                CHAT, ANN.id, Action.FLAG, NOW, symbols={"FLOOD_RATE": 3.0}, observe=True,
                shadow_action=Action.MUTE, content=_content(ANN, "spam spam"))),
            await logs.add(LogEntry(
                CHAT, BOB.id, Action.MUTE, NOW, symbols={"AD_LINK": 5.0, "ABUSE_X": 2.0},
                content=_content(BOB, "hey"))),
            await logs.add(LogEntry(OTHER, BOB.id, Action.BAN, NOW))]
        state = StateRepo(session)
        await state.put(CHAT, f"review:{ids[0]}", {"kept_by": "tg:5"}, NOW)
        await state.put(CHAT, f"appeal:{ids[0]}", {"status": "rejected"}, NOW)
        await state.put(CHAT, f"appeal:{ids[2]}", {"status": "open", "user": BOB.id}, NOW)
        await logs.mark_undone(ids[2], "tg:5", NOW)
    return ids


async def test_log_page_renders_entries_newest_first_with_marks(db: Database) -> None:
    first, flagged, muted, _ = await _log(db)
    async with db.session() as session:
        page = await InsightRepo(session).log_page(CHAT, LogFilter())
    assert [i.id for i in page.items] == [muted, flagged, first] and page.more is None
    mute, flag, delete = page.items
    assert (delete.text, delete.name, delete.action) == (
        "buy now\nhttps://x.example\n[image] caption?", "Ann", "delete")  # a line a segment
    assert (delete.kept_by, delete.appealed, delete.reason, delete.score) == (
        "tg:5", True, "ad", 6.0)
    assert (flag.observe, flag.shadow_action, flag.appealed) == (True, "mute", False)
    assert (mute.undone_by, mute.name, mute.symbols) == (
        "tg:5", "Bob", {"AD_LINK": 5.0, "ABUSE_X": 2.0})
    assert [a.id for a in page.appeals] == [muted]  # only the open appeal waits
    assert dict(page.counts) == {"delete": 1, "flag": 1, "mute": 1}


async def test_log_filters_by_action_symbol_user_and_shadow(db: Database) -> None:
    first, flagged, muted, _ = await _log(db)
    filters = {"mute": LogFilter(action="mute"),
               "symbol": LogFilter(symbol="AD_LINK"),
               "bob": LogFilter(user=BOB.id),
               "shadow": LogFilter(shadow=True),
               "live": LogFilter(shadow=False),
               "unknown": LogFilter(action="nonsense")}
    async with db.session() as session:
        repo = InsightRepo(session)
        found = {name: [i.id for i in (await repo.log_page(CHAT, where)).items]
                 for name, where in filters.items()}
    assert found == {"mute": [muted], "symbol": [muted, first], "bob": [muted],
                     "shadow": [flagged], "live": [muted, first], "unknown": []}


async def test_log_pages_backwards_by_id_with_and_without_a_symbol(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    async with db.session() as session:
        logs = LogRepo(session)
        ids = [await logs.add(LogEntry(CHAT, ANN.id, Action.DELETE, NOW + timedelta(seconds=n),
                                       symbols={"AD_X" if n % 2 else "OTHER": 1.0}))
               for n in range(9)]
    monkeypatch.setattr(insights_log, "SCAN_BATCH", 2)  # the symbol scan crosses batches
    pages: dict[str, list[list[int]]] = {"all": [], "AD_X": []}
    async with db.session() as session:
        repo = InsightRepo(session)
        for symbol, seen in pages.items():
            before: int | None = None
            while True:
                page = await repo.log_page(CHAT, LogFilter(
                    symbol="" if symbol == "all" else symbol, limit=3, before=before))
                seen.append([i.id for i in page.items])
                if page.more is None:
                    break
                before = page.more
    newest = ids[::-1]
    assert pages["all"] == [newest[0:3], newest[3:6], newest[6:9]]
    odd = [i for n, i in enumerate(ids) if n % 2][::-1]
    assert pages["AD_X"] == [odd[0:3], odd[3:4]]


async def test_log_keep_marks_given_by_the_caller_replace_the_stored_ones(
        db: Database) -> None:
    first, *_ = await _log(db)
    async with db.session() as session:
        page = await InsightRepo(session).log_page(CHAT, LogFilter(),
                                                   kept={first: "tg:9"})
    assert {i.id: i.kept_by for i in page.items}[first] == "tg:9"


async def test_export_log_gives_one_row_per_entry_with_symbols_and_text(db: Database) -> None:
    first, flagged, muted, _ = await _log(db)
    async with db.session() as session:
        header, rows = await InsightRepo(session).export_log(CHAT)
    assert header[:6] == ["id", "created_at", "user", "name", "action", "observe"]
    assert [r[0] for r in rows] == [str(muted), str(flagged), str(first)]
    mute = dict(zip(header, rows[0], strict=True))
    assert (mute["symbols"], mute["undone_by"], mute["text"]) == (
        "AD_LINK=5;ABUSE_X=2", "tg:5", "hey\nhttps://x.example\n[image] caption?")
    assert dict(zip(header, rows[1], strict=True))["shadow_action"] == "mute"


async def test_log_page_asks_the_use_cases_rule_which_entries_undo_can_reverse(
        db: Database) -> None:
    from bot.verdict import Action

    first, flagged, muted, _ = await _log(db)
    async with db.session() as session:
        page = await InsightRepo(session).log_page(
            CHAT, LogFilter(), reversible=lambda e: e.action in (Action.DELETE, Action.MUTE))
        plain = await InsightRepo(session).log_page(CHAT, LogFilter())
    # the mute was undone already: never offered again, whatever the rule says
    assert {i.id: i.reversible for i in page.items} == {first: True, flagged: False,
                                                        muted: False}
    assert not any(i.reversible for i in plain.items)
