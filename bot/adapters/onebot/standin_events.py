"""Builders for spec-shaped OneBot events and segments (v11 field tables; v12 + ComWeChat)."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from typing import Any

JSON = dict[str, Any]
_IDS = itertools.count(1000)


def _now() -> int:
    return int(time.time())


def seg(kind: str, **data: Any) -> JSON:
    return {"type": kind, "data": data}


# -- v11 segments ---------------------------------------------------------------------------


def text(value: str) -> JSON:
    return seg("text", text=value)


def at(qq: int | str, name: str = "") -> JSON:
    return seg("at", qq=str(qq), **({"name": name} if name else {}))


def reply(message_id: int | str) -> JSON:
    return seg("reply", id=str(message_id))


def image(
    file: str = "abc.image", url: str = "https://gchat.qpic.cn/abc", sub_type: int = 0
) -> JSON:
    return seg("image", file=file, url=url, sub_type=sub_type, summary="")


def record(file: str = "voice.amr", url: str = "https://grouptalk.c2c.qq.com/voice") -> JSON:
    return seg("record", file=file, url=url)


def video(file: str = "clip.mp4", url: str = "https://multimedia.nt.qq.com/clip") -> JSON:
    return seg("video", file=file, url=url)


def face(face_id: int = 14) -> JSON:
    return seg("face", id=str(face_id))


def mface(summary: str = "[开心]", package: int = 230, emoji: str = "e1", key: str = "k") -> JSON:
    return seg("mface", emoji_package_id=package, emoji_id=emoji, key=key, summary=summary)


def json_card(prompt: str = "[QQ小程序]加群领福利", url: str = "https://ads.example.com/x") -> JSON:
    body = {"app": "com.tencent.miniapp", "prompt": prompt,
            "meta": {"detail_1": {"title": prompt, "qqdocurl": url}}}
    return seg("json", data=json.dumps(body, ensure_ascii=False))


def xml_card(url: str = "https://ads.example.com/xml") -> JSON:
    return seg("xml", data=f'<?xml version="1.0"?><msg url="{url}"><item/></msg>')


def share(url: str = "https://example.com/post", title: str = "分享") -> JSON:
    return seg("share", url=url, title=title, content="", image="")


def redbag(title: str = "恭喜发财") -> JSON:
    return seg("redbag", title=title)


def contact(kind: str = "qq", contact_id: int | str = 10086) -> JSON:
    return seg("contact", type=kind, id=str(contact_id))


def location(lat: float = 39.9, lon: float = 116.4, title: str = "北京") -> JSON:
    return seg("location", lat=str(lat), lon=str(lon), title=title, content="")


def forward(forward_id: str = "fwd-1") -> JSON:
    return seg("forward", id=forward_id)


# -- v11 events -----------------------------------------------------------------------------


def group_message(
    group_id: int,
    user_id: int,
    message: list[JSON] | str,
    *,
    self_id: int = 10001,
    message_id: int | None = None,
    role: str = "member",
    nickname: str = "",
    card: str = "",
) -> JSON:
    raw = message if isinstance(message, str) else "".join(
        s["data"].get("text", f"[CQ:{s['type']}]") for s in message
    )
    return {
        "time": _now(), "self_id": self_id, "post_type": "message", "message_type": "group",
        "sub_type": "normal", "message_id": next(_IDS) if message_id is None else message_id,
        "group_id": group_id, "user_id": user_id, "anonymous": None, "message": message,
        "raw_message": raw, "font": 0,
        "sender": {"user_id": user_id, "nickname": nickname or f"u{user_id}", "card": card,
                   "sex": "unknown", "age": 0, "area": "", "level": "1", "role": role,
                   "title": ""},
    }


def private_message(user_id: int, message: list[JSON], *, self_id: int = 10001) -> JSON:
    return {
        "time": _now(), "self_id": self_id, "post_type": "message", "message_type": "private",
        "sub_type": "friend", "message_id": next(_IDS), "user_id": user_id,
        "message": message, "raw_message": "", "font": 0,
        "sender": {"user_id": user_id, "nickname": f"u{user_id}", "sex": "unknown", "age": 0},
    }


def _notice(notice_type: str, self_id: int, **fields: Any) -> JSON:
    return {"time": _now(), "self_id": self_id, "post_type": "notice",
            "notice_type": notice_type, **fields}


def group_increase(group_id: int, user_id: int, *, operator_id: int = 0,
                   sub_type: str = "approve", self_id: int = 10001) -> JSON:
    return _notice("group_increase", self_id, sub_type=sub_type, group_id=group_id,
                   operator_id=operator_id, user_id=user_id)


def group_decrease(group_id: int, user_id: int, *, operator_id: int = 0,
                   sub_type: str = "leave", self_id: int = 10001) -> JSON:
    return _notice("group_decrease", self_id, sub_type=sub_type, group_id=group_id,
                   operator_id=operator_id or user_id, user_id=user_id)


def group_ban(group_id: int, user_id: int, duration: int, *, operator_id: int = 1,
              self_id: int = 10001) -> JSON:
    return _notice("group_ban", self_id, sub_type="ban" if duration else "lift_ban",
                   group_id=group_id, operator_id=operator_id, user_id=user_id,
                   duration=duration)


def group_recall(group_id: int, user_id: int, message_id: int, *, operator_id: int = 0,
                 self_id: int = 10001) -> JSON:
    return _notice("group_recall", self_id, group_id=group_id, user_id=user_id,
                   operator_id=operator_id or user_id, message_id=message_id)


def group_admin(group_id: int, user_id: int, *, sub_type: str = "set",
                self_id: int = 10001) -> JSON:
    return _notice("group_admin", self_id, sub_type=sub_type, group_id=group_id,
                   user_id=user_id)


def lucky_king(group_id: int, user_id: int, target_id: int, *, self_id: int = 10001) -> JSON:
    """go-cqhttp's red-packet luck-king notice (``user_id`` sent the packet)."""
    return _notice("notify", self_id, sub_type="lucky_king", group_id=group_id,
                   user_id=user_id, target_id=target_id)


def join_request(group_id: int, user_id: int, flag: str, *, comment: str = "",
                 sub_type: str = "add", self_id: int = 10001) -> JSON:
    return {"time": _now(), "self_id": self_id, "post_type": "request",
            "request_type": "group", "sub_type": sub_type, "group_id": group_id,
            "user_id": user_id, "comment": comment, "flag": flag}


def lifecycle(sub_type: str = "connect", *, self_id: int = 10001) -> JSON:
    return {"time": _now(), "self_id": self_id, "post_type": "meta_event",
            "meta_event_type": "lifecycle", "sub_type": sub_type}


def heartbeat(*, interval: int = 5000, self_id: int = 10001) -> JSON:
    return {"time": _now(), "self_id": self_id, "post_type": "meta_event",
            "meta_event_type": "heartbeat", "status": {"online": True, "good": True},
            "interval": interval}


# -- v12 (ComWeChatBotClient) ----------------------------------------------------------------


def mention(user_id: str) -> JSON:
    return seg("mention", user_id=user_id)


def file_seg(kind: str, file_id: str = "") -> JSON:
    """A v12 media segment: ``image``, ``voice``, ``video``, ``file``, ``wx.emoji``."""
    return seg(kind, file_id=file_id or str(uuid.uuid4()))


def wx_link(url: str = "https://mp.weixin.qq.com/s/abc", title: str = "文章") -> JSON:
    return seg("wx.link", title=title, des="", url=url, file_id="")


def wx_app(appid: str = "wx123", title: str = "小程序", url: str = "") -> JSON:
    return seg("wx.app", appid=appid, title=title, url=url)


def _v12(kind: str, detail: str, self_id: str, platform: str, **fields: Any) -> JSON:
    return {"id": str(uuid.uuid4()), "time": time.time(), "type": kind,
            "detail_type": detail, "sub_type": fields.pop("sub_type", ""),
            "self": {"platform": platform, "user_id": self_id}, **fields}


def v12_group_message(group_id: str, user_id: str, message: list[JSON], *,
                      self_id: str = "wxid_bot", platform: str = "wechat",
                      message_id: str | None = None) -> JSON:
    alt = "".join(s["data"].get("text", "") for s in message)
    return _v12("message", "group", self_id, platform,
                message_id=message_id or str(next(_IDS)), message=message, alt_message=alt,
                user_id=user_id, group_id=group_id)


def v12_member_increase(group_id: str, user_id: str, *, operator_id: str = "",
                        self_id: str = "wxid_bot", platform: str = "wechat") -> JSON:
    return _v12("notice", "group_member_increase", self_id, platform, sub_type="join",
                group_id=group_id, user_id=user_id, operator_id=operator_id)


def v12_member_decrease(group_id: str, user_id: str, *, operator_id: str = "",
                        sub_type: str = "leave", self_id: str = "wxid_bot",
                        platform: str = "wechat") -> JSON:
    return _v12("notice", "group_member_decrease", self_id, platform, sub_type=sub_type,
                group_id=group_id, user_id=user_id, operator_id=operator_id)


def wx_group_redbag(group_id: str, user_id: str, *, self_id: str = "wxid_bot") -> JSON:
    return _v12("notice", "wx.get_group_redbag", self_id, "wechat",
                group_id=group_id, user_id=user_id)


def v12_connect(impl: str = "ComWeChat", version: str = "1.0") -> JSON:
    return {"id": str(uuid.uuid4()), "time": time.time(), "type": "meta",
            "detail_type": "connect", "sub_type": "",
            "version": {"impl": impl, "version": version, "onebot_version": "12"}}


def v12_status_update(self_id: str = "wxid_bot", platform: str = "wechat") -> JSON:
    return {"id": str(uuid.uuid4()), "time": time.time(), "type": "meta",
            "detail_type": "status_update", "sub_type": "",
            "status": {"good": True, "bots": [
                {"self": {"platform": platform, "user_id": self_id}, "online": True}]}}
