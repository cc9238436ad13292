"""Which adapters run: Telegram when a token is set, OneBot entries, and the local playground."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from aiohttp import web

from bot.config import LoadedConfig
from bot.gateway import ChatGateway
from handlers.services import Services

log = logging.getLogger(__name__)


class Adapter(Protocol):
    """What every platform adapter offers the composition root."""

    @property
    def gateway(self) -> ChatGateway: ...

    def install(self, app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def telegram_adapter(config: LoadedConfig, services: Services, token: str,
                     env: Mapping[str, str]) -> Adapter:
    from bot.adapters.telegram import TelegramAdapter
    from bot.adapters.telegram.settings import TelegramSettings
    from handlers.commands import command_menu

    tg = config.app.telegram
    moderators = {m for p in (config.default, *config.chats.values()) for m in p.moderators}
    settings = TelegramSettings(
        token=token,
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        mode=tg.mode,
        webhook_url=tg.webhook_url,
        webhook_path=tg.webhook_path,
        webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
        admin_cache_ttl=tg.admin_cache_ttl.total_seconds(),
        moderators=frozenset(moderators),
        commands=command_menu(services.extras["commands"].specs),
        drop_pending_updates=tg.drop_pending_updates,
        qr_max_bytes=tg.qr_max_bytes,
        image_timeout=tg.image_timeout.total_seconds(),
    )
    adapter: Adapter = TelegramAdapter(settings, services.dispatcher)
    services.extras["telegram"] = adapter
    return adapter


def onebot_adapters(config: LoadedConfig, services: Services,
                    env: Mapping[str, str]) -> list[Adapter]:
    if not config.app.onebot:
        return []
    from bot.adapters.onebot import OneBotAdapter
    from bot.adapters.onebot.settings import OneBotSettings

    adapters: list[Adapter] = []
    for entry in config.app.onebot:
        settings = OneBotSettings.from_config(entry, env)
        adapter: Adapter = OneBotAdapter(settings, services.dispatcher)
        services.extras[f"onebot:{entry.name}"] = adapter
        adapters.append(adapter)
    return adapters


def playground_adapter(config: LoadedConfig, services: Services) -> Adapter:
    from bot.adapters.local import LocalAdapter

    local = LocalAdapter(services.dispatcher, title=config.app.playground.chat_title)
    services.extras["messages"].after.append(local.on_decision)  # reasons shown on the page
    services.extras["playground"] = local
    adapter: Adapter = local
    return adapter


def build_adapters(config: LoadedConfig, services: Services,
                   env: Mapping[str, str]) -> list[Adapter]:
    """Telegram if TELEGRAM_BOT_TOKEN is set; OneBot per YAML; the playground unless disabled.

    With no platform credentials at all the playground always runs, so a newcomer sees the
    bot work on a fresh machine.
    """
    adapters: list[Adapter] = []
    token = env.get("TELEGRAM_BOT_TOKEN", "")
    if token and config.app.telegram.enabled:
        adapters.append(telegram_adapter(config, services, token, env))
    adapters.extend(onebot_adapters(config, services, env))
    if config.app.playground.enabled or not adapters:
        adapters.append(playground_adapter(config, services))
    return adapters
