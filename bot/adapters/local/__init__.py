"""The local playground: a web chat on our own server, for trying the bot without a token."""

from __future__ import annotations

from .adapter import LocalAdapter
from .gateway import LocalGateway
from .state import CHAT, PlaygroundState

__all__ = ["CHAT", "LocalAdapter", "LocalGateway", "PlaygroundState"]
