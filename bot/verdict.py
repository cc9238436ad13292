"""Verdicts (what a policy saw), actions (the sanction ladder) and decisions (what to do)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from bot.i18n import Text


class Action(IntEnum):
    """The ladder, mildest first: one action per message."""

    ALLOW = 0
    FLAG = 1
    DELETE = 2
    WARN = 3
    MUTE = 4
    KICK = 5
    BAN = 6

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Action:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(a.label for a in cls)
            raise ValueError(f"unknown action {value!r}; expected one of: {names}") from None


FAMILIES = ("AD", "VOICE", "REDPACKET", "OFFTOPIC", "FLOOD", "ABUSE", "TRUST", "BIZ", "NEWCOMER",
            "SPAM")


def family_of(symbol: str) -> str:
    """The family prefix of a symbol: ``AD_CONTACT_WECHAT`` → ``AD``."""
    return symbol.split("_", 1)[0]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one policy saw in one message.

    ``force`` makes an action happen regardless of score (an unauthorised voice note is always
    deleted); ``reply`` is a notice the bot posts (business redirect) — it carries no sanction.
    ``mute_seconds`` lets a policy ask for a specific mute length (flood: 10 minutes).
    ``amplify`` multiplies the weight of other families' evidence without adding any of its
    own (a newcomer's ad evidence weighs more, an established member's less): a verdict with
    ``amplify`` and no evidence beside it changes nothing.
    ``escalates=False`` marks a hint rather than specific evidence (a weak finding, the
    classifier's guess, a repeated text): hints may get a message deleted, but a warn or
    harsher needs the specific evidence to reach its threshold on its own.
    """

    symbol: str
    score: float
    reason: Text
    evidence: str = ""
    force: Action | None = None
    reply: Text | None = None
    mute_seconds: int | None = None
    silent: bool = False
    policy: str = ""
    amplify: tuple[tuple[str, float], ...] = ()  # (family, factor) pairs
    escalates: bool = True


_HELD = Text("hints only: deleted, not warned", "仅为迹象：删除但不警告")

#: The families whose evidence a member's standing amplifies: promotion and spam.
SUSPICION_FAMILIES = ("AD", "SPAM")


@dataclass(frozen=True, slots=True)
class Decision:
    """The one outcome for a message after all verdicts are composed."""

    action: Action
    score: float
    verdicts: tuple[Verdict, ...] = ()
    forced_by: str = ""
    observe: bool = False
    replies: tuple[Text, ...] = ()
    mute_seconds: int | None = None
    silent: bool = False
    observed: tuple[Verdict, ...] = field(default=())
    shadow_action: Action = Action.ALLOW
    #: the score reached a sanction that only hints supported: deleted, no one warned
    held: bool = False

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(v.symbol for v in self.verdicts)

    @property
    def explanation(self) -> Text:
        """Every finding that weighed, strongest first, joined by " + " in both languages
        ("Link to an outside site + Solicits contact on WeChat"), then the standing that scaled
        them ("New member: …"): what a moderator reads in the log."""
        weighed = sorted((v for v in self.verdicts if v.score > 0 or v.force is not None),
                         key=lambda v: (v.force or 0, v.score), reverse=True)
        scaling = [v for v in self.verdicts if v.amplify and weighed]
        parts = [v.reason for v in (*weighed, *scaling)]
        if not parts:
            return Text("", "")
        if self.held:
            parts.append(_HELD)
        return Text(" + ".join(p.en for p in parts), " + ".join(p.zh for p in parts))

    @property
    def primary(self) -> Verdict | None:
        """The verdict that weighs most: its reason is the one members are told."""
        if not self.verdicts:
            return None
        return max(self.verdicts, key=lambda v: (v.force or 0, v.score))


ALLOW = Decision(Action.ALLOW, 0.0)
