"""The bot's own membership: arriving in a chat, rights granted or lost, removal, migration."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.events import BotMembership, ButtonPress, ChatMigrated, Role, split_id
from bot.gateway import Button, ChatGateway
from bot.i18n import Text
from bot.runtime import ChatRuntime
from handlers.commands import CommandRouter
from handlers.onboarding.migrate import migrate_chat
from handlers.onboarding.private import register_start
from handlers.onboarding.rights import RIGHTS, missing, needs_observe
from handlers.onboarding.state import Onboarding, apply_observe, restore, set_active
from handlers.onboarding.texts import (
    LOST_HEAD,
    NOT_ADMIN_LEAVING,
    NOT_ADMIN_STAYING,
    RULES_BUTTON,
    UNSUPPORTED_LEAVING,
    UNSUPPORTED_STAYING,
    granted,
    missing_block,
    rules_and_policies,
    welcome,
)
from storage.chats import ChatRepo
from storage.records import ChatRecord

if TYPE_CHECKING:
    from handlers.services import Services

log = logging.getLogger(__name__)

RULES_DATA = "onboard:rules"
FEATURE = "onboarding"
#: ``features.onboarding`` options in YAML (per profile or chat) and their defaults.
OPTIONS = {"leave_if_added_by_non_admin": True, "leave_unsupported": True}
PRESENT = ("member", "admin")
NOT_ADMIN = "not_admin"


def option(runtime: ChatRuntime, name: str) -> bool:
    raw = runtime.profile.features.get(FEATURE, {})
    return bool(raw.get(name, OPTIONS[name]))


class Membership:
    """Handles BotMembership events for every platform."""

    def __init__(self, services: Services, router: CommandRouter) -> None:
        self.services = services
        self.router = router

    async def __call__(self, event: BotMembership, gateway: ChatGateway) -> None:
        if event.chat_type == "private":
            return  # a user started or blocked the bot: not a chat to moderate
        async with self.services.db.session() as session:
            previous = await ChatRepo(session).get(event.chat)
        state = Onboarding.of(previous.settings if previous else {})
        # a chat stored before the bot tracked its own status was already being served
        known = previous is not None and previous.active and not state.status
        if event.status not in PRESENT:
            await self._removed(event, previous, state)
        elif state.status not in PRESENT and not known:
            await self._arrived(event, previous, state, gateway)
        else:
            await self._changed(event, previous, state, gateway)

    async def _save(self, event: BotMembership, previous: ChatRecord | None, state: Onboarding,
                    *, active: bool, lacking: tuple[str, ...] | None = None) -> ChatRecord:
        runtime = self.services.book.get(event.chat)
        settings = dict(previous.settings) if previous else {}
        settings["onboarding"] = state.to_json()
        fields: dict[str, object] = {
            "title": event.chat_title or (previous.title if previous else ""),
            "chat_type": event.chat_type, "profile": runtime.profile_name,
            "language": runtime.language, "active": active, "settings": settings,
        }
        if lacking is not None:
            fields["missing_rights"] = lacking
        async with self.services.db.session() as session:
            record = await ChatRepo(session).upsert(event.chat, at=self.services.clock(),
                                                    **fields)
        set_active(self.services, event.chat, active)
        return record

    async def _say(self, gateway: ChatGateway, chat: str, text: Text,
                   buttons: tuple[Button, ...] = ()) -> None:
        lang = self.services.book.get(chat).language
        await self.services.notifier.notify(gateway, chat, text, lang=lang, buttons=buttons)

    def _observe(self, chat: str, record: ChatRecord, on: bool) -> None:
        apply_observe(self.services.book, chat, record.settings, on)

    async def _removed(self, event: BotMembership, previous: ChatRecord | None,
                       state: Onboarding) -> None:
        """Removed or kicked: inactive, nothing deleted; re-adding resumes the old state."""
        await self._save(event, previous, replace(state, status=event.status), active=False)
        self.services.history.forget(event.chat)
        self.services.snapshots.invalidate(event.chat)
        log.info("removed from %s (%s); its state is kept", event.chat, event.status)

    async def _by_admin(self, event: BotMembership) -> bool:
        by = event.by
        if by is None or by.role >= Role.ADMIN or by.is_anonymous_admin:
            return True
        checker = self.router.rights
        if checker is None:
            return True
        try:
            return await checker(event.chat, by.id, None)
        except Exception:  # cannot tell: never leave a group on a guess
            log.warning("could not check whether %s is an admin of %s", by.id, event.chat,
                        exc_info=True)
            return True

    async def _leave(self, gateway: ChatGateway, chat: str) -> None:
        leave = getattr(gateway, "leave", None)
        if leave is None:
            log.warning("%s gateway cannot leave chats; staying in %s", gateway.platform, chat)
            return
        outcome = await leave(chat)
        if not getattr(outcome, "ok", True):
            log.warning("could not leave %s: %s", chat, getattr(outcome, "detail", ""))

    async def _arrived(self, event: BotMembership, previous: ChatRecord | None,
                       state: Onboarding, gateway: ChatGateway) -> None:
        chat = event.chat
        runtime = self.services.book.get(chat)
        lacking = missing(event, gateway.capabilities(chat))
        added_by = event.by.id if event.by else ""
        if event.chat_type == "channel":
            leave = option(runtime, "leave_unsupported")
            await self._save(event, previous, replace(
                state, status=event.status, refused="unsupported", added_by=added_by),
                active=False, lacking=lacking)
            await self._say(gateway, chat, UNSUPPORTED_LEAVING if leave else UNSUPPORTED_STAYING)
            if leave:
                await self._leave(gateway, chat)
            return
        if not await self._by_admin(event):
            leave = option(runtime, "leave_if_added_by_non_admin")
            observe = (*needs_observe(lacking), NOT_ADMIN)
            record = await self._save(event, previous, replace(
                state, status=event.status, refused=NOT_ADMIN, added_by=added_by,
                observe_for=observe), active=not leave, lacking=lacking)
            self._observe(chat, record, True)
            await self._say(gateway, chat, NOT_ADMIN_LEAVING if leave else NOT_ADMIN_STAYING)
            if leave:
                await self._leave(gateway, chat)
            return
        await self._welcome(event, previous, state, gateway, lacking, added_by)

    async def _welcome(self, event: BotMembership, previous: ChatRecord | None,
                       state: Onboarding, gateway: ChatGateway, lacking: tuple[str, ...],
                       added_by: str) -> None:
        chat = event.chat
        observe_for = needs_observe(lacking)
        confirmed = tuple(r for r in state.confirmed if r not in lacking)
        record = await self._save(event, previous, replace(
            state, status=event.status, observe_for=observe_for, confirmed=confirmed,
            refused="", added_by=added_by or state.added_by), active=True, lacking=lacking)
        self._observe(chat, record, bool(observe_for))
        basic = split_id(chat)[0] == "tg" and event.chat_type == "group"
        text = welcome(self.services.book.get(chat), lacking, bool(observe_for),
                       basic_group=basic)
        await self._say(gateway, chat, text, (Button(RULES_BUTTON, data=RULES_DATA),))

    async def _changed(self, event: BotMembership, previous: ChatRecord | None,
                       state: Onboarding, gateway: ChatGateway) -> None:
        """Promoted, demoted or rights edited: confirm grants once, report losses once."""
        chat = event.chat
        if state.refused == "unsupported" or (
                state.refused == NOT_ADMIN and not await self._by_admin(event)):
            return  # a channel, or still nobody with authority has confirmed the bot
        if state.refused:
            await self._welcome(event, previous, replace(state, refused=""), gateway,
                                missing(event, gateway.capabilities(chat)), "")
            return
        lacking = missing(event, gateway.capabilities(chat))
        before = set(previous.missing_rights) if previous else set()
        gained = [r.name for r in RIGHTS if r.name in before and r.name not in lacking]
        lost = [r for r in lacking if r not in before]
        observe_for = needs_observe(lacking)
        to_confirm = [r for r in gained if r not in state.confirmed]
        confirmed = tuple(r for r in (*state.confirmed, *to_confirm) if r not in lacking)
        if event.status == "admin":
            active = True
        elif state.status == "admin":  # demoted: inactive until promoted again
            active = False
        else:
            active = previous.active if previous else True
        record = await self._save(event, previous, replace(
            state, status=event.status, observe_for=observe_for, confirmed=confirmed),
            active=active, lacking=lacking)
        if bool(observe_for) != bool(state.observe_for):
            self._observe(chat, record, bool(observe_for))
        if to_confirm:
            await self._say(gateway, chat, granted(to_confirm, fully_on=not lacking))
        if lost:
            await self._say(gateway, chat, missing_block(lost, bool(observe_for), LOST_HEAD))


def register(router: CommandRouter, services: Services) -> None:
    """Bot membership, chat migration, the rules button, /start in private, state at startup."""
    services.dispatcher.on(BotMembership, Membership(services, router))

    async def migrated(event: ChatMigrated, gateway: ChatGateway) -> None:
        await migrate_chat(services, event)

    async def pressed(press: ButtonPress, gateway: ChatGateway) -> None:
        if press.data != RULES_DATA or not press.chat:
            return
        runtime = services.book.get(press.chat)
        await services.notifier.notify(gateway, press.chat, rules_and_policies(runtime),
                                       lang=runtime.language)

    services.dispatcher.on(ChatMigrated, migrated)
    services.dispatcher.on(ButtonPress, pressed)
    register_start(router, services)
    services.extras.setdefault("startup", []).append(restore)
