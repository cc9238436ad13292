"""InsightRepo: the dashboard's numbers (overview, members, check-ins, log, CSV) in few reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import (
    ChallengeLine,
    CheckinBoard,
    Cohort,
    DayPoint,
    LogFilter,
    LogPage,
    MemberLine,
    MemberPage,
    Overview,
)
from bot.events import Role
from bot.ports import LogEntry
from storage.checkins import streak_of
from storage.insights_log import export_log, log_page
from storage.models import (
    ActivityHourRow as H,
)
from storage.models import (
    CheckinRow,
    ContributionRow,
    MemberRow,
    WarnRow,
)
from storage.models import (
    MemberDayRow as D,
)
from storage.models import (
    MemberRow as M,
)

#: Retention cohorts on the overview: members who had 7 and 30 days to stay.
COHORTS = (7, 30)
NEWCOMER_DAYS = 7
STREAK_HORIZON = timedelta(days=400)  # check-ins older than this cannot reach a streak


def _start(day: date, tz: tzinfo) -> datetime:
    """The UTC instant local ``day`` begins in ``tz``."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _search(query: str) -> ColumnElement[bool] | None:
    """Case-insensitive substring of the name, the username or the user id."""
    needle = query.strip().lstrip("@").lower()
    if not needle:
        return None
    return or_(func.lower(M.name).contains(needle, autoescape=True),
               M.username.contains(needle, autoescape=True),
               func.lower(M.user_id).contains(needle, autoescape=True))


def standing(role: int, left_at: datetime | None, since: datetime | None, messages: int,
             now: datetime, established_days: int, established_messages: int) -> str:
    """``moderator`` (role ≥ moderator), ``left``, ``newcomer`` (here < 7 days, or never wrote),
    ``established`` (here ≥ ``established_days`` with ≥ ``established_messages``), else
    ``member``; ``since`` is when the member joined (or was first seen)."""
    if role >= Role.MODERATOR:
        return "moderator"
    if left_at is not None:
        return "left"
    tenure = now - since if since is not None else timedelta(0)
    if tenure < timedelta(days=NEWCOMER_DAYS) or messages <= 0:
        return "newcomer"
    if tenure >= timedelta(days=established_days) and messages >= established_messages:
        return "established"
    return "member"


class InsightRepo:
    """Read-only queries for the dashboard; the caller owns the session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def overview(self, chats: Sequence[str], *, now: datetime, days: int = 30,
                       tz: tzinfo = UTC) -> Overview:
        """The last ``days`` local days of ``chats`` (in ``tz``), oldest first, zero-filled.

        - ``messages``: messages sent that local day (from the UTC-hour counts, so exact for
          zones with whole-hour offsets); ``hours``: the same messages by local hour of day;
        - ``active``: distinct users who wrote that day (``member_days``, recorded in each
          chat's zone, so ``tz`` should be the chats' zone); ``active_7d``: distinct users
          who wrote in the last 7 local days, today included;
        - ``joins`` / ``leaves``: memberships whose ``joined_at`` / ``left_at`` fall on the day
          (a member who joins two of the chats counts twice); ``members``: distinct users
          with a membership not left;
        - ``retention``: for N in 7 and 30, memberships that joined in the ``days`` days
          ending N days ago (``[now - days - N, now - N)``, so each had N days) and of
          them those not left, or left at least N days after joining.
        """
        chats = list(dict.fromkeys(chats))
        today = now.astimezone(tz).date()
        first = today - timedelta(days=days - 1)
        start = _start(first, tz)
        points = {first + timedelta(days=n): [0, 0, 0, 0] for n in range(days)}
        hours = [0] * 24
        rows = await self.session.execute(
            select(H.hour, func.sum(H.messages)).where(
                H.chat.in_(chats), H.hour >= start, H.hour <= now).group_by(H.hour))
        for hour, n in rows:
            local = hour.astimezone(tz)
            if local.date() in points:
                points[local.date()][0] += int(n)
                hours[local.hour] += int(n)
        rows = await self.session.execute(
            select(D.day, func.count(distinct(D.user_id))).where(
                D.chat.in_(chats), D.day >= first, D.day <= today).group_by(D.day))
        for day, n in rows:
            if day in points:
                points[day][1] = int(n)
        for column, slot in ((M.joined_at, 2), (M.left_at, 3)):
            for (moment,) in await self.session.execute(select(column).where(
                    M.chat.in_(chats), column >= start, column <= now)):
                local_day = moment.astimezone(tz).date() if moment is not None else None
                if local_day in points:
                    points[local_day][slot] += 1
        members = (await self.session.execute(select(func.count(distinct(M.user_id))).where(
            M.chat.in_(chats), M.left_at.is_(None)))).scalar_one()
        active = (await self.session.execute(select(func.count(distinct(D.user_id))).where(
            D.chat.in_(chats), D.day > today - timedelta(days=7), D.day <= today))).scalar_one()
        return Overview(
            chats=tuple(chats),
            days=tuple(DayPoint(day, *values) for day, values in points.items()),
            hours=tuple(hours), members=int(members), active_7d=int(active),
            retention=await self._retention(chats, now, days))

    async def _retention(self, chats: list[str], now: datetime, days: int
                         ) -> tuple[Cohort, ...]:
        oldest = now - timedelta(days=days + max(COHORTS))
        rows: list[tuple[datetime, datetime | None]] = [
            (joined, left) for joined, left in await self.session.execute(
                select(M.joined_at, M.left_at).where(
                    M.chat.in_(chats), M.joined_at >= oldest, M.joined_at < now))
            if joined is not None]
        cohorts = []
        for n in COHORTS:
            span = timedelta(days=n)
            lo, hi = now - timedelta(days=days) - span, now - span
            cohort = [(j, left) for j, left in rows if lo <= j < hi]
            stayed = sum(1 for j, left in cohort if left is None or left >= j + span)
            cohorts.append(Cohort(days=n, joined=len(cohort), stayed=stayed))
        return tuple(cohorts)

    async def members(self, chat: str, *, query: str = "", offset: int = 0, limit: int = 50,
                      now: datetime, inactive_before: datetime | None = None,
                      established_days: int = 14, established_messages: int = 50,
                      tz: tzinfo = UTC) -> MemberPage:
        """Members (present and left) matching ``query``, by points then messages (then id).

        ``warns`` counts active warns at ``now``; ``streak`` is the current check-in streak
        on the local day of ``now`` in ``tz``; ``review`` marks present non-moderators whose
        last message (or join, or first sight) is before ``inactive_before``. Four reads
        whatever the page size: the page, the total, warns and check-ins of its members.
        """
        points = (select(ContributionRow.user_id, func.sum(ContributionRow.points).label("p"))
                  .where(ContributionRow.chat == chat).group_by(ContributionRow.user_id)
                  .subquery())
        total_points = func.coalesce(points.c.p, 0.0)
        where: list[ColumnElement[bool]] = [M.chat == chat]
        found = _search(query)
        if found is not None:
            where.append(found)
        rows = (await self.session.execute(
            select(M.user_id, M.name, M.username, M.role, M.joined_at, M.first_seen, M.left_at,
                   M.last_seen, M.message_count, total_points)
            .outerjoin(points, points.c.user_id == M.user_id).where(*where)
            .order_by(total_points.desc(), M.message_count.desc(), M.user_id)
            .offset(max(0, offset)).limit(max(0, limit)))).all()
        total = (await self.session.execute(
            select(func.count()).select_from(M).where(*where))).scalar_one()
        users = [row[0] for row in rows]
        warns = await self._warns(chat, users, now)
        streaks = await self._streaks(chat, users, now.astimezone(tz).date())
        lines = []
        for user, name, username, role, joined, first, left, last, messages, score in rows:
            since = joined or first
            label = standing(role, left, since, messages, now, established_days,
                             established_messages)
            seen = last or since
            review = (inactive_before is not None and label not in ("moderator", "left")
                      and (seen is None or seen < inactive_before))
            lines.append(MemberLine(
                user=user, name=name, username=username, standing=label, points=float(score),
                streak=streaks.get(user, 0), warns=warns.get(user, 0), messages=messages,
                joined_at=joined, last_seen=last, review=review))
        return MemberPage(tuple(lines), int(total), query, offset)

    async def _warns(self, chat: str, users: list[str], now: datetime) -> dict[str, int]:
        if not users:
            return {}
        rows = await self.session.execute(
            select(WarnRow.user_id, func.count()).where(
                WarnRow.chat == chat, WarnRow.user_id.in_(users), WarnRow.revoked.is_(False),
                WarnRow.expires_at > now).group_by(WarnRow.user_id))
        return {user: int(n) for user, n in rows}

    async def _days(self, chat: str, users: list[str] | None, since: date
                    ) -> dict[str, list[date]]:
        query = select(CheckinRow.user_id, CheckinRow.day).where(
            CheckinRow.chat == chat, CheckinRow.day >= since)
        if users is not None:
            query = query.where(CheckinRow.user_id.in_(users))
        by_user: dict[str, list[date]] = {}
        for user, day in await self.session.execute(query):
            by_user.setdefault(user, []).append(day)
        return by_user

    async def _streaks(self, chat: str, users: list[str], today: date) -> dict[str, int]:
        if not users:
            return {}
        days = await self._days(chat, users, today - STREAK_HORIZON)
        return {user: streak_of(d, today).current for user, d in days.items()}

    async def checkins(self, chat: str, *, today: date, goal: int) -> CheckinBoard:
        """Everyone who ever checked in: current and best streak, total days, last day;
        ``completed`` when the best streak reached ``goal``. Sorted by current streak, then
        best, then total (then id); ``days``: check-ins on each of the last 30 days."""
        by_user = await self._days(chat, None, date.min)
        names = dict((await self.session.execute(select(M.user_id, M.name).where(
            M.chat == chat, M.user_id.in_(list(by_user))))).all()) if by_user else {}
        lines = []
        per_day = {today - timedelta(days=n): 0 for n in range(29, -1, -1)}
        for user, days in by_user.items():
            s = streak_of(days, today)
            lines.append(ChallengeLine(user, str(names.get(user) or ""), s.current, s.best,
                                       s.total, s.last_day, s.best >= goal))
            for day in set(days):
                if day in per_day:
                    per_day[day] += 1
        lines.sort(key=lambda ln: (-ln.streak, -ln.best, -ln.total, ln.user))
        return CheckinBoard(goal=goal, today=per_day[today], lines=tuple(lines),
                            days=tuple(DayPoint(day, n) for day, n in per_day.items()))

    async def log_page(self, chat: str, where: LogFilter, *,
                       kept: Mapping[int, str] | None = None,
                       reversible: Callable[[LogEntry], bool] | None = None) -> LogPage:
        """See ``storage.insights_log.log_page``."""
        return await log_page(self.session, chat, where, kept=kept, reversible=reversible)

    async def export_members(self, chat: str, now: datetime) -> tuple[list[str], list[list[str]]]:
        """Every member as on the members page (present and left), for CSV."""
        page = await self.members(chat, now=now, limit=1_000_000)
        header = ["user", "name", "username", "standing", "points", "streak", "warns",
                  "messages", "joined_at", "last_seen"]
        return header, [[m.user, m.name, m.username, m.standing, f"{m.points:g}", str(m.streak),
                         str(m.warns), str(m.messages), _iso(m.joined_at), _iso(m.last_seen)]
                        for m in page.lines]

    async def export_points(self, chat: str) -> tuple[list[str], list[list[str]]]:
        """Points per member: the total and one column per kind, highest total first."""
        rows = (await self.session.execute(
            select(ContributionRow.user_id, ContributionRow.kind,
                   func.sum(ContributionRow.points))
            .where(ContributionRow.chat == chat)
            .group_by(ContributionRow.user_id, ContributionRow.kind))).all()
        kinds = sorted({kind for _, kind, _ in rows})
        by_user: dict[str, dict[str, float]] = {}
        for user, kind, total in rows:
            by_user.setdefault(user, {})[kind] = float(total)
        names: dict[str, Any] = dict((await self.session.execute(
            select(MemberRow.user_id, MemberRow.name).where(MemberRow.chat == chat))).all())
        ordered = sorted(by_user.items(), key=lambda item: (-sum(item[1].values()), item[0]))
        return (["user", "name", "total", *kinds],
                [[user, str(names.get(user) or ""), f"{sum(p.values()):g}",
                  *(f"{p.get(kind, 0.0):g}" for kind in kinds)] for user, p in ordered])

    async def export_log(self, chat: str, limit: int = 10_000
                         ) -> tuple[list[str], list[list[str]]]:
        """See ``storage.insights_log.export_log``."""
        return await export_log(self.session, chat, limit)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""
