"""The offers policy: "easy income" spam as a seasoned moderator reads it, signal by signal.

Each signal alone is weak (rspamd style): a word like "job", "crypto" or "money" in an honest
chat, a "write me in DM", a wall of emoji, a short link or one odd letter never deletes. They
add up: an income, job, crypto or investment offer with a DM ask, a short link, an emoji wall
or look-alike letters reaches the delete threshold (5 in the example config), and so do several
words written in mixed scripts ("Здpaвcтвyйтe, зapaбoтoк"). The reason names what was seen
("income offer + DM ask").

- ``AD_INCOME_OFFER``: a pay cue (an amount per day/hour, "оплата от 5000", "日赚300"), or
  cues from two families of: income (заработок, earn, 赚钱), jobs (вакансия, hiring, 兼职),
  crypto and investment (крипта, forex, 投资) and lures (без опыта, from home, 日结, 躺赚).
  Three families, or a pay cue with another one, make a strong offer (still below delete).
- ``AD_DM_ASK``: "пиши в лс", "пишите в личку", "ставь + в комментариях", "DM me",
  "write me", "私聊我", "私信".
- ``AD_MIXED_SCRIPT``: words mixing Cyrillic and Latin look-alikes (``policies.scripts``).
- ``AD_EMOJI_WALL``: many emoji for the text (at least 8, one per 20 characters or more).
- ``AD_SHORTENER``: a link through a URL shortener (``policies/data/shorteners.txt``).

Matching runs on the folded text (``policies.normalize``), mixed scripts and emoji on the
original; every scan is gated by a cheap necessary condition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from bot.events import Message
from bot.i18n import Text, t
from bot.policy import Context, PolicyOptions, SymbolInfo, staff_involved
from bot.verdict import Verdict
from policies.ads_evidence import original_evidence
from policies.normalize import normalize, scanned
from policies.scripts import mixed_words

NAME = "offers"
DATA = Path(__file__).parent / "data"


def _s(name: str, score: float, en: str, zh: str) -> tuple[str, SymbolInfo]:
    return name, SymbolInfo(name, score, t(en, zh))


SYMBOLS: Mapping[str, SymbolInfo] = dict(
    [
        _s("AD_INCOME_OFFER", 3.5, "income offer", "招揽赚钱/兼职/投资"),
        _s("AD_DM_ASK", 1.5, "DM ask", "引导私聊"),
        _s("AD_MIXED_SCRIPT", 1.5, "look-alike letters", "混用形近字母"),
        _s("AD_EMOJI_WALL", 1.5, "emoji wall", "大量表情符号"),
        _s("AD_SHORTENER", 1.5, "shortened link", "短链接"),
    ]
)
#: A strong offer (three cue families, or a pay cue and another family): still below delete.
STRONG_OFFER = 4.0
#: Mixed-script words: one is weak, two flag, three or more delete on their own.
MIXED_SCORES = (0.0, 1.5, 3.0, 5.0)


class OffersOptions(PolicyOptions):
    """Options of the offers policy: each signal can be switched off."""

    offers: bool = True
    dm_asks: bool = True
    mixed_script: bool = True
    emoji_wall: bool = True
    shorteners: bool = True
    exempt_staff: bool = True


def _ru(pattern: str) -> str:
    """Cyrillic stems as spammers spell them after folding: Latin u for и, е for ё."""
    return pattern.replace("и", "[иu]").replace("ё", "[её]")


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(_ru(a) for a in alternatives))


#: Cue families of an offer; each pattern is searched once on the folded text.
_INCOME = _words(
    r"\bзараб[ао]т", r"\bподраб[ао]т", r"\bдоход", r"\bприбыл", r"\bпассивн",
    r"\bearn(?:s|ing|ings)?\b", r"\bincome\b", r"\bprofits?\b", r"\bpayouts?\b",
    r"\bwithdraw", r"\bmake money\b", r"\bmaking money\b", r"\bextra cash\b",
    "赚钱", "赚米", "收入", "收益", "月入", "日入", "日赚", "佣金", "提现",
)
_JOB = _words(
    r"\bваканси", r"\bтребу[юе]тся\b", r"\bнужн[ыа] (?:люди|человек|сотрудник|помощник|курьер)",
    r"\bищем (?:людей|сотрудник|партн[её]р|помощник)", r"\bнабор в команду", r"\bв команду\b",
    r"\bшабашк", r"\bприглашаем на работу", r"\bhiring\b", r"\bjob offer", r"\bvacanc",
    r"\bwe are looking for\b", r"\blooking for (?:partners|agents|people who)",
    "兼职", "招聘", "招募", "急招", "诚招", "代理", "副业", "打字员", "刷单", "宝妈", "学生党",
)
_CRYPTO = _words(
    r"\bкрипт", r"\bарбитраж", r"\bинвест", r"\bтрейд", r"\bбиржа", r"\busdt\b",
    r"\bбиткоин", r"\bфорекс", r"\bcrypto", r"\bbitcoin", r"\bbtc\b", r"\binvest",
    r"\btrading\b", r"\bforex\b", r"\bbroker", r"\bbinary option", r"\bairdrop",
    "投资", "理财", "币圈", "炒币", "虚拟币", "数字货币", "博彩", "炒股", "股票",
)
_LURE = _words(
    r"\bбез опыта", r"\bбез вложени", r"\bне выходя из дома", r"\bиз дома\b", r"\bудал[её]нн",
    r"\bудал[её]нк", r"\bсвободный график", r"\bбесплатн\w* обучени", r"\bобучение бесплатн",
    r"\bгарантир", r"\bтемк[аиуой]", r"\bбел(?:ая|ую) тем", r"\bне напрягаясь", r"\bзаконн",
    r"\bлегальн", r"\b1-2 час", r"\bв свободное время", r"\bот 18\b", r"\b18\+",
    r"\bno experience\b", r"\bfrom home\b", r"\bfinancial freedom\b", r"\bguarantee",
    r"\brisk[- ]free\b", r"\blegit\b", r"\btestify\b", r"\bfree training\b",
    r"\bin (?:just |only )?\d+ ?(?:hours|hrs|days)\b",
    "日结", "躺赚", "稳赚", "轻松赚", "在家", "足不出户", "手机就能", "无需经验", "零基础",
    "无门槛", "零投入", "零成本", "包赚",
)
_FAMILIES = (_INCOME, _JOB, _CRYPTO, _LURE)
#: An amount of money and what it pays per (a day, an hour, a shift), or a pay word and a sum.
_PAY = _words(
    r"\d[\d .,]*(?:(?:k|к|тыс\w*)\.? ?(?:руб\w*|р\b|₽|\$|usd\w*|долл\w*|евро|€|грн)?|"
    r"(?:руб\w*|р\b|₽|\$|usd\w*|долл\w*|евро|€|грн))\.? ?(?:в|за|/) ?(?:пару |несколько |\d+ )?"
    r"(?:день|дн[яей]|сутки|час|недел|смен|рейс)",
    r"(?:плачу|заплачу|оплата|\bзп|зарплат\w*|доход\w*|заработ\w*|платим)\W{0,3}"
    r"(?:от|до)? ?\d", r"\b(?:иметь|поднима\w*|получа\w*|зарабатыва\w*) (?:около|от|до) \d",
    r"[$€£] ?\d[\d,.]*k? ?(?:usd|dollars)? ?(?:/|per|a|each|every) ?(?:day|hour|week)\b",
    r"\d[\d,.]*k? ?(?:usd|usdt|dollars|\$|€) ?(?:daily|weekly|(?:/|per|a|each|every) ?"
    r"(?:day|hour|week)\b)",
    r"(?:日赚|日入|月入|日结|一天|每天)\d{2,}", r"\d{2,} ?(?:元|块)? ?(?:/|每|一)(?:天|日|小时|单)",
)
_DM = _words(
    r"\b(?:пиш|напиш|отпиш|стуч|жду|обращай|писать)\w* ?(?:мне |нам )?(?:[вb] )?"
    r"(?:лс|л\.с|личк|личн|директ|пм\b|pm\b|dm\b)",
    r"\b[вb] (?:лс\b|л\.с|личку|личные сообщ|личных сообщ|директ)",
    r"\b(?:став|пиш|напиш|жми|кида)\w* ?(?:\+|плюс\b)",
    r"(?:\+|\bплюс) ?[вb] ?(?:коммент|лс\b|личк)",
    r"\bнапиш\w* (?:«|\")?хочу", r"\b(?:на|от)?пиши(?:те)?\b", r"\bпиш\w* (?:мне|сюда)\b",
    r"\bжду (?:тво|ваш)\w* сообщ", r"\bожида\w* (?:[вb] |ваш|тво)", r"\bсвяжи\w* со мной",
    r"\bза подробност", r"\bподробност\w* (?:[вb] лс|у меня|в личк)",
    r"\b(?:dm|pm|inbox|message|text|contact|ping|hit) me\b",
    r"\bwrite (?:to )?me\b(?! (?:a|an|the|some|this|that)\b)",
    r"\bsend me a (?:dm|pm|message)", r"\b(?:in|via|my) (?:dm|pm|inbox)\b", r"\bdm (?:for|now)\b",
    "私聊", "私信", "私我", "滴滴我", "私戳", "戳我", "有意者", "感兴趣的?(?:加|私|联系)",
)
#: Every DM-ask pattern holds one of these: one plain search rules most texts out.
_DM_GATE = re.compile(_ru(r"лс|л\.с|личк|личн|директ|\+|плюс|хочу|мне|сюда|пиши|жду|ожида|"
                          r"свяжи|подробност|\bme\b|\bdm\b|\bpm\b|inbox|"
                          "私|滴滴|戳我|有意|感兴趣"))

#: Emoji and pictographs (astral), dingbats and the usual BMP symbols used as bullets.
_EMOJI = re.compile(
    "[\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff]"
)
EMOJI_WALL_MIN = 8
#: At least one emoji per this many characters of the message.
EMOJI_WALL_SPACING = 20


@lru_cache(maxsize=1)
def _shortener() -> re.Pattern[str]:
    """A link through one of the shorteners listed in ``policies/data/shorteners.txt``."""
    hosts = [
        line.strip().lower()
        for line in (DATA / "shorteners.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    alternation = "|".join(map(re.escape, sorted(hosts, key=lambda h: (-len(h), h))))
    return re.compile(rf"(?<![\w.-])(?:{alternation})/[\w-]")


class OffersPolicy:
    """Income, job, crypto and investment offers and what comes with them; pure."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[PolicyOptions]] = OffersOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = SYMBOLS

    def __init__(self, options: PolicyOptions) -> None:
        assert isinstance(options, OffersOptions)
        self.options = options
        self._shortener = _shortener() if options.shorteners else None

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        original = scanned(message.text)
        if not original or (self.options.exempt_staff and staff_involved(message, ctx)):
            return []
        opts = self.options
        folded = normalize(original)
        found: list[tuple[str, float, str]] = []  # symbol, score, folded or original evidence
        if opts.offers and (offer := _offer(folded)):
            found.append(("AD_INCOME_OFFER", *offer))
        if opts.dm_asks and _DM_GATE.search(folded) and (dm := _DM.search(folded)):
            found.append(("AD_DM_ASK", SYMBOLS["AD_DM_ASK"].score, dm.group()))
        if opts.mixed_script and (words := mixed_words(original)):
            found.append(("AD_MIXED_SCRIPT", MIXED_SCORES[len(words)], " ".join(words)))
        if opts.emoji_wall and (wall := _emoji_wall(original)):
            found.append(("AD_EMOJI_WALL", SYMBOLS["AD_EMOJI_WALL"].score, wall))
        if self._shortener is not None and "/" in folded and (
            short := self._shortener.search(folded)
        ):
            found.append(("AD_SHORTENER", SYMBOLS["AD_SHORTENER"].score, short.group()))
        if not found:
            return []
        reason = _reason(tuple(symbol for symbol, _, _ in found))
        return [
            Verdict(symbol, score, reason, evidence=_evidence(symbol, text, original, folded),
                    policy=NAME)
            for symbol, score, text in found
        ]


def _offer(folded: str) -> tuple[float, str] | None:
    """The offer's score and folded evidence, or None when it is no offer."""
    pay = _PAY.search(folded)
    cues = [m for family in _FAMILIES if (m := family.search(folded)) is not None]
    if pay is None and len(cues) < 2:
        return None
    strong = len(cues) >= 3 or (pay is not None and len(cues) >= 1)
    first = pay or min(cues, key=lambda m: m.start())
    score = STRONG_OFFER if strong else SYMBOLS["AD_INCOME_OFFER"].score
    return score, folded[first.start() : first.end() + 40].strip()


def _emoji_wall(original: str) -> str:
    """The emoji of a message made of many emoji for its length, else ""."""
    emoji = _EMOJI.findall(original)
    if len(emoji) < EMOJI_WALL_MIN or len(emoji) * EMOJI_WALL_SPACING < len(original):
        return ""
    if len(original) - len(emoji) < 2 * EMOJI_WALL_MIN:
        return ""  # emoji with hardly any text: off-topic filler, not an ad's bullets
    return "".join(emoji[:12])


def _evidence(symbol: str, text: str, original: str, folded: str) -> str:
    if symbol in ("AD_MIXED_SCRIPT", "AD_EMOJI_WALL"):
        return text  # read on the original already
    return original_evidence(original, text, folded)


@lru_cache(maxsize=64)
def _reason(symbols: tuple[str, ...]) -> Text:
    """All the signals seen, joined: "income offer + DM ask"."""
    names = [SYMBOLS[symbol].description for symbol in symbols]
    return t(" + ".join(n.en for n in names), " + ".join(n.zh for n in names))
