"""The webhook endpoint on our aiohttp server: secret header checked, updates queued once."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.adapters.telegram.runner import AnyApplication, TolerantBot

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DURABLE_WITHIN = 50.0  # seconds; Telegram gives up on a webhook call after about 60


def webhook_handler(
    secret: Callable[[], str], application: Callable[[], AnyApplication | None]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """401 without the secret header, 403 with a wrong one, 400 for a body that is not UTF-8
    JSON (Telegram never sends one); 200 for an update, also a malformed one (counted, logged
    in one line and acknowledged, so that it is not redelivered)."""

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not hmac.compare_digest(given.encode(), secret().encode()):
            return web.Response(status=403, text="wrong secret token")
        app = application()
        if app is None or not app.running:
            return web.Response(status=503, text="not started")
        bot = app.bot
        assert isinstance(bot, TolerantBot)
        try:
            data = json.loads((await request.read()).decode("utf-8"))
        except ValueError:  # UnicodeDecodeError included
            bot.intake.meter.malformed_update("tg", "telegram.webhook_body")
            bot.intake.faults.note("telegram.webhook_body",
                                   "telegram webhook: a body that is not UTF-8 JSON (400)")
            return web.Response(status=400, text="body is not UTF-8 JSON")
        update = bot.intake.parse(data, bot)
        if update is None:
            return web.Response(status=200)
        acks = bot.acks
        if acks is not None and acks.journal is not None:
            await acks.journal.received([data])  # on disk: 200, replayed after a crash
            acks.begin(update.update_id)
        if acks is None or acks.journal is not None:
            await app.update_queue.put(update)
            return web.Response(status=200)
        acks.begin(update.update_id)  # 200 only once its effects are durable
        durable = acks.durable(update.update_id)
        await app.update_queue.put(update)
        try:
            async with asyncio.timeout(DURABLE_WITHIN):
                await asyncio.shield(durable)
        except TimeoutError:
            return web.Response(status=503, text="not yet durable; deliver again")
        return web.Response(status=200)

    return handle
