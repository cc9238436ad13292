"""The offers policy: each signal alone is weak; an offer with a DM ask, a short link, an emoji
wall or look-alike letters deletes; honest talk of jobs, money and crypto passes. The examples
are invented for these tests."""

from __future__ import annotations

import pytest

from bot.decide import decide
from bot.events import Role
from bot.verdict import Action
from policies.offers import OffersOptions, OffersPolicy
from tests.policies.offers_check import SCORING, verdicts


def symbols(text: str) -> set[str]:
    return {v.symbol for v in verdicts(text)}


def action(text: str) -> Action:
    return decide(verdicts(text), SCORING).action


HONEST = [
    "looking for a remote job in Python, any advice?",
    "bitcoin price dropped today",
    "Our IT-отдел moved to the third floor",
    "IT-отдел сегодня работает удалённо",
    "кто знает, где найти работу тестировщиком?",
    "I earn less than I did last year, money is tight",
    "we are hiring a backend dev, the job post is on our site",
    "напиши мне в личку, скину конфиг",
    "write me a script that renames these files",
    "по сколько сейчас биткоин? инвестировать страшно",
    "Определëнный порядок, Фëдор",  # ë for ё: no disguise
    "купил SSDшник и iPhoneа чехол",  # slang, not look-alikes
    "Пapoль от wifi: qwerty",  # one odd word: weak only
    "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉 С днём рождения, Маша! 🎂🎂🎂",
    "docs: https://docs.python.org/3/library/re.html",
    "兼职的事情我们私聊吧",  # a job word and a DM ask: below delete
]


@pytest.mark.parametrize("text", HONEST)
def test_honest_talk_of_jobs_money_crypto_and_dms_is_never_deleted(text: str) -> None:
    assert action(text) < Action.DELETE


@pytest.mark.parametrize(
    "text",
    [
        "Нужны люди на вечер, оплата от 5к руб в день, пишите в лс",
        "Подработка из дома, без опыта, доход от 3000р в день. Жду в личке!",
        "Зaрaбoтoк на крипте, ставь + в комментариях и я напишу",
        "Earn $400 per day from home with crypto trading, DM me for details",
        "Passive income, guaranteed profit, inbox me now",
        "兼职日结，日赚500，有意者私聊",
        "在家就能做的副业，月入过万，私信我",
    ],
)
def test_an_offer_with_a_dm_ask_is_deleted(text: str) -> None:
    assert {"AD_INCOME_OFFER", "AD_DM_ASK"} <= symbols(text)
    assert action(text) >= Action.DELETE


def test_the_reason_names_each_signal_in_both_languages() -> None:
    found = verdicts("Earn $300 a day, no experience needed, DM me")
    reason = found[0].reason
    assert reason.en == "income offer + DM ask"
    assert reason.zh == "招揽赚钱/兼职/投资 + 引导私聊"
    assert all(v.reason == reason for v in found)


@pytest.mark.parametrize(
    "text",
    [
        "Нужны люди, оплата от 5к руб в день",  # an offer alone: flagged, not deleted
        "пишите в лс",  # a DM ask alone
        "Работа: 🔥🔥🔥🔥🔥🔥🔥🔥🔥 в офисе, приходите",  # an emoji wall alone
        "Пpивeт всем",  # one mixed-script word alone
    ],
)
def test_each_signal_alone_stays_below_delete(text: str) -> None:
    assert verdicts(text)
    assert action(text) < Action.DELETE


def test_an_offer_with_a_short_link_an_emoji_wall_or_a_look_alike_word_is_deleted() -> None:
    offer = "Подработка без опыта, доход от 2000 рублей в день"
    assert action(offer) == Action.FLAG
    assert action(offer + " bit.ly/3xYz9Ab") >= Action.DELETE
    assert action(offer + " 💰💰🔥🔥✅✅✅✅🚀🚀") >= Action.DELETE
    assert action("Пoдpaботка без опыта, доход от 2000 рублей в день") >= Action.DELETE


def test_several_mixed_script_words_delete_on_their_own() -> None:
    text = "Пpивeт, ищy пapтнepoв для oбщeгo дeлa"
    found = verdicts(text)
    assert [v.symbol for v in found] == ["AD_MIXED_SCRIPT"]
    assert action(text) >= Action.DELETE
    assert "Пpивeт" in found[0].evidence


def test_income_cues_need_an_offer_not_just_a_topic() -> None:
    assert "AD_INCOME_OFFER" not in symbols("crypto is volatile, trading it is risky")
    assert "AD_INCOME_OFFER" in symbols("crypto trading with guaranteed profit")
    assert "AD_INCOME_OFFER" in symbols("плачу 3000 за вечер, нужен грузчик")


def test_spam_spellings_after_folding_still_match() -> None:
    # Latin "u" for "и" and look-alike letters inside the words.
    assert "AD_INCOME_OFFER" in symbols("Пассuвный дoxoд и обучение бесплатно, без вложений")
    assert "AD_DM_ASK" in symbols("пuшuте в лuчку")


def test_shortener_links_are_found_with_their_original_text_beside_another_signal() -> None:
    found = {v.symbol: v for v in verdicts("пишите в лс, смотри тут: CLCK.RU/3AbCd")}
    assert found["AD_SHORTENER"].evidence == "CLCK.RU/3AbCd"
    assert "AD_SHORTENER" not in symbols("write me, see github.com/bit.ly-clone for the code")


def test_a_short_link_alone_says_nothing_the_link_policy_has_not_said() -> None:
    assert verdicts("a course I liked: https://bit.ly/3xYz9Ab") == []


def test_an_at_handle_is_a_dm_ask_only_beside_an_offer() -> None:
    assert symbols("Earn $300 a day with crypto trading, contact @rich_mentor") == {
        "AD_INCOME_OFFER", "AD_DM_ASK"}
    assert symbols("thanks @rich_mentor, the build passes now") == set()


def test_english_pay_words_need_a_currency() -> None:
    assert "AD_INCOME_OFFER" in symbols("earn $50 for each review you write")
    assert symbols("I earned 2 badges and made 3 commits today") == set()


def test_staff_are_exempt() -> None:
    text = "Нужны люди, оплата от 5к руб в день, пишите в лс"
    assert verdicts(text, Role.ADMIN) == []
    assert verdicts(text, Role.ADMIN, exempt_staff=False)


def test_each_signal_can_be_switched_off() -> None:
    text = "Нужны люди, оплата от 5к руб в день, пишите в лс"
    assert {v.symbol for v in verdicts(text, offers=False)} == {"AD_DM_ASK"}
    assert {v.symbol for v in verdicts(text, dm_asks=False)} == {"AD_INCOME_OFFER"}


def test_unknown_options_are_errors() -> None:
    with pytest.raises(ValueError):
        OffersOptions.model_validate({"ofers": False})


def test_symbols_are_ad_family_with_bilingual_descriptions() -> None:
    for name, info in OffersPolicy.symbols.items():
        assert name.startswith("AD_") and name == info.name
        assert info.description.en and info.description.zh
        assert 0 < info.score < 5
