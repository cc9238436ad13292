"""The playground's WebSocket protocol, server side: frames in, events to the sink, frames out."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.adapters.local import CHAT
from bot.adapters.local.uploads import Uploads
from bot.events import (
    ButtonPress,
    Command,
    Event,
    JoinRequest,
    Kind,
    MemberJoined,
    MemberLeft,
    Message,
    Role,
)
from bot.gateway import Button, ChatGateway
from bot.i18n import t

from .conftest import Playground


def png_data_url(size: int = 8) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "red").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


async def test_connect_sends_a_snapshot_with_title_chat_and_seeded_members(
        playground: Playground) -> None:
    ws = await playground.client.ws_connect("/ws")
    page_state = await ws.receive_json(timeout=5)
    assert page_state["type"] == "state"
    assert page_state["title"] == "test lobby"
    assert page_state["chat"] == CHAT
    roles = {m["role"] for m in page_state["members"]}
    assert roles == {"owner", "member"}
    assert all(m["id"].startswith("local:") for m in page_state["members"])
    await ws.close()


async def test_text_post_reaches_every_page_and_the_sink_with_link_hosts(
        playground: Playground) -> None:
    poster, watcher = await playground.page(), await playground.page()
    max_id = playground.member_id("Max")
    await poster.send(type="post", member=max_id, kind="text",
                      text="see https://Example.com/x and t.me/deals")
    shown = await watcher.next("message")
    assert shown["message"]["sender"] == max_id
    assert shown["message"]["text"] == "see https://Example.com/x and t.me/deals"
    [message] = await playground.sink.wait_for(Message)
    assert message.chat == CHAT and message.message_id == shown["message"]["id"]
    assert message.sender.id == max_id and message.sender.role is Role.MEMBER
    assert [s.data["host"] for s in message.of(Kind.LINK)] == ["example.com", "t.me"]
    assert message.text == "see https://Example.com/x and t.me/deals"


async def test_slash_text_becomes_a_command_with_args_and_the_replied_message(
        playground: Playground) -> None:
    page = await playground.page()
    max_id = playground.member_id("Max")
    await page.send(type="post", member=max_id, text="hello")
    first = (await page.next("message"))["message"]
    await page.send(type="post", member=max_id, text="/warn@qunguan_bot spam now",
                    reply_to=first["id"])
    [command] = await playground.sink.wait_for(Command)
    assert (command.name, command.args) == ("warn", ("spam", "now"))
    assert command.reply_to is not None and command.reply_to.message_id == first["id"]
    assert command.reply_to.sender_id == max_id
    assert len(playground.sink.of(Message)) == 1  # the command is not also moderated as text


async def test_each_kind_of_post_becomes_its_neutral_segment(playground: Playground) -> None:
    page = await playground.page()
    max_id = playground.member_id("Max")
    await page.send(type="post", member=max_id, kind="voice")
    await page.send(type="post", member=max_id, kind="sticker", text="🐱")
    await page.send(type="post", member=max_id, kind="red_packet")
    await page.send(type="post", member=max_id, kind="forward", channel="Deals 频道",
                    text="join www.deals.example")
    voice, sticker, packet, forward = await playground.sink.wait_for(Message, 4)
    assert voice.kinds == {Kind.VOICE}
    assert sticker.of(Kind.STICKER)[0].data["emoji"] == "🐱"
    assert packet.kinds == {Kind.RED_PACKET}
    [origin] = forward.of(Kind.FORWARD)
    assert origin.data["origin"] == "channel" and origin.data["name"] == "Deals 频道"
    assert forward.text == "join www.deals.example"
    assert forward.of(Kind.LINK)[0].data["host"] == "www.deals.example"


async def test_image_upload_is_saved_for_policies_and_served_to_pages(
        playground: Playground) -> None:
    page = await playground.page()
    max_id = playground.member_id("Max")
    await page.send(type="post", member=max_id, kind="image", text="look",
                    image=png_data_url())
    shown = (await page.next("message"))["message"]
    [message] = await playground.sink.wait_for(Message)
    [image] = message.of(Kind.IMAGE)
    with Path(image.data["path"]).open("rb") as saved:  # noqa: ASYNC230 (a local temp file)
        assert saved.read(8) == b"\x89PNG\r\n\x1a\n"
    assert image.data["file_id"]
    assert message.text == "look"
    served = await playground.client.get(shown["image_url"])
    assert served.status == 200
    assert (await served.read()).startswith(b"\x89PNG")
    missing = await playground.client.get("/uploads/..%2Fetc%2Fpasswd")
    assert missing.status == 404


async def test_oversized_or_fake_images_are_refused_with_an_error_frame(
        playground: Playground) -> None:
    playground.adapter.uploads.max_bytes = 1024
    page = await playground.page()
    max_id = playground.member_id("Max")
    await page.send(type="post", member=max_id, kind="image", image=png_data_url(400))
    assert (await page.next("error"))["code"] == "too_large"
    fake = "data:image/png;base64," + base64.b64encode(b"not an image").decode()
    await page.send(type="post", member=max_id, kind="image", image=fake)
    assert (await page.next("error"))["code"] == "bad_image"
    assert playground.sink.events == []


async def test_bad_input_gets_a_bilingual_error_and_the_connection_survives(
        playground: Playground) -> None:
    page = await playground.page()
    await page.ws.send_str("not json")
    assert (await page.next("error"))["code"] == "bad_json"
    await page.send(type="dance")
    assert (await page.next("error"))["code"] == "bad_frame"
    await page.send(type="post", member="local:404", text="hi")
    unknown = await page.next("error")
    assert unknown["code"] == "unknown_member" and unknown["en"] and unknown["zh"]
    await page.send(type="post", member=playground.member_id("Max"), text="   ")
    assert (await page.next("error"))["code"] == "empty"
    await page.ws.send_bytes(b"\x00")
    assert (await page.next("error"))["code"] == "bad_json"
    await page.send(type="hello", lang="zh")
    assert (await page.next("state"))["chat"] == CHAT


async def test_a_deleted_message_is_struck_then_given_its_reason_symbols_and_warns(
        playground: Playground) -> None:
    from bot.config import load_config
    from bot.enforcer import Enforcement
    from bot.registry import Registry
    from bot.runtime import RuntimeBook
    from bot.verdict import Action, Decision, Verdict

    async def moderate(event: Event, gateway: ChatGateway) -> None:
        assert isinstance(event, Message)
        await gateway.delete(event.chat, [event.message_id])
        verdict = Verdict("AD_CONTACT_WECHAT", 6.0, t("advertising a WeChat contact",
                                                      "发布微信联系方式广告"))
        decision = Decision(Action.WARN, 6.0, (verdict,))
        runtime = RuntimeBook(load_config("config.example.yaml", env={}), Registry()).get(CHAT)
        await playground.adapter.on_decision(
            event, decision, Enforcement(Action.WARN, Action.WARN, warns=1), runtime)

    playground.sink.react = moderate
    page = await playground.page()
    await page.send(type="post", member=playground.member_id("Max"), text="加我薇信 abc123")
    posted = (await page.next("message"))["message"]
    struck = await page.next("removed")
    assert struck["message_id"] == posted["id"] and struck["reason_en"] == ""
    explained = await page.next("removed")
    assert explained["reason_en"] == "advertising a WeChat contact"
    assert explained["reason_zh"] == "发布微信联系方式广告"
    assert explained["symbols"] == {"AD_CONTACT_WECHAT": 6.0}
    assert explained["action"] == "warn"
    warned = await page.next("warned")
    assert (warned["count"], warned["limit"]) == (1, 3)
    fresh = await playground.page()  # a page opened later still sees the original, struck
    await fresh.send(type="hello")
    [kept] = [m for m in (await fresh.next("state"))["messages"] if m["id"] == posted["id"]]
    assert kept["text"] == "加我薇信 abc123"
    assert kept["removed"]["reason_zh"] == "发布微信联系方式广告"


async def test_a_muted_member_is_refused_until_the_mute_ends(playground: Playground) -> None:
    page = await playground.page()
    max_id = playground.member_id("Max")
    outcome = await playground.adapter.gateway.mute(CHAT, max_id, timedelta(minutes=10))
    assert outcome.ok
    muted = await page.next("muted")
    assert muted["until"] == (playground.clock.now + timedelta(minutes=10)).isoformat()
    assert muted["member"]["muted"] is True
    await page.send(type="post", member=max_id, text="let me speak")
    assert (await page.next("error"))["code"] == "muted"
    playground.clock.advance(timedelta(minutes=10, seconds=1))
    await page.send(type="post", member=max_id, text="free again")
    assert (await page.next("message"))["message"]["text"] == "free again"
    assert [m.text for m in playground.sink.of(Message)] == ["free again"]
    await playground.adapter.gateway.mute(CHAT, max_id, None)
    assert (await page.next("muted"))["until"] is None
    await playground.adapter.gateway.unmute(CHAT, max_id)
    assert (await page.next("unmuted"))["member"]["muted"] is False


async def test_kicked_and_banned_members_are_shown_removed_reported_and_cannot_post(
        playground: Playground) -> None:
    page = await playground.page()
    max_id = playground.member_id("Max")
    await page.send(type="add_member", name="Eve")
    eve = (await page.next("member_added"))["member"]
    assert (await playground.adapter.gateway.kick(CHAT, max_id)).ok
    assert (await page.next("kicked"))["member"]["status"] == "kicked"
    assert (await playground.adapter.gateway.ban(CHAT, eve["id"])).ok
    assert (await page.next("banned"))["member"]["status"] == "banned"
    for member in (max_id, eve["id"]):
        await page.send(type="post", member=member, text="still here?")
        assert (await page.next("error"))["code"] == "not_member"
    removed = await playground.sink.wait_for(MemberLeft, 2)  # the platform reports departures
    assert [(e.user.id, e.removed_by) for e in removed] == [(max_id, "local:bot"),
                                                             (eve["id"], "local:bot")]
    await page.send(type="rejoin", member=eve["id"])
    assert (await page.next("error"))["code"] == "cannot_rejoin"  # banned stays out
    await page.send(type="rejoin", member=max_id)
    assert (await page.next("member_added"))["member"]["status"] == "active"
    *_, back = await playground.sink.wait_for(MemberJoined, 2)
    assert back.user.id == max_id
    assert not (await playground.adapter.gateway.kick(CHAT, "local:404")).ok
    assert not (await playground.adapter.gateway.kick("tg:1", max_id)).ok


async def test_members_join_directly_or_through_the_waitlist(playground: Playground) -> None:
    page = await playground.page()
    await page.send(type="add_member", name="Ada", role="moderator")
    ada = (await page.next("member_added"))["member"]
    [joined] = await playground.sink.wait_for(MemberJoined)
    assert joined.user.id == ada["id"] and joined.user.role is Role.MODERATOR
    await page.send(type="set_role", member=ada["id"], role="admin")
    assert (await page.next("member_updated"))["member"]["role"] == "admin"
    await page.send(type="join_request", name="Wen", bio="想学 Python")
    wen = (await page.next("join_pending"))["member"]
    [request] = await playground.sink.wait_for(JoinRequest)
    assert (request.user.id, request.ref, request.bio) == (wen["id"], wen["id"], "想学 Python")
    await page.send(type="post", member=wen["id"], text="hi")
    assert (await page.next("error"))["code"] == "not_member"
    assert (await playground.adapter.gateway.approve_join(CHAT, wen["id"], request.ref)).ok
    assert (await page.next("join_approved"))["member"]["status"] == "active"
    _, after_approval = await playground.sink.wait_for(MemberJoined, 2)
    assert after_approval.user.id == wen["id"]
    await page.send(type="join_request", name="Spammy")
    spammy = (await page.next("join_pending"))["member"]
    await page.send(type="answer_join", member=spammy["id"], approve=False)
    assert (await page.next("join_declined"))["member"]["status"] == "declined"
    await page.send(type="answer_join", member=spammy["id"], approve=True)
    assert (await page.next("error"))["code"] == "not_pending"


async def test_bot_buttons_render_both_languages_and_presses_come_back(
        playground: Playground) -> None:
    page = await playground.page()
    gateway = playground.adapter.gateway
    sent = await gateway.send(CHAT, "Welcome! 欢迎！", lang="zh-CN",
                              buttons=[Button(t("I agree", "我同意"), data="rules:ok")])
    shown = (await page.next("bot_message"))["message"]
    assert shown["id"] == sent and shown["sender"] == "bot"
    [button] = shown["buttons"]
    assert (button["label"], button["label_en"], button["data"]) == ("我同意", "I agree",
                                                                      "rules:ok")
    max_id = playground.member_id("Max")
    await page.send(type="press_button", member=max_id, message_id=sent, data="rules:ok")
    [press] = await playground.sink.wait_for(ButtonPress)
    assert (press.user.id, press.data, press.message_id) == (max_id, "rules:ok", sent)
    await page.send(type="press_button", member=max_id, message_id=sent, data="forged")
    assert (await page.next("error"))["code"] == "no_button"


async def test_update_keys_are_unique_and_name_the_platform(playground: Playground) -> None:
    page = await playground.page()
    max_id = playground.member_id("Max")
    for text in ("one", "two", "/checkin"):
        await page.send(type="post", member=max_id, text=text)
    await playground.sink.wait_for(Command)
    assert len(set(playground.sink.keys)) == 3
    assert all(key.startswith("local:") for key in playground.sink.keys)


async def test_deleting_an_unknown_message_is_reported_not_raised(
        playground: Playground) -> None:
    outcome = await playground.adapter.gateway.delete(CHAT, ["nope"])
    assert not outcome.ok and "nope" in outcome.detail


async def test_members_are_capped_and_the_page_is_told_why(
        playground: Playground, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.adapters.local.state.MAX_MEMBERS", 3)
    page = await playground.page()
    await page.send(type="add_member", name="Third")
    await page.next("member_added")
    await page.send(type="join_request", name="Fourth")
    full = await page.next("error")
    assert full["code"] == "full" and full["zh"]
    assert len(playground.adapter.state.members) == 3


def test_old_uploads_are_deleted_beyond_the_file_cap() -> None:
    uploads = Uploads(max_files=2)
    try:
        first, second, third = (uploads.save(png_data_url()) for _ in range(3))
        assert not first.path.exists()
        assert second.path.exists() and third.path.exists()
        assert uploads.find(first.path.name) is None
        assert uploads.find(third.path.name) == third.path
    finally:
        uploads.close()
    assert not third.path.exists()


async def test_a_kept_message_with_verdicts_is_shown_flagged_or_observed(
        playground: Playground) -> None:
    from bot.config import load_config
    from bot.enforcer import Enforcement
    from bot.registry import Registry
    from bot.runtime import RuntimeBook
    from bot.verdict import Action, Decision, Verdict

    runtime = RuntimeBook(load_config("config.example.yaml", env={}), Registry()).get(CHAT)
    verdict = Verdict("OFFTOPIC_FILLER", 3.0, t("off-topic filler", "无意义灌水"))
    page = await playground.page()
    max_id = playground.member_id("Max")
    await page.send(type="post", member=max_id, text="哈哈哈")
    await page.send(type="post", member=max_id, text="+1")
    flagged_message, observed_message = await playground.sink.wait_for(Message, 2)
    await playground.adapter.on_decision(
        flagged_message, Decision(Action.FLAG, 3.0, (verdict,)),
        Enforcement(Action.FLAG, Action.FLAG), runtime)
    flagged = await page.next("flagged")
    assert (flagged["message_id"], flagged["action"], flagged["observe"]) == (
        flagged_message.message_id, "flag", False)
    await playground.adapter.on_decision(
        observed_message,
        Decision(Action.ALLOW, 3.0, (), observe=True, observed=(verdict,),
                 shadow_action=Action.DELETE),
        Enforcement(Action.ALLOW, Action.DELETE, observe=True), runtime)
    observed = await page.next("flagged")
    assert (observed["action"], observed["observe"]) == ("delete", True)
    assert observed["reason_zh"] == "无意义灌水"
    assert observed["symbols"] == {"OFFTOPIC_FILLER": 3.0}
