"""Domain reputation in the ads policy: reference sites, learned trust, deny list, link lists."""

from __future__ import annotations

import pytest

from bot.decide import Scoring, decide
from bot.events import Kind, Segment
from bot.verdict import Action
from policies.ads import AdsOptions, AdsPolicy
from policies.domains import DomainTrust, Standing, is_file_name, site
from tests.policies.conftest import build_context, build_message

POLICY = AdsPolicy(AdsOptions())


def found(text: str = "", policy: AdsPolicy = POLICY, *, learned: frozenset[str] = frozenset(),
          segments: tuple[Segment, ...] = ()) -> dict[str, str]:
    message = build_message(text, segments=list(segments))
    result = policy.text_verdicts(message, learned)
    return {v.symbol: v.evidence for v in result}


@pytest.mark.parametrize("text", [
    "see https://github.com/python/cpython/issues/1234",
    "answered here https://stackoverflow.com/a/434411",
    "the manual: https://docs.microsoft.com/en-us/windows/wsl/install-manual",
    "this video https://youtu.be/abcdEFGH123 explains it",
    "docs at https://docs.python.org/3/library/re.html",
    "帮助文档 https://www.runoob.com/python3/python3-tutorial.html",
])
def test_links_to_reference_sites_are_no_evidence(text: str) -> None:
    assert found(text) == {}


def test_lookalike_of_a_reference_site_stays_unknown() -> None:
    assert found("login at https://github.com.secure-login.xyz/") == {
        "AD_LINK": "github.com.secure-login.xyz"}


def test_a_domain_the_chat_learned_to_trust_is_no_evidence() -> None:
    text = "our course notes: https://notes.pycourse-example.ir/week3"
    assert "AD_LINK" in found(text)
    assert found(text, learned=frozenset({"pycourse-example.ir"})) == {}


def test_a_denied_domain_is_strong_even_beside_trusted_ones() -> None:
    policy = AdsPolicy(AdsOptions(denied_domains=["casino-example.com"]))
    verdicts = policy.text_verdicts(build_message("https://github.com/x and "
                                                  "https://m.casino-example.com/bonus"))
    assert [v.symbol for v in verdicts] == ["AD_LINK_DENIED"]
    assert decide(verdicts, Scoring()).action >= Action.DELETE


def test_a_list_of_unknown_sites_is_strong_but_one_unknown_site_is_weak() -> None:
    listing = "best deals: coupons-a.shop, dealz-b.store, promo-c.site and www.promo-c.site/x"
    verdicts = POLICY.text_verdicts(build_message(listing))
    assert [v.symbol for v in verdicts] == ["AD_LINK_LIST"]
    assert verdicts[0].evidence.count(",") == 2  # three distinct sites, www. folded in
    assert decide(verdicts, Scoring()).action >= Action.DELETE
    one = POLICY.text_verdicts(build_message("I use coupons-a.shop sometimes"))
    assert decide(one, Scoring()).action is Action.FLAG


@pytest.mark.parametrize("text", [
    "rm -f /tmp/anaconda.sh then bash anaconda.sh again",
    "run python main.py and check notes.md",
])
def test_file_names_are_not_domains(text: str) -> None:
    assert found(text) == {}


def test_file_names_linked_by_telegram_are_not_domains() -> None:
    linked = Segment(Kind.LINK, "main.py", {})
    assert found("python main.py", segments=(linked,)) == {}


def test_links_into_a_private_chats_messages_are_no_evidence_and_no_phone() -> None:
    text = "see the answer https://t.me/c/1564092519/8298 and t.me/c/1564092519/554"
    assert found(text) == {}
    segment = Segment(Kind.LINK, "https://t.me/c/1564092519/7841", {"host": "t.me"})
    assert found("fixed like this", segments=(segment,)) == {}


@pytest.mark.parametrize("text", [
    "the book: https://www.springer.com/gp/book/9783319735306",
    "meeting https://us02web.zoom.us/j/89532924430?pwd=abc",
])
def test_ids_inside_urls_are_not_phone_numbers(text: str) -> None:
    assert "AD_PHONE" not in found(text)


def test_a_bare_invite_is_weak_but_a_promoted_one_is_strong() -> None:
    bare = POLICY.text_verdicts(build_message("https://t.me/joinchat/AbCdEf123"))
    assert decide(bare, Scoring()).action is Action.FLAG
    promoted = POLICY.text_verdicts(build_message("join our group https://t.me/joinchat/AbCdEf1"))
    assert decide(promoted, Scoring()).action >= Action.WARN


def test_trust_matches_subdomains_and_registrable_sites() -> None:
    trust = DomainTrust(["ok.example"], ["bad.example"])
    assert trust.standing("a.b.ok.example") is Standing.TRUSTED
    assert trust.standing("x.bad.example") is Standing.DENIED
    assert trust.standing("ok.example.evil") is Standing.UNKNOWN
    assert site("a.b.example.com") == "example.com"
    assert site("shop.example.co.uk") == "example.co.uk"
    assert is_file_name("anaconda.sh") and not is_file_name("get.anaconda.sh")


def test_the_ads_policy_reads_the_chats_learned_domains_from_the_context() -> None:
    message = build_message("https://wiki.our-club-example.org/rules")
    assert POLICY.check(message, build_context())
    ctx = build_context(trusted_domains=frozenset({"our-club-example.org"}))
    assert POLICY.check(message, ctx) == []


@pytest.mark.parametrize("text", [
    "a 64-bit machine addresses 17,179,869,184 GB",
    "c = {11, 12, 13, 14, 15} and zip them",
    "recorded on Nov 24, 2021 17:54 for you",
])
def test_grouped_numbers_lists_and_times_are_not_phone_numbers(text: str) -> None:
    assert "AD_PHONE" not in found(text)


def test_a_phone_number_with_an_offer_is_still_found() -> None:
    assert "AD_PHONE" in found("优惠活动 详情致电 139 1234 5678")


def test_digits_split_by_commas_to_dodge_detection_stay_a_phone() -> None:
    assert "AD_PHONE" in found("兼职详情致电 1,3,8,0,0,1,3,8,0,0,0")
