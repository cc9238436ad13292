"""A chat's pages: overview, members, check-ins, moderation, waitlist, config and CSV export."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.desk import Desk, LogFilter

from .session import Session, language

if TYPE_CHECKING:
    from .server import Dashboard

Page = Callable[[web.Request, Session, str], Awaitable[web.StreamResponse]]
TABLES = ("members", "points", "log")
VERBS = ("undo", "keep")
QUEUE_VERBS = ("admit", "skip")


def _int(value: str, default: int = 0) -> int:
    try:
        return max(0, int(value))
    except ValueError:
        return default


class ChatPages:
    """Every page checks the session, then the viewer's rights in that chat, per request."""

    def __init__(self, desk: Desk, dashboard: Dashboard) -> None:
        self.desk = desk
        self.dashboard = dashboard

    @staticmethod
    def url(chat: str, page: str = "") -> str:
        return f"/dashboard/c/{quote(chat, safe='')}/{page}"

    def install(self, router: web.UrlDispatcher) -> None:
        base = "/dashboard/c/{chat}/"
        router.add_get(base, self._guarded(self.overview))
        router.add_get(base + "members", self._guarded(self.members))
        router.add_get(base + "checkins", self._guarded(self.checkins))
        router.add_get(base + "moderation", self._guarded(self.moderation))
        router.add_post(base + "moderation/{entry:\\d+}/{verb}", self._guarded(self.decide))
        router.add_get(base + "waitlist", self._guarded(self.waitlist))
        router.add_post(base + "waitlist/{user}/{verb}", self._guarded(self.queue))
        router.add_get(base + "config", self._guarded(self.config))
        router.add_get(base + "export/{table}.csv", self._guarded(self.export))
        router.add_get("/dashboard/n/{network}/", self.network)

    def _guarded(self, page: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            session = self.dashboard.sessions.of(request)
            if session is None:
                return self.dashboard.refuse(request, "refused_session", status=401)
            chat = request.match_info["chat"]
            if not await self.desk.may_moderate(session.viewer, chat):
                return self.dashboard.refuse(request, "refused_chat")
            if request.method == "POST":
                form = await request.post()
                if not self.dashboard.sessions.check_csrf(request, session,
                                                          str(form.get("csrf", ""))):
                    return self.dashboard.refuse(request, "refused_form")
            return await page(request, session, chat)

        return handler

    def _page(self, request: web.Request, session: Session, chat: str, template: str,
              **values: Any) -> web.Response:
        return self.dashboard.render(request, template, session=session, chat=chat,
                                     url=self.url, tab=template.removesuffix(".html"),
                                     flash=request.query.get("msg", "")[:300], **values)

    # pages ---------------------------------------------------------------------------------

    async def overview(self, request: web.Request, session: Session,
                       chat: str) -> web.StreamResponse:
        return await self._overview(request, session, chat, (chat,))

    async def _overview(self, request: web.Request, session: Session, chat: str,
                        chats: tuple[str, ...]) -> web.Response:
        from bot import charts

        lang = language(request)
        days = 30 if request.query.get("days") != "7" else 7
        data = await self.desk.overview(chats, days)
        activity, hours = await asyncio.gather(
            asyncio.to_thread(charts.activity_svg, data.days, lang),
            asyncio.to_thread(charts.hours_svg, data.hours, lang))
        return self._page(request, session, chat, "overview.html", data=data,
                          activity=activity, hours=hours, span=days,
                          totals={"messages": sum(d.messages for d in data.days),
                                  "joins": sum(d.joins for d in data.days),
                                  "leaves": sum(d.leaves for d in data.days)})

    async def network(self, request: web.Request) -> web.StreamResponse:
        session = self.dashboard.sessions.of(request)
        if session is None:
            return self.dashboard.refuse(request, "refused_session", status=401)
        name = request.match_info["network"]
        cards = [c for c in await self.desk.chats(session.viewer) if c.network == name]
        if not cards:
            return self.dashboard.refuse(request, "refused_chat")
        return await self._overview(request, session, cards[0].chat,
                                    tuple(c.chat for c in cards))

    async def members(self, request: web.Request, session: Session,
                      chat: str) -> web.StreamResponse:
        query = request.query.get("q", "")[:100]
        page = await self.desk.members(chat, query, _int(request.query.get("offset", "0")))
        return self._page(request, session, chat, "members.html", page=page)

    async def checkins(self, request: web.Request, session: Session,
                       chat: str) -> web.StreamResponse:
        from bot import charts

        board = await self.desk.checkins(chat)
        chart = await asyncio.to_thread(charts.checkins_svg, board.days, language(request))
        return self._page(request, session, chat, "checkins.html", board=board, chart=chart)

    async def moderation(self, request: web.Request, session: Session,
                         chat: str) -> web.StreamResponse:
        q = request.query
        before = _int(q.get("before", ""), 0) or None
        where = LogFilter(action=q.get("action", "")[:16], symbol=q.get("symbol", "")[:64],
                          user=q.get("user", "")[:64],
                          shadow=True if q.get("shadow") == "1" else None, before=before)
        page = await self.desk.moderation(chat, where)
        older = None
        if page.more is not None:
            kept = {k: v for k, v in q.items() if k in ("action", "symbol", "user", "shadow")}
            older = "?" + urlencode({**kept, "before": page.more})
        return self._page(request, session, chat, "moderation.html", page=page, where=where,
                          older=older)

    async def decide(self, request: web.Request, session: Session,
                     chat: str) -> web.StreamResponse:
        verb, entry = request.match_info["verb"], int(request.match_info["entry"])
        if verb not in VERBS:
            raise web.HTTPNotFound()
        act = self.desk.undo if verb == "undo" else self.desk.keep
        done = await act(session.viewer, chat, entry, language(request))
        raise web.HTTPSeeOther(self.url(chat, "moderation") + "?" + urlencode(
            {"msg": done.message}) + f"#e{entry}")

    async def waitlist(self, request: web.Request, session: Session,
                       chat: str) -> web.StreamResponse:
        return self._page(request, session, chat, "waitlist.html",
                          waitlist=await self.desk.waitlist(chat))

    async def queue(self, request: web.Request, session: Session,
                    chat: str) -> web.StreamResponse:
        verb, user = request.match_info["verb"], request.match_info["user"]
        if verb not in QUEUE_VERBS:
            raise web.HTTPNotFound()
        act = self.desk.admit if verb == "admit" else self.desk.skip
        done = await act(session.viewer, chat, user, language(request))
        raise web.HTTPSeeOther(self.url(chat, "waitlist") + "?" + urlencode(
            {"msg": done.message}))

    async def config(self, request: web.Request, session: Session,
                     chat: str) -> web.StreamResponse:
        return self._page(request, session, chat, "config.html",
                          view=await self.desk.config(chat))

    async def export(self, request: web.Request, session: Session,
                     chat: str) -> web.StreamResponse:
        table = request.match_info["table"]
        if table not in TABLES:
            raise web.HTTPNotFound()
        header, rows = await self.desk.export(chat, table)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        safe = "".join(ch if ch.isalnum() else "_" for ch in chat)
        return web.Response(
            body=("\ufeff" + out.getvalue()).encode("utf-8"),  # BOM: Excel opens it as UTF-8
            content_type="text/csv", charset="utf-8", headers={
                "Content-Disposition": f'attachment; filename="{safe}-{table}.csv"',
                "Cache-Control": "no-store"})
