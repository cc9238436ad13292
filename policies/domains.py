"""Domain reputation: shipped reference sites, the config's allow/deny lists, learned trust."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from functools import cache
from importlib import resources

#: Top-level domains that are also everyday file extensions: ``anaconda.sh``, ``main.py`` or
#: ``notes.md`` written bare (no scheme, no ``www.``, no path) names a file, not a site.
#: Telegram links them anyway, so LINK segments are checked too.
FILE_EXTENSIONS = frozenset({"sh", "py", "md", "rs", "js", "ts", "pl", "rb", "go", "so", "db",
                             "cs", "ps", "txt", "cfg", "ini", "yml", "yaml", "json", "log"})


class Standing(enum.Enum):
    """What a host is to a chat."""

    TRUSTED = "trusted"  # a reference site, allowed by config, or learned by the chat
    DENIED = "denied"  # the config denies it: a link to it is strong ad evidence
    UNKNOWN = "unknown"  # a plain outside link: weak evidence


@cache
def reference_domains() -> frozenset[str]:
    """The shipped list (``policies/data/reference_domains.txt``), read once."""
    text = resources.files("policies").joinpath("data/reference_domains.txt").read_text("utf-8")
    return frozenset(_clean(text.splitlines()))


def _clean(lines: Iterable[str]) -> Iterable[str]:
    for line in lines:
        domain = line.split("#", 1)[0].strip().lower().removeprefix("www.").rstrip(".")
        if domain:
            yield domain


def suffixes(host: str) -> Iterable[str]:
    """``a.b.example.com`` → itself, ``b.example.com``, ``example.com`` (never a bare TLD)."""
    host = host.lower().removeprefix("www.").rstrip(".")
    while "." in host:
        yield host
        host = host.split(".", 1)[1]


#: Second-level labels under which a country code's sites register (``example.co.uk``).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go"})


def site(host: str) -> str:
    """The registrable part of a host, near enough without a public-suffix list:
    ``a.b.example.com`` → ``example.com``, ``shop.example.co.uk`` → ``example.co.uk``."""
    labels = host.lower().removeprefix("www.").rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def is_file_name(host: str) -> bool:
    """A bare host that reads as a file name (``anaconda.sh``): one label and a file TLD."""
    name, _, tld = host.rpartition(".")
    return bool(name) and "." not in name and tld in FILE_EXTENSIONS


def is_internal_link(url: str) -> bool:
    """A link to a message of a private Telegram chat (``t.me/c/<chat>/<message>``): it only
    opens for members of that chat, so it points back into a chat, never out to an ad."""
    lowered = url.lower()
    index = lowered.find("t.me/c/")
    return index >= 0 and (index == 0 or not lowered[index - 1].isalnum())


class DomainTrust:
    """One chat's view of hosts: config deny list first, then reference, config allow list
    and the chat's learned trust (subdomains included); everything else is unknown."""

    def __init__(self, allowed: Iterable[str] = (), denied: Iterable[str] = (), *,
                 reference: bool = True) -> None:
        self.allowed = frozenset(_clean(allowed)) | (reference_domains() if reference
                                                     else frozenset())
        self.denied = frozenset(_clean(denied))

    def standing(self, host: str, learned: frozenset[str] = frozenset()) -> Standing:
        found = Standing.UNKNOWN
        for suffix in suffixes(host):
            if suffix in self.denied:
                return Standing.DENIED
            if suffix in self.allowed or suffix in learned:
                found = Standing.TRUSTED
        return found
