"""Who a moderator command is about (reply, @username, id) and for how long (10m/2h/3d/1w)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.events import Command, split_id
from storage.db import Database
from storage.members import MemberRepo

_DURATION = re.compile(
    r"^(\d+)\s*(s|sec|秒|m|min|分|分钟|h|hr|小时|时|d|day|天|日|w|wk|周|星期)$", re.IGNORECASE)
_SECONDS = {"s": 1, "sec": 1, "秒": 1, "m": 60, "min": 60, "分": 60, "分钟": 60,
            "h": 3600, "hr": 3600, "小时": 3600, "时": 3600, "d": 86400, "day": 86400,
            "天": 86400, "日": 86400, "w": 604800, "wk": 604800, "周": 604800, "星期": 604800}
_NUMERIC = re.compile(r"^-?\d+$")


def parse_duration(word: str) -> timedelta | None:
    """``10m`` / ``2h`` / ``3d`` / ``1w`` (and ``10分钟``, ``2小时``, ``3天``, ``1周``) or None."""
    match = _DURATION.match(word.strip())
    if not match:
        return None
    seconds = int(match.group(1)) * _SECONDS[match.group(2).lower()]
    return timedelta(seconds=seconds) if seconds > 0 else None


@dataclass(frozen=True, slots=True)
class Target:
    """The member a command acts on, and the message it replied to (if any)."""

    user_id: str
    name: str = ""
    message_id: str = ""
    text: str = ""

    @property
    def label(self) -> str:
        return self.name or self.user_id


@dataclass(frozen=True, slots=True)
class Parsed:
    """A moderator command split into target, optional duration and free-text reason."""

    target: Target | None
    duration: timedelta | None
    reason: str
    problem: str = ""  # "no_target" | "unknown_user:<word>"


def qualify_user(chat: str, word: str) -> str | None:
    """A bare number becomes an id on the chat's platform; ``tg:123`` stays as it is."""
    if ":" in word:
        platform, raw = word.split(":", 1)
        return word if platform.isalpha() and _NUMERIC.match(raw) else None
    if _NUMERIC.match(word):
        return f"{split_id(chat)[0]}:{word}"
    return None


async def resolve(db: Database, command: Command, *, want_duration: bool = False) -> Parsed:
    """Target by reply, a text mention, ``@username`` or id; then a duration; the rest is reason."""
    args: list[str] = list(command.args)
    target: Target | None = None
    if command.reply_to is not None and command.reply_to.sender_id:
        ref = command.reply_to
        target = Target(ref.sender_id, "", ref.message_id, ref.text)
    elif command.mentions and command.mentions[0].id:  # a text mention carries the id
        who = command.mentions[0]
        target = Target(who.id, who.name or who.username)
        if args and (args[0].startswith("@") or args[0] in (who.name, who.username)):
            args.pop(0)
    elif args:
        word = args[0]
        if word.startswith("@"):
            async with db.session() as session:
                member = await MemberRepo(session).by_username(command.chat, word)
            if member is None:
                return Parsed(None, None, "", problem=f"unknown_user:{word}")
            target = Target(member.user_id, member.name or word)
            args.pop(0)
        elif (user := qualify_user(command.chat, word)) is not None:
            target = Target(user)
            args.pop(0)
    if target is None:
        return Parsed(None, None, "", problem="no_target")
    duration = None
    if want_duration and args and (duration := parse_duration(args[0])) is not None:
        args.pop(0)
    return Parsed(target, duration, " ".join(args).strip())


def first_int(args: Sequence[str]) -> int | None:
    """The first argument as a positive integer (``/undo 12``, ``/log 20``), ``#12`` accepted."""
    if not args:
        return None
    word = args[0].lstrip("#")
    return int(word) if word.isdigit() and int(word) > 0 else None
