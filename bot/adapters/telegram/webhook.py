"""The webhook endpoint on our aiohttp server: secret header checked, updates queued once."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Update

from bot.adapters.telegram.runner import AnyApplication, parse_update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_handler(
    secret: Callable[[], str], application: Callable[[], AnyApplication | None]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """401 without the secret header, 403 with a wrong one; 200 for anything else accepted
    (a malformed update is logged and acknowledged so Telegram does not redeliver it)."""

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not hmac.compare_digest(given.encode(), secret().encode()):
            return web.Response(status=403, text="wrong secret token")
        app = application()
        if app is None or not app.running:
            return web.Response(status=503, text="not started")
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            log.warning("telegram webhook: body is not JSON; skipped")
            return web.Response(status=200)
        update = parse_update(data, app.bot)
        if isinstance(update, Update):
            await app.update_queue.put(update)
        return web.Response(status=200)

    return handle
