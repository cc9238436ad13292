"""The Telegram adapter: python-telegram-bot in, neutral events out, Bot API calls back."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence

from aiohttp import web
from telegram import ChatMember
from telegram.error import BadRequest, NetworkError

from bot.adapters.telegram import runner
from bot.adapters.telegram.admins import AdminCache
from bot.adapters.telegram.faults import Caller
from bot.adapters.telegram.gateway import TelegramGateway, raw_id
from bot.adapters.telegram.images import PhotoFetcher
from bot.adapters.telegram.intake import Intake
from bot.adapters.telegram.mapping import MapContext, map_update
from bot.adapters.telegram.processor import UpdateProcessor
from bot.adapters.telegram.settings import ALLOWED_UPDATES, TelegramSettings
from bot.adapters.telegram.watchdog import Watchdog
from bot.adapters.telegram.webhook import SECRET_HEADER, webhook_handler
from bot.faults import Faults
from bot.metrics import Meter
from bot.ports import EventSink

log = logging.getLogger(__name__)


class TelegramAdapter:
    """Owns the PTB Application, the admin cache, the gateway and the webhook route.

    Construction makes no network call; ``start`` does (getMe, setMyCommands, polling or
    setWebhook).
    """

    def __init__(self, settings: TelegramSettings, sink: EventSink,
                 faults: Faults | None = None) -> None:
        self.settings = settings
        self.faults = faults or getattr(sink, "faults", None) or Faults()
        #: counters for ``/metrics``: the dispatcher's when it has them
        self.meter: Meter = getattr(sink, "meter", None) or Meter()
        self.intake = Intake(self.faults, self.meter)
        self.bot = runner.build_bot(settings, self.intake)
        self.gateway = TelegramGateway(self.bot, Caller(
            max_retries=settings.max_retries, max_retry_after=settings.max_retry_after,
            backoff_base=settings.backoff_base, meter=self.meter))
        self.admins = AdminCache(self._fetch_admins, ttl=settings.admin_cache_ttl)
        self.secret = settings.webhook_secret or secrets.token_urlsafe(32)
        self.photos = PhotoFetcher(self.bot, max_bytes=settings.qr_max_bytes,
                                   timeout=settings.image_timeout)
        self.processor = UpdateProcessor(sink, self.gateway, self.admins,
                                         MapContext(moderators=settings.moderators),
                                         self.photos, self.faults)
        self.application = runner.build_application(
            self.bot, self.processor, polling=settings.mode == "polling",
            acks=getattr(sink, "acks", None))
        self.watchdog = Watchdog(lambda: self.intake.accepted, lambda: self.processor.handled,
                                 self._restart_updates, stall=settings.stall_seconds,
                                 faults=self.faults)
        self._started = False

    async def _fetch_admins(self, chat_id: int) -> Sequence[ChatMember]:
        return await self.bot.get_chat_administrators(chat_id)

    def install(self, app: web.Application) -> None:
        """Add the webhook route to our aiohttp server (webhook mode only)."""
        if self.settings.mode != "webhook":
            return
        app.router.add_post(self.settings.webhook_path, webhook_handler(
            lambda: self.secret, lambda: self.application if self._started else None))

    async def start(self) -> None:
        await self._initialize()
        self.processor.context = MapContext(
            self.bot.username or "", self.admins.role, self.settings.moderators)
        await runner.register_commands(self.bot, self.settings.commands)
        await runner.start(self.application, self.settings, self.secret)
        self.watchdog.start()
        self._started = True
        log.info("telegram adapter started as @%s (%s)", self.bot.username, self.settings.mode)

    async def _initialize(self) -> None:
        """getMe, retried with bounded backoff while the network (or Bot API server) is down;
        a wrong token fails at once."""
        for attempt in range(self.settings.max_retries + 1):
            try:
                await self.application.initialize()
                return
            except NetworkError as exc:
                if isinstance(exc, BadRequest) or attempt == self.settings.max_retries:
                    raise
                delay = self.settings.backoff_base * 2**attempt
                log.warning("telegram: cannot reach the Bot API (%s); retrying in %.1fs",
                            exc, delay)
                await asyncio.sleep(delay)

    async def _restart_updates(self) -> None:
        application = self.application
        if isinstance(application, runner.GuardedApplication) and application.running:
            await application.restart_update_task()

    async def stop(self) -> None:
        self._started = False
        await self.watchdog.stop()
        try:
            await runner.stop(self.application)
        finally:
            self.photos.close()

    async def is_admin(self, chat: str, user: str, right: str | None = None) -> bool:
        """Whether ``user`` may moderate ``chat``: YAML moderators always (they act through the
        bot); the owner; administrators holding ``right`` (e.g. ``can_restrict_members``) or
        any admin when ``right`` is None; anonymous admins (the chat itself as sender)."""
        if user in self.settings.moderators:
            return True
        try:
            chat_id, user_id = raw_id(chat), raw_id(user)
        except ValueError:
            return False
        await self.admins.ensure(chat_id)
        if user_id == chat_id:
            return self.admins.anonymous_has_right(chat_id, right)
        return self.admins.has_right(chat_id, user_id, right)

    async def member_count(self, chat: str) -> int:
        """The group's size as Telegram counts it (capacity starts from it; a bot cannot
        list an existing group's members)."""
        return int(await self.bot.get_chat_member_count(raw_id(chat)))


__all__ = [
    "ALLOWED_UPDATES",
    "SECRET_HEADER",
    "TelegramAdapter",
    "TelegramGateway",
    "TelegramSettings",
    "map_update",
]
