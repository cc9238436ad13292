"""Links in a message: URLs, bare and obfuscated domains, invite links, channel promotions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.events import Kind, Message, Segment
from policies.ads_contacts import Hit
from policies.domains import DomainTrust, Standing, is_file_name, is_internal_link, site

#: Looked up once: an enum member read from its class costs more than the comparison.

_TLDS = (
    "com|net|org|cn|top|xyz|cc|me|io|vip|app|info|biz|club|site|online|shop|store|live|"
    "ly|gg|tv|co|ru|su|link|fun|icu|pro|win|bet|tk|ml|ga|cf|uk|us|hk|tw|in|to|sh|la|ws"
)
#: Scheme URLs and www. hosts (on normalised text: already lower case).
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。]+")
#: Bare domains, with the dot written as 点 / 。 / (dot) / " dot " to dodge link detection.
#: Starts with the label character itself (``re`` skips fast to those), then looks behind it
#: for the boundary (at the start of the text the two-character look-behind cannot match).
#: The label runs are possessive ("+"): no separator starts with a label character, so giving
#: a label character back could never let a separator match (same matches, no backtracking).
_DOMAIN = re.compile(
    r"((?:[a-z0-9-](?<![a-z0-9@-][a-z0-9-])[a-z0-9-]{1,62}+(?:\.|点|。|\(dot\)|\[dot\]| dot ))"
    r"(?:[a-z0-9-]{2,63}+(?:\.|点|。|\(dot\)|\[dot\]| dot ))*(?:" + _TLDS + r"))"
    r"(?![a-z0-9])(?:/[^\s]*)?"
)
_OBFUSCATED_DOT = re.compile(r"点|。|\(dot\)|\[dot\]| dot ")
_INVITE = re.compile(
    r"(?:t\.me|telegram\.me|telegram\.dog)/(?:\+|joinchat/)[\w-]+|"
    r"chat\.whatsapp\.com/\w+|(?:qm|jq)\.qq\.com/\S+|weixin\.qq\.com/g/\S+|"
    r"discord\.gg/\w+|line\.me/ti/g/\S+"
)
_TME_NAME = re.compile(r"(?:t\.me|telegram\.me)/([a-z][a-z0-9_]{3,31})(?![a-z0-9_/])")
#: Starts with the "@" itself (``re`` skips fast to it), then looks behind it for the boundary.
_MENTION = re.compile(r"@(?<![a-z0-9_]@)([a-z][a-z0-9_]{3,31})")
#: Every domain match ends in a dot (or a disguised one) and a top-level domain: a cheap scan
#: that lets most messages skip ``_DOMAIN``, which is tried at every position.
_DOMAIN_END = re.compile(r"(?:\.|点|。|\(dot\)|\[dot\]| dot )(?:" + _TLDS + r")(?![a-z0-9])")
#: Text ``_INVITE`` cannot match without.
_INVITE_HOSTS = (
    "t.me/", "telegram.me/", "telegram.dog/", "chat.whatsapp.com/", "qq.com/", "discord.gg/",
    "line.me/",
)
#: Links into a private chat's own messages (``t.me/c/<chat>/<message>``), in folded text.
_INTERNAL = re.compile(r"(?:https?://)?(?<![a-z0-9])t\.me/c/\S*")
#: This many distinct unknown sites in one message make a link list (strong evidence).
LINK_LIST = 3
#: Words that promote the handle or link beside them (strong): a call to join or subscribe,
#: and the Chinese ad idiom for "ask in private" (有意私聊, 详情咨询: it deleted none of the
#: 9,066 zh-chat ham lines).
_JOIN_WORDS = re.compile(
    r"(?:频道|关注|订阅|加入|进群|入群|群组|私聊|私信|联系|咨询|飞机|纸飞机|电报|"
    r"channel|subscribe|join|follow|канал|подпис)"
)
#: Words that ask to write to the account (weak alone): "напишите @coach", "contact @admin"
#: is how members of a Russian or English chat point each other to a person (strong, they
#: made 19 of the rules' 39 deletions in a Russian community chat's ham); an offer, a DM
#: ask or the classifier carries an ad's.
_CONTACT_WORDS = re.compile(r"(?:contact|dm\b|pm\b|пиши|обращ)")
_PROMO_WORDS = re.compile(f"{_JOIN_WORDS.pattern}|{_CONTACT_WORDS.pattern}")


def hosts_of(message: Message, folded: str, domains: list[str] | None = None) -> list[str]:
    """Every host the message points at: LINK segments, URLs and domains in text (file names
    such as ``anaconda.sh`` and links into a private chat's messages left out)."""
    links, outward = _outward(message, folded)
    return _hosts(links, outward, domains if outward is folded else None)


def _outward(message: Message, folded: str) -> tuple[tuple[Segment, ...], str]:
    """The LINK segments and the text with links into a private chat's own messages
    (``t.me/c/…``) left out: they point back into a chat, never out to an ad."""
    links = tuple(s for s in message.of(Kind.LINK) if not is_internal_link(s.text))
    return links, _INTERNAL.sub(" ", folded) if "t.me/c/" in folded else folded


def _hosts(links: tuple[Segment, ...], folded: str, domains: list[str] | None) -> list[str]:
    hosts = [seg.data.get("host", "") or _host(seg.text) for seg in links
             if not _names_a_file(seg.text)]
    if "://" in folded or "www." in folded:  # what ``_URL`` cannot match without
        hosts.extend(_host(m.group()) for m in _URL.finditer(folded))
    if domains is None:
        domains = find_domains(folded)
    hosts.extend(_OBFUSCATED_DOT.sub(".", d) for d in domains if not is_file_name(d))
    return [h.lower() for h in hosts if h]


def _names_a_file(text: str) -> bool:
    """A LINK segment whose text is a bare file name (Telegram links ``main.py``)."""
    return "/" not in text and not text.lower().startswith("www.") and is_file_name(text)


def find_domains(folded: str) -> list[str]:
    """Bare (perhaps disguised) domains in normalised text, in order."""
    if not _DOMAIN_END.search(folded):
        return []
    return [m.group(1) for m in _DOMAIN.finditer(folded)]


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0].lower()


def allowed(host: str, allowlist: Iterable[str]) -> bool:
    """``host`` is an allowed domain or a subdomain of one."""
    if not allowlist:
        return False
    host = host.removeprefix("www.")
    return any(host == d or host.endswith("." + d) for d in allowlist)


def find_links(
    message: Message, folded: str, trust: DomainTrust, mentions_allowed: Sequence[str],
    learned: frozenset[str] = frozenset(),
) -> list[Hit]:
    """Link findings: promoted invites and channels, disguised, denied and many unknown
    domains are strong; a bare invite, a handle one is asked to write to, or one plain link
    to an unknown site is weak;
    reference, allowed and learned sites (and links into a private chat's own messages) are
    no evidence at all."""
    hits: list[Hit] = []
    links, folded = _outward(message, folded)
    raw = "\n".join([folded, *(s.text.lower() for s in links)]) if links else folded
    slash = "/" in raw  # every invite host and ``t.me/`` name holds one
    if slash and any(host in raw for host in _INVITE_HOSTS) and (invite := _INVITE.search(raw)):
        # An invite with promotion words ("join", 进群, канал…) is strong; a bare one, often a
        # member answering "can I have the link?", is weak: a newcomer's suspicion, an
        # offer or the classifier still carry it to delete.
        words = _PROMO_WORDS.search(_INVITE.sub(" ", folded))  # not "joinchat" itself
        hits.append(Hit("AD_INVITE_LINK", words is not None, invite.group()))
    promoted = []
    if slash and ("t.me/" in raw or "telegram.me/" in raw):  # what ``_TME_NAME`` needs
        promoted = [m for m in _TME_NAME.finditer(raw) if m.group(1) not in mentions_allowed]
    if "@" in folded:
        promoted += [m for m in _MENTION.finditer(folded) if m.group(1) not in mentions_allowed]
    if promoted and (_bot_mentioned(message) or _JOIN_WORDS.search(folded)):
        hits.append(Hit("AD_CHANNEL_PROMO", True, promoted[0].group()))
    elif promoted and _CONTACT_WORDS.search(folded):
        hits.append(Hit("AD_CHANNEL_PROMO", False, promoted[0].group()))
    domains = find_domains(folded)
    obfuscated = next((d for d in domains if _OBFUSCATED_DOT.search(d)), "")
    if obfuscated and trust.standing(_OBFUSCATED_DOT.sub(".", obfuscated),
                                     learned) is not Standing.TRUSTED:
        hits.append(Hit("AD_LINK", True, obfuscated))
    elif not hits and (links or domains or "://" in folded or "www." in folded):
        hits += _plain_links(_hosts(links, folded, domains), trust, learned)
    return hits


def _plain_links(hosts: list[str], trust: DomainTrust, learned: frozenset[str]) -> list[Hit]:
    """A denied host is strong; so are several distinct unknown sites in one message (a list
    of shops or coupon sites); a single unknown site is weak."""
    unknown: dict[str, None] = {}
    for host in hosts:
        standing = trust.standing(host, learned)
        if standing is Standing.DENIED:
            return [Hit("AD_LINK_DENIED", True, host)]
        if standing is Standing.UNKNOWN:
            unknown.setdefault(site(host))
    if len(unknown) >= LINK_LIST:
        return [Hit("AD_LINK_LIST", True, ", ".join(unknown))]
    if unknown:
        return [Hit("AD_LINK", False, next(h for h in hosts if site(h) in unknown))]
    return []


def _bot_mentioned(message: Message) -> bool:
    """A MENTION segment names a bot (its username ends in "bot")."""
    usernames = {s.data.get("username", "").lower() for s in message.of(Kind.MENTION)}
    return any(u.endswith("bot") for u in usernames)


def find_in_name(folded: str) -> list[Hit]:
    """Links and handles in a display name (names carry no segments)."""
    hits: list[Hit] = []
    if found := _URL.search(folded) or _DOMAIN.search(folded) or _INVITE.search(folded):
        hits.append(Hit("AD_NAME", True, found.group()))
    elif (mention := _MENTION.search(folded)) and _PROMO_WORDS.search(folded):
        hits.append(Hit("AD_NAME", True, mention.group()))
    return hits
