"""The python-telegram-bot side: a bot that skips unparsable updates, the Application, and
its lifecycle in polling or webhook mode."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import BotCommand, Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, TypeHandler
from telegram.request import HTTPXRequest

from bot.adapters.telegram.settings import TelegramSettings
from bot.i18n import Text

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def parse_update(data: object, bot: ExtBot[None] | None) -> Update | None:
    """One raw update dict → Update; an unparsable one is logged and reduced to its id
    (so that polling moves past it) or dropped when it has none."""
    if not isinstance(data, dict):
        log.warning("skipping a telegram update that is not an object: %r", data)
        return None
    try:
        return Update.de_json(data, bot)
    except Exception as exc:
        update_id = data.get("update_id")
        log.warning("skipping malformed telegram update %r: %s", update_id, exc)
        return Update(update_id) if isinstance(update_id, int) else None


class TolerantBot(ExtBot[None]):
    """An ExtBot whose getUpdates survives one malformed update in a batch.

    python-telegram-bot parses a batch at once: one bad update would fail the batch forever.
    """

    __slots__ = ("_last_raw",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_raw: list[object] = []

    async def _post(
        self,
        endpoint: str,
        data: JSONDict | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> Any:
        result = await super()._post(
            endpoint, data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout, api_kwargs=api_kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            self._last_raw = result
        return result

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
        self._last_raw = []
        try:
            return await super().get_updates(
                offset, limit, timeout, allowed_updates, read_timeout=read_timeout,
                write_timeout=write_timeout, connect_timeout=connect_timeout,
                pool_timeout=pool_timeout, api_kwargs=api_kwargs)
        except TelegramError:
            raise
        except Exception:
            if not self._last_raw:
                raise
            parsed = (parse_update(item, self) for item in self._last_raw)
            return tuple(u for u in parsed if u is not None)


def build_bot(settings: TelegramSettings) -> TolerantBot:
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
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        request=request(settings.read_timeout),
        get_updates_request=request(settings.read_timeout),
    )


def build_application(
    bot: TolerantBot, process: Callable[[Update], Awaitable[None]], *, polling: bool
) -> AnyApplication:
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = ApplicationBuilder().bot(bot)
    if not polling:
        builder = builder.updater(None)
    application: AnyApplication = builder.build()

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await process(update)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram handler error for %r", update, exc_info=context.error)

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
