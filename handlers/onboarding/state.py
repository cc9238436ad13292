"""A chat's onboarding state kept in its stored settings, and restored into the core at startup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.runtime import RuntimeBook
from storage.chats import ChatRepo

if TYPE_CHECKING:
    from handlers.services import Services

KEY = "onboarding"
MIGRATED_FROM = "migrated_from"
INACTIVE = "inactive_chats"


@dataclass(frozen=True, slots=True)
class Onboarding:
    """What the bot knows about its own standing in one chat (``settings["onboarding"]``)."""

    status: str = ""  # the bot's last status: member | admin | left | kicked
    observe_for: tuple[str, ...] = ()  # missing rights that put the chat in observe mode
    confirmed: tuple[str, ...] = ()  # rights whose grant was confirmed in the chat
    added_by: str = ""
    refused: str = ""  # why the bot left on arrival: "not_admin" | "unsupported" | ""

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Onboarding:
        raw = settings.get(KEY)
        if not isinstance(raw, dict):
            return cls()
        return cls(status=str(raw.get("status", "")),
                   observe_for=tuple(raw.get("observe_for") or ()),
                   confirmed=tuple(raw.get("confirmed") or ()),
                   added_by=str(raw.get("added_by", "")),
                   refused=str(raw.get("refused", "")))

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "observe_for": list(self.observe_for),
                "confirmed": list(self.confirmed), "added_by": self.added_by,
                "refused": self.refused}


def apply_observe(book: RuntimeBook, chat: str, settings: Mapping[str, Any], on: bool) -> None:
    """Observe mode for missing rights on, or back to what moderators chose (/shadow) or YAML."""
    current = book.overrides(chat)
    if on:
        book.set_overrides(chat, replace(current, observe=True))
        return
    shadow = settings.get("shadow")
    chosen = shadow.get("observe") if isinstance(shadow, dict) else None
    book.set_overrides(chat, replace(current, observe=None if chosen is None else bool(chosen)))


def inactive_chats(services: Services) -> set[str]:
    """Chats the bot was removed from: scheduled jobs skip these (``extras["inactive_chats"]``)."""
    chats: set[str] = services.extras.setdefault(INACTIVE, set())
    return chats


def set_active(services: Services, chat: str, active: bool) -> None:
    if active:
        inactive_chats(services).discard(chat)
    else:
        inactive_chats(services).add(chat)


async def restore(services: Services) -> None:
    """Startup hook: observe mode for missing rights, YAML aliases after migrations, and the
    inactive set come back from storage."""
    async with services.db.session() as session:
        chats = await ChatRepo(session).list()
    for record in chats:
        old = record.settings.get(MIGRATED_FROM)
        if isinstance(old, str) and old:
            services.book.alias(record.chat, old)
        if Onboarding.of(record.settings).observe_for:
            apply_observe(services.book, record.chat, record.settings, True)
        set_active(services, record.chat, record.active)
