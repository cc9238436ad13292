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

from bot.adapters.telegram.fastpath import PlainMessage
from bot.adapters.telegram.intake import CAUSE, Intake
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.transport import AiohttpRequest
from bot.adapters.telegram.validate import update_id_of
from bot.faults import Faults
from bot.i18n import Text
from bot.journal_acks import Acks
from bot.ordering import PerKeyOrder

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class TolerantBot(ExtBot[None]):
    """An ExtBot whose getUpdates screens every raw update (``Intake``) before parsing it:
    python-telegram-bot parses a batch at once, so one odd update would fail the batch (and
    dump it, member texts included, into the log) forever."""

    __slots__ = ("_acks", "_intake", "_poll_read_timeout")

    def __init__(self, *args: Any, intake: Intake | None = None, poll_read_timeout: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._intake = intake or Intake()
        self._poll_read_timeout = poll_read_timeout
        #: what is durable: getUpdates confirms nothing past it (None: confirm on receipt)
        self._acks: Acks | None = None

    @property
    def intake(self) -> Intake:
        return self._intake

    @property
    def acks(self) -> Acks | None:
        return self._acks

    def acknowledge_by(self, acks: Acks | None) -> None:
        """Confirm updates by ``acks`` (only what is durable) instead of on receipt."""
        self._acks = acks

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
        acks = self.acks
        # confirm only what is durable: an update handed on but not yet durable is offered
        # again by Telegram (a restart then handles it); here such repeats are dropped
        sent = acks.offset(offset) if acks is not None and offset is not None else offset
        data: JSONDict = {"timeout": timeout, "offset": sent, "limit": limit,
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
        if acks is not None and acks.journal is not None:
            await acks.journal.received(result)  # on disk before the next call confirms it
        if acks is not None and offset is not None and sent != offset:
            fresh = [raw for raw in result if (update_id_of(raw) or offset) >= offset]
            if result and not fresh:  # only repeats: wait until acknowledgement moves
                await acks.moved(max(1.0, min(wait, 5.0)))
            result = fresh
        updates = self.intake.batch(result, self)
        for update in updates:
            self.insert_callback_data(update)
            if acks is not None:
                acks.begin(update.update_id)
        return updates


_FETCHER = "_Application__update_fetcher_task"  # PTB keeps the task in a private slot


class GuardedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application whose update task survives any update: python-telegram-bot lets an
    exception outside the handlers (``unhashable type`` while marking persistence) end the
    task that reads the queue, after which updates are acknowledged and never handled."""

    faults: Faults | None = None
    #: updates in flight, in order per chat and concurrent across chats (set when built)
    lanes: PerKeyOrder | None = None
    #: our one handler, called straight: its only handler is a TypeHandler(Update) that reads
    #: no context, and python-telegram-bot's dispatch (handler groups, a CallbackContext per
    #: update) cost about as much as our whole intake; a burst's 500 updates took ~50 ms of it
    #: before another chat's message behind them was reached (issue 15)
    direct: Callable[[Update], Awaitable[None]] | None = None

    async def process_update(self, update: object) -> None:
        try:
            if self.direct is not None and isinstance(update, Update):
                await self.direct(update)
            else:
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
    def request(read_timeout: float) -> AiohttpRequest:
        return AiohttpRequest(
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


def lanes_of(update: Update) -> tuple[str, ...]:
    """The lanes an update waits in: its chat (a chat's updates in order), else its sender;
    a group's migration to a supergroup waits in both chats' lanes."""
    if isinstance(update, PlainMessage):
        return (f"c{update.chat_id}",)
    chat = update.effective_chat
    if chat is None:
        user = update.effective_user
        return (f"u{user.id}" if user is not None else "-",)
    message = update.message
    other = message and (message.migrate_to_chat_id or message.migrate_from_chat_id)
    return (f"c{chat.id}", f"c{other}") if other else (f"c{chat.id}",)


def build_application(
    bot: TolerantBot, process: Callable[[Update], Awaitable[None]], *, polling: bool,
    in_flight: int = 1000, acks: Acks | None = None,
) -> AnyApplication:
    """The Application; its one handler hands each update to a per-chat lane and returns, so
    chats are handled concurrently (a chat's updates in order) and at most ``in_flight``
    updates wait (the update queue waits behind them: backpressure). With ``acks``, an
    update is acknowledged only once it is durable."""
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().application_class(GuardedApplication).bot(bot))
    if not polling:
        builder = builder.updater(None)
    application: AnyApplication = builder.build()
    lanes = PerKeyOrder(in_flight, what="telegram update")
    bot.acknowledge_by(acks)
    if isinstance(application, GuardedApplication):
        application.faults = bot.intake.faults
        application.lanes = lanes

    async def submit(update: Update) -> None:
        async def job() -> None:
            try:
                await process(update)
            finally:
                if acks is not None:
                    acks.end(update.update_id)

        key, *also = lanes_of(update)
        await lanes.put(key, job, *also)

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await submit(update)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        ident = update.update_id if isinstance(update, Update) else "?"
        bot.intake.faults.note("telegram.handler", "telegram update %s: handler error %s",
                               ident, type(context.error).__name__, level=logging.ERROR)

    if isinstance(application, GuardedApplication):
        application.direct = submit
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


def replay(application: AnyApplication) -> int:
    """Queue the journaled updates a crash left unfinished (before any new one); returns how
    many. The ledger skips those whose effects were already stored."""
    bot = application.bot
    acks = bot.acks if isinstance(bot, TolerantBot) else None
    if acks is None or acks.journal is None or not isinstance(bot, TolerantBot):
        return 0
    count = 0
    for raw in acks.journal.pending():
        update = bot.intake.parse(raw, bot)
        if update is not None:
            acks.begin(update.update_id)
            application.update_queue.put_nowait(update)
            count += 1
    if count:
        log.warning("telegram: replaying %d journaled updates not finished before a stop", count)
    return count


async def start(application: AnyApplication, settings: TelegramSettings, secret: str) -> None:
    """Initialise (getMe), replay the journal, then poll or set the webhook, then dispatch."""
    bot = application.bot
    replay(application)
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
    lanes = getattr(application, "lanes", None)
    if isinstance(lanes, PerKeyOrder):
        await lanes.drain()
    if application.running:
        await application.stop()
    await application.shutdown()
