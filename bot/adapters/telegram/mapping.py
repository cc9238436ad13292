"""Telegram ``Update`` → neutral events; malformed or unknown updates are logged and skipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberOwner,
    ChatMemberRestricted,
    ChatMemberUpdated,
    MessageEntity,
    MessageReactionUpdated,
    ReactionType,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    Update,
    User,
)
from telegram import Message as TgMessage

from bot.adapters.telegram.segments import PLATFORM, message_segments, parsed_entities
from bot.events import (
    BotMembership,
    ButtonPress,
    ChatMigrated,
    Command,
    Event,
    JoinRequest,
    MemberJoined,
    MemberLeft,
    Message,
    Reaction,
    ReplyRef,
    Role,
    Sender,
)
from bot.faults import Faults
from bot.metrics import Meter

log = logging.getLogger(__name__)

RoleOf = Callable[[int, int], Role]


def _no_roles(chat_id: int, user_id: int) -> Role:
    return Role.MEMBER


@dataclass(frozen=True, slots=True)
class MapContext:
    """What mapping needs besides the update: the bot's username, roles, YAML moderators."""

    bot_username: str = ""
    role_of: RoleOf = _no_roles
    moderators: frozenset[str] = frozenset()


def qid(raw: int | str) -> str:
    return f"{PLATFORM}:{raw}"


def _utc(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(UTC)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def user_sender(user: User, chat: Chat | None, ctx: MapContext) -> Sender:
    role = ctx.role_of(chat.id, user.id) if chat is not None and chat.type != "private" else (
        Role.MEMBER)
    ident = qid(user.id)
    if role < Role.MODERATOR and ident in ctx.moderators:
        role = Role.MODERATOR
    return Sender(ident, user.full_name or "", user.username or "", role, is_bot=user.is_bot)


def message_sender(msg: TgMessage, ctx: MapContext) -> Sender:
    """Users by role; channels posting in the group; anonymous admins (sender_chat = the chat)."""
    chat = msg.chat
    sc = msg.sender_chat
    if sc is not None:
        name = sc.title or sc.full_name or ""
        if sc.id == chat.id:
            return Sender(qid(sc.id), name, sc.username or "", Role.ADMIN,
                          is_anonymous_admin=True)
        role = Role.ADMIN if msg.is_automatic_forward else Role.MEMBER
        return Sender(qid(sc.id), name, sc.username or "", role, is_channel=True)
    if msg.from_user is None:
        raise ValueError("message without sender")
    return user_sender(msg.from_user, chat, ctx)


def _reply(msg: TgMessage) -> ReplyRef | None:
    ref = msg.reply_to_message
    if ref is None or ref.forum_topic_created is not None:  # topic root is not a real reply
        return None
    sender = ref.sender_chat.id if ref.sender_chat else (ref.from_user.id if ref.from_user else "")
    return ReplyRef(str(ref.message_id), qid(sender) if sender != "" else "",
                    ref.text or ref.caption or "")


def _command(msg: TgMessage, sender: Sender, ctx: MapContext) -> list[Event] | None:
    """``/cmd@bot args`` → Command; None if not a command; [] if addressed to another bot."""
    text = msg.text or ""
    first = msg.entities[0] if msg.entities else None
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    head, _, rest = text.partition(" ")
    name, _, target = head[1:].partition("@")
    if target and target.lower() != ctx.bot_username.lower():
        return []
    mentions = tuple(
        Sender(qid(e.user.id), e.user.full_name, e.user.username or "")
        if e.type == MessageEntity.TEXT_MENTION and e.user
        else Sender("", username=t.lstrip("@"))
        for e, t in parsed_entities(lambda: msg.parse_entities(
            [MessageEntity.MENTION, MessageEntity.TEXT_MENTION])).items()
    )
    return [Command(
        qid(msg.chat.id), sender, _utc(msg.date), name.lower(), tuple(rest.split()),
        str(msg.message_id), _reply(msg),
        str(msg.message_thread_id) if msg.is_topic_message else None,
        msg.chat.type == Chat.PRIVATE, mentions,
    )]


def map_message(msg: TgMessage, update_id: int, ctx: MapContext, *, edited: bool) -> list[Event]:
    chat = qid(msg.chat.id)
    date = _utc(msg.edit_date if edited and msg.edit_date else msg.date)
    if msg.migrate_to_chat_id:
        return [ChatMigrated(chat, qid(msg.migrate_to_chat_id), date)]
    if msg.new_chat_members:
        inviter = msg.from_user
        return [MemberJoined(
            chat, user_sender(u, msg.chat, ctx), date,
            qid(inviter.id) if inviter and inviter.id != u.id else "", str(msg.message_id),
        ) for u in msg.new_chat_members]
    if msg.left_chat_member:
        left, by = msg.left_chat_member, msg.from_user
        return [MemberLeft(chat, user_sender(left, msg.chat, ctx), date,
                           qid(by.id) if by and by.id != left.id else "", str(msg.message_id))]
    sender = message_sender(msg, ctx)
    if not edited:
        command = _command(msg, sender, ctx)
        if command is not None:
            return command
    segments = message_segments(msg)
    if not segments:
        return []  # a service message (pin, title change, …): nothing to moderate
    return [Message(
        chat, str(msg.message_id), sender, date, segments, _reply(msg),
        str(msg.message_thread_id) if msg.is_topic_message else None,
        msg.media_group_id, edited, msg.via_bot.username or "" if msg.via_bot else "",
        msg.chat.type == Chat.PRIVATE, str(update_id),
    )]


def _is_present(member: ChatMember) -> bool:
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)


def is_staff(member: ChatMember) -> bool:
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


def map_chat_member(cmu: ChatMemberUpdated, ctx: MapContext) -> list[Event]:
    chat = qid(cmu.chat.id)
    user = cmu.new_chat_member.user
    was, now = _is_present(cmu.old_chat_member), _is_present(cmu.new_chat_member)
    actor = cmu.from_user
    by = qid(actor.id) if actor and actor.id != user.id else ""
    if not was and now:
        return [MemberJoined(chat, user_sender(user, cmu.chat, ctx), _utc(cmu.date), by)]
    if was and not now:
        return [MemberLeft(chat, user_sender(user, cmu.chat, ctx), _utc(cmu.date), by)]
    return []


def bot_rights(member: ChatMember) -> frozenset[str]:
    if isinstance(member, ChatMemberOwner):
        return frozenset({"owner"})
    if not isinstance(member, ChatMemberAdministrator):
        return frozenset()
    return frozenset(k for k, v in member.to_dict().items() if k.startswith("can_") and v is True)


def map_my_chat_member(cmu: ChatMemberUpdated, ctx: MapContext) -> list[Event]:
    new = cmu.new_chat_member
    status = {ChatMember.OWNER: "admin", ChatMember.ADMINISTRATOR: "admin",
              ChatMember.LEFT: "left", ChatMember.BANNED: "kicked"}.get(new.status, "member")
    if isinstance(new, ChatMemberRestricted) and not new.is_member:
        status = "left"
    by = user_sender(cmu.from_user, cmu.chat, ctx) if cmu.from_user else None
    return [BotMembership(qid(cmu.chat.id), _utc(cmu.date), status, by, bot_rights(new),
                          cmu.chat.type, cmu.chat.title or "")]


def _reaction_key(reaction: ReactionType) -> str:
    if isinstance(reaction, ReactionTypeEmoji):
        return reaction.emoji
    if isinstance(reaction, ReactionTypeCustomEmoji):
        return f"custom:{reaction.custom_emoji_id}"
    return str(reaction.type)


def map_reaction(mr: MessageReactionUpdated) -> list[Event]:
    old = [_reaction_key(r) for r in mr.old_reaction]
    new = [_reaction_key(r) for r in mr.new_reaction]
    who = mr.user.id if mr.user else (mr.actor_chat.id if mr.actor_chat else "")
    return [Reaction(qid(mr.chat.id), str(mr.message_id), qid(who) if who != "" else "",
                     _utc(mr.date), tuple(r for r in new if r not in old),
                     tuple(r for r in old if r not in new))]


def map_callback(cq: CallbackQuery, ctx: MapContext) -> list[Event]:
    msg = cq.message
    chat = msg.chat if msg is not None else None
    return [ButtonPress(qid(chat.id) if chat else "", user_sender(cq.from_user, chat, ctx),
                        datetime.now(UTC), cq.data or "",
                        str(msg.message_id) if msg is not None else "", cq.id)]


def map_update(update: Update, ctx: MapContext, faults: Faults | None = None,
               meter: Meter | None = None) -> list[Event]:
    """All neutral events of one update; ``[]`` (counted, one line) if malformed, unknown or
    ignored."""
    try:
        return _map(update, ctx)
    except Exception as exc:
        if meter is not None:
            meter.malformed_update("tg", "telegram.unmappable")
        (faults or Faults()).note("telegram.unmappable", "skipping telegram update %s: %s",
                                  update.update_id, type(exc).__name__)
        log.debug("telegram update %s not mapped", update.update_id, exc_info=True)
        return []


def _map(update: Update, ctx: MapContext) -> list[Event]:
    if update.message is not None:
        return map_message(update.message, update.update_id, ctx, edited=False)
    if update.edited_message is not None:
        return map_message(update.edited_message, update.update_id, ctx, edited=True)
    if update.chat_member is not None:
        return map_chat_member(update.chat_member, ctx)
    if update.my_chat_member is not None:
        return map_my_chat_member(update.my_chat_member, ctx)
    if update.chat_join_request is not None:
        req = update.chat_join_request
        return [JoinRequest(qid(req.chat.id), user_sender(req.from_user, None, ctx),
                            _utc(req.date), str(req.user_chat_id), req.bio or "")]
    if update.message_reaction is not None:
        return map_reaction(update.message_reaction)
    if update.callback_query is not None:
        return map_callback(update.callback_query, ctx)
    log.debug("ignoring telegram update %s of an unhandled type (%s)", update.update_id,
             ", ".join(sorted(update.api_kwargs)) or "no content")
    return []
