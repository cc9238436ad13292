"""The dashboard's routes: one-time login links, the session, the chat list and the chat pages."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.desk import Desk, Viewer
from bot.signing import Signer, read_ticket

from .pages import ChatPages
from .session import Session, Sessions, language, remember_language
from .texts import tr

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                         autoescape=jinja2.select_autoescape(["html"]),
                         trim_blocks=True, lstrip_blocks=True)
#: Pages are private and never framed; no page needs another site's script.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # a login link's token never leaves in a Referer
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'",
}

Claim = Callable[[str], Awaitable[bool]]


class Dashboard:
    """Routes under ``/dashboard/`` on the composition root's aiohttp application.

    ``claim(nonce)`` records a login link's nonce atomically (True the first time only), so a
    link opens once across restarts and workers.
    """

    def __init__(self, desk: Desk, signer: Signer, sessions: Sessions, claim: Claim) -> None:
        self.desk = desk
        self.signer = signer
        self.sessions = sessions
        self.claim = claim
        self.pages = ChatPages(desk, self)

    def install(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/dashboard", self.root)
        r.add_get("/dashboard/", self.index)
        r.add_get("/dashboard/login", self.login_page)
        r.add_post("/dashboard/login", self.login)
        r.add_post("/dashboard/logout", self.logout)
        r.add_static("/dashboard/static/", HERE / "static", name="dashboard-static")
        self.pages.install(r)

    # rendering -----------------------------------------------------------------------------

    def render(self, request: web.Request, template: str, *, status: int = 200,
               session: Session | None = None, **values: Any) -> web.Response:
        lang = language(request)

        def _(key: str, **kw: object) -> str:
            return tr(key, lang, **kw)

        html = ENV.get_template(template).render(
            _=_, lang=lang, session=session, path=request.path, **values)
        response = web.Response(text=html, content_type="text/html", charset="utf-8",
                                status=status, headers=HEADERS)
        remember_language(request, response)
        return response

    def refuse(self, request: web.Request, why: str, status: int = 403) -> web.Response:
        return self.render(request, "refused.html", status=status, why=why)

    # the session ---------------------------------------------------------------------------

    async def viewer(self, request: web.Request) -> Session | None:
        return self.sessions.of(request)

    async def root(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/dashboard/")

    async def login_page(self, request: web.Request) -> web.Response:
        """The link opens a page with one button: link previews (GET) never spend the link."""
        token = request.query.get("t", "")
        ticket = read_ticket(self.signer, token) if token else None
        if ticket is None:
            return self.refuse(request, "refused_link")
        return self.render(request, "login.html", token=token,
                           name=ticket.name or ticket.user)

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        token = str(form.get("t", ""))
        ticket = read_ticket(self.signer, token) if token else None
        if ticket is None or not await self.claim(ticket.nonce):
            log.info("dashboard: refused a login link (expired, reused or forged)")
            return self.refuse(request, "refused_link")
        viewer = Viewer(ticket.user, ticket.name, ticket.owner)
        if not viewer.owner and not await self.desk.chats(viewer):
            return self.refuse(request, "no_chats")
        target = "/dashboard/"
        if ticket.chat and await self.desk.may_moderate(viewer, ticket.chat):
            target = self.pages.url(ticket.chat)
        response = web.Response(status=303, headers={"Location": target,
                                                     "Cache-Control": "no-store"})
        self.sessions.start(response, viewer)
        log.info("dashboard: %s logged in", viewer.user)
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        session = self.sessions.of(request)
        form = await request.post()
        if session is not None and not self.sessions.check_csrf(
                request, session, str(form.get("csrf", ""))):
            return self.refuse(request, "refused_form")
        response = web.Response(status=303, headers={"Location": "/dashboard/"})
        self.sessions.end(response)
        return response

    async def index(self, request: web.Request) -> web.Response:
        session = self.sessions.of(request)
        if session is None:
            return self.refuse(request, "refused_session", status=401)
        chats = await self.desk.chats(session.viewer)
        networks = sorted({c.network for c in chats if c.network})
        return self.render(request, "index.html", session=session, chats=chats,
                           networks=networks, url=self.pages.url)
