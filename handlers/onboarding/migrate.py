"""Group → supergroup: all stored rows move to the new id in one transaction; YAML still applies."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.events import ChatMigrated
from handlers.onboarding.state import MIGRATED_FROM, set_active
from storage.chats import ChatRepo
from storage.records import ChatRecord

if TYPE_CHECKING:
    from handlers.services import Services

log = logging.getLogger(__name__)

MIGRATED_TO = "migrated_to"
#: Other modules' in-memory per-chat state: ``extras["migrate_hooks"]`` holds
#: ``fn(old, new) -> None`` callables run after the stored rows moved.
HOOKS = "migrate_hooks"


async def migrate_chat(services: Services, event: ChatMigrated) -> int:
    """Move the old chat's rows, keep its YAML entry applying, and rename in-memory state.

    Returns the number of stored rows moved. A second delivery (the new supergroup reports
    ``migrate_from``, or an update is redelivered) finds nothing left to move.
    """
    old, new, now = event.old_chat, event.new_chat, services.clock()
    if old == new:
        return 0
    await services.notifier.persist()  # notices' deletions still in memory move too
    yaml_key = services.book.config_key(old)
    async with services.db.session() as session:
        repo = ChatRepo(session)
        old_record, new_record = await repo.get(old), await repo.get(new)
        moved = await repo.migrate(old, new, now)
        if old_record is not None and new_record is not None:
            await _merge(repo, old_record, new_record, now)
        if old_record is not None or moved:
            await repo.update_settings(new, now, **{MIGRATED_FROM: yaml_key})
    if not moved and old_record is None:
        return 0
    services.book.rename(old, new)
    services.book.alias(new, yaml_key)
    services.history.rename(old, new)
    services.snapshots.invalidate(old)
    set_active(services, old, False)
    set_active(services, new, True)
    _move_classifier(services, old, new)
    for hook in services.extras.get(HOOKS, []):
        try:
            hook(old, new)
        except Exception:
            log.exception("migrate hook %r failed for %s → %s", hook, old, new)
    log.info("chat %s became %s: %d rows moved; YAML under %s keeps applying",
             old, new, moved, yaml_key)
    return moved


async def _merge(repo: ChatRepo, old: ChatRecord, new: ChatRecord, now: Any) -> None:
    """The new id was seen first (the bot's membership there arrived before the migration
    message): keep the group's history and settings, the new row's fresher status on top,
    and leave the old row as an inactive pointer to the new id (nothing is deleted)."""
    settings: Mapping[str, Any] = {**old.settings, **new.settings}
    await repo.upsert(new.chat, at=now, profile=old.profile, settings=dict(settings),
                      title=new.title or old.title, active=True)
    await repo.upsert(old.chat, at=now, active=False,
                      settings={**old.settings, MIGRATED_TO: new.chat})


def _move_classifier(services: Services, old: str, new: str) -> None:
    """The in-memory classifier model of the old chat follows its stored rows."""
    book = services.extras.get("classifier_book")
    scopes = getattr(book, "scopes", None)
    if book is None or scopes is None or old not in scopes():
        return
    try:
        book.load(new, book.dump(old))
    except Exception:
        log.exception("could not move the classifier model of %s to %s", old, new)
