"""Contact solicitation in folded text: WeChat and QQ ids, phone numbers, "see my profile"."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: WeChat and its disguises, as matched on normalised text (lower case, simplified, folded).
#: Order matters where one word starts another: the longer one comes first.
WECHAT_WORDS = (
    "微信", "威信", "薇信", "徽信", "维信", "危信", "卫信", "唯信", "wei信", "v信", "v芯",
    "vx", "wx", "weixin", "wechat", "wexin", "绿泡泡", "+v", "加v", "加薇", "加威", "加微",
    "薇", "喂心", "威心", "微芯", "v❤", "v♥",
)
#: QQ and its disguises (扣 "kòu" and its rarer homophones 寇 筘 蔻 叩 stand for Q).
QQ_WORDS = (
    "qq", "扣扣", "抠抠", "寇寇", "蔻蔻", "口口", "企鹅", "企鵝", "🐧", "q群", "裙号", "群号",
    "裙", "扣群", "qun", "寇", "筘", "蔻", "叩",
)


def _alternation(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(map(re.escape, words)) + ")"


WECHAT = _alternation(WECHAT_WORDS)
QQ = _alternation(QQ_WORDS)
#: Between a contact keyword and the id: separators, colons, "号", "是", "搜", a few letters.
_GAP = r"[\s:：=\-_.,，。/|~*+#@号是为搜加我的]{0,6}"
_WECHAT_ID = r"([a-z][a-z0-9_-]{4,19}|[0-9]{5,12})"
_QQ_ID = r"([0-9]{5,11})"

_WECHAT_WITH_ID = re.compile(WECHAT + _GAP + _WECHAT_ID)
#: Patterns that would start with a look-behind start with their first character instead (so
#: ``re`` skips fast to the candidates), look behind it, then go on by what it was.
_ID_THEN_WECHAT = re.compile(
    r"([a-z0-9](?<![a-z0-9].)(?:(?<=[a-z])[a-z]{0,3}[0-9]{5,12}|(?<=[0-9])[0-9]{4,11}))"
    + _GAP
    + WECHAT
)
_QQ_WITH_ID = re.compile(QQ + _GAP + _QQ_ID)
#: The id first, then the keyword, perhaps after 加 or its homophones 家 嘉 ("…33332家寇").
_ID_THEN_QQ = re.compile(r"([0-9](?<![0-9].)[0-9]{4,10})(?![0-9])" + _GAP + "[加家嘉]?" + QQ)
_ASK_WECHAT = re.compile(r"(?:加|添加|联系|私聊|私信|找|看)我?(?:的)?" + WECHAT + "|加v(?![a-z])")
#: "加Q", "加企鹅", "找我扣扣" with no id: a weak finding, like "加微信" with none.
_ASK_QQ = re.compile(r"(?:加|添加|联系|私聊|私信|找)我?(?:的)?(?:q(?![a-z])|" + QQ + ")")
#: An ``_ASK_QQ`` match holds a QQ keyword or one of these.
_ASKED_Q = tuple(before + "q" for before in "加系聊信找我的")

#: Mainland mobile numbers, and long digit runs that read as phone numbers anywhere.
_CN_MOBILE = re.compile(r"[+81](?<![0-9].)(?:(?<=\+)861|(?<=8)61|(?<=1))[3-9][0-9]{9}(?![0-9])")
_LONG_NUMBER = re.compile(
    r"[+0-9](?<![0-9a-z].)(?:(?<=\+)[0-9]{10,13}|(?<=[0-9])[0-9]{9,12})(?![0-9])"
)
_CALL_WORDS = re.compile(
    r"(?:电话|致电|来电|热线|咨询|联系|手机|tel|call|phone|txt|text|ring|dial|whatsapp|"
    r"звони|телефон)"
)

#: Money and prize words that make a plain phone number with a call to action an ad.
_OFFER_WORDS = re.compile(
    r"(?:prize|won\b|winner|claim|award|cash|reward|bonus|guarantee|urgent|£|\$|€|"
    r"优惠|促销|特价|折扣|中奖|奖金|领取|现金|返利|贷款|无抵押)"
)
#: Contact keywords written to dodge filters (薇信, 企鹅, 🐧, v芯 …), as opposed to plain ones.
DISGUISED_KEYWORD = re.compile(
    r"(?:威信|薇信|徽信|维信|危信|卫信|唯信|wei信|v信|v芯|wexin|绿泡泡|加薇|加威|薇|喂心|威心|"
    r"微芯|v❤|v♥|扣扣|抠抠|寇|蔻|口口|企鹅|企鵝|🐧|裙号|扣群|qun|筘|叩)"
)

#: Cheap necessary conditions: a text failing one cannot match the patterns it guards, so most
#: messages skip the slow scans (these patterns start with look-behinds or nested groups, which
#: ``re`` tries at every position).
_WECHAT_WORD = re.compile(WECHAT)
_QQ_WORD = re.compile(QQ)
#: A leading single class lets ``re`` skip ahead to digits (faster than ``[0-9]{10}``).
_TEN_DIGITS = re.compile(r"[0-9][0-9]{9}")
_PROFILE_WORDS = ("头像", "主页", "简介", "资料", "签名", "profile", "bio", "avatar", "pfp")
_NAME_WORDS = ("名字", "昵称", "网名")

_SEE_PROFILE = re.compile(
    r"(?:看|点|戳|进)我的?(?:头像|主页|简介|资料|签名|个人资料)|"
    r"(?:头像|主页|简介|签名)(?:有|里|上)(?:联系|方式|惊喜|福利|v|微|q)|"
    r"(?:check|see|look at|visit)\s(?:my\s)?(?:profile|bio|avatar|pfp)|"
    r"(?:link|contact)s?\s(?:is\s)?in\s(?:my\s)?(?:bio|profile)"
)
#: "Look at my name": the display name as the contact card. Weak alone (a name is also just a
#: name), it adds to a contact ask beside it ("看我的名字，加Q").
_SEE_NAME = re.compile(r"(?:看|点|戳)我的?" + _alternation(_NAME_WORDS))
#: The longest ``_SEE_PROFILE`` match ("contacts is in my profile"); each holds a profile word.
_PROFILE_REACH = 25


def _search_near(pattern: re.Pattern[str], text: str, words: tuple[str, ...], reach: int
                 ) -> re.Match[str] | None:
    """``pattern.search(text)``, trying only the stretches around occurrences of ``words``.

    Valid when every way ``pattern`` can match is at most ``reach`` characters long, holds one
    of ``words`` and looks no further ahead than it consumes. A match holding a word starting
    at ``at`` starts in ``[at - reach, at]`` and ends by ``at + reach``: searching that window
    finds the leftmost match starting there, exactly as a search of the whole text would
    (``re`` sees before the window for look-behinds; nothing beyond it is needed).
    """
    found: list[int] = []
    for word in words:
        at = text.find(word)
        while at >= 0:
            found.append(at)
            at = text.find(word, at + 1)
    done = 0  # no match starts before this
    for at in sorted(found):
        if at < done:
            continue
        match = pattern.search(text, max(done, at - reach), at + reach)
        if match is not None and match.start() <= at:
            return match
        done = at + 1
    return None


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding: which signal, how strong, and the folded text that matched.

    ``strong`` means specific (an id, a call to action); a specific contact deletes on its own
    only when it is disguised or ``alone`` is set (see ``policies.ads``).
    """

    symbol: str
    strong: bool
    match: str
    alone: bool = False


#: Every finding needs one of these words or ten digits in a row (each pattern below is
#: searched only after its word was seen): one flat alternation of them rules most messages
#: out in one fast scan.
_ANY_WORD = re.compile(
    "|".join(map(re.escape, sorted({*WECHAT_WORDS, *QQ_WORDS, *_PROFILE_WORDS, *_NAME_WORDS,
                                    *_ASKED_Q}, key=lambda word: (-len(word), word))))
)


#: Contact keywords with decoration threaded between their letters: "v❤x", "w.x", "薇💗信",
#: "企-鹅", "q q", "扣✨扣" (zero-width characters are gone already: ``normalize`` removes them).
#: Found by a pair's first letter, up to four symbols, emoji, spaces or punctuation, and a
#: second letter; which pairs spell a keyword is checked after.
_DECORATED = re.compile(r"[vwq微薇威徽企扣抠寇蔻][\W_]{1,4}[x信q鹅扣抠寇蔻]")
_DECORATED_PAIRS = frozenset(
    {"vx", "wx", "v信", "微信", "薇信", "威信", "徽信", "企鹅", "qq", "扣扣", "抠抠", "寇寇",
     "蔻蔻"}
)
_LATIN_LETTER = re.compile("[a-z]")
#: After a decorated keyword, an id spread out the same way ("qg 8 8 8 8" is folded to
#: "qg 8888"): pieces of one or two letters or of digits with separators between, joined.
_ID_PIECE = r"(?:[a-z]{0,3}[0-9]{1,6}|[a-z]{1,2})(?![a-z0-9])"
_SPREAD_ID = re.compile(
    r"([\s:=\-.,/|~*+#@号是为搜]{0,6})(" + _ID_PIECE + r"(?:[^\w\u3400-\u9fff]{1,3}"
    + _ID_PIECE + "){1,5})"
)
_NOT_ALNUM = re.compile("[^a-z0-9]+")


def _undecorated(folded: str) -> tuple[str, tuple[str, ...]]:
    """``folded`` with the decoration inside contact keywords removed, and those keywords.

    A Latin pair counts only as a word of its own ("v.x", not "nav.xml"). Digits, letters and
    Han never count as decoration, so "v1x" or "微的信" stay as they are.
    """
    parts: list[str] = []
    keywords: list[str] = []
    done = 0
    for match in _DECORATED.finditer(folded):
        found = match.group()
        pair = found[0] + found[-1]
        start, end = match.span()
        if pair not in _DECORATED_PAIRS or start < done:
            continue
        if pair.isascii() and (
            (start and _LATIN_LETTER.match(folded, start - 1))
            or (pair[1] != "信" and _LATIN_LETTER.match(folded, end))
        ):
            continue
        parts += (folded[done:start], pair)
        keywords.append(pair)
        done = end
        if spread := _SPREAD_ID.match(folded, end):
            joined = _NOT_ALNUM.sub("", spread.group(2))
            if len(joined) >= 5 and not joined.isalpha():
                parts.append(spread.group(1) + joined)
                done = spread.end()
    if not keywords:
        return folded, ()
    parts.append(folded[done:])
    return "".join(parts), tuple(keywords)


def may_solicit(folded: str) -> bool:
    """A necessary condition of any ``find_contacts`` finding (cheap: most texts fail it)."""
    return bool(
        _TEN_DIGITS.search(folded) or _ANY_WORD.search(folded) or _DECORATED.search(folded)
    )


def find_contacts(folded: str) -> list[Hit]:
    """Contact solicitations in normalised text, strongest first, one per symbol."""
    return _findings(folded) if may_solicit(folded) else []


def _findings(folded: str) -> list[Hit]:
    """``find_contacts`` without the gate (a finding here must pass ``may_solicit``).

    Decoration threaded inside a contact keyword is removed first; a WeChat or QQ finding
    holding such a keyword was written to dodge filters, so it is ``alone`` (deletes on its
    own); its evidence is still the original substring, decoration included.
    """
    decorated: tuple[str, ...] = ()
    if _DECORATED.search(folded):
        folded, decorated = _undecorated(folded)
    hits = _plain_findings(folded)
    if decorated:
        hits = [
            Hit(hit.symbol, hit.strong, hit.match, alone=True)
            if hit.symbol in ("AD_CONTACT_WECHAT", "AD_CONTACT_QQ")
            and any(keyword in hit.match for keyword in decorated)
            else hit
            for hit in hits
        ]
    return hits


def _plain_findings(folded: str) -> list[Hit]:
    hits: list[Hit] = []
    if _WECHAT_WORD.search(folded):
        found = _WECHAT_WITH_ID.search(folded) or _ID_THEN_WECHAT.search(folded)
        if found:
            hits.append(Hit("AD_CONTACT_WECHAT", True, found.group()))
        elif asked := _ASK_WECHAT.search(folded):
            hits.append(Hit("AD_CONTACT_WECHAT", False, asked.group()))
    qq_word, qq = _QQ_WORD.search(folded), None
    if qq_word:
        qq = _QQ_WITH_ID.search(folded) or _ID_THEN_QQ.search(folded)
    if qq:
        hits.append(Hit("AD_CONTACT_QQ", True, qq.group()))
    elif (qq_word or any(ask in folded for ask in _ASKED_Q)) and (
        asked_qq := _ASK_QQ.search(folded)
    ):
        hits.append(Hit("AD_CONTACT_QQ", False, asked_qq.group()))
    phone = None
    if digits := _TEN_DIGITS.search(folded):
        # Every phone match holds ten digits in a row, so none starts before this run ("+").
        start = max(0, digits.start() - 1)
        phone = _CN_MOBILE.search(folded, start) or _LONG_NUMBER.search(folded, start)
    if phone:
        window = folded[max(0, phone.start() - 24) : phone.end() + 24]
        call = bool(_CALL_WORDS.search(window))
        offer = bool(_OFFER_WORDS.search(folded) and _CALL_WORDS.search(folded))
        hits.append(Hit("AD_PHONE", call or offer, phone.group(), alone=offer))
    if profile := _search_near(_SEE_PROFILE, folded, _PROFILE_WORDS, _PROFILE_REACH):
        hits.append(Hit("AD_SEE_PROFILE", True, profile.group()))
    elif "我" in folded and (name := _SEE_NAME.search(folded)):
        hits.append(Hit("AD_SEE_PROFILE", False, name.group()))
    return hits
