"""OneBot v11/v12 adapter (QQ via NapCat/LLBot, WeChat via ComWeChatBotClient)."""

from __future__ import annotations

from .adapter import OneBotAdapter
from .gateway import OneBotGateway
from .profiles import PROFILES, ImplProfile, profile_for
from .roster import GroupInfo, MemberInfo
from .settings import OneBotSettings

__all__ = [
    "PROFILES",
    "GroupInfo",
    "ImplProfile",
    "MemberInfo",
    "OneBotAdapter",
    "OneBotGateway",
    "OneBotSettings",
    "profile_for",
]
