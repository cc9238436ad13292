"""The playground's WebSocket protocol: JSON frames, one object per WebSocket text message.

Every frame is an object with a ``type``. Client → server:

``hello {lang}``
    Asks for a fresh ``state`` snapshot (one is also sent on connect).
``add_member {name, role}``
    A member joins directly (``role``: member | moderator | admin | owner) → ``member_added``.
``set_role {member, role}``
    Promote or demote a member → ``member_updated``.
``post {member, kind, text, reply_to, image, channel}``
    ``member`` posts; ``kind`` is text | image | voice | sticker | red_packet | forward.
    ``image`` is a ``data:image/…;base64,…`` URL (5 MB at most) for ``kind = image``;
    ``channel`` names the channel a forward comes from. Text starting with ``/`` is a command.
    → ``message`` to everyone, then whatever the bot decides.
``join_request {name, bio}``
    Someone asks to join through the waitlist → ``join_pending``.
``answer_join {member, approve}``
    An admin approves or declines a pending request by hand → ``join_approved`` (then the
    join itself reaches the bot) or ``join_declined``.
``rejoin {member}``
    A kicked, declined or departed member comes back (not a banned one) → ``member_added``.
``press_button {member, message_id, data}``
    ``member`` presses a button on a bot message.

Server → client:

``state {title, chat, members, messages}`` on connect and after ``hello``;
``message {message}`` and ``bot_message {message}``;
``removed {message_id, reason_en, reason_zh, symbols, action}`` (sent when the message is
deleted and again, with the reason, once the decision is known);
``flagged {message_id, reason_en, reason_zh, symbols, action, observe}`` for a decision
that kept the message (flag, or observe mode: ``action`` is what would have happened);
``warned {member, count, limit}``; ``muted {member, until}`` (ISO time, ``null`` = until
unmuted); ``unmuted {member}``; ``kicked {member}``; ``banned {member, until}``;
``unbanned {member}``; ``member_added {member}``; ``member_updated {member}``;
``join_pending {member}``; ``join_approved {member}``; ``join_declined {member}``;
``error {code, en, zh}`` — bad input never closes the connection.

A ``member`` in a server frame is an object ``{id, name, role, status, muted_until, warns}``;
``status`` is active | pending | declined | kicked | banned | left.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bot.i18n import Text, t

RoleName = Literal["member", "moderator", "admin", "owner"]
PostKind = Literal["text", "image", "voice", "sticker", "red_packet", "forward"]

MAX_TEXT = 4096
MAX_FRAME = 8 * 1024 * 1024  # a 5 MB image as base64 fits


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Hello(_Frame):
    type: Literal["hello"]
    lang: str = "en"


class AddMember(_Frame):
    type: Literal["add_member"]
    name: str = Field(min_length=1, max_length=64)
    role: RoleName = "member"


class SetRole(_Frame):
    type: Literal["set_role"]
    member: str = Field(min_length=1, max_length=64)
    role: RoleName


class Post(_Frame):
    type: Literal["post"]
    member: str = Field(min_length=1, max_length=64)
    kind: PostKind = "text"
    text: str = Field(default="", max_length=MAX_TEXT)
    reply_to: str | None = Field(default=None, max_length=64)
    image: str = ""
    channel: str = Field(default="", max_length=128)


class JoinRequestFrame(_Frame):
    type: Literal["join_request"]
    name: str = Field(min_length=1, max_length=64)
    bio: str = Field(default="", max_length=512)


class AnswerJoin(_Frame):
    type: Literal["answer_join"]
    member: str = Field(min_length=1, max_length=64)
    approve: bool


class Rejoin(_Frame):
    type: Literal["rejoin"]
    member: str = Field(min_length=1, max_length=64)


class PressButton(_Frame):
    type: Literal["press_button"]
    member: str = Field(min_length=1, max_length=64)
    message_id: str = Field(min_length=1, max_length=64)
    data: str = Field(max_length=256)


ClientFrame = Annotated[
    Hello | AddMember | SetRole | Post | JoinRequestFrame | AnswerJoin | Rejoin
    | PressButton,
    Field(discriminator="type"),
]
_CLIENT: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)


class ProtocolError(Exception):
    """A client mistake, reported to that client as an ``error`` frame."""

    def __init__(self, code: str, text: Text, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.text = text.format(**values) if values else text

    def frame(self) -> dict[str, Any]:
        return error(self.code, self.text)


BAD_JSON = t("That frame is not a JSON object.", "该消息不是 JSON 对象。")
BAD_FRAME = t("Invalid frame: {detail}", "无效的消息：{detail}")


def parse_client(raw: str) -> ClientFrame:
    """Validate one client frame; raises ProtocolError with a bilingual explanation."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise ProtocolError("bad_json", BAD_JSON) from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_json", BAD_JSON)
    try:
        return _CLIENT.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "frame"
        raise ProtocolError("bad_frame", BAD_FRAME, detail=f"{where}: {first['msg']}") from None


def error(code: str, text: Text) -> dict[str, Any]:
    """An ``error`` frame in both languages."""
    return {"type": "error", "code": code, "en": text.en, "zh": text.zh}


def frame(kind: str, **fields: Any) -> dict[str, Any]:
    """A server frame of ``kind``."""
    return {"type": kind, **fields}
