"""Reverse-WebSocket sessions: actions sent with an echo, replies matched back by it."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .calls import ActionResult

log = logging.getLogger(__name__)

_SESSION_IDS = itertools.count(1)


class Session:
    """One connection from an implementation; may serve several bot accounts (v12)."""

    def __init__(
        self, ws: web.WebSocketResponse, *, version: int, timeout: float, role: str = "Universal"
    ) -> None:
        self.ws = ws
        self.version = version
        self.timeout = timeout
        self.role = role
        self.id = next(_SESSION_IDS)
        self.self_ids: set[str] = set()
        self.self_platforms: dict[str, str] = {}  # v12: self_id → the impl's platform name
        self.last_heartbeat: float | None = None
        self.lifecycle = ""
        self._echo = itertools.count(1)
        self._pending: dict[str, asyncio.Future[Mapping[str, Any] | None]] = {}

    @property
    def closed(self) -> bool:
        return self.ws.closed

    @property
    def accepts_actions(self) -> bool:
        return self.role.lower() in ("universal", "api", "")

    def pending_count(self) -> int:
        return len(self._pending)

    async def call(
        self, action: str, params: Mapping[str, Any], self_id: str = ""
    ) -> ActionResult:
        """Send an action and wait for the reply with the same echo, or time out."""
        if self.closed:
            return ActionResult.failed("connection closed")
        echo = f"{self.id}:{next(self._echo)}"
        payload: dict[str, Any] = {"action": action, "params": dict(params), "echo": echo}
        if self.version == 12 and self_id:
            payload["self"] = {
                "platform": self.self_platforms.get(self_id, ""),
                "user_id": self_id,
            }
        future: asyncio.Future[Mapping[str, Any] | None] = (
            asyncio.get_running_loop().create_future()
        )
        self._pending[echo] = future
        try:
            await self.ws.send_json(payload)
            async with asyncio.timeout(self.timeout):  # wait_for may swallow a cancel (3.11)
                reply = await future
        except TimeoutError:
            return ActionResult.failed(f"timeout after {self.timeout:g}s: {action}")
        except (ConnectionError, RuntimeError) as exc:
            return ActionResult.failed(f"send failed: {exc}")
        finally:
            self._pending.pop(echo, None)
        if reply is None:
            return ActionResult.failed("connection closed before the reply")
        return ActionResult.from_reply(reply)

    def resolve(self, reply: Mapping[str, Any]) -> bool:
        """Hand a reply to the call waiting for its echo; False if nobody waits (late reply)."""
        future = self._pending.get(str(reply.get("echo")))
        if future is None or future.done():
            return False
        future.set_result(reply)
        return True

    def fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_result(None)

    async def close(self) -> None:
        self.fail_pending()
        if not self.ws.closed:
            await self.ws.close()


class Sessions:
    """Connected accounts, and which account reported each chat (calls go back through it)."""

    def __init__(self) -> None:
        self._by_account: dict[str, Session] = {}
        self._chat_account: dict[str, str] = {}
        self._all: set[Session] = set()

    def attach(self, session: Session) -> None:
        self._all.add(session)

    def bind(self, session: Session, self_id: str, platform_name: str = "") -> Session | None:
        """Make ``session`` serve ``self_id``; returns a different session it replaced.

        An event-only connection (``X-Client-Role: Event``) never serves actions.
        """
        if not self_id or not session.accepts_actions:
            return None
        session.self_ids.add(self_id)
        if platform_name:
            session.self_platforms[self_id] = platform_name
        previous = self._by_account.get(self_id)
        self._by_account[self_id] = session
        return previous if previous is not None and previous is not session else None

    def detach(self, session: Session) -> None:
        """Forget a closed session, unless its accounts already reconnected elsewhere."""
        self._all.discard(session)
        for self_id in list(session.self_ids):
            if self._by_account.get(self_id) is session:
                del self._by_account[self_id]

    def note_chat(self, chat: str, self_id: str) -> None:
        if chat and self_id:
            self._chat_account[chat] = self_id

    def account_for(self, chat: str) -> str:
        return self._chat_account.get(chat, "")

    def session_for(self, self_id: str) -> Session | None:
        """The live session of an account; without an account: the only one connected."""
        if self_id:
            session = self._by_account.get(self_id)
            return session if session is not None and not session.closed else None
        live = [s for s in self._all if not s.closed and s.accepts_actions]
        return live[0] if len(live) == 1 else None

    def accounts(self) -> list[str]:
        return sorted(a for a, s in self._by_account.items() if not s.closed)

    def all(self) -> list[Session]:
        return list(self._all)
