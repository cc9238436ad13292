"""decide(): verdict lists in, one action out — overrides, caps, trust, forced, observe."""

from __future__ import annotations

import pytest

from bot.decide import Scoring, check_monotonic, decide
from bot.i18n import t
from bot.verdict import Action, Verdict

R = t("r", "r")


def v(symbol: str, score: float, **kw: object) -> Verdict:
    return Verdict(symbol, score, R, policy=str(kw.pop("policy", "p")), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("verdicts", "scoring", "expected"),
    [
        ([], Scoring(), Action.ALLOW),
        ([v("AD_LINK", 2.0)], Scoring(), Action.ALLOW),
        ([v("AD_LINK", 3.0)], Scoring(), Action.FLAG),
        ([v("AD_LINK", 5.0)], Scoring(), Action.DELETE),
        ([v("AD_CONTACT_WECHAT", 6.0)], Scoring(), Action.WARN),
        ([v("AD_LINK", 4.0), v("ABUSE_INSULT", 9.0)], Scoring(), Action.MUTE),
        # a per-symbol override in config wins over the policy's own score
        ([v("AD_LINK", 4.0)], Scoring(symbol_scores={"AD_LINK": 8.0}), Action.WARN),
        ([v("AD_LINK", 9.0)], Scoring(symbol_scores={"AD_LINK": 0.0}), Action.ALLOW),
        # family caps: many offtopic hits never exceed the family's cap
        ([v("OFFTOPIC_EMOJI", 4.0), v("OFFTOPIC_FILLER", 4.0)],
         Scoring(family_caps={"OFFTOPIC": 5.0}), Action.DELETE),
        # trust lowers the total of a borderline message
        ([v("AD_LINK", 5.5), v("TRUST_VETERAN", -3.0)], Scoring(), Action.ALLOW),
        # forced actions ignore the score, and trust
        ([v("VOICE_UNAUTHORISED", 0.0, force=Action.DELETE), v("TRUST_VETERAN", -5.0)],
         Scoring(), Action.DELETE),
        ([v("FLOOD_RATE", 1.0, force=Action.MUTE)], Scoring(), Action.MUTE),
        # a threshold that is not configured is never reached by score
        ([v("ABUSE_X", 100.0)], Scoring(thresholds={Action.DELETE: 5.0, Action.WARN: 6.0}),
         Action.WARN),
    ],
)
def test_decide_table(verdicts: list[Verdict], scoring: Scoring, expected: Action) -> None:
    assert decide(verdicts, scoring).action is expected


def test_hints_delete_but_a_sanction_needs_specific_evidence_that_reaches_it_alone() -> None:
    phone, link = v("AD_PHONE", 3.0, escalates=False), v("AD_LINK", 3.0, escalates=False)
    guess = v("SPAM_CLASSIFIER", 7.0, escalates=False)
    # a community notice with a phone number, a link and a classifier guess: deleted at worst
    assert decide([phone, link, guess], Scoring()).action is Action.DELETE
    assert decide([phone, link], Scoring()).action is Action.DELETE
    # a disguised contact warns on its own, and hints beside it still add to its score
    contact = v("AD_CONTACT_WECHAT", 6.0)
    assert decide([contact, guess], Scoring()).action is Action.WARN
    assert decide([contact, guess, v("ABUSE_X", 6.0)], Scoring()).action is Action.MUTE
    # specific evidence that stays below warn is not carried over it by the hints
    assert decide([v("AD_INCOME_OFFER", 3.25), guess], Scoring()).action is Action.DELETE
    # forced actions are not hints' business
    forced = v("FLOOD_RATE", 1.0, force=Action.MUTE)
    assert decide([forced, guess], Scoring()).action is Action.MUTE
    # the log says why a score past warn only deleted
    held = decide([phone, link, guess], Scoring())
    assert held.held and held.explanation.en.endswith("hints only: deleted, not warned")
    assert not decide([contact, guess], Scoring()).held


def test_observed_policy_shapes_shadow_action_but_not_the_real_one() -> None:
    scoring = Scoring(observe_policies=frozenset({"ads"}))
    decision = decide([v("AD_LINK", 7.0, policy="ads")], scoring)
    assert decision.action is Action.ALLOW
    assert decision.shadow_action is Action.WARN
    assert [x.symbol for x in decision.observed] == ["AD_LINK"]


def test_observe_chat_marks_the_decision() -> None:
    decision = decide([v("AD_LINK", 7.0)], Scoring(observe_chat=True))
    assert decision.observe and decision.action is Action.WARN


def test_business_reply_carries_no_sanction() -> None:
    decision = decide([v("BIZ_PRIVATE_QUESTION", 0.0, reply=t("ask staff", "联系客服"))],
                      Scoring())
    assert decision.action is Action.ALLOW
    assert decision.replies == (t("ask staff", "联系客服"),)


def test_silent_only_when_every_sanctioning_verdict_is_silent() -> None:
    assert decide([v("OFFTOPIC_EMOJI", 5.0, silent=True)], Scoring()).silent
    assert not decide([v("OFFTOPIC_EMOJI", 5.0, silent=True), v("AD_LINK", 1.0)],
                      Scoring()).silent


def test_requested_mute_length_is_the_longest_asked_for() -> None:
    decision = decide([v("FLOOD_RATE", 0.0, force=Action.MUTE, mute_seconds=600),
                       v("FLOOD_RUN", 0.0, force=Action.MUTE, mute_seconds=60)], Scoring())
    assert decision.mute_seconds == 600


def test_thresholds_must_increase_along_the_ladder() -> None:
    with pytest.raises(ValueError, match="kick"):
        check_monotonic({Action.WARN: 10.0, Action.KICK: 5.0})


NEW = (("AD", 1.5), ("SPAM", 1.5))
SETTLED = (("AD", 0.6), ("SPAM", 0.6))


@pytest.mark.parametrize(
    ("verdicts", "expected_score"),
    [
        # suspicion scales ad evidence (and spam evidence) ...
        ([v("AD_LINK", 3.0), v("NEWCOMER_UNPROVEN", 0.0, amplify=NEW)], 4.5),
        ([v("AD_LINK", 3.0), v("SPAM_CLASSIFIER_SUSPECT", 2.0),
          v("NEWCOMER_UNPROVEN", 0.0, amplify=NEW)], 5.0),  # lifted to delete, no higher
        # ... but never creates it, nor touches other families
        ([v("NEWCOMER_UNPROVEN", 0.0, amplify=NEW)], 0.0),
        ([v("VOICE_MESSAGE", 3.0), v("NEWCOMER_UNPROVEN", 0.0, amplify=NEW)], 3.0),
        # lifting stops at the delete threshold: suspicion alone never warns or mutes
        ([v("AD_CONTACT_WECHAT", 6.0), v("SPAM_CLASSIFIER", 7.0),
          v("NEWCOMER_UNPROVEN", 0.0, amplify=NEW)], 13.0),
        # an established member's evidence weighs less; the cap still applies after scaling
        ([v("AD_INVITE_LINK", 7.0), v("TRUST_ESTABLISHED", 0.0, amplify=SETTLED)], 4.2),
        ([v("AD_LINK", 20.0), v("TRUST_ESTABLISHED", 0.0, amplify=SETTLED)], 9.0),
    ],
)
def test_standing_amplifies_suspicion_families_only(verdicts: list[Verdict],
                                                     expected_score: float) -> None:
    decision = decide(verdicts, Scoring(family_caps={"AD": 9.0}))
    assert decision.score == pytest.approx(expected_score)


def test_the_explanation_names_every_finding_that_weighed_and_the_standing_that_scaled_it(
) -> None:
    link = Verdict("AD_LINK", 3.0, t("Link to an unknown site", "陌生网站链接"), policy="ads")
    ask = Verdict("AD_DM_ASK", 2.5, t("Asks to be messaged privately", "引导私聊"),
                  policy="offers")
    new = Verdict("NEWCOMER_UNPROVEN", 0.0, t("New member ×1.5", "新成员 ×1.5"),
                  policy="newcomer", amplify=NEW)
    decision = decide([ask, new, link], Scoring())
    assert decision.action is Action.DELETE  # (3 + 2.5) × 1.5, lifted no higher than delete
    assert decision.explanation.en == (
        "Link to an unknown site + Asks to be messaged privately + New member ×1.5")
    assert decision.explanation.zh == "陌生网站链接 + 引导私聊 + 新成员 ×1.5"
    assert decide([new], Scoring()).explanation.en == ""


def test_a_joint_cap_counts_rules_and_classifier_on_one_ad_as_one_offence() -> None:
    caps = {"AD": 9.0, "AD+SPAM": 11.0}
    both = [v("AD_CONTACT_WECHAT", 6.0), v("AD_INCOME_OFFER", 3.5), v("SPAM_CLASSIFIER", 7.8)]
    decision = decide(both, Scoring(family_caps=caps))
    assert decision.score == pytest.approx(11.0)
    assert decision.action is Action.WARN  # not a mute on a first ad
    abuse = decide([*both, v("ABUSE_INSULT", 5.0)], Scoring(family_caps=caps))
    assert abuse.score == pytest.approx(16.0)  # other families add on top


def test_caps_name_known_families_only() -> None:
    from pydantic import ValidationError

    from bot.config.schema import ProfileConfig

    assert ProfileConfig(caps={"ad + spam": 11}).caps == {"AD+SPAM": 11}
    with pytest.raises(ValidationError, match="unknown family 'ADS'"):
        ProfileConfig(caps={"ADS+SPAM": 11})
