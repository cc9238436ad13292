"""Voice policy: voice notes, video notes and audio from unauthorised members are deleted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import ClassVar

from pydantic import Field

from bot.events import Kind, Message
from bot.i18n import t
from bot.policy import Context, PolicyOptions, SymbolInfo, staff_involved
from bot.verdict import Action, Verdict

FIRST = "VOICE_MESSAGE"
REPEATED = "VOICE_REPEATED"


class VoiceOptions(PolicyOptions):
    """Who may send voice, which kinds count, and the window in which repeats are warned."""

    kinds: frozenset[Kind] = frozenset({Kind.VOICE, Kind.VIDEO_NOTE, Kind.AUDIO})
    allow_users: frozenset[str] = frozenset()
    window_seconds: int = Field(default=3600, gt=0)
    warn_from: int = Field(default=2, ge=0)  # the n-th voice in the window warns; 0: never


class VoicePolicy:
    """Delete voice from anyone not authorised; warn from the ``warn_from``-th in the window.

    Authorised: staff (moderator and up, from the snapshot or the sender's platform role),
    anonymous admins, members granted voice by an admin command (``voice_allowed``) and ids
    listed in ``allow_users``.
    """

    name: ClassVar[str] = "voice"
    Options: ClassVar[type[PolicyOptions]] = VoiceOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        FIRST: SymbolInfo(
            FIRST, 2.0, t("Voice message from a member not allowed to send voice",
                          "未获授权的成员发送语音")
        ),
        REPEATED: SymbolInfo(
            REPEATED, 4.0, t("Repeated voice messages from a member not allowed to send voice",
                             "未获授权的成员多次发送语音")
        ),
    }

    def __init__(self, options: VoiceOptions) -> None:
        self.options = options
        self._kinds = options.kinds
        self._window = timedelta(seconds=options.window_seconds)
        self._allow = frozenset(options.allow_users)

    def _authorised(self, message: Message, ctx: Context) -> bool:
        sender = message.sender
        return (
            staff_involved(message, ctx)
            or sender.is_anonymous_admin
            or ctx.member.voice_allowed
            or sender.id in self._allow
        )

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        found = self._kinds & message.kinds
        if not found or self._authorised(message, ctx):
            return []
        since = ctx.now - self._window
        earlier = sum(
            1
            for r in ctx.recent
            if r.sender_id == message.sender.id
            and r.date >= since
            and r.message_id != message.message_id
            and r.kinds & self._kinds
        )
        nth = earlier + 1
        kind = sorted(found)[0].value
        warn_from = self.options.warn_from
        if warn_from and nth >= warn_from:
            info = self.symbols[REPEATED]
            reason = t(
                "Voice messages are not allowed here ({n} in a row): please type instead",
                "本群禁止发送语音（已发送 {n} 条）：请改用文字",
            ).format(n=nth)
            return [Verdict(REPEATED, info.score, reason, kind, force=Action.WARN)]
        info = self.symbols[FIRST]
        reason = t(
            "Voice messages are not allowed here: please type instead",
            "本群禁止发送语音：请改用文字",
        )
        return [Verdict(FIRST, info.score, reason, kind, force=Action.DELETE)]
