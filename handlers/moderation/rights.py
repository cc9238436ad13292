"""Who may moderate a chat: YAML moderators, then the platform's real chat rights, else role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.events import Role, Sender, split_id

if TYPE_CHECKING:
    from handlers.services import Services


async def may_moderate(services: Services, chat: str, user: Sender) -> bool:
    """Whether the presser moderates ``chat``: YAML moderators, real chat rights, else role."""
    if user.id in services.book.get(chat).moderators:
        return True
    adapter = services.extras.get({"tg": "telegram"}.get(split_id(chat)[0], ""))
    check = getattr(adapter, "is_admin", None)
    if check is not None:
        return bool(await check(chat, user.id, "can_restrict_members"))
    return user.role >= Role.MODERATOR
