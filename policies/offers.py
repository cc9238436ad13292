"""The offers policy: "easy income" spam as a seasoned moderator reads it, signal by signal.

Each signal alone is weak (rspamd style): a word like "job", "crypto" or "money" in an honest
chat, a "write me in DM", a wall of emoji, a short link or one odd letter never deletes. They
add up: an income, job, crypto or investment offer with a DM ask, a short link, an emoji wall
or look-alike letters reaches the delete threshold (5 in the example config), and so do several
words written in mixed scripts ("Здpaвcтвyйтe, зapaбoтoк"). The reason names what was seen
("income offer + DM ask").

- ``AD_INCOME_OFFER``: a pay cue (an amount per day/hour, "оплата от 5000", "日赚300"), or
  cues from two families of: income (заработок, earn, 赚钱), jobs (вакансия, hiring, 兼职),
  crypto and investment (крипта, forex, 投资) and lures (без опыта, from home, 日结, 躺赚);
  or an offer in itself ("выдам кредит", "passive income").
- ``AD_DM_ASK``: "пиши в лс", "пишите в личку", "ставь + в комментариях", "DM me",
  "write me", "私聊我", "私信"; beside an offer, an @handle to write to.
- ``AD_MIXED_SCRIPT``: words mixing Cyrillic and Latin look-alikes (``policies.scripts``).
- ``AD_EMOJI_WALL``: many emoji for the text (at least 8, one per 20 characters or more).
- ``AD_PROMOTION``: a shop's or developer's promotion in the register of commercial SMS
  ("欢迎致电", "全场x折起", "新老顾客", "盛大开盘", "名额有限"): one phrase is weak, two flag,
  three or more delete on their own (graded like mixed scripts).
- ``AD_LOTTERY_TIP``: the jargon of Mark Six (六合彩) tips ("六肖", "平码", "三中三", "心水",
  "防红"): one word is weak (Cantonese 心水 is also "favourite"), distinct words add up as
  promotions do.
- ``AD_INVOICE_OFFER``: selling invoices ("代开发票", "正规机打", "税点低", "验后付款"): one
  phrase flags (a buyer may ask "能开正规发票吗"), two delete, and so does one beside any other
  signal.
- ``AD_SHORTENER``: a link through a URL shortener (``policies/data/shorteners.txt``), said
  only beside another of these signals: the link itself is already the ads policy's
  ``AD_LINK``, and a short link alone must stay weak even where a newcomer's suspicion
  multiplies ad evidence (a member sharing a course through bit.ly is no spammer).

Cues and shortener hosts are found on the folded text (``policies.normalize``) in one
Aho–Corasick pass over word lists in ``policies/data/``; only a sum after a pay word, and a
sum paid per day or hour (when the text holds a digit), are regular expressions. Mixed scripts
and emoji are read on the original, each behind a cheap necessary condition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import ahocorasick

from bot.events import Message
from bot.i18n import Text, t
from bot.policy import Context, PolicyOptions, SymbolInfo, staff_involved, symbol_table
from bot.verdict import Verdict
from policies._unicode import ASTRAL as _ASTRAL
from policies.normalize import normalize, scanned
from policies.scripts import mixed_words

NAME = "offers"
DATA = Path(__file__).parent / "data"


SYMBOLS: Mapping[str, SymbolInfo] = symbol_table(
    ("AD_INCOME_OFFER", 3.25, "income offer", "招揽赚钱/兼职/投资"),
    ("AD_DM_ASK", 1.75, "DM ask", "引导私聊"),
    ("AD_MIXED_SCRIPT", 1.75, "look-alike letters", "混用形近字母"),
    ("AD_EMOJI_WALL", 1.75, "emoji wall", "大量表情符号"),
    ("AD_SHORTENER", 1.75, "shortened link", "短链接"),
    ("AD_PROMOTION", 1.75, "shop promotion", "商家促销"),
    ("AD_LOTTERY_TIP", 1.75, "lottery tips", "六合彩推荐"),
    ("AD_INVOICE_OFFER", 3.25, "invoice offer", "代开发票"),
)
#: Scores are set so that an offer (3.25) with any one other signal (1.75) reaches the example
#: delete threshold (5), while each alone, and a DM ask or an emoji wall beside a link (3),
#: stay below it, even where a newcomer's suspicion multiplies ad evidence by 1.5.
#: Mixed-script words: one is weak, two flag, three or more delete on their own.
MIXED_SCORES = (0.0, 1.75, 3.25, 5.0)
#: Distinct promotion phrases, and distinct lottery-tip words, graded the same way.
PROMO_SCORES = MIXED_SCORES
LOTTERY_SCORES = MIXED_SCORES
#: Distinct invoice-selling phrases: one flags, two delete.
INVOICE_SCORES = (0.0, 3.25, 5.0, 5.0)


class OffersOptions(PolicyOptions):
    """Options of the offers policy: each signal can be switched off."""

    offers: bool = True
    dm_asks: bool = True
    mixed_script: bool = True
    emoji_wall: bool = True
    shorteners: bool = True
    promotions: bool = True
    lottery_tips: bool = True
    invoices: bool = True
    exempt_staff: bool = True


#: Cue families of an offer (``policies/data/offers.txt``).
FAMILIES = ("income", "job", "crypto", "lure")
#: Phrase families counted by distinct phrase: (kind, symbol, scores by count, option).
GRADED = (
    ("promo", "AD_PROMOTION", PROMO_SCORES, "promotions"),
    ("lottery", "AD_LOTTERY_TIP", LOTTERY_SCORES, "lottery_tips"),
    ("invoice", "AD_INVOICE_OFFER", INVOICE_SCORES, "invoices"),
)
_GRADED_KINDS = frozenset(kind for kind, _, _, _ in GRADED)
_KINDS = frozenset({*FAMILIES, "pay", "offer", "dm", "period", *_GRADED_KINDS})
_CYRILLIC = re.compile("[\u0400-\u052f]")


@dataclass(frozen=True, slots=True)
class _Cue:
    """One spelling of a phrase in the automaton and what it is a cue of."""

    phrase: str
    word_start: bool  # must start a word (its first character is a Latin or Cyrillic letter)
    kinds: tuple[tuple[str, bool], ...]  # (family, must end a word)


def _data_lines(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip().lower() for line in lines if line.strip() and not line.startswith("#")]


def _spellings(phrase: str) -> set[str]:
    """The phrase and its spam spellings after folding: Latin "u" for "и", "е" for "ё"."""
    forms = {phrase, phrase.replace("ё", "е")}
    return forms | {form.replace("и", "u") for form in forms}


@lru_cache(maxsize=1)
def _cues() -> ahocorasick.Automaton:
    """Every cue of ``offers.txt`` and every host of ``shorteners.txt`` (as ``host/``) in one
    automaton, built once on first use."""
    kinds: dict[str, list[tuple[str, bool]]] = {}
    for line in _data_lines("offers.txt"):
        kind, _, phrase = line.partition(" ")
        if kind not in _KINDS or not phrase:
            raise ValueError(f"policies/data/offers.txt: bad line {line!r}")
        for form in _spellings(phrase.removesuffix("$")):
            kinds.setdefault(form, []).append((kind, phrase.endswith("$")))
    for host in _data_lines("shorteners.txt"):
        kinds.setdefault(host + "/", []).append(("short", False))
    automaton = ahocorasick.Automaton()
    for form, of in kinds.items():
        first = form[0]
        starts = (first.isascii() and first.isalnum()) or bool(_CYRILLIC.match(first))
        automaton.add_word(form, _Cue(form, starts, tuple(of)))
    automaton.make_automaton()
    return automaton


#: After a pay word: the sum it pays ("оплата от 5000", "зп 100к", "日赚300").
_SUM_AFTER = re.compile(r"\W{0,3}(?:от |до |около )?[0-9]")
#: After an English pay word, a sum with its currency ("made 2 changes" is no pay).
_SUM_AFTER_LATIN = re.compile(
    r"\W{0,2}(?:[$€£₹] ?[0-9]|[0-9][0-9,.]*k? ?(?:\$|€|usdt?\b|dollars|euros?\b|bucks))"
)
#: After a Chinese pay word a sum has three digits or a unit ("一天19点" is a time, not pay).
_SUM_AFTER_HAN = re.compile(r"\W{0,3}(?:[0-9]{3}|[0-9]+ ?(?:元|块|k|w|万|\+))")
#: A sum and what it is paid per: "1400р в час" ("р" after digits is folded to a Latin "p"),
#: "от 7к в день", "$500 per day", "300元/天".
#: Every branch starts with a digit or a currency sign, so ``re`` skips fast to those.
_PAY_NUM = re.compile(
    r"(?:[$€£] ?[0-9][0-9.,]*k? ?(?:usd|dollars)?"
    r"|[0-9][0-9 .,]*(?:(?:k|к|тыс\w*)\.? ?(?:руб\w*|[рp]\b|₽|\$|usd\w*|долл\w*|евро|€|грн)?"
    r"|(?:руб\w*|[рp]\b|₽|\$|usdt?|долл\w*|dollars|евро|€|грн)))"
    r"\.? ?(?:(?:в|за|/|per|a|an|each|every) ?(?:пару |несколько |[0-9]+ )?"
    r"(?:день|дн[яей]|сутки|час|недел|смен|рейс|day|hour|week)|daily\b|weekly\b)"
    r"|[0-9]{2,} ?(?:元|块)? ?(?:/|每|一)(?:天|日|小时|单)"
)
_DIGIT = re.compile("[0-9]")
#: How far before a period word the sum paid per it may start ("от 10 000 рублей в день").
_PAY_REACH = 32
#: An @handle beside an offer is where to write ("contact @someone"): a DM ask then.
_HANDLE = re.compile(r"(?<![\w.])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
#: "write me a script" is a request, not a DM ask.
_NOT_A_DM = re.compile(r" (?:a|an|the|some|this|that|down|up)\b")


@dataclass(slots=True)
class _Seen:
    """What one pass of the cue automaton found in a folded text: first spans by kind."""

    families: dict[str, tuple[int, int]]
    pay: tuple[int, int] | None = None
    dm: tuple[int, int] | None = None
    short: tuple[int, int] | None = None
    periods: list[int] | None = None  # where period words start ("в день", "per hour")
    #: By graded kind ("promo", "lottery", "invoice"), the first span of each distinct phrase.
    graded: dict[str, dict[str, tuple[int, int]]] | None = None


def _scan(folded: str) -> _Seen:
    seen = _Seen({})
    size = len(folded)
    # The automaton reads text with astral characters (emoji) several times slower: they are
    # no part of any cue, so each is replaced by one BMP character (spans stay where they were).
    text = _ASTRAL.sub("\ufffd", folded) if _ASTRAL.search(folded) else folded
    for last, cue in _cues().iter(text):
        end = last + 1
        start = end - len(cue.phrase)
        if cue.word_start and start and folded[start - 1].isalnum():
            continue
        ends_word = end == size or not folded[end].isalnum()
        for kind, word_end in cue.kinds:
            if word_end and not ends_word:
                continue
            if kind in FAMILIES:
                seen.families.setdefault(kind, (start, end))
            elif kind == "pay":
                after = (_SUM_AFTER_LATIN if cue.phrase.isascii() else _SUM_AFTER) \
                    if cue.word_start else _SUM_AFTER_HAN
                if seen.pay is None and (money := after.match(folded, end)):
                    seen.pay = (start, money.end())
            elif kind == "offer":
                if seen.pay is None:
                    seen.pay = (start, end)
            elif kind == "dm":
                if seen.dm is None and not (
                    cue.phrase.startswith("write") and _NOT_A_DM.match(folded, end)
                ):
                    seen.dm = (start, end)
            elif kind in _GRADED_KINDS:
                if seen.graded is None:
                    seen.graded = {}
                seen.graded.setdefault(kind, {}).setdefault(cue.phrase, (start, end))
            elif kind == "period":
                if seen.periods is None:
                    seen.periods = []
                seen.periods.append(start)
            elif seen.short is None:
                seen.short = (start, end)
    return seen


#: Emoji and pictographs (astral), dingbats and the usual BMP symbols used as bullets; skin
#: tone modifiers (U+1F3FB–U+1F3FF) are part of the emoji before them, not emoji of their own.
_EMOJI = re.compile(
    "[\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001f3fa\U0001f400-\U0001faff]"
)
EMOJI_WALL_MIN = 8
#: Offers show their hand early: only this many leading characters are read (of the folded
#: text for cues, of the original for letters and emoji), which keeps long pastes cheap.
OFFER_SCAN = 1000
#: At least one emoji per this many characters of the message.
EMOJI_WALL_SPACING = 20


class OffersPolicy:
    """Income, job, crypto and investment offers and what comes with them; pure."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[PolicyOptions]] = OffersOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = SYMBOLS

    def __init__(self, options: PolicyOptions) -> None:
        assert isinstance(options, OffersOptions)
        self.options = options
        _cues()  # built now, not on the first message

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        original = scanned(message.text)
        if not original or (self.options.exempt_staff and staff_involved(message, ctx)):
            return []
        opts = self.options
        folded = normalize(original)
        seen = _scan(folded if len(folded) <= OFFER_SCAN else folded[:OFFER_SCAN])
        if len(original) > OFFER_SCAN:
            original = original[:OFFER_SCAN]
        found: list[tuple[str, float, str]] = []  # symbol, score, evidence
        if opts.offers and (offer := _offer(folded, seen)):
            found.append(("AD_INCOME_OFFER", offer[0], _original(original, folded, offer[1])))
        if opts.dm_asks and seen.dm is not None:
            found.append(("AD_DM_ASK", _score("AD_DM_ASK"), _original(original, folded, seen.dm)))
        elif opts.dm_asks and found and (handle := _HANDLE.search(original)):
            found.append(("AD_DM_ASK", _score("AD_DM_ASK"), handle.group()))
        if opts.mixed_script and (words := mixed_words(original)):
            found.append(("AD_MIXED_SCRIPT", MIXED_SCORES[len(words)], " ".join(words)))
        if opts.emoji_wall and (wall := _emoji_wall(original)):
            found.append(("AD_EMOJI_WALL", _score("AD_EMOJI_WALL"), wall))
        for kind, symbol, scores, option in GRADED:
            phrases = seen.graded.get(kind) if seen.graded else None
            if phrases and getattr(opts, option):
                found.append((symbol, scores[min(len(phrases), 3)],
                              _original(original, folded, min(phrases.values()))))
        if opts.shorteners and seen.short is not None and found:
            found.append(("AD_SHORTENER", _score("AD_SHORTENER"), _original(
                original, folded, seen.short, reach=0)))
        if not found:
            return []
        reason = _reason(tuple(symbol for symbol, _, _ in found))
        return [Verdict(symbol, score, reason, evidence=evidence, policy=NAME)
                for symbol, score, evidence in found]


def _score(symbol: str) -> float:
    return SYMBOLS[symbol].score


def _offer(folded: str, seen: _Seen) -> tuple[float, tuple[int, int]] | None:
    """The offer's score and the span of its first cue, or None when it is no offer."""
    pay = seen.pay
    if pay is None and seen.periods and _DIGIT.search(folded):
        pay = _paid_per(folded, seen.periods)
    if pay is None and len(seen.families) < 2:
        return None
    return _score("AD_INCOME_OFFER"), pay or min(seen.families.values())


def _paid_per(folded: str, periods: list[int]) -> tuple[int, int] | None:
    """The span of a sum paid per one of the period words starting at ``periods``."""
    done = 0
    for at in periods:
        low = max(done, at - _PAY_REACH)
        if (paid := _PAY_NUM.search(folded, low, at + 8)) is not None:
            return paid.span()
        done = at
    return None


def _original(original: str, folded: str, span: tuple[int, int], reach: int = 20) -> str:
    """The original text behind a folded span, widened to whole words and ``reach`` more
    characters (up to 60 in all); the folded text itself when folding changed it beyond case
    (it is evidence to show, not proof)."""
    start, end = span
    while start and not folded[start - 1].isspace():
        start -= 1
    end = folded.find(" ", end + reach) if end + reach < len(folded) else len(folded)
    if end < 0 or end - start > 60:
        end = min(len(folded), start + 60)
    piece = folded[start:end].strip()
    lowered = original.lower()
    if len(lowered) == len(original) and (at := lowered.find(piece)) >= 0:
        return original[at : at + len(piece)]
    return piece


def _emoji_wall(original: str) -> str:
    """The emoji of a message made of many emoji for its length, else ""."""
    emoji = _EMOJI.findall(original)
    if len(emoji) < EMOJI_WALL_MIN or len(emoji) * EMOJI_WALL_SPACING < len(original):
        return ""
    if len(original) - len(emoji) < 2 * EMOJI_WALL_MIN:
        return ""  # emoji with hardly any text: off-topic filler, not an ad's bullets
    return "".join(emoji[:12])


@lru_cache(maxsize=64)
def _reason(symbols: tuple[str, ...]) -> Text:
    """All the signals seen, joined: "income offer + DM ask"."""
    names = [SYMBOLS[symbol].description for symbol in symbols]
    return t(" + ".join(n.en for n in names), " + ".join(n.zh for n in names))
