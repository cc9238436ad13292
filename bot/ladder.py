"""The sanction ladder: escalation steps by active warns, and what each platform can apply."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.gateway import Capability
from bot.verdict import Action

#: What each action needs from the platform, and what it degrades to without it.
_NEEDS: Mapping[Action, Capability] = {
    Action.DELETE: Capability.DELETE,
    Action.MUTE: Capability.MUTE,
    Action.KICK: Capability.KICK,
    Action.BAN: Capability.BAN,
}
_FALLBACK: Mapping[Action, Action] = {
    Action.BAN: Action.KICK,
    Action.KICK: Action.WARN,
    Action.MUTE: Action.WARN,
    Action.DELETE: Action.FLAG,
}


@dataclass(frozen=True, slots=True)
class Step:
    """An escalation step: at ``warns`` active warns, apply ``action`` for ``duration``."""

    warns: int
    action: Action
    duration: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Ladder:
    """Warn expiry and the escalation steps (default: 2nd warn → mute 1 day; 3rd → kick)."""

    warn_expiry: timedelta = timedelta(days=30)
    steps: Sequence[Step] = (Step(2, Action.MUTE, timedelta(days=1)), Step(3, Action.KICK))
    mute_default: timedelta = timedelta(hours=1)

    def escalate(self, warns: int) -> Step | None:
        chosen = None
        for step in self.steps:
            if warns >= step.warns:
                chosen = step
        return chosen

    @property
    def limit(self) -> int:
        """The warn count at which the member is removed (for 'warn 2/3' notices)."""
        removal = [s.warns for s in self.steps if s.action >= Action.KICK]
        return min(removal) if removal else (max((s.warns for s in self.steps), default=0))


def degrade(action: Action, caps: frozenset[Capability]) -> Action:
    """The harshest action at or below ``action`` the platform can carry out."""
    while action in _NEEDS and _NEEDS[action] not in caps:
        action = _FALLBACK[action]
    return action


def human(duration: timedelta | None, lang: str) -> str:
    """``timedelta(hours=2)`` → ``2h`` / ``2小时``."""
    if duration is None:
        return "∞" if not lang.startswith("zh") else "永久"
    seconds = int(duration.total_seconds())
    units = (("d", "天", 86400), ("h", "小时", 3600), ("m", "分钟", 60), ("s", "秒", 1))
    for en, zh, size in units:
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{zh if lang.startswith('zh') else en}"
    return f"{seconds}s"
