"""find_links after its shortcuts: hosts read only when a plain link is left to report."""

from __future__ import annotations

from bot.events import Kind, Segment
from policies.ads_links import allowed, find_domains, find_links
from policies.domains import DomainTrust
from policies.normalize import normalize
from tests.policies.conftest import build_message


def _found(text: str, allowlist: tuple[str, ...] = (), segments: tuple[Segment, ...] = ()
           ) -> list[tuple[str, bool, str]]:
    message = build_message(text, segments=segments)
    trust = DomainTrust(allowlist, reference=False)
    hits = find_links(message, normalize(message.text), trust, ())
    return [(h.symbol, h.strong, h.match) for h in hits]


def test_plain_link_is_the_first_host_not_allowed() -> None:
    assert _found("see www.ok.com and www.bad.net") == [("AD_LINK", False, "www.ok.com")]
    assert _found("see www.ok.com and www.bad.net", ("ok.com",)) == [
        ("AD_LINK", False, "www.bad.net")]
    assert _found("see www.ok.com", ("ok.com",)) == []


def test_link_segment_counts_beside_text() -> None:
    link = Segment(Kind.LINK, "https://shop.example.org/x")
    assert _found("look", segments=(link,)) == [("AD_LINK", False, "shop.example.org")]


def test_disguised_domain_is_strong_and_invites_leave_no_plain_link() -> None:
    assert _found("网址 xx888点com") == [("AD_LINK", True, "xx888点com")]
    assert _found("join t.me/+abcdef www.x.net") == [("AD_INVITE_LINK", True, "t.me/+abcdef")]


def test_empty_allowlist_allows_nothing() -> None:
    assert not allowed("a.com", ())
    assert allowed("www.a.com", ("a.com",))


def test_domain_labels_keep_their_length_limits_and_fall_back_a_level() -> None:
    assert find_domains("x" * 64 + ".com") == []  # a first label holds 63 at most
    assert find_domains("y" + "x" * 62 + ".com") == ["y" + "x" * 62 + ".com"]
    assert find_domains("ab.com.xyzz ok") == ["ab.com"]  # the last label is no TLD: one back
    assert find_domains("shop dot example dot com") == ["shop dot example dot com"]
