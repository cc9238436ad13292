"""A stand-in OneBot implementation for tests: connects over a real WebSocket, records actions."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .auth import sign

Answer = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class RecordedAction:
    """One action the adapter sent to the stand-in."""

    action: str
    params: dict[str, Any]
    echo: str
    self: Mapping[str, Any] = field(default_factory=dict)


class StandIn:
    """Plays NapCat/LLBot (v11) or ComWeChatBotClient (v12) against our reverse-WS endpoint.

    ``answers`` maps an action to a function of its params returning the reply ``data``;
    ``failures`` maps an action to ``(retcode, message)``; actions in ``silent`` get no reply
    (for timeout tests). Every action is recorded in ``actions`` in arrival order.
    """

    def __init__(
        self,
        url: str,
        *,
        self_id: str = "10001",
        token: str = "",
        version: int = 11,
        impl: str = "NapCat",
    ) -> None:
        self.url = url
        self.self_id = self_id
        self.token = token
        self.version = version
        self.impl = impl
        self.actions: list[RecordedAction] = []
        self.answers: dict[str, Answer] = dict(_DEFAULT_ANSWERS)
        self.failures: dict[str, tuple[int, str]] = {}
        self.silent: set[str] = set()
        self._client: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._arrived = asyncio.Event()

    def headers(self) -> dict[str, str]:
        headers: dict[str, str] = {"User-Agent": f"{self.impl}/standin"}
        if self.version == 11:
            headers["X-Self-ID"] = self.self_id
            headers["X-Client-Role"] = "Universal"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    async def connect(self, headers: Mapping[str, str] | None = None) -> int:
        """Open the WebSocket; returns 101 on success, else the HTTP status that refused us."""
        self._client = self._client or aiohttp.ClientSession()
        protocols = (f"12.{self.impl}",) if self.version == 12 else ()
        try:
            self._ws = await self._client.ws_connect(
                self.url, headers=dict(self.headers() if headers is None else headers),
                protocols=protocols, autoping=True,
            )
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status
        self._reader = asyncio.get_running_loop().create_task(self._read())
        return 101

    async def disconnect(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        self._ws = None
        self._reader = None

    async def close(self) -> None:
        await self.disconnect()
        if self._client is not None:
            await self._client.close()
            self._client = None

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    async def send(self, event: Mapping[str, Any]) -> None:
        """Push one event to the adapter."""
        await self.send_raw(json.dumps(event, ensure_ascii=False))

    async def send_raw(self, frame: str) -> None:
        """Push one text frame as it is (forged or broken events in tests)."""
        if self._ws is None:
            raise RuntimeError("stand-in is not connected")
        await self._ws.send_str(frame)

    async def _read(self) -> None:
        assert self._ws is not None
        async for frame in self._ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            request = json.loads(frame.data)
            recorded = RecordedAction(
                str(request.get("action")), dict(request.get("params") or {}),
                str(request.get("echo", "")), dict(request.get("self") or {}),
            )
            self.actions.append(recorded)
            self._arrived.set()
            if recorded.action in self.silent:
                continue
            await self._ws.send_str(json.dumps(self._reply(recorded), ensure_ascii=False))

    def _reply(self, recorded: RecordedAction) -> dict[str, Any]:
        if recorded.action in self.failures:
            code, message = self.failures[recorded.action]
            return {"status": "failed", "retcode": code, "data": None, "message": message,
                    "wording": message, "echo": recorded.echo}
        answer = self.answers.get(recorded.action)
        data = answer(recorded.params) if answer is not None else None
        return {"status": "ok", "retcode": 0, "data": data, "message": "",
                "echo": recorded.echo}

    def of(self, action: str) -> list[dict[str, Any]]:
        """The params of every recorded ``action``, in order."""
        return [a.params for a in self.actions if a.action == action]

    def names(self) -> list[str]:
        return [a.action for a in self.actions]

    async def wait_for(self, action: str, count: int = 1, within: float = 5.0) -> None:
        """Wait until ``action`` was received ``count`` times (raises TimeoutError)."""
        async with asyncio.timeout(within):
            while len(self.of(action)) < count:
                self._arrived.clear()
                await self._arrived.wait()


_MESSAGE_IDS = itertools.count(900000)


def _sent(params: dict[str, Any]) -> dict[str, Any]:
    return {"message_id": next(_MESSAGE_IDS)}


def _member(params: dict[str, Any]) -> dict[str, Any]:
    return {"group_id": params.get("group_id"), "user_id": params.get("user_id"),
            "nickname": "member", "card": "", "role": "member", "join_time": 1_700_000_000,
            "last_sent_time": 1_700_086_400, "level": "1", "title": ""}


def _members(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [_member({**params, "user_id": uid}) for uid in (20001, 20002)]


def _group(params: dict[str, Any]) -> dict[str, Any]:
    return {"group_id": params.get("group_id"), "group_name": "stand-in group",
            "member_count": 498, "max_member_count": 500}


_DEFAULT_ANSWERS: dict[str, Answer] = {
    "send_group_msg": _sent,
    "send_private_msg": _sent,
    "send_msg": _sent,
    "send_message": lambda p: {"message_id": str(next(_MESSAGE_IDS)), "time": 0},
    "get_group_member_info": _member,
    "get_group_member_list": _members,
    "get_group_info": _group,
    "get_msg": lambda p: {"message_id": p.get("message_id"), "sender": {"user_id": 20001}},
    "upload_file": lambda p: {"file_id": f"standin-file-{next(_MESSAGE_IDS)}"},
}


async def post_event(
    url: str,
    event: Mapping[str, Any],
    *,
    secret: str = "",
    self_id: str = "10001",
    signature: str | None = None,
    token: str = "",
) -> int:
    """HTTP-POST mode: post one event signed with ``secret`` (or a given ``signature``)."""
    body = json.dumps(event, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-Self-ID": self_id}
    if signature is not None:
        headers["X-Signature"] = signature
    elif secret:
        headers["X-Signature"] = sign(secret, body)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with aiohttp.ClientSession() as client, client.post(
        url, data=body, headers=headers
    ) as response:
        return response.status
