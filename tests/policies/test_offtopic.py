"""Off-topic policy: emoji, stickers, filler and greeting floods are deleted silently."""

from __future__ import annotations

import pytest

from bot.events import Kind, Role
from policies.normalize import fingerprint
from policies.offtopic import JOIN_MARK, OfftopicOptions, OfftopicPolicy

POLICY = OfftopicPolicy(OfftopicOptions())


@pytest.mark.parametrize(
    ("text", "symbol"),
    [
        ("哈哈哈哈哈", "OFFTOPIC_FILLER"),
        ("哈哈哈！！", "OFFTOPIC_FILLER"),
        ("666", "OFFTOPIC_FILLER"),
        ("６６６６", "OFFTOPIC_FILLER"),  # full-width digits
        ("+1", "OFFTOPIC_FILLER"),
        ("顶顶顶", "OFFTOPIC_FILLER"),
        ("早", "OFFTOPIC_FILLER"),
        ("早安～", "OFFTOPIC_FILLER"),
        ("哈哈 666 😂", "OFFTOPIC_FILLER"),
        ("LOL", "OFFTOPIC_FILLER"),
        ("lmao lmao", "OFFTOPIC_FILLER"),
        ("😂😂😂", "OFFTOPIC_EMOJI_ONLY"),
        ("👍🏻", "OFFTOPIC_EMOJI_ONLY"),
        ("👨‍👩‍👧 ❤️", "OFFTOPIC_EMOJI_ONLY"),
    ],
)
def test_filler_and_emoji_are_deleted_silently(make_message, make_context, text, symbol):
    [verdict] = POLICY.check(make_message(text), make_context())
    assert verdict.symbol == symbol
    assert verdict.silent
    assert verdict.score >= 5.0  # DEFAULT_THRESHOLDS[DELETE]
    assert verdict.evidence == text


@pytest.mark.parametrize(
    "text",
    [
        "哈哈，这个方案我觉得可以",
        "666的操作，怎么做到的？",
        "早上的会议改到十点了",
        "lol that bug took me three days",
        "1. 先装依赖 2. 再跑测试",
        "???",
        "你好",  # a greeting with no join nearby is ordinary
    ],
)
def test_ordinary_messages_pass(make_message, make_context, text):
    assert POLICY.check(make_message(text), make_context()) == []


@pytest.mark.parametrize(
    "kinds", [[Kind.STICKER], [Kind.ANIMATION], [Kind.STICKER, Kind.ANIMATION]]
)
def test_sticker_or_gif_alone_is_deleted_silently(make_message, make_context, kinds):
    [verdict] = POLICY.check(make_message(kinds=kinds), make_context())
    assert verdict.symbol == "OFFTOPIC_STICKER_ONLY"
    assert verdict.silent


@pytest.mark.parametrize(
    ("text", "kinds"),
    [("看这个动图，笑死", [Kind.ANIMATION]), ("", [Kind.IMAGE]), ("哈哈", [Kind.IMAGE])],
)
def test_media_with_text_or_photos_pass(make_message, make_context, text, kinds):
    assert POLICY.check(make_message(text, kinds=kinds), make_context()) == []


def _after_join(make_recent, greetings: list[str]):
    trail = [make_recent(120, sender="tg:500", kinds=[], fingerprint=JOIN_MARK + "tg:500")]
    trail += [make_recent(100 - i, sender=f"tg:{i}", fingerprint=fingerprint(g))
              for i, g in enumerate(greetings)]
    return trail


def test_greetings_after_a_join_flood_from_the_fourth(make_message, make_context, make_recent):
    recent = _after_join(make_recent, ["欢迎欢迎！", "欢迎新人", "welcome!"])
    ctx = make_context(recent=recent, fingerprint=fingerprint("欢迎"))
    [verdict] = POLICY.check(make_message("欢迎~"), ctx)
    assert verdict.symbol == "OFFTOPIC_GREETING_FLOOD"
    assert verdict.silent


def test_first_greetings_after_a_join_pass(make_message, make_context, make_recent):
    recent = _after_join(make_recent, ["欢迎", "你好！"])
    ctx = make_context(recent=recent, fingerprint=fingerprint("欢迎"))
    assert POLICY.check(make_message("欢迎"), ctx) == []


def test_greetings_long_after_the_join_are_not_a_flood(make_message, make_context, make_recent):
    join = make_recent(3600, sender="tg:500", kinds=[], fingerprint=JOIN_MARK + "tg:500")
    greetings = [make_recent(3500, sender=f"tg:{i}", fingerprint=fingerprint("欢迎"))
                 for i in range(5)]
    ctx = make_context(recent=[join, *greetings], fingerprint=fingerprint("欢迎"))
    assert POLICY.check(make_message("欢迎"), ctx) == []


def test_repeats_of_the_same_greeting_count_towards_the_flood(
    make_message, make_context, make_recent
):
    tripled = "欢迎欢迎欢迎"  # not among the precomputed greeting fingerprints
    recent = _after_join(make_recent, [tripled, tripled, tripled])
    ctx = make_context(recent=recent, fingerprint=fingerprint(tripled))
    [verdict] = POLICY.check(make_message(tripled), ctx)
    assert verdict.symbol == "OFFTOPIC_GREETING_FLOOD"


def test_extra_greetings_extend_the_shipped_list(make_message, make_context, make_recent):
    policy = OfftopicPolicy(OfftopicOptions(extra_greetings=("欢迎萌新",)))
    recent = _after_join(make_recent, ["欢迎萌新", "欢迎萌新!", "欢迎"])
    ctx = make_context(recent=recent, fingerprint=fingerprint("欢迎萌新"))
    [verdict] = policy.check(make_message("欢迎萌新"), ctx)
    assert verdict.symbol == "OFFTOPIC_GREETING_FLOOD"


def test_staff_are_exempt(make_message, make_context):
    assert POLICY.check(make_message("666"), make_context(role=Role.ADMIN)) == []


def test_each_check_can_be_switched_off(make_message, make_context):
    quiet = OfftopicPolicy(OfftopicOptions(filler=False, emoji_only=False, sticker_only=False))
    assert quiet.check(make_message("666"), make_context()) == []
    assert quiet.check(make_message("😂"), make_context()) == []
    assert quiet.check(make_message(kinds=[Kind.STICKER]), make_context()) == []


def test_extra_fillers_extend_the_shipped_list(make_message, make_context):
    policy = OfftopicPolicy(OfftopicOptions(extra_fillers=("冲冲冲",)))
    [verdict] = policy.check(make_message("冲冲冲！"), make_context())
    assert verdict.symbol == "OFFTOPIC_FILLER"


def test_relevance_flags_messages_far_from_the_topic(make_message, make_context):
    policy = OfftopicPolicy(OfftopicOptions(relevance=True))
    topic = "Python 编程交流：asyncio、类型标注、测试、打包与部署"
    ctx = make_context(topic=topic)
    [verdict] = policy.check(make_message("周末有人一起去爬山吗，天气预报说会下雨"), ctx)
    assert verdict.symbol == "OFFTOPIC_IRRELEVANT"
    assert verdict.score < 5.0  # only a flag by default
    assert policy.check(make_message("asyncio 的测试怎么写，类型标注要怎么加？"), ctx) == []


def test_relevance_is_off_by_default(make_message, make_context):
    ctx = make_context(topic="Python 编程交流")
    assert POLICY.check(make_message("周末有人一起去爬山吗，天气预报说会下雨"), ctx) == []
