"""How a logged message (``bot.serialize.message_to_dict``) reads as text: in chat and pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MEDIA_ZH = {"image": "图片", "voice": "语音", "video_note": "视频消息", "audio": "音频",
            "video": "视频", "sticker": "贴纸", "animation": "动图", "file": "文件",
            "contact": "名片", "location": "位置", "poll": "投票", "red_packet": "红包",
            "card": "卡片", "forward": "转发", "button": "按钮"}
_WORDS = ("text", "link", "mention")


def content_text(content: Mapping[str, Any], lang: str = "en") -> str:
    """The readable text of a logged message: its text segments (captions are text segments
    too), links and mentions not already in the text, media as ``[voice]``, a forward as
    ``[forwarded from X]``; else the message it replied to, else a bare ``text`` field."""
    parts: list[str] = []
    zh = lang.startswith("zh")
    for seg in content.get("segments", ()) or ():
        if not isinstance(seg, Mapping):
            continue
        kind, text = str(seg.get("kind", "text")), str(seg.get("text") or "")
        if kind in _WORDS:
            if text and (kind == "text" or text not in " ".join(parts)):
                parts.append(text)
        elif kind == "forward":
            origin = (seg.get("data") or {}).get("name") or text
            label = "转发自" if zh else "forwarded from"
            parts.append(f"[{label} {origin}]" if origin else f"[{MEDIA_ZH['forward']}]")
        else:
            name = MEDIA_ZH.get(kind, kind) if zh else kind
            parts.append(f"[{name}]" + (f" {text}" if text else ""))
    if not parts:
        reply = content.get("reply_to") or {}
        fallback = reply.get("text") if isinstance(reply, Mapping) else None
        fallback = fallback or content.get("text")
        if fallback:
            parts.append(str(fallback))
    return "\n".join(parts)
