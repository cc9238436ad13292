"""Slash-command routing: names and Chinese aliases, rights checks, clear refusals, the menu."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.events import Command, Role
from bot.gateway import ChatGateway
from bot.i18n import Text, t

log = logging.getLogger(__name__)

CommandFn = Callable[[Command, ChatGateway, Role], Awaitable[None]]


class Replier(Protocol):
    """How the router answers (the notifier, bound to the chat's language)."""

    async def __call__(self, command: Command, gateway: ChatGateway, text: Text,
                       **values: object) -> None: ...


class RightsChecker(Protocol):
    """Real chat rights, e.g. the Telegram adapter's admin cache; None means 'role only'."""

    async def __call__(self, chat: str, user: str, right: str | None) -> bool: ...


@dataclass(frozen=True)
class CommandSpec:
    """One command: who may use it, where, and what it does."""

    name: str
    fn: CommandFn
    description: Text
    aliases: tuple[str, ...] = ()
    role: Role = Role.MEMBER
    right: str | None = None
    private_ok: bool = False
    group_ok: bool = True
    menu: bool = True


REFUSED = t("Only {who} can use /{name}.", "只有{who_zh}可以使用 /{name}。")
GROUP_ONLY = t("/{name} works in a group.", "/{name} 只能在群里使用。")
PRIVATE_ONLY = t("/{name} works in a private chat with me.", "/{name} 需要在与我的私聊中使用。")
FAILED = t("Something went wrong; the moderators can see it in the log.",
           "出了点问题，管理员可在日志中查看。")
_WHO = {Role.MODERATOR: ("moderators", "管理员和协管"), Role.ADMIN: ("admins", "管理员"),
        Role.OWNER: ("the owner", "群主")}


class CommandRouter:
    """Resolves a Command to its spec and runs it if the sender may."""

    def __init__(self, reply: Replier, *, moderators: Callable[[str], frozenset[str]],
                 rights: RightsChecker | None = None) -> None:
        self.reply = reply
        self.moderators = moderators
        self.rights = rights
        self._specs: dict[str, CommandSpec] = {}
        self._ordered: list[CommandSpec] = []

    def add(self, spec: CommandSpec) -> None:
        for name in (spec.name, *spec.aliases):
            if name in self._specs:
                raise ValueError(f"command /{name} registered twice")
            self._specs[name.lower()] = spec
        self._ordered.append(spec)

    @property
    def specs(self) -> Sequence[CommandSpec]:
        return tuple(self._ordered)

    def lookup(self, name: str) -> CommandSpec | None:
        return self._specs.get(name.lower())

    async def role_of(self, command: Command, spec: CommandSpec | None = None) -> Role:
        """The sender's effective role: real chat rights, YAML moderators, anonymous admins."""
        role = command.sender.role
        if command.sender.id in self.moderators(command.chat):
            role = max(role, Role.MODERATOR)
        if command.sender.is_anonymous_admin:
            role = max(role, Role.ADMIN)
        right = spec.right if spec else None
        if (role >= Role.ADMIN and right and self.rights is not None
                and not command.sender.is_anonymous_admin
                and not await self.rights(command.chat, command.sender.id, right)):
            # an admin without the specific right acts as a moderator through the bot only if
            # the YAML names them; otherwise they are refused like a member
            role = Role.MODERATOR if command.sender.id in self.moderators(command.chat) \
                else Role.MEMBER
        return role

    async def __call__(self, command: Command, gateway: ChatGateway) -> None:
        spec = self.lookup(command.name)
        if spec is None:
            return  # not ours: other bots' commands are ignored silently
        if command.is_private and not spec.private_ok:
            await self.reply(command, gateway, GROUP_ONLY, name=spec.name)
            return
        if not command.is_private and not spec.group_ok:
            await self.reply(command, gateway, PRIVATE_ONLY, name=spec.name)
            return
        role = await self.role_of(command, spec)
        if role < spec.role:
            who, who_zh = _WHO.get(spec.role, ("members", "成员"))
            await self.reply(command, gateway, REFUSED, name=spec.name, who=who, who_zh=who_zh)
            return
        try:
            await spec.fn(command, gateway, role)
        except Exception:
            log.exception("/%s failed in %s", spec.name, command.chat)
            await self.reply(command, gateway, FAILED)


def command_menu(specs: Sequence[CommandSpec]) -> list[tuple[str, Text]]:
    """The (name, description) pairs adapters register (Telegram's setMyCommands)."""
    return [(s.name, s.description) for s in specs if s.menu]
