"""Which language a browser page speaks: ``?lang=``, a remembered choice, Accept-Language."""

from __future__ import annotations

from aiohttp import web


def page_language(request: web.Request, *, remembered: str = "") -> str:
    """``?lang=`` wins, then ``remembered`` (a cookie), then Accept-Language (Chinese first)."""
    for asked in (request.query.get("lang", ""), remembered):
        if asked in ("en", "zh"):
            return asked
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"
