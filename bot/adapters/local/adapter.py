"""LocalAdapter: the web playground as a platform, wired like Telegram or OneBot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.enforcer import Enforcement
from bot.events import Message, Role
from bot.ports import EventSink
from bot.runtime import ChatRuntime
from bot.verdict import Decision

from .decisions import DecisionView
from .gateway import LocalGateway
from .lobby import Lobby
from .server import Hub, PlaygroundServer
from .state import PlaygroundState, utcnow
from .uploads import Uploads

#: Who is in the lobby when the page first opens (no join events: they were already there).
SEED_MEMBERS = (("Olivia 群主", Role.OWNER), ("Max 小明", Role.MEMBER))


class LocalAdapter:
    """A small web chat at ``/`` whose members post through the same pipeline as Telegram."""

    def __init__(self, sink: EventSink, *, title: str = "qunguan playground",
                 clock: Callable[[], datetime] = utcnow, seed: bool = True) -> None:
        self.sink = sink
        self.hub = Hub()
        self.state = PlaygroundState(title, clock=clock)
        self.uploads = Uploads()
        self.gateway = LocalGateway(self.state, self.hub.broadcast, uploads=self.uploads)
        self.lobby = Lobby(self.state, self.gateway, sink, self.uploads, self.hub.broadcast)
        self.gateway.on_approved = self.lobby.member_joined
        self.gateway.on_removed = self.lobby.member_removed
        self.server = PlaygroundServer(self.lobby, self.hub, self.uploads, title)
        self._view = DecisionView(self.state, self.hub.broadcast)
        if seed:
            for name, role in SEED_MEMBERS:
                self.state.add_member(name, role)

    def install(self, app: web.Application) -> None:
        """Add ``/``, ``/ws``, ``/uploads/…`` and ``/static/…`` to our server."""
        self.server.install(app)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        await self.hub.close()
        await self.lobby.drain()
        self.uploads.close()

    async def on_decision(self, message: Message, decision: Decision,
                          enforcement: Enforcement | None, runtime: ChatRuntime) -> None:
        """After-hook of the message handler: reasons, symbols and warns for the page."""
        await self._view(message, decision, enforcement, runtime)
