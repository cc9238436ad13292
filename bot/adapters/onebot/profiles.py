"""What each OneBot implementation can do: the capability table the enforcer degrades by."""

from __future__ import annotations

from dataclasses import dataclass

from bot.gateway import Capability

_QQ_FULL = frozenset(
    {
        Capability.DELETE,
        Capability.SEND,
        Capability.MUTE,
        Capability.KICK,
        Capability.BAN,
        Capability.JOIN_REQUESTS,
    }
)


@dataclass(frozen=True, slots=True)
class ImplProfile:
    """One implementation: its protocol version, capabilities and extension action names.

    ``kick_action`` names the action that removes a member when the standard has none
    (OneBot v12 defines no kick; ComWeChat extends it with ``wx.delete_groupmember``).
    """

    name: str
    version: int
    capabilities: frozenset[Capability]
    kick_action: str = ""
    mute_action: str = ""
    notes: str = ""
    #: whether ``send_message`` takes a ``reply`` segment; without it a reply is sent as plain
    #: text mentioning the member (ComWeChatBotClient refuses one with 10002, older bridges
    #: drop the whole message)
    reply_segment: bool = True


PROFILES: dict[str, ImplProfile] = {
    "napcat": ImplProfile("napcat", 11, _QQ_FULL),
    "llbot": ImplProfile("llbot", 11, _QQ_FULL),
    "llonebot": ImplProfile("llonebot", 11, _QQ_FULL),
    "go-cqhttp": ImplProfile("go-cqhttp", 11, _QQ_FULL),
    "lagrange": ImplProfile("lagrange", 11, _QQ_FULL),
    "comwechat": ImplProfile(
        "comwechat",
        12,
        frozenset({Capability.SEND, Capability.KICK}),
        kick_action="wx.delete_groupmember",
        notes="WeChat: no mute, no deleting others' messages, no join requests, no reply "
              "segment",
        reply_segment=False,
    ),
    "comwechatbotclient": ImplProfile(
        "comwechatbotclient",
        12,
        frozenset({Capability.SEND, Capability.KICK}),
        kick_action="wx.delete_groupmember",
        notes="WeChat: no mute, no deleting others' messages, no join requests, no reply "
              "segment",
        reply_segment=False,
    ),
}

#: Unknown implementations get what the bare standard of their version guarantees.
GENERIC: dict[int, ImplProfile] = {
    11: ImplProfile("generic-v11", 11, _QQ_FULL),
    12: ImplProfile(
        "generic-v12",
        12,
        frozenset({Capability.SEND, Capability.DELETE}),
        notes="OneBot v12 standard: no mute, kick or join-request actions",
    ),
}


def profile_for(impl: str, version: int) -> ImplProfile:
    """The profile of ``impl``; unknown names fall back to the generic profile of ``version``."""
    known = PROFILES.get(impl.lower())
    if known is not None and known.version == version:
        return known
    return GENERIC[version]
