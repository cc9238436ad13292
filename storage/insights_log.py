"""The moderation log as the dashboard reads it: filtered pages, appeals, counts and CSV rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import LogFilter, LogItem, LogPage
from bot.logged_text import content_text
from bot.ports import LogEntry
from bot.verdict import Action
from storage.logs import entry_of
from storage.models import CounterRow, LogRow

#: Rows read per round when filtering by symbol in Python, and at most this many in all.
SCAN_BATCH = 500
SCAN_LIMIT = 5000
APPEALS_LIMIT = 200


def _name(content: Mapping[str, Any]) -> str:
    sender = content.get("sender")
    return str(sender.get("name") or "") if isinstance(sender, Mapping) else ""


def _action(value: int | None) -> str:
    if value is None:
        return ""
    try:
        return Action(value).name.lower()
    except ValueError:
        return str(value)


def _item(row: Any, kept_by: str, appealed: bool,
          reversible: Callable[[LogEntry], bool] | None = None) -> LogItem:
    content = dict(row.content or {})
    return LogItem(
        id=row.id, chat=row.chat, user=row.user_id, name=_name(content),
        action=_action(row.action), created_at=row.created_at, actor=row.actor,
        score=float(row.score or 0.0),
        symbols={str(k): float(v) for k, v in (row.symbols or {}).items()},
        reason=row.reason or "", text=content_text(content), observe=bool(row.observe),
        shadow_action=_action(row.shadow_action), outcome=row.outcome or "",
        undone_by=row.undone_by or "", kept_by=kept_by, appealed=appealed,
        reversible=not row.undone_by and reversible is not None and reversible(entry_of(row)))


def _filters(chat: str, where: LogFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [LogRow.chat == chat]
    if where.action:
        try:
            clauses.append(LogRow.action == int(Action[where.action.upper()]))
        except KeyError:
            clauses.append(LogRow.action == -1)  # an unknown action matches nothing
    if where.user:
        clauses.append(LogRow.user_id == where.user)
    if where.shadow is not None:
        clauses.append(LogRow.observe.is_(where.shadow))
    return clauses


async def _states(session: AsyncSession, chat: str, prefix: str, ids: list[int]
                  ) -> dict[int, dict[str, Any]]:
    """``chat_state`` values under ``{prefix}:{id}`` for these ids (one read)."""
    if not ids:
        return {}
    rows = await session.execute(select(CounterRow.key, CounterRow.value).where(
        CounterRow.chat == chat, CounterRow.key.in_([f"{prefix}:{i}" for i in ids])))
    return {int(key.partition(":")[2]): dict(value or {}) for key, value in rows}


async def _appeals(session: AsyncSession, chat: str) -> tuple[list[Any], set[int]]:
    """Open appeals' log rows, newest first, and the ids of every appealed entry (the
    appeal command stores ``appeal:{id}`` with a ``status`` in the chat's state)."""
    rows = (await session.execute(select(CounterRow.key, CounterRow.value).where(
        CounterRow.chat == chat, CounterRow.key.like("appeal:%")))).all()
    appealed, open_ids = set(), []
    for key, value in rows:
        suffix = key.partition(":")[2]
        if suffix.isdigit():
            appealed.add(int(suffix))
            if (value or {}).get("status") == "open":
                open_ids.append(int(suffix))
    entries: list[Any] = []
    if open_ids:
        entries = list((await session.execute(select(LogRow).where(
            LogRow.chat == chat, LogRow.id.in_(open_ids)).order_by(LogRow.id.desc())
            .limit(APPEALS_LIMIT))).scalars())
    return entries, appealed


async def log_page(session: AsyncSession, chat: str, where: LogFilter, *,
                   kept: Mapping[int, str] | None = None,
                   reversible: Callable[[LogEntry], bool] | None = None) -> LogPage:
    """One page of the chat's log, newest first, with ``where``'s filters.

    Action, user and shadow filter in SQL; a symbol filter reads at most ``SCAN_LIMIT``
    rows (in batches) and keeps those whose symbols name it, so a rare symbol may give a
    short page whose ``more`` continues the scan. ``more`` is the ``before`` id of the next
    page, None at the end. ``kept_by`` comes from ``kept`` when given, else from the log
    chat's [Keep] marks (``review:{id}``); ``appeals`` are the open appeals of the chat;
    ``counts`` are all-time entries per action of the chat (unfiltered). An item is
    ``reversible`` when not undone and ``reversible`` (the use-case's rule) says so of it.
    """
    limit = max(1, where.limit)
    query = select(LogRow).where(*_filters(chat, where)).order_by(LogRow.id.desc())
    before, page, more = where.before, [], None
    if not where.symbol:
        if before is not None:
            query = query.where(LogRow.id < before)
        rows = list((await session.execute(query.limit(limit + 1))).scalars())
        page = rows[:limit]
        more = page[-1].id if len(rows) > limit else None
    else:
        scanned = 0
        while scanned < SCAN_LIMIT and len(page) <= limit:
            batch_query = query if before is None else query.where(LogRow.id < before)
            rows = list((await session.execute(batch_query.limit(SCAN_BATCH))).scalars())
            scanned += len(rows)
            for row in rows:
                if where.symbol in (row.symbols or {}):
                    page.append(row)
                    if len(page) > limit:
                        break
                before = row.id
            if len(rows) < SCAN_BATCH:
                break
        if len(page) > limit:
            page, more = page[:limit], page[limit - 1].id
        elif scanned >= SCAN_LIMIT:
            more = before
    ids = [row.id for row in page]
    appeal_rows, appealed = await _appeals(session, chat)
    every = ids + [row.id for row in appeal_rows]
    marks = ({i: str(v.get("kept_by") or "") for i, v in
              (await _states(session, chat, "review", every)).items()}
             if kept is None else dict(kept))
    counts = {_action(action): int(n) for action, n in await session.execute(
        select(LogRow.action, func.count()).where(LogRow.chat == chat).group_by(LogRow.action))}
    return LogPage(
        items=tuple(_item(row, marks.get(row.id, ""), row.id in appealed, reversible)
                    for row in page),
        appeals=tuple(_item(row, marks.get(row.id, ""), True, reversible)
                      for row in appeal_rows),
        counts=counts, more=more)


async def export_log(session: AsyncSession, chat: str, limit: int = 10_000
                     ) -> tuple[list[str], list[list[str]]]:
    """The newest ``limit`` entries of the chat's log, for CSV (symbols as ``NAME=score``
    joined by ``;``)."""
    rows = (await session.execute(select(LogRow).where(LogRow.chat == chat)
                                  .order_by(LogRow.id.desc()).limit(limit))).scalars()
    header = ["id", "created_at", "user", "name", "action", "observe", "shadow_action",
              "score", "symbols", "reason", "outcome", "undone_by", "actor", "text"]
    out = []
    for row in rows:
        item = _item(row, "", False)
        out.append([str(item.id), item.created_at.isoformat(), item.user, item.name,
                    item.action, "yes" if item.observe else "", item.shadow_action,
                    f"{item.score:g}", ";".join(f"{k}={v:g}" for k, v in item.symbols.items()),
                    item.reason, item.outcome, item.undone_by, item.actor, item.text])
    return header, out
