"""The ads policy: links, invites, channel promotions, contacts, QR codes, buttons, cards.

Matching runs on ``normalize(scanned(text))`` (disguises undone); the evidence is the original
substring when it can be located, else the folded one. Only strong, specific evidence deletes
on its own: invites, promoted channels, obfuscated domains, and contacts (WeChat, QQ, phone)
that are disguised or come with an offer; a plainly written contact only flags. Images are
decoded for QR codes only when the adapter made them available locally (see
``policies.ads_qr``); then ``check`` returns an awaitable. ``name_verdicts(name)`` judges a
new member's display name for the join handler.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from pydantic import Field

from bot.events import Kind, Message
from bot.i18n import Text, t
from bot.policy import Context, PolicyOptions, SymbolInfo
from bot.verdict import Verdict
from policies.ads_contacts import DISGUISED_KEYWORD, Hit, find_contacts
from policies.ads_links import find_in_name, find_links
from policies.ads_qr import MAX_BYTES, decode_all, image_sources
from policies.normalize import normalize, scanned

NAME = "ads"


def _s(name: str, score: float, en: str, zh: str) -> tuple[str, SymbolInfo]:
    return name, SymbolInfo(name, score, t(en, zh))


SYMBOLS: Mapping[str, SymbolInfo] = dict(
    [
        _s("AD_LINK", 6.0, "Link to an outside site", "外部链接"),
        _s("AD_INVITE_LINK", 7.0, "Invite link to another group", "其他群组的邀请链接"),
        _s("AD_CHANNEL_PROMO", 6.0, "Promotes a channel or account", "推广频道或账号"),
        _s("AD_CONTACT_WECHAT", 6.0, "Solicits contact on WeChat", "招揽添加微信"),
        _s("AD_CONTACT_QQ", 6.0, "Solicits contact on QQ", "招揽添加QQ"),
        _s("AD_PHONE", 6.0, "Advertises a phone number", "广告电话号码"),
        _s("AD_SEE_PROFILE", 5.0, "Points to the profile for contacts", "引导查看头像/资料"),
        _s("AD_QR_CODE", 6.0, "Image holds a QR code", "图片中含有二维码"),
        _s("AD_URL_BUTTON", 6.0, "Message carries link buttons", "消息带有链接按钮"),
        _s("AD_FORWARD_CHANNEL", 3.0, "Forwarded from a channel", "转发自频道"),
        _s("AD_VIA_BOT", 2.0, "Sent through an inline bot", "通过内联机器人发送"),
        _s("AD_CARD", 5.0, "Shares a card or mini-program", "分享卡片或小程序"),
        _s("AD_NAME", 6.0, "Advertisement in the display name", "昵称中含有广告"),
    ]
)

#: A weak finding (a bare link, a phone number with no call to action, "加微信" without an
#: id) scores this fraction of its symbol's score: enough to flag, not to delete alone.
WEAK = 0.5
#: Contacts that delete on their own only when disguised (full-width or math digits, Chinese
#: numerals, look-alike letters, runes or emoji inside, digits spread apart, 薇信/企鹅-style
#: keywords) or backed by an offer: a plain "联系电话 0431…" or "微信号 abc123" is common in
#: honest messages (lost and found, a shop's own number), so it only flags and leaves the
#: decision to the scores of other signals (the trained classifier).
PLAIN_IS_WEAK = frozenset({"AD_CONTACT_WECHAT", "AD_CONTACT_QQ", "AD_PHONE"})
_SPREAD_DIGITS = re.compile(r"[0-9][^0-9a-z]{1,4}(?=[0-9])")


class AdsOptions(PolicyOptions):
    """Options of the ads policy."""

    allowed_domains: list[str] = Field(default_factory=list)
    allowed_mentions: list[str] = Field(default_factory=list)
    links: bool = True
    contacts: bool = True
    qr_codes: bool = True
    buttons: bool = True
    forwards: bool = True
    via_bot: bool = True
    cards: bool = True
    max_image_bytes: int = Field(MAX_BYTES, gt=0)


class AdsPolicy:
    """Finds advertising in messages; pure except for QR decoding in a worker thread."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[PolicyOptions]] = AdsOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = SYMBOLS

    def __init__(self, options: PolicyOptions) -> None:
        assert isinstance(options, AdsOptions)
        self.options = options
        self._domains = tuple(d.lower().removeprefix("www.") for d in options.allowed_domains)
        self._mentions = tuple(m.lower().lstrip("@") for m in options.allowed_mentions)

    def check(self, message: Message, ctx: Context) -> list[Verdict] | Awaitable[list[Verdict]]:
        verdicts = self.text_verdicts(message)
        sources = image_sources(message) if self.options.qr_codes else []
        if not sources:
            return verdicts
        return self._with_qr(verdicts, sources)

    def text_verdicts(self, message: Message) -> list[Verdict]:
        """Everything but QR codes (no I/O)."""
        opts = self.options
        original = scanned(message.text)
        folded = normalize(original) if original else ""
        hits: list[Hit] = []
        if opts.links:
            hits += find_links(message, folded, self._domains, self._mentions)
        if opts.contacts and folded:
            hits += find_contacts(folded)
        verdicts = [_verdict(hit, original, folded) for hit in hits]
        verdicts += self._structural(message)
        return verdicts

    def _structural(self, message: Message) -> list[Verdict]:
        opts = self.options
        found: list[Verdict] = []
        if all(s.kind is Kind.TEXT for s in message.segments):  # the usual case: text only
            if opts.via_bot and message.via_bot:
                found.append(_make("AD_VIA_BOT", "@" + message.via_bot.lstrip("@")))
            return found
        if opts.buttons:
            urls = [b.data["url"] for b in message.of(Kind.BUTTON) if b.data.get("url")]
            if urls:
                found.append(_make("AD_URL_BUTTON", urls[0]))
        if opts.forwards:
            for forward in message.of(Kind.FORWARD):
                if forward.data.get("origin") == "channel":
                    found.append(_make("AD_FORWARD_CHANNEL", forward.data.get("name", "")))
                    break
        if opts.via_bot and message.via_bot:
            found.append(_make("AD_VIA_BOT", "@" + message.via_bot.lstrip("@")))
        if opts.cards:
            cards = message.of(Kind.CARD) + message.of(Kind.CONTACT)
            if cards:
                found.append(_make("AD_CARD", cards[0].text or cards[0].kind.value))
        return found

    async def _with_qr(self, verdicts: list[Verdict], sources: list[str | bytes]) -> list[Verdict]:
        texts = await decode_all(sources, max_bytes=self.options.max_image_bytes)
        if texts:
            verdicts = [*verdicts, _make("AD_QR_CODE", texts[0][:200])]
        return verdicts


def _make(symbol: str, evidence: str, *, weak: bool = False, reason: Text | None = None) -> Verdict:
    info = SYMBOLS[symbol]
    score = info.score * (WEAK if weak else 1.0)
    return Verdict(symbol, score, reason or info.description, evidence=evidence, policy=NAME)


def _verdict(hit: Hit, original: str, folded: str) -> Verdict:
    evidence = original_evidence(original, hit.match, folded)
    strong = hit.strong
    if strong and hit.symbol in PLAIN_IS_WEAK and not hit.alone:
        strong = disguised(evidence, hit.match)
    return _make(hit.symbol, evidence, weak=not strong)


@lru_cache(maxsize=4096)
def disguised(evidence: str, folded_match: str) -> bool:
    """Whether the original ``evidence`` of a contact was written to dodge matching."""
    if DISGUISED_KEYWORD.search(folded_match):
        return True
    if len(_ASCII_ALNUM.findall(folded_match)) > len(_ASCII_ALNUM.findall(evidence)):
        return True  # digits or letters came from full-width, math, circled or Han numerals
    for match in _NOT_ASCII_OR_HAN.finditer(evidence):
        if not unicodedata.category(match.group()).startswith(("P", "Z")):
            return True  # runes, emoji, look-alikes, combining marks inside the contact
    return len(_SPREAD_DIGITS.findall(evidence.lower())) >= 6  # 1-3-9-1-2-3-4…


#: The ASCII characters ``str.isalnum`` accepts.
_ASCII_ALNUM = re.compile("[0-9A-Za-z]")
_NOT_ASCII_OR_HAN = re.compile("[^\x00-\x7f\u3400-\u9fff]")


#: What ``str.isalnum`` accepts: word characters but the underscore.
_CORE_CHAR = re.compile(r"[^\W_]")
#: Long messages are searched for evidence only around where the folded match sits.
_WINDOW = 300


def original_evidence(original: str, folded_match: str, folded: str = "") -> str:
    """The original substring behind a folded match when it can be found, else the match.

    Each original character is folded on its own (NFKC, lower case) while remembering where it
    came from; the match's letters and digits are then searched with small gaps allowed. In a
    long message (``folded`` given) only a window around the match's folded position is
    searched: folding rarely moves text by more than a few characters. The whole message is
    folded once (and cached) however many windows are searched in it.
    """
    if not folded_match:
        return ""
    low, high = 0, len(original)
    if len(original) > 2 * _WINDOW and (at := folded.find(folded_match)) >= 0:
        low = min(max(0, at - _WINDOW), high)  # folding may lengthen: ``at`` can lie past the end
        high = min(high, at + len(folded_match) + _WINDOW)
    joined, offsets, odd = _folded_chars(original)
    # Where the window sits in ``joined``; "even": each of its characters folds to one.
    j_low, j_high = (low, high) if offsets is None else (offsets[low], offsets[high])
    even = bisect_left(odd, low) == bisect_left(odd, high)
    if even and (start := joined.find(folded_match, j_low, j_high)) >= 0:
        start += low - j_low
        return original[start : start + len(folded_match)]
    core = _CORE_CHAR.findall(folded_match)[:40]
    if not core:
        return folded_match
    found = _gapped(core, joined, j_low, j_high)
    if found is None:
        return folded_match
    begin, end = found
    if even or offsets is None:
        return original[begin + low - j_low : end + low - j_low]
    first = bisect_right(offsets, begin) - 1
    last = bisect_right(offsets, end - 1) - 1
    return original[first : last + 1]


def _gapped(core: list[str], text: str, low: int, high: int) -> tuple[int, int] | None:
    """The first span of ``text[low:high]`` spelling ``core`` (word characters) in order with
    up to six non-word characters between them, as ``re`` would find ``a\\W{0,6}b…``.

    No backtracking is ever needed (a gap character can never be the next core character), so
    a direct scan does what a compiled pattern would, without compiling one per evidence.
    """
    head, rest = core[0], core[1:]
    start = text.find(head, low, high)
    while start >= 0:
        at = start + 1
        for char in rest:
            if at < high and text[at] == char:  # no gap (the usual case)
                at += 1
                continue
            gap_end = min(at + 6, high)
            while at < gap_end and not (text[at].isalnum() or text[at] == "_"):
                at += 1
            if at >= high or text[at] != char:
                break
            at += 1
        else:
            return start, at
        start = text.find(head, start + 1, high)
    return None


@lru_cache(maxsize=64)
def _folded_chars(original: str) -> tuple[str, list[int] | None, list[int]]:
    """Each character folded alone, joined; where each one starts (None: one to one); and the
    positions of the characters folding to other than one character."""
    if original.isascii():
        return original.lower(), None, []
    scan = _fold_scan()
    if scan.common is None:
        joined = scan.bmp_changed.sub(_fold_match, original)
        bmp_odd = True
    elif scan.by_char:  # each distinct non-ASCII changed one replaced, then lower case
        found = set(scan.non_ascii_changed.findall(original))
        joined = original
        fold_of = scan.fold_of
        for char in found:
            joined = joined.replace(char, fold_of[char])
        joined = joined.lower()
        bmp_odd = not scan.uneven_chars.isdisjoint(found)  # uneven ones are among them
    else:  # the frequent ones replaced, the other non-ASCII ones one by one, then lower case
        joined = original
        for char, folded in scan.common:
            if char in joined:
                joined = joined.replace(char, folded)
        joined = scan.rare_changed.sub(_fold_match, joined).lower()
        bmp_odd = True
    odd = [m.start() for m in scan.bmp_uneven.finditer(original)] if bmp_odd else []
    if astral := set(_ASTRAL.findall(original)):
        # Each distinct astral character replaced by its fold: folds never hold an astral
        # character that folds again (checked when the tables are built, and here for those
        # past the tables), so this is what one substitution pass would do. The astral
        # characters of ``joined`` are those of the original, lower-cased when the BMP pass
        # lowered the text (no BMP character lower-cases or folds to one that folds again).
        folds: set[tuple[str, str]] = set()
        again = uneven = False
        for char in astral:
            pairs, char_again, char_uneven = _astral_fold(char, scan.common is not None)
            folds.update(pairs)
            again |= char_again
            uneven |= char_uneven
        if again:
            joined = _ASTRAL.sub(_fold_match, joined)  # past the tables: one pass, to be exact
        else:
            for char, folded in folds:
                joined = joined.replace(char, folded)
        if uneven:
            far = [m.start() for m in _ASTRAL.finditer(original) if len(_fold_char(m.group())) != 1]
            odd = sorted(odd + far)
    if not odd:
        return joined, None, []
    offsets: list[int] = []
    shift = previous = 0
    for i in odd:
        offsets.extend(range(previous + shift, i + shift + 1))
        shift += len(_fold_char(original[i])) - 1
        previous = i + 1
    offsets.extend(range(previous + shift, len(original) + shift + 1))
    return joined, offsets, odd


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    """One character under NFKC and lower case."""
    return unicodedata.normalize("NFKC", char).lower()


@lru_cache(maxsize=4096)
def _astral_fold(char: str, lowered: bool) -> tuple[tuple[tuple[str, str], ...], bool, bool]:
    """What an astral character of the original brings to the astral pass: the folds of the
    astral characters it became in ``joined`` (``lowered``: after ``str.lower``), whether one
    of those folds holds an astral character that folds again, and whether it is uneven."""
    became = char.lower() if lowered else char
    pairs = tuple(
        (c, folded)
        for c in dict.fromkeys(became)
        if _ASTRAL.match(c) and (folded := _fold_char(c)) != c
    )
    again = any(_fold_char(c) != c for _, folded in pairs for c in _ASTRAL.findall(folded))
    return pairs, again, len(_fold_char(char)) != 1


def _fold_match(match: re.Match[str]) -> str:
    return _fold_char(match.group())


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
#: Changed characters frequent in chat, replaced with ``str.replace`` rather than one by one.
_COMMON_CHANGED = "，：！？；（）～\u3000"
#: Code points below this are sorted into the scan classes up front; the rest are astral and
#: judged one by one when met (so the classes stay small).
_TABLE_END = 0x30000


@dataclass(frozen=True, slots=True)
class _FoldScan:
    """Patterns finding the characters that per-character folding changes or makes uneven."""

    bmp_changed: re.Pattern[str]
    #: When lower-casing the whole text agrees with the per-character fold everywhere else:
    #: the frequent changed characters (full-width punctuation) and their folds; the non-ASCII
    #: changed characters otherwise. ASCII capitals then need no call of their own.
    common: tuple[tuple[str, str], ...] | None
    rare_changed: re.Pattern[str]
    #: The non-ASCII changed characters of the BMP (with ``common``: when ``str.lower`` does
    #: the rest), none folding to text holding a changed character (so replacing each distinct
    #: one in turn equals one substitution pass) and every uneven one among them.
    #: Left out: those NFKC keeps and ``str.lower`` alone folds to one character (П, Ω), other
    #: than Σ (whose lower case depends on what follows it).
    non_ascii_changed: re.Pattern[str]
    by_char: bool
    #: The folds of the characters ``non_ascii_changed`` finds.
    fold_of: dict[str, str]
    bmp_uneven: re.Pattern[str]
    #: The BMP characters folding to other than one character.
    uneven_chars: frozenset[str]


@lru_cache(maxsize=1)
def _fold_scan() -> _FoldScan:
    """Built on first use (~0.1 s) from this Python's Unicode tables.

    The BMP pass runs first; folding a BMP character may give an astral one (CJK
    compatibility ideographs), which the astral pass then leaves alone because such characters
    fold to themselves (checked here: otherwise the astral pass would fold them twice).
    """
    changed: list[int] = []
    uneven: list[int] = []
    lower_ok = True  # ``str.lower`` after folding the non-ASCII characters equals the fold
    for cp in range(_TABLE_END):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        folded = _fold_char(char)
        if folded != char:
            changed.append(cp)
            if any(_ASTRAL.match(ch) and _fold_char(ch) != ch for ch in folded):
                raise RuntimeError(f"U+{cp:04X} folds to a character that folds again")
            if cp < 0x10000:
                lower_ok &= folded.lower() == folded and (cp >= 0x80 or char.lower() == folded)
            else:  # lowered before the astral pass folds what is left
                lowered = "".join(
                    _fold_char(ch) if _ASTRAL.match(ch) else ch for ch in char.lower()
                )
                lower_ok &= lowered == folded
        else:
            lower_ok &= char.lower() == char
        if len(folded) != 1:
            uneven.append(cp)
        if cp < 0x10000 and any(_ASTRAL.match(ch) for ch in char.lower()):
            raise RuntimeError(f"U+{cp:04X} lower-cases to an astral character")

    def bmp(points: list[int]) -> re.Pattern[str]:
        return re.compile("[" + "".join(f"\\U{cp:08x}" for cp in points if cp < 0x10000) + "]")

    bmp_changed = bmp(changed)
    bmp_uneven = bmp(uneven)
    common = tuple((ch, _fold_char(ch)) for ch in _COMMON_CHANGED if ord(ch) in changed)
    rare = [cp for cp in changed if cp >= 0x80 and chr(cp) not in _COMMON_CHANGED]
    rare_changed = bmp(rare)
    changed_set = set(changed)
    non_ascii = [cp for cp in changed if 0x80 <= cp < 0x10000]
    by_char = all(
        ord(c) not in changed_set for cp in non_ascii for c in _fold_char(chr(cp))
    ) and all(cp >= 0x80 for cp in uneven)
    replaced = [cp for cp in non_ascii if not _lower_only(chr(cp))]
    return _FoldScan(
        bmp_changed,
        common if lower_ok else None,
        rare_changed,
        bmp(replaced),
        by_char,
        {chr(cp): _fold_char(chr(cp)) for cp in replaced},
        bmp_uneven,
        frozenset(chr(cp) for cp in uneven if cp < 0x10000),
    )


def _lower_only(char: str) -> bool:
    """Whether ``str.lower`` of any text folds ``char`` as ``_fold_char`` does, to one character."""
    folded = _fold_char(char)
    return unicodedata.normalize("NFKC", char) == char and len(folded) == 1 and char != "\u03a3"


def name_verdicts(name: str) -> list[Verdict]:
    """Ads in a new member's display name: links, handles with promotion words, contacts."""
    folded = normalize(name)
    if not folded:
        return []
    hits = find_in_name(folded) + [h for h in find_contacts(folded) if h.strong]
    if not hits:
        return []
    hit = hits[0]
    return [_make("AD_NAME", original_evidence(name, hit.match))]
