"""The ads policy: disguised contacts, links, invites and structural ad signals."""

from __future__ import annotations

import asyncio

from bot.decide import Scoring, decide
from bot.events import Kind, Segment
from bot.verdict import Action
from policies.ads import AdsOptions, AdsPolicy, name_verdicts
from policies.ads_evidence import original_evidence
from policies.normalize import normalize
from tests.policies.conftest import build_context, build_message

POLICY = AdsPolicy(AdsPolicy.Options())


def symbols(text: str = "", **kwargs: object) -> set[str]:
    result = POLICY.check(build_message(text, **kwargs), build_context())  # type: ignore[arg-type]
    assert isinstance(result, list)
    return {v.symbol for v in result}


def action(text: str) -> Action:
    result = POLICY.check(build_message(text), build_context())
    assert isinstance(result, list)
    return decide(result, Scoring()).action


def test_disguised_wechat_id_is_found_and_reaches_warn() -> None:
    assert "AD_CONTACT_WECHAT" in symbols("想要的加 薇信：ａｂｃ１２３４５")
    assert action("想要的加 薇信：ａｂｃ１２３４５") >= Action.WARN


def test_qq_number_written_with_penguin_and_chinese_numerals_is_found() -> None:
    assert "AD_CONTACT_QQ" in symbols("🐧 幺二三四五六七")


def test_mobile_number_with_call_to_action_is_an_ad() -> None:
    assert "AD_PHONE" in symbols("优惠活动 详情致电 139 1234 5678")


def test_ordinary_chat_is_left_alone() -> None:
    assert symbols("今天我们一起去吃饭吧，三三两两地走") == set()
    assert symbols("See you at 10, bring the 2 books") == set()


def test_obfuscated_domain_is_a_strong_link() -> None:
    assert "AD_LINK" in symbols("最新网址 abc888点com 注册就送")
    assert action("最新网址 abc888点com 注册就送") >= Action.WARN


def test_plain_link_to_an_unknown_site_only_flags_and_allowlisted_domain_is_ignored() -> None:
    assert action("prices at https://shop.example-deals.net/today") == Action.FLAG
    allowing = AdsPolicy(AdsOptions(allowed_domains=["example-deals.net"]))
    result = allowing.check(build_message("see https://shop.example-deals.net/x"),
                            build_context())
    assert result == []


def test_telegram_invite_link_is_an_ad() -> None:
    assert "AD_INVITE_LINK" in symbols("come join t.me/+AbCdEf123")


def test_channel_mention_with_promotion_words_is_promo() -> None:
    assert "AD_CHANNEL_PROMO" in symbols("欢迎关注我的频道 @best_deals_cn")
    assert symbols("@alice_w what do you think?") == set()


def test_asking_to_write_to_a_handle_only_flags_unless_a_channel_is_promoted() -> None:
    # members point each other to a person: a flag for moderators, not a deletion
    assert action("Если готовы участвовать, пишите @volunteer_lead") == Action.FLAG
    assert action("for the venue, contact @hall_owner") == Action.FLAG
    # a call to subscribe or join, or the Chinese "ask in private" ad idiom, deletes alone;
    # a community's own channel is promotion only in the wrong hands: it never warns alone
    assert action("Подписывайтесь на наш канал @deals_every_day") == Action.DELETE
    assert action("有意私聊 @best_deals_cn") == Action.DELETE
    # a disguised contact is specific evidence: it warns on its own
    assert action("想要的加 薇信：ａｂｃ１２３４５") == Action.WARN


def test_see_my_avatar_is_found() -> None:
    assert "AD_SEE_PROFILE" in symbols("想看的点我头像")


def test_url_button_forward_via_bot_and_card_are_reported() -> None:
    segments = [
        Segment(Kind.BUTTON, "Open", {"url": "https://x.example"}),
        Segment(Kind.FORWARD, "", {"origin": "channel", "name": "Deals"}),
        Segment(Kind.CARD, "mini program"),
    ]
    found = symbols("hi", segments=segments, via_bot="somebot")
    assert {"AD_URL_BUTTON", "AD_FORWARD_CHANNEL", "AD_VIA_BOT", "AD_CARD"} <= found


def test_evidence_is_the_original_substring() -> None:
    result = POLICY.check(build_message("加我ＶＸ：ａｂｃ１２３４５ 谢谢"), build_context())
    assert isinstance(result, list)
    assert result[0].evidence == "ＶＸ：ａｂｃ１２３４５"


def test_display_name_with_contact_is_an_ad() -> None:
    assert [v.symbol for v in name_verdicts("小美 vx: meimei8888")] == ["AD_NAME"]
    assert name_verdicts("张三") == []


def test_qr_code_in_a_local_image_is_found(tmp_path: object) -> None:
    import zxingcpp
    from PIL import Image

    path = f"{tmp_path}/qr.png"
    barcode = zxingcpp.create_barcode("https://join.example/abc", zxingcpp.BarcodeFormat.QRCode)
    Image.fromarray(zxingcpp.write_barcode_to_image(barcode, scale=4)).save(path)
    message = build_message("", segments=[Segment(Kind.IMAGE, "", {"file_id": "f", "path": path})])
    result = POLICY.check(message, build_context())
    assert not isinstance(result, list)
    verdicts = asyncio.run(result)  # type: ignore[arg-type]
    assert [v.symbol for v in verdicts] == ["AD_QR_CODE"]
    assert verdicts[0].evidence == "https://join.example/abc"


def test_plain_contact_only_flags_while_a_disguised_one_deletes() -> None:
    assert action("有事联系我 微信号 abc12345") == Action.FLAG
    assert action("有事联系我 薇信 abc12345") >= Action.DELETE
    assert action("有事联系我 微信号 ａｂｃ１２３４５") >= Action.DELETE


def test_plain_phone_number_with_call_words_only_flags() -> None:
    assert action("如有拾到者请联系 13912345678") == Action.FLAG


def test_phone_number_with_an_offer_deletes() -> None:
    assert action("You have WON a £1000 cash prize! To claim call 09061234567") >= Action.DELETE


def test_digits_spread_by_emoji_are_a_disguise() -> None:
    assert action("联系 1🍀3🍀9🍀1🍀2🍀3🍀4🍀5🍀6🍀7🍀8") >= Action.DELETE


def test_arithmetic_is_not_a_disguised_phone_number() -> None:
    assert action("手机密码四位数字共有10*10*10*10=10000种组合") < Action.DELETE


def test_evidence_in_a_long_message_is_still_the_original_substring() -> None:
    text = "今天聊点别的。" * 100 + "加我ＶＸ：ａｂｃ１２３４５ 谢谢" + "哈哈" * 50
    result = POLICY.check(build_message(text), build_context())
    assert isinstance(result, list)
    assert result[0].evidence == "ＶＸ：ａｂｃ１２３４５"


def test_evidence_is_found_when_folding_lengthens_a_long_message_past_its_end() -> None:
    text = "㈀" * 700 + " 加微信 abc12345"  # each ㈀ folds to three characters
    folded = normalize(text)
    assert folded.find("abc12345") > len(text)
    assert original_evidence(text, "abc12345", folded) == "abc12345"


def test_evidence_maps_back_across_characters_that_fold_to_several() -> None:
    text = "…" * 50 + "ｖｘ：ＡＢＣ１２３４５" + " ok" * 300  # long: only a window is searched
    assert original_evidence(text, "abc12345", normalize(text)) == "ＡＢＣ１２３４５"
