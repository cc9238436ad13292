"""What the offers policy finds in one text, and the example config's scoring, for its tests."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.decide import Scoring
from bot.events import Kind, Message, Role, Segment, Sender
from bot.policy import ChatInfo, Context, MemberSnapshot
from bot.verdict import Verdict
from policies.offers import OffersOptions, OffersPolicy

NOW = datetime(2026, 5, 1, tzinfo=UTC)
#: The example config's ladder and AD cap.
SCORING = Scoring(family_caps={"AD": 9.0})


def message(text: str, role: Role = Role.MEMBER) -> Message:
    return Message(chat="tg:-1", message_id="1", sender=Sender("tg:7", "someone", role=role),
                   date=NOW, segments=(Segment(Kind.TEXT, text),))


def ctx(role: Role = Role.MEMBER) -> Context:
    return Context(now=NOW, chat=ChatInfo("tg:-1"), member=MemberSnapshot("tg:7", role=role))


def verdicts(text: str, role: Role = Role.MEMBER, **options: bool) -> list[Verdict]:
    """The offers policy's verdicts on ``text`` from a member of ``role``, with ``options``."""
    return OffersPolicy(OffersOptions(**options)).check(message(text, role), ctx(role))
