"""Telegram adapter settings: one frozen value built by the composition root from config + env."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.i18n import Text

ALLOWED_UPDATES: tuple[str, ...] = (
    "message",
    "edited_message",
    "chat_member",
    "my_chat_member",
    "chat_join_request",
    "callback_query",
    "message_reaction",
)


@dataclass(frozen=True)
class TelegramSettings:
    """Everything the adapter needs; the token comes from ``TELEGRAM_BOT_TOKEN`` only.

    ``base_url`` follows python-telegram-bot: the token is appended to it (or substituted for
    ``{token}``), so a self-hosted Bot API server is ``http://host:8081/bot``.
    ``moderators`` are qualified user ids (``"tg:123"``) who act through the bot without
    Telegram rights. ``commands`` are registered with setMyCommands in English and Chinese.
    ``qr_max_bytes`` caps the photo size downloaded (within ``image_timeout`` seconds) so the
    ads policy can look for QR codes; 0 turns downloading off.
    """

    token: str
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_path: str = "/telegram/webhook"
    webhook_secret: str = ""
    admin_cache_ttl: float = 300.0
    moderators: frozenset[str] = frozenset()
    commands: Sequence[tuple[str, Text]] = ()
    drop_pending_updates: bool = False
    poll_timeout: float = 10.0
    poll_interval: float = 0.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    write_timeout: float = 10.0
    pool_timeout: float = 5.0
    connection_pool_size: int = 32
    max_retries: int = 3
    max_retry_after: float = 60.0
    backoff_base: float = 0.5
    allowed_updates: tuple[str, ...] = field(default=ALLOWED_UPDATES)
    qr_max_bytes: int = 2 * 1024 * 1024
    image_timeout: float = 5.0
    #: updates acknowledged but none handled this long → the update task is restarted
    stall_seconds: float = 120.0

    def __post_init__(self) -> None:
        if not self.token:
            raise ValueError("telegram: TELEGRAM_BOT_TOKEN is empty")
        if self.mode == "webhook" and not self.webhook_url:
            raise ValueError("telegram: webhook mode needs telegram.webhook_url")
        if not self.webhook_path.startswith("/"):
            raise ValueError("telegram: webhook_path must start with '/'")
        if self.stall_seconds <= 0:
            raise ValueError("telegram: stall_seconds must be > 0")
        if self.qr_max_bytes < 0 or self.image_timeout <= 0:
            raise ValueError("telegram: qr_max_bytes must be >= 0 and image_timeout > 0")
