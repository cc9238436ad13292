"""The python-telegram-bot side: a bot that screens raw updates, an Application whose update
task survives any update, and their lifecycle in polling or webhook mode."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, TypeHandler
from telegram.request import HTTPXRequest

from bot.adapters.telegram.intake import CAUSE, Intake
from bot.adapters.telegram.settings import TelegramSettings
from bot.faults import Faults
from bot.i18n import Text

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class TolerantBot(ExtBot[None]):
    """An ExtBot whose getUpdates screens every raw update (``Intake``) before parsing it:
    python-telegram-bot parses a batch at once, so one odd update would fail the batch (and
    dump it, member texts included, into the log) forever."""

    __slots__ = ("_intake", "_poll_read_timeout")

    def __init__(self, *args: Any, intake: Intake | None = None, poll_read_timeout: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._intake = intake or Intake()
        self._poll_read_timeout = poll_read_timeout

    @property
    def intake(self) -> Intake:
        return self._intake

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,  # noqa: ASYNC109 (the PTB signature)
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        data: JSONDict = {"timeout": timeout, "offset": offset, "limit": limit,
                          "allowed_updates": allowed_updates}
        base = self._poll_read_timeout if isinstance(read_timeout, DefaultValue) \
            else read_timeout or 0.0
        wait = timeout.total_seconds() if isinstance(timeout, timedelta) else (timeout or 0)
        result = await self._post(
            "getUpdates", data, read_timeout=base + wait, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout, api_kwargs=api_kwargs)
        if not isinstance(result, list):
            self.intake.faults.note(CAUSE, "telegram getUpdates answered a %s, not a list",
                                    type(result).__name__)
            return ()
        updates = self.intake.batch(result, self)
        for update in updates:
            self.insert_callback_data(update)
        return updates


_FETCHER = "_Application__update_fetcher_task"  # PTB keeps the task in a private slot


class GuardedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application whose update task survives any update: python-telegram-bot lets an
    exception outside the handlers (``unhashable type`` while marking persistence) end the
    task that reads the queue, after which updates are acknowledged and never handled."""

    faults: Faults | None = None

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        except Exception as exc:
            ident = update.update_id if isinstance(update, Update) else "?"
            faults = self.faults or Faults()
            faults.note("telegram.process", "telegram update %s could not be processed: %s",
                        ident, type(exc).__name__, level=logging.ERROR)

    async def restart_update_task(self) -> None:
        """Replace the task that reads the update queue (dead or stuck), keeping what waits
        in the queue (the old task drops the queue when it ends)."""
        queue: asyncio.Queue[object] = self.update_queue
        waiting: list[object] = []
        while not queue.empty():
            waiting.append(queue.get_nowait())
            queue.task_done()
        old: asyncio.Task[None] | None = getattr(self, _FETCHER, None)
        if old is not None and not old.done():
            old.cancel()
            with contextlib.suppress(BaseException):
                await old
        elif old is not None and not old.cancelled():
            old.exception()  # retrieved: reported by the watchdog, not again at shutdown
        for item in waiting:
            queue.put_nowait(item)
        setattr(self, _FETCHER, asyncio.create_task(
            self._update_fetcher(), name=f"Application:{self.bot.id}:update_fetcher"))


def build_bot(settings: TelegramSettings, intake: Intake | None = None) -> TolerantBot:
    def request(read_timeout: float) -> HTTPXRequest:
        return HTTPXRequest(
            connection_pool_size=settings.connection_pool_size,
            connect_timeout=settings.connect_timeout,
            read_timeout=read_timeout,
            write_timeout=settings.write_timeout,
            pool_timeout=settings.pool_timeout,
        )

    return TolerantBot(
        settings.token,
        intake=intake,
        poll_read_timeout=settings.read_timeout,
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        request=request(settings.read_timeout),
        get_updates_request=request(settings.read_timeout),
    )


def build_application(
    bot: TolerantBot, process: Callable[[Update], Awaitable[None]], *, polling: bool
) -> AnyApplication:
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().application_class(GuardedApplication).bot(bot))
    if not polling:
        builder = builder.updater(None)
    application: AnyApplication = builder.build()
    if isinstance(application, GuardedApplication):
        application.faults = bot.intake.faults

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await process(update)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        ident = update.update_id if isinstance(update, Update) else "?"
        bot.intake.faults.note("telegram.handler", "telegram update %s: handler error %s",
                               ident, type(context.error).__name__, level=logging.ERROR)

    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    return application


async def register_commands(bot: ExtBot[None], commands: Sequence[tuple[str, Text]]) -> None:
    """setMyCommands for the default language (English) and for Chinese users."""
    if not commands:
        return
    for lang, code in (("en", None), ("zh", "zh")):
        listed = [BotCommand(name, text.render(lang)) for name, text in commands]
        try:
            await bot.set_my_commands(listed, language_code=code)
        except TelegramError as exc:
            log.warning("setMyCommands(%s) failed: %s", code or "default", exc)


async def start(application: AnyApplication, settings: TelegramSettings, secret: str) -> None:
    """Initialise (getMe), then poll or set the webhook, then start dispatching."""
    bot = application.bot
    if settings.mode == "polling":
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=settings.poll_interval,
            timeout=int(settings.poll_timeout),
            allowed_updates=list(settings.allowed_updates),
            drop_pending_updates=settings.drop_pending_updates,
            error_callback=lambda exc: log.warning("telegram polling error: %s", exc),
        )
    else:
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=secret,
            allowed_updates=list(settings.allowed_updates),
            drop_pending_updates=settings.drop_pending_updates,
        )
    await application.start()


async def stop(application: AnyApplication) -> None:
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
