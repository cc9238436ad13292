"""The OneBot adapter: reverse-WS and signed HTTP POST endpoints, events to the sink."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aiohttp import WSMsgType, web

from bot.events import Command, Event, Message, ReplyRef, qualify
from bot.faults import Faults
from bot.metrics import Meter
from bot.ordering import PerKeyOrder
from bot.ports import EventSink

from . import v11, v12
from .auth import check_signature, check_token
from .connection import Session, Sessions
from .gateway import OneBotGateway
from .http import HttpApiClient
from .mapped import MalformedEvent, Mapped
from .roster import GroupInfo, MemberInfo
from .segments import text_of
from .settings import OneBotSettings
from .validate import problem

log = logging.getLogger(__name__)

_MAX_MESSAGE = 16 * 1024 * 1024
_PLAIN_ID = re.compile(r"[A-Za-z0-9_.@:-]{1,64}", re.ASCII)
_PING_SECONDS = 30.0  # a silent peer is dropped, so a half-open socket cannot hold an account


class OneBotAdapter:
    """One OneBot endpoint (v11 or v12): any number of bot accounts may connect to it."""

    def __init__(self, settings: OneBotSettings, sink: EventSink,
                 faults: Faults | None = None) -> None:
        self.settings = settings
        self.sink = sink
        #: per-cause counters (``onebot.invalid``…); the dispatcher's when it has them
        self.faults = faults or getattr(sink, "faults", None) or Faults()
        self.sessions = Sessions()
        self.http: HttpApiClient | None = None
        if settings.api_url:
            self.http = HttpApiClient(
                settings.api_url,
                version=settings.version,
                access_token=settings.access_token,
                timeout=settings.action_timeout,
            )
        self.gateway = OneBotGateway(settings, self.sessions, self.http)
        #: counters for ``/metrics``: the dispatcher's when it has them
        self.meter: Meter = getattr(sink, "meter", None) or Meter()
        self.gateway.meter = self.meter
        self.skipped = 0  # malformed events logged and dropped
        self.shadowed = 0  # group events also reported by a second account of ours
        self._order = PerKeyOrder(what="OneBot event handler")
        self._map = v11.map_event if settings.version == 11 else v12.map_event

    # -- lifecycle ------------------------------------------------------------------------

    def install(self, app: web.Application) -> None:
        """Add our routes to the server's application (created by the composition root)."""
        app.router.add_get(self.settings.ws_path, self.handle_ws)
        if self.settings.http_path:
            if not self.settings.secret and not self.settings.access_token:
                raise ValueError(
                    f"OneBot {self.settings.name}: the HTTP event endpoint needs a secret"
                )
            app.router.add_post(self.settings.http_path, self.handle_http)
        if not self.settings.access_token:
            log.warning("OneBot %s: no access token, anyone reaching %s can connect",
                        self.settings.name, self.settings.ws_path)

    async def start(self) -> None:
        if self.http is not None:
            await self.http.start()

    async def stop(self) -> None:
        for session in self.sessions.all():
            await session.close()
        await self._order.cancel()
        if self.http is not None:
            await self.http.close()

    async def drain(self) -> None:
        """Wait until every received event has been through the sink (and its actions)."""
        await self._order.drain()
        settle = getattr(self.sink, "settle", None)
        if settle is not None:
            await settle()

    # -- roster helpers (roster review, capacity) ------------------------------------------

    async def member_info(self, chat: str, user: str) -> MemberInfo | None:
        return await self.gateway.member_info(chat, user)

    async def member_list(self, chat: str) -> list[MemberInfo]:
        return await self.gateway.member_list(chat)

    async def group_info(self, chat: str) -> GroupInfo | None:
        return await self.gateway.group_info(chat)

    async def member_count(self, chat: str) -> int:
        """The group's size as the platform reports it (capacity starts from it)."""
        info = await self.gateway.group_info(chat)
        if info is None or info.member_count is None:
            raise LookupError(f"{self.settings.name}: no member count for {chat}")
        return info.member_count

    # -- endpoints ------------------------------------------------------------------------

    async def handle_ws(self, request: web.Request) -> web.StreamResponse:
        denied = check_token(request, self.settings.access_token)
        if denied is not None:
            log.warning("OneBot %s: refused connection from %s (%s)",
                        self.settings.name, request.remote, denied.text)
            return denied
        self_id = request.headers.get("X-Self-ID", "").strip()
        if self.settings.version == 11 and not self_id:
            return web.Response(status=400, text="missing X-Self-ID")
        offered = request.headers.get("Sec-WebSocket-Protocol", "")
        protocols = tuple(p.strip() for p in offered.split(",") if p.strip().startswith("12."))
        ws = web.WebSocketResponse(
            protocols=protocols, max_msg_size=_MAX_MESSAGE, heartbeat=_PING_SECONDS
        )
        await ws.prepare(request)
        session = Session(
            ws,
            version=self.settings.version,
            timeout=self.settings.action_timeout,
            role=request.headers.get("X-Client-Role", "Universal"),
        )
        self.sessions.attach(session)
        replaced = self.sessions.bind(session, self_id)
        if replaced is not None:
            log.info("OneBot %s: account %s reconnected", self.settings.name, self_id)
            await replaced.close()
        log.info("OneBot %s: connected %s", self.settings.name, self_id or "(v12 session)")
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    self._on_frame(session, frame.data)
                elif frame.type == WSMsgType.BINARY:
                    self._on_frame(session, frame.data.decode("utf-8", "replace"))
                elif frame.type == WSMsgType.ERROR:
                    break
        finally:
            session.fail_pending()
            self.sessions.detach(session)
            log.info("OneBot %s: disconnected %s", self.settings.name, self_id or session.id)
        return ws

    async def handle_http(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        denied = check_signature(self.settings.secret, body, request.headers.get("X-Signature"))
        if denied is None and not self.settings.secret:
            denied = check_token(request, self.settings.access_token)
        if denied is not None:
            log.warning("OneBot %s: refused HTTP event from %s (%s)",
                        self.settings.name, request.remote, denied.text)
            return denied
        try:
            payload = json.loads(body)
        except ValueError:
            return web.Response(status=400, text="body is not JSON")
        if not isinstance(payload, dict):
            return web.Response(status=400, text="body is not a JSON object")
        self.accept(payload)
        return web.Response(status=204)

    # -- events ---------------------------------------------------------------------------

    def _on_frame(self, session: Session, text: str) -> None:
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            self._skip("?", "a frame that is not a JSON object")
            return
        is_event = "post_type" in payload or ("type" in payload and "detail_type" in payload)
        if "echo" in payload and not is_event:
            if not session.resolve(payload):
                log.info("OneBot %s: late or unknown reply %.64r", self.settings.name,
                         payload.get("echo"))
            return
        self.accept(payload, session)

    def accept(self, payload: Mapping[str, Any], session: Session | None = None) -> None:
        """Check, map one raw event and hand it to the sink (in order per chat); never raises.
        A malformed event is counted and logged as one short line (no text), then skipped."""
        wrong = problem(payload, self.settings.version)
        if wrong is not None:
            self._skip(_ident(payload), wrong)
            return
        try:
            mapped = self._map(payload, self.settings.platform)
        except MalformedEvent as exc:
            self._skip(_ident(payload), str(exc))
            return
        except Exception as exc:
            self._skip(_ident(payload), f"unmappable ({type(exc).__name__})")
            log.debug("OneBot %s: event not mapped", self.settings.name, exc_info=True)
            return
        if session is not None:
            self._bookkeep(session, payload, mapped)
        if mapped.meta:
            return
        if self._reported_by_another(mapped):
            return
        if mapped.invalidate is not None:
            self.gateway.invalidate(*mapped.invalidate)
        if mapped.note:  # built from event fields: DEBUG only, and bounded
            log.debug("OneBot %s %s: %.200r", self.settings.name, mapped.chat, mapped.note)
        self.sessions.note_chat(mapped.chat, mapped.self_id)
        event = mapped.event
        if event is None:
            return
        if isinstance(event, Message | Command):
            self.gateway.remember(event.chat, event.message_id, event.sender.id)
        key = mapped.key
        self._order.submit(mapped.chat or key, lambda: self._deliver(event, key))

    def _skip(self, ident: str, why: str) -> None:
        self.skipped += 1
        self.meter.malformed_update(self.settings.platform, "onebot.invalid")
        self.faults.note("onebot.invalid", "OneBot %s: skipping event %s: %s",
                         self.settings.name, ident, why)

    def _reported_by_another(self, mapped: Mapped) -> bool:
        """Several of our accounts in one group see every message: the first one owns it.

        Events of a group from any other account are dropped while the owner is connected
        (each account numbers messages its own way, so keys cannot dedupe them); when the
        owner goes away, the next account to report the group takes it over.
        """
        if not mapped.chat or not mapped.self_id or ":private:" in mapped.chat:
            return False
        owner = self.sessions.account_for(mapped.chat)
        if not owner or owner == mapped.self_id or self.sessions.session_for(owner) is None:
            return False
        log.debug("OneBot %s: %s also reported by %s; owner is %s", self.settings.name,
                  mapped.chat, mapped.self_id, owner)
        self.shadowed += 1
        return True

    def _bookkeep(self, session: Session, payload: Mapping[str, Any], mapped: Mapped) -> None:
        me = payload.get("self")
        platform_name = text_of(me.get("platform")) if isinstance(me, Mapping) else ""
        self.sessions.bind(session, mapped.self_id, platform_name)
        if mapped.meta == "heartbeat":
            session.last_heartbeat = time.monotonic()
        elif mapped.meta.startswith("lifecycle") or mapped.meta == "connect":
            session.lifecycle = mapped.meta
        elif mapped.meta == "status_update":
            status = payload.get("status")
            bots = status.get("bots") if isinstance(status, Mapping) else None
            for bot in bots if isinstance(bots, list) else []:
                if isinstance(bot, Mapping) and isinstance(bot.get("self"), Mapping):
                    me = bot["self"]
                    self.sessions.bind(session, text_of(me.get("user_id")),
                                       text_of(me.get("platform")))

    async def _deliver(self, event: Event, key: str) -> None:
        if isinstance(event, Command | Message):
            event = await self._complete_reply(event)
        await self.sink(event, self.gateway, key)

    async def _complete_reply(self, event: Command | Message) -> Command | Message:
        """Fill the replied-to sender: from memory, or (commands on v11) by ``get_msg``."""
        reply = event.reply_to
        if reply is None or reply.sender_id:
            return event
        sender = self.gateway.sender_of(event.chat, reply.message_id)
        if not sender and isinstance(event, Command) and self.settings.version == 11:
            result = await self.gateway.call(
                event.chat, "get_msg", {"message_id": _int_or_str(reply.message_id)}
            )
            data = result.data if result.ok and isinstance(result.data, Mapping) else {}
            info = data.get("sender")
            raw = info.get("user_id") if isinstance(info, Mapping) else data.get("user_id")
            if raw not in (None, ""):
                sender = qualify(self.settings.platform, text_of(raw))
        if not sender:
            return event
        return replace(event, reply_to=ReplyRef(reply.message_id, sender, reply.text))


def _ident(payload: Mapping[str, Any]) -> str:
    """An event's id for a log line: its message id or id when it is a plain one (never
    free text, which may be a member's)."""
    for name in ("message_id", "id"):
        value = payload.get(name)
        if type(value) is int or (type(value) is str and _PLAIN_ID.fullmatch(value)):
            return str(value)
    return "?"


def _int_or_str(raw: str) -> int | str:
    return int(raw) if raw.lstrip("-").isdigit() else raw
