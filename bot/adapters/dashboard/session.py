"""The dashboard's browser session: a signed HttpOnly cookie, its CSRF token and the language."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.adapters.language import page_language
from bot.desk import Viewer
from bot.signing import Signer

COOKIE = "qunguan_session"
LANG_COOKIE = "qunguan_lang"
SESSION = "session"


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in browser: who, and the token its forms must echo (CSRF)."""

    viewer: Viewer
    csrf: str


class Sessions:
    """Issues and reads session cookies; ``secure`` when the public address is https."""

    def __init__(self, signer: Signer, *, ttl: timedelta, secure: bool) -> None:
        self.signer = signer
        self.ttl = ttl
        self.secure = secure

    def start(self, response: web.StreamResponse, viewer: Viewer) -> Session:
        session = Session(viewer, secrets.token_urlsafe(16))
        payload = {"u": viewer.user, "nm": viewer.name, "o": int(viewer.owner),
                   "x": session.csrf}
        response.set_cookie(COOKIE, self.signer.sign(SESSION, payload, self.ttl),
                            max_age=int(self.ttl.total_seconds()), path="/dashboard",
                            httponly=True, samesite="Lax", secure=self.secure)
        return session

    @staticmethod
    def end(response: web.StreamResponse) -> None:
        response.del_cookie(COOKIE, path="/dashboard")

    def of(self, request: web.Request) -> Session | None:
        """The request's session, or None (no cookie, forged, expired or malformed)."""
        token = request.cookies.get(COOKIE, "")
        data = self.signer.read(SESSION, token) if token else None
        if data is None:
            return None
        user, csrf = data.get("u"), data.get("x")
        if not isinstance(user, str) or not isinstance(csrf, str) or not user:
            return None
        return Session(Viewer(user, str(data.get("nm", "")), bool(data.get("o"))), csrf)

    @staticmethod
    def check_csrf(request: web.Request, session: Session, sent: str) -> bool:
        """A form's token matches the session's, and the browser says it came from here."""
        origin = request.headers.get("Origin")
        if origin and origin not in ("null", f"{request.scheme}://{request.host}") \
                and not _same_host(origin, request.host):
            return False
        return hmac.compare_digest(sent.encode(), session.csrf.encode())


def _same_host(origin: str, host: str) -> bool:
    """Behind a TLS-terminating proxy the scheme differs; the host must still match."""
    return origin.split("://", 1)[-1] == host


def language(request: web.Request) -> str:
    """``?lang=`` wins, then the language cookie, then Accept-Language (Chinese first)."""
    return page_language(request, remembered=request.cookies.get(LANG_COOKIE, ""))


def remember_language(request: web.Request, response: web.StreamResponse) -> None:
    asked = request.query.get("lang", "")
    if asked in ("en", "zh") and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(LANG_COOKIE, asked, path="/dashboard", samesite="Lax",
                            max_age=365 * 86400)
