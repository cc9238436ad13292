"""The ads policy's contact asks without an id, homophone QQ keywords and "see my name"."""

from __future__ import annotations

from bot.decide import Scoring, decide
from bot.verdict import Action, Verdict
from policies.ads import AdsPolicy
from tests.policies.conftest import build_context, build_message

POLICY = AdsPolicy(AdsPolicy.Options())


def verdicts(text: str) -> list[Verdict]:
    result = POLICY.check(build_message(text), build_context())
    assert isinstance(result, list)
    return result


def action(text: str) -> Action:
    return decide(verdicts(text), Scoring()).action


def test_qq_id_behind_a_rare_homophone_of_kou_deletes() -> None:
    assert [v.symbol for v in verdicts("筘：727688978")] == ["AD_CONTACT_QQ"]
    assert action("筘：727688978") >= Action.DELETE


def test_id_written_before_a_homophone_of_add_qq_deletes() -> None:
    found = verdicts("7747 33332家寇.")
    assert [v.symbol for v in found] == ["AD_CONTACT_QQ"]
    assert found[0].evidence == "7747 33332家寇"
    assert action("7747 33332家寇.") >= Action.DELETE


def test_asking_to_add_on_qq_without_an_id_only_flags() -> None:
    assert action("想聊的加Q") == Action.FLAG
    assert action("找我扣扣") == Action.FLAG
    assert action("加v果，聊？") == Action.FLAG


def test_see_my_name_beside_a_contact_ask_deletes_and_alone_does_nothing() -> None:
    assert action("看我的名字") == Action.ALLOW
    assert action("注意看我的名字，加Q有好看的") >= Action.DELETE


def test_ordinary_words_holding_the_characters_are_left_alone() -> None:
    for text in ("叩首拜年", "扣分 123456 太多了", "加quest到列表", "我们加油", "寇准是宋朝人"):
        assert verdicts(text) == [], text
