"""The lobby's rules: client frames become state changes and neutral events for the sink."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from bot.events import ButtonPress, Event, JoinRequest, MemberJoined, MemberLeft, Role
from bot.i18n import t
from bot.ports import EventSink

from .gateway import LocalGateway
from .posting import (
    command_event,
    is_command,
    message_event,
    reply_ref,
    segments_for,
)
from .protocol import (
    AddMember,
    AnswerJoin,
    ClientFrame,
    Hello,
    JoinRequestFrame,
    Post,
    PressButton,
    ProtocolError,
    Rejoin,
    SetRole,
    frame,
)
from .state import (
    ACTIVE,
    BANNED,
    BOT,
    BOT_ID,
    CHAT,
    PENDING,
    ChatMessage,
    Member,
    PlaygroundState,
)
from .uploads import Uploads

log = logging.getLogger(__name__)

Broadcast = Callable[[dict[str, Any]], Awaitable[None]]

UNKNOWN_MEMBER = t("No member {member} in this chat.", "本群没有成员 {member}。")
NOT_MEMBER = t("{name} is not in the chat ({status}).", "{name} 不在群里（{status}）。")
MUTED = t("{name} is muted and cannot post.", "{name} 已被禁言，不能发言。")
EMPTY = t("Type something first.", "请先输入内容。")
NO_IMAGE = t("Choose an image to upload.", "请选择要上传的图片。")
NO_BUTTON = t("That message has no such button.", "该消息没有这个按钮。")
FULL = t("The playground holds 500 members at most.", "试玩群最多 500 名成员。")
CANNOT_REJOIN = t("{name} cannot rejoin ({status}).", "{name} 无法重新加入（{status}）。")
NOT_PENDING = t("{name} has no pending request.", "{name} 没有待处理的入群申请。")


class Lobby:
    """Handles the frames of every connected page; one instance per adapter."""

    def __init__(self, state: PlaygroundState, gateway: LocalGateway, sink: EventSink,
                 uploads: Uploads, broadcast: Broadcast) -> None:
        self.state = state
        self.gateway = gateway
        self.sink = sink
        self.uploads = uploads
        self.broadcast = broadcast
        self._boot = secrets.token_hex(4)
        self._keys = 0
        self._tasks: set[asyncio.Task[None]] = set()

    # -- delivering events ---------------------------------------------------------------

    def _key(self) -> str:
        self._keys += 1
        return f"local:{self._boot}:{self._keys}"

    async def emit(self, event: Event) -> None:
        """Deliver one event to the sink with a key unique across restarts."""
        await self._deliver(event, self._key())

    def emit_later(self, event: Event) -> None:
        """Deliver from inside a gateway call (a platform reports joins after approving)."""
        task = asyncio.get_running_loop().create_task(self.emit(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def member_joined(self, member: Member) -> None:
        self.emit_later(MemberJoined(CHAT, member.sender(), self.state.clock()))

    def member_removed(self, member: Member) -> None:
        self.emit_later(MemberLeft(CHAT, member.sender(), self.state.clock(), removed_by=BOT_ID))

    # -- frames ---------------------------------------------------------------------------

    async def handle(self, message: ClientFrame) -> list[dict[str, Any]]:
        """Apply one frame; returns frames for the sender only (everyone else gets broadcasts)."""
        if isinstance(message, Hello):
            return [self.state.snapshot()]
        if isinstance(message, AddMember):
            await self.add_member(message.name, Role[message.role.upper()])
        elif isinstance(message, SetRole):
            member = self._find(message.member)
            member.role = Role[message.role.upper()]
            await self._member_frame("member_updated", member)
        elif isinstance(message, Post):
            await self.post(message)
        elif isinstance(message, JoinRequestFrame):
            await self.join_request(message.name, message.bio)
        elif isinstance(message, Rejoin):
            await self.rejoin(message.member)
        elif isinstance(message, AnswerJoin):
            await self.answer_join(message.member, message.approve)
        elif isinstance(message, PressButton):
            await self.press_button(message)
        return []

    def _find(self, member_id: str) -> Member:
        member = self.state.member(member_id)
        if member is None:
            raise ProtocolError("unknown_member", UNKNOWN_MEMBER, member=member_id)
        return member

    async def _member_frame(self, kind: str, member: Member) -> None:
        await self.broadcast(frame(kind, member=member.to_json(self.state.clock())))

    def _room(self) -> None:
        if self.state.full:
            raise ProtocolError("full", FULL)

    async def add_member(self, name: str, role: Role = Role.MEMBER, *,
                         announce: bool = True) -> Member:
        self._room()
        member = self.state.add_member(name, role)
        await self._member_frame("member_added", member)
        if announce:
            await self.emit(MemberJoined(CHAT, member.sender(), self.state.clock()))
        return member

    async def rejoin(self, member_id: str) -> Member:
        """A removed or departed member comes back (banned members cannot, as on Telegram)."""
        member = self._find(member_id)
        if member.status in (ACTIVE, PENDING, BANNED):
            raise ProtocolError("cannot_rejoin", CANNOT_REJOIN, name=member.name,
                                status=member.status)
        member.status = ACTIVE
        await self._member_frame("member_added", member)
        await self.emit(MemberJoined(CHAT, member.sender(), self.state.clock()))
        return member

    async def join_request(self, name: str, bio: str = "") -> Member:
        self._room()
        member = self.state.add_member(name, Role.MEMBER, PENDING)
        await self._member_frame("join_pending", member)
        await self.emit(JoinRequest(CHAT, member.sender(), self.state.clock(),
                                    ref=member.id, bio=bio))
        return member

    async def answer_join(self, member_id: str, approve: bool) -> None:
        """An admin answers a request by hand, as in the platform's own app."""
        member = self._find(member_id)
        if member.status != PENDING:
            raise ProtocolError("not_pending", NOT_PENDING, name=member.name)
        if approve:
            await self.gateway.approve_join(CHAT, member.id, member.id)
        else:
            await self.gateway.decline_join(CHAT, member.id, member.id)

    async def post(self, post: Post) -> ChatMessage:
        member = self._find(post.member)
        now = self.state.clock()
        if member.status != ACTIVE:
            raise ProtocolError("not_member", NOT_MEMBER, name=member.name, status=member.status)
        if member.muted(now):
            raise ProtocolError("muted", MUTED, name=member.name)
        text = post.text.strip()
        if post.kind in ("text", "forward") and not text:
            raise ProtocolError("empty", EMPTY)
        image = None
        if post.kind == "image":
            if not post.image:
                raise ProtocolError("no_image", NO_IMAGE)
            image = self.uploads.save(post.image)
        replied = self.state.message(post.reply_to) if post.reply_to else None
        segments = segments_for(post.kind, text, image=image, channel=post.channel.strip())
        shown = next((s.text for s in segments if s.text), text)
        chat_message = self.state.add_message(ChatMessage(
            id=self.state.next_message_id(), sender=member.id, sender_name=member.name,
            kind=post.kind, text=shown if post.kind != "sticker" else segments[0].data["emoji"],
            date=now, reply_to=replied.id if replied else None,
            image_url=image.url if image else "", channel=post.channel.strip(),
        ))
        await self.broadcast(frame("message", message=chat_message.to_json()))
        reply = reply_ref(replied.id, replied.sender, replied.text) if replied else None
        key = self._key()
        if is_command(post.kind, text):
            await self._deliver(command_event(text, member.sender(), chat_message.id, now,
                                              reply), key)
        else:
            await self._deliver(message_event(segments, member.sender(), chat_message.id, now,
                                              reply, key), key)
        return chat_message

    async def _deliver(self, event: Event, key: str) -> None:
        try:
            await self.sink(event, self.gateway, key)
        except Exception:  # the sink promises not to raise; the page must survive if it does
            log.exception("playground: sink failed on %s", type(event).__name__)

    async def press_button(self, press: PressButton) -> None:
        member = self._find(press.member)
        message = self.state.message(press.message_id)
        if message is None or message.sender != BOT or not any(
                b.get("data") == press.data for b in message.buttons):
            raise ProtocolError("no_button", NO_BUTTON)
        key = self._key()
        await self._deliver(ButtonPress(CHAT, member.sender(), self.state.clock(), press.data,
                                        message_id=message.id, query_id=key), key)
