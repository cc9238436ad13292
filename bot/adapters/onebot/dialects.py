"""Neutral calls as OneBot actions: the v11 and v12 names and parameters, per implementation."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .profiles import ImplProfile
from .segments import outgoing_v11, outgoing_v12, text_of

Call = tuple[str, dict[str, Any]]

#: The longest mute QQ allows (30 days); ``mute(duration=None)`` means this.
MAX_MUTE_SECONDS = 30 * 24 * 3600

_INT = re.compile(r"-?\d{1,19}")


def v11_id(raw: str) -> int | str:
    """v11 ids are integers on the wire; anything else is passed through unchanged."""
    return int(raw) if _INT.fullmatch(raw) else raw


def mute_seconds(seconds: float | None) -> int:
    """Clamp a mute to 1 s … 30 days (0 would lift it); None → the 30-day maximum."""
    if seconds is None:
        return MAX_MUTE_SECONDS
    return max(1, min(MAX_MUTE_SECONDS, int(seconds)))


class V11:
    """OneBot v11 (NapCat, LLBot, go-cqhttp, Lagrange)."""

    version = 11

    def __init__(self, profile: ImplProfile) -> None:
        self.profile = profile

    def send(
        self, group: str, private: bool, text: str, reply_to: str | None, mention: Sequence[str]
    ) -> Call:
        if private:
            message = outgoing_v11(text, reply_to)
            return "send_private_msg", {"user_id": v11_id(group), "message": message}
        message = outgoing_v11(text, reply_to, mention)
        return "send_group_msg", {"group_id": v11_id(group), "message": message}

    def delete(self, group: str, message_id: str) -> Call | None:
        return "delete_msg", {"message_id": v11_id(message_id)}

    def mute(self, group: str, user: str, seconds: int) -> Call | None:
        return "set_group_ban", {
            "group_id": v11_id(group), "user_id": v11_id(user), "duration": seconds,
        }

    def kick(self, group: str, user: str, reject: bool) -> Call | None:
        return "set_group_kick", {
            "group_id": v11_id(group), "user_id": v11_id(user), "reject_add_request": reject,
        }

    def answer_join(self, ref: str, approve: bool, reason: str = "") -> Call | None:
        params: dict[str, Any] = {"flag": ref, "sub_type": "add", "approve": approve}
        if not approve:
            params["reason"] = reason
        return "set_group_add_request", params

    def member_info(self, group: str, user: str) -> Call:
        return "get_group_member_info", {
            "group_id": v11_id(group), "user_id": v11_id(user), "no_cache": True,
        }

    def member_list(self, group: str) -> Call:
        return "get_group_member_list", {"group_id": v11_id(group)}

    def group_info(self, group: str) -> Call:
        return "get_group_info", {"group_id": v11_id(group), "no_cache": True}

    @staticmethod
    def message_id(data: Any) -> str | None:
        if isinstance(data, Mapping) and data.get("message_id") is not None:
            return text_of(data["message_id"])
        return None


class V12:
    """OneBot v12 (standard actions, plus the implementation's extensions from its profile)."""

    version = 12

    def __init__(self, profile: ImplProfile) -> None:
        self.profile = profile

    def send(
        self, group: str, private: bool, text: str, reply_to: str | None, mention: Sequence[str]
    ) -> Call:
        if not self.profile.reply_segment:
            reply_to = None  # plain text, still mentioning the member in a group
        if private:
            message = outgoing_v12(text, reply_to)
            return "send_message", {"detail_type": "private", "user_id": group,
                                    "message": message}
        message = outgoing_v12(text, reply_to, mention)
        return "send_message", {"detail_type": "group", "group_id": group, "message": message}

    def delete(self, group: str, message_id: str) -> Call | None:
        return "delete_message", {"message_id": message_id}

    def mute(self, group: str, user: str, seconds: int) -> Call | None:
        if not self.profile.mute_action:
            return None
        return self.profile.mute_action, {
            "group_id": group, "user_id": user, "duration": seconds,
        }

    def kick(self, group: str, user: str, reject: bool) -> Call | None:
        if not self.profile.kick_action:
            return None
        if self.profile.kick_action == "wx.delete_groupmember":
            return self.profile.kick_action, {"group_id": group, "user_list": [user]}
        return self.profile.kick_action, {"group_id": group, "user_id": user}

    def answer_join(self, ref: str, approve: bool, reason: str = "") -> Call | None:
        return None  # the v12 standard defines no group join requests

    def member_info(self, group: str, user: str) -> Call:
        return "get_group_member_info", {"group_id": group, "user_id": user}

    def member_list(self, group: str) -> Call:
        return "get_group_member_list", {"group_id": group}

    def group_info(self, group: str) -> Call:
        return "get_group_info", {"group_id": group}

    @staticmethod
    def message_id(data: Any) -> str | None:
        if isinstance(data, Mapping) and data.get("message_id") is not None:
            return text_of(data["message_id"])
        return None


Dialect = V11 | V12


def dialect_for(profile: ImplProfile) -> Dialect:
    return V11(profile) if profile.version == 11 else V12(profile)
