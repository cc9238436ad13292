"""Off-topic policy: emoji-only, sticker-only, filler, greeting floods after a join, irrelevance.

Greeting floods are read from ``ctx.recent``: the handler records a member's join as a trace
with ``kinds == frozenset()`` and a fingerprint starting with :data:`JOIN_MARK`
(``"join:" + user id``). Earlier greetings are recognised by their fingerprints, which must be
``policies.normalize.fingerprint(message.text)`` like ``ctx.fingerprint``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from bot.events import Kind, Message
from bot.i18n import Text, t
from bot.policy import JOIN_MARK, Context, PolicyOptions, RecentMessage, SymbolInfo, staff_involved
from bot.verdict import Verdict
from policies.normalize import fingerprint, normalize, scanned

_TEXT_ONLY = frozenset({Kind.TEXT})

#: Fingerprint prefix of the trace a member's join leaves in ``ctx.recent`` (kinds empty).

EMOJI = "OFFTOPIC_EMOJI_ONLY"
STICKER = "OFFTOPIC_STICKER_ONLY"
FILLER = "OFFTOPIC_FILLER"
GREETING = "OFFTOPIC_GREETING_FLOOD"
IRRELEVANT = "OFFTOPIC_IRRELEVANT"

DATA = Path(__file__).parent / "data"
_STICKERISH = frozenset({Kind.STICKER, Kind.ANIMATION})
_EMOJI_CATEGORIES = frozenset({"So", "Sk", "Cf", "Me", "Mn"})
_MAX_CORE = 24
#: Characters of the folded text read first to rule a long message out of filler and greetings.
_HEAD = 64
#: Removed from the core along with "_": runs of anything but word characters and "+".
_NOT_CORE = re.compile(r"[^\w+]+")
_PUNCT_VARIANTS = ("", "!", "！", "~", "～", "。", ".", "!!", "！！", "~~")


def load_units(*names: str) -> list[str]:
    """Lines of the named data files, without comments and blanks."""
    units: list[str] = []
    for name in names:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                units.append(line)
    return units


def is_emoji_char(char: str) -> bool:
    return unicodedata.category(char) in _EMOJI_CATEGORIES


def core(text: str) -> str:
    """Normalised, case-folded text without spaces, punctuation, symbols or emoji ("+" kept)."""
    return _core_of(normalize(text))


def _core_of(folded: str) -> str:
    return _NOT_CORE.sub("", folded.casefold().replace("_", ""))


def _units_pattern(units: Iterable[str]) -> re.Pattern[str]:
    folded = {core(u) for u in units} - {""}
    alternation = "|".join(re.escape(u) for u in sorted(folded, key=len, reverse=True))
    return re.compile(f"(?:{alternation})+")


#: Characters of folded text that each stay exactly one character of the core (case folding
#: leaves them alone; they are word characters or "+").
_PLAIN_CORE = "0-9a-z+\u4e00-\u9fff"
#: More than ``_MAX_CORE`` of them: the core is longer than ``_MAX_CORE`` whatever the rest is.
_MANY_PLAIN = re.compile(f"(?:[^{_PLAIN_CORE}]*[{_PLAIN_CORE}]){{{_MAX_CORE + 1}}}")


def _long_core(folded: str) -> bool:
    """``len(_core_of(folded)) > _MAX_CORE``, settled by counting the plain characters when
    there are enough of them (every other character adds zero or more to the core)."""
    return bool(_MANY_PLAIN.match(folded)) or len(_core_of(folded)) > _MAX_CORE


def _ngrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + n] for n in (2, 3) for i in range(len(text) - n + 1))


@lru_cache(maxsize=512)
def _topic_grams(topic: str) -> frozenset[str]:
    return _ngrams(core(topic))


class OfftopicOptions(PolicyOptions):
    """Which kinds of off-topic content are removed, and the greeting-flood allowance."""

    emoji_only: bool = True
    sticker_only: bool = True
    filler: bool = True
    extra_fillers: tuple[str, ...] = ()
    greeting_flood: bool = True
    greeting_window_seconds: int = Field(default=600, gt=0)
    greetings_allowed: int = Field(default=3, ge=0)
    extra_greetings: tuple[str, ...] = ()
    relevance: bool = False
    topic: str = ""
    relevance_min_chars: int = Field(default=15, ge=1)
    relevance_threshold: float = Field(default=0.08, ge=0.0, le=1.0)
    exempt_staff: bool = True


class OfftopicPolicy:
    """Silently delete content that adds nothing to the conversation."""

    name: ClassVar[str] = "offtopic"
    Options: ClassVar[type[PolicyOptions]] = OfftopicOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        EMOJI: SymbolInfo(EMOJI, 5.0, t("Message made only of emoji", "纯表情消息")),
        STICKER: SymbolInfo(STICKER, 5.0, t("Sticker or GIF without text", "单独的贴纸或动图")),
        FILLER: SymbolInfo(FILLER, 5.0, t("Filler message (haha, 666, +1…)",
                                          "无意义的水聊（哈哈、666、+1……）")),
        GREETING: SymbolInfo(GREETING, 5.0, t("Greeting flood after a member joined",
                                              "新人入群后的刷屏式欢迎")),
        IRRELEVANT: SymbolInfo(IRRELEVANT, 3.0, t("Message unrelated to the group's topic",
                                                  "与群主题无关的消息")),
    }

    def __init__(self, options: OfftopicOptions) -> None:
        self.options = options
        self._filler = _units_pattern(
            [*load_units("filler_zh.txt", "filler_en.txt"), *options.extra_fillers]
        )
        greetings = [*load_units("filler_greetings.txt"), *options.extra_greetings]
        self._greeting = _units_pattern(greetings)
        self._greeting_fps = frozenset(
            fingerprint(variant)
            for g in greetings
            for body in (g, g + g, f"{g} {g}")
            for variant in (body + p for p in _PUNCT_VARIANTS)
        )
        self._window = timedelta(seconds=options.greeting_window_seconds)

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        opts = self.options
        if opts.exempt_staff and staff_involved(message, ctx):
            return []
        text = scanned(message.text)
        kinds = message.kinds - _TEXT_ONLY
        other = bool(kinds)  # a segment besides text
        if not text:
            if opts.sticker_only and kinds and kinds <= _STICKERISH:
                return [self._verdict(STICKER, t("Stickers and GIFs on their own are removed",
                                                 "单独的贴纸和动图会被删除"), kinds)]
            return []
        if other:
            return []
        # Without relevance only a short essence matters, and the essence of the first
        # characters is a prefix of the whole one: a long head settles it.
        long_head = len(text) > _HEAD and _long_core(normalize(text)[:_HEAD])
        if long_head and not opts.relevance:
            return []
        essence = core(text)
        if not essence:
            if opts.emoji_only and any(is_emoji_char(c) for c in text):
                return [self._verdict(EMOJI, t("Emoji-only messages are removed",
                                               "纯表情消息会被删除"), text)]
            return []
        if len(essence) <= _MAX_CORE:
            if opts.greeting_flood and self._greeting.fullmatch(essence):
                return self._greeting_check(text, ctx)
            if opts.filler and self._filler.fullmatch(essence):
                return [self._verdict(FILLER, t("Filler messages are removed",
                                                "无意义的水聊会被删除"), text)]
        if opts.relevance:
            return self._relevance(text, essence, ctx)
        return []

    def _greeting_check(self, text: str, ctx: Context) -> list[Verdict]:
        join = _latest_join(ctx.recent, ctx.now - self._window)
        if join is None:
            return []
        same = ctx.fingerprint
        greetings = sum(
            1
            for r in ctx.recent
            if r.date >= join.date
            and not r.fingerprint.startswith(JOIN_MARK)
            and (r.fingerprint in self._greeting_fps or (same and r.fingerprint == same))
        )
        if greetings < self.options.greetings_allowed:
            return []
        return [self._verdict(GREETING, t("The newcomer has been welcomed already",
                                          "新人已经被欢迎过了"), text)]

    def _relevance(self, text: str, essence: str, ctx: Context) -> list[Verdict]:
        topic = self.options.topic or ctx.chat.topic
        if not topic or len(essence) < self.options.relevance_min_chars:
            return []
        grams = _ngrams(essence)
        shared = len(grams & _topic_grams(topic)) / len(grams)
        if shared >= self.options.relevance_threshold:
            return []
        return [self._verdict(IRRELEVANT, t("This looks unrelated to the group's topic",
                                            "该消息似乎与本群主题无关"), text[:80])]

    def _verdict(self, symbol: str, reason: Text, evidence: str | frozenset[Kind]) -> Verdict:
        shown = evidence if isinstance(evidence, str) else ",".join(sorted(evidence))
        return Verdict(symbol, self.symbols[symbol].score, reason, shown, silent=True)


def _latest_join(recent: Iterable[RecentMessage], since: datetime) -> RecentMessage | None:
    """The newest join trace at or after ``since``."""
    latest: RecentMessage | None = None
    for r in recent:
        is_join = not r.kinds and r.fingerprint.startswith(JOIN_MARK)
        if is_join and r.date >= since and (latest is None or r.date >= latest.date):
            latest = r
    return latest
