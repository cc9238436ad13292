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
from collections.abc import Awaitable, Mapping
from typing import ClassVar

from pydantic import Field

from bot.events import Kind, Message
from bot.i18n import Text
from bot.policy import Context, PolicyOptions, SymbolInfo, symbol_table
from bot.verdict import Verdict
from policies.ads_contacts import Hit, find_contacts
from policies.ads_evidence import disguised, original_evidence
from policies.ads_links import find_in_name, find_links
from policies.ads_qr import MAX_BYTES, decode_all, image_sources
from policies.domains import DomainTrust
from policies.normalize import normalize, scanned

NAME = "ads"
#: Numbers are written with these, phone numbers never: thousands separators, lists, times.
#: (A disguise such as "1,3,8,0,0,1,3,8,0,0,0" separates single digits and stays a phone.)
_NOT_A_PHONE = re.compile(r"\d,\d{3}(?![\d,])|\d[,，]\s\d|\d[:：]\d\d(?!\d)")
#: URLs in folded text, scheme or ``www.`` or ``t.me/`` first, up to the next space.
_URL_LIKE = re.compile(r"(?:https?://|www\.|(?<![a-z0-9])t\.me/)\S*")


SYMBOLS: Mapping[str, SymbolInfo] = symbol_table(
    ("AD_LINK", 6.0, "Link to an outside site", "外部链接"),
    ("AD_LINK_LIST", 6.0, "Links to several unknown sites", "链接多个陌生网站"),
    ("AD_LINK_DENIED", 6.0, "Link to a domain this chat denies", "本群禁止的域名链接"),
    ("AD_INVITE_LINK", 7.0, "Invite link to another group", "其他群组的邀请链接"),
    ("AD_CHANNEL_PROMO", 6.0, "Promotes a channel or account", "推广频道或账号"),
    ("AD_CONTACT_WECHAT", 6.0, "Solicits contact on WeChat", "招揽添加微信"),
    ("AD_CONTACT_QQ", 6.0, "Solicits contact on QQ", "招揽添加QQ"),
    ("AD_PHONE", 6.0, "Advertises a phone number", "广告电话号码"),
    ("AD_SEE_PROFILE", 5.0, "Points to the profile for contacts", "引导查看头像/资料"),
    ("AD_QR_CODE", 6.0, "Image holds a QR code", "图片中含有二维码"),
    ("AD_URL_BUTTON", 6.0, "Message carries link buttons", "消息带有链接按钮"),
    ("AD_FORWARD_CHANNEL", 3.0, "Forwarded from a channel", "转发自频道"),
    ("AD_VIA_BOT", 2.0, "Sent through an inline bot", "通过内联机器人发送"),
    ("AD_CARD", 5.0, "Shares a card or mini-program", "分享卡片或小程序"),
    ("AD_NAME", 6.0, "Advertisement in the display name", "昵称中含有广告"),
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
#: Strong enough to delete, never to warn on their own: a community's own channel and a list
#: of sites are promotion only in the wrong hands (a newcomer's, or beside an offer); a weak
#: finding is always such a hint (``Verdict.escalates``).
HINTS = frozenset({"AD_CHANNEL_PROMO", "AD_LINK_LIST"})


class AdsOptions(PolicyOptions):
    """Options of the ads policy."""

    #: Sites members may link freely, on top of the shipped reference list (docs, code
    #: hosting, Q&A, vendors, video) and what the chat learns; subdomains included.
    allowed_domains: list[str] = Field(default_factory=list)
    #: Sites whose links are always strong ad evidence (subdomains included).
    denied_domains: list[str] = Field(default_factory=list)
    #: Trust the shipped reference list (``policies/data/reference_domains.txt``).
    reference_domains: bool = True
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
        self._trust = DomainTrust(options.allowed_domains, options.denied_domains,
                                  reference=options.reference_domains)
        self._mentions = tuple(m.lower().lstrip("@") for m in options.allowed_mentions)

    def check(self, message: Message, ctx: Context) -> list[Verdict] | Awaitable[list[Verdict]]:
        verdicts = self.text_verdicts(message, ctx.trusted_domains)
        sources = image_sources(message) if self.options.qr_codes else []
        if not sources:
            return verdicts
        return self._with_qr(verdicts, sources)

    def text_verdicts(self, message: Message,
                      learned: frozenset[str] = frozenset()) -> list[Verdict]:
        """Everything but QR codes (no I/O); ``learned`` are the chat's trusted domains."""
        opts = self.options
        original = scanned(message.text)
        folded = normalize(original) if original else ""
        hits: list[Hit] = []
        if opts.links:
            hits += find_links(message, folded, self._trust, self._mentions, learned)
        if opts.contacts and folded:
            hits += find_contacts(_without_urls(folded))
        verdicts = [v for hit in hits if (v := _verdict(hit, original, folded)) is not None]
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


def _without_urls(folded: str) -> str:
    """The text contacts are searched in: ids and paths inside URLs (``springer.com/…/97833…``,
    ``t.me/c/1564092519/554``, a meeting number) are not phone numbers."""
    if "://" not in folded and "www." not in folded and "t.me/" not in folded:
        return folded
    return _URL_LIKE.sub(" ", folded)


def _make(symbol: str, evidence: str, *, weak: bool = False, reason: Text | None = None) -> Verdict:
    info = SYMBOLS[symbol]
    score = info.score * (WEAK if weak else 1.0)
    return Verdict(symbol, score, reason or info.description, evidence=evidence, policy=NAME,
                   escalates=not weak and symbol not in HINTS)


def _verdict(hit: Hit, original: str, folded: str) -> Verdict | None:
    evidence = original_evidence(original, hit.match, folded)
    if hit.symbol == "AD_PHONE" and _NOT_A_PHONE.search(evidence):
        return None  # 17,179,869,184 · {11, 12, 13, 14, 15} · "24, 2021 17:54"
    strong = hit.strong
    if strong and hit.symbol in PLAIN_IS_WEAK and not hit.alone:
        strong = disguised(evidence, hit.match)
    return _make(hit.symbol, evidence, weak=not strong)


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
