"""HTTP side of the playground: the page, its static files, uploads and the WebSocket hub."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import WSMsgType, web

from bot.adapters.language import page_language
from bot.i18n import t

from .lobby import Lobby
from .protocol import MAX_FRAME, ProtocolError, error, parse_client
from .uploads import Uploads

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
)
_SEND_TIMEOUT = 5.0
_BINARY = t("Binary frames are not part of the protocol; send JSON text.",
            "协议不接受二进制消息，请发送 JSON 文本。")
_INTERNAL = t("Something went wrong on the server; see its log.",
              "服务器出错，请查看日志。")


class Hub:
    """Every open page: broadcasts reach all; a slow or closed page is dropped, not waited on."""

    def __init__(self) -> None:
        self.sockets: set[web.WebSocketResponse] = set()

    async def broadcast(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False)
        for ws in list(self.sockets):
            await self.send_text(ws, text)

    async def send(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        await self.send_text(ws, json.dumps(data, ensure_ascii=False))

    async def send_text(self, ws: web.WebSocketResponse, text: str) -> None:
        if ws.closed:
            self.sockets.discard(ws)
            return
        try:
            async with asyncio.timeout(_SEND_TIMEOUT):  # wait_for may swallow a cancel (3.11)
                await ws.send_str(text)
        except (ConnectionError, RuntimeError, TimeoutError):
            self.sockets.discard(ws)

    async def close(self) -> None:
        for ws in list(self.sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        self.sockets.clear()


class PlaygroundServer:
    """Routes on the composition root's aiohttp application."""

    def __init__(self, lobby: Lobby, hub: Hub, uploads: Uploads, title: str) -> None:
        self.lobby = lobby
        self.hub = hub
        self.uploads = uploads
        self.title = title

    def install(self, app: web.Application) -> None:
        app.router.add_get("/", self.page)
        app.router.add_get("/ws", self.websocket)
        app.router.add_get("/uploads/{name}", self.upload)
        app.router.add_static("/static/", HERE / "static", name="playground-static")

    async def page(self, request: web.Request) -> web.Response:
        html = _ENV.get_template("index.html").render(title=self.title,
                                                      lang=page_language(request))
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    async def upload(self, request: web.Request) -> web.StreamResponse:
        path = self.uploads.find(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME, heartbeat=30.0)
        await ws.prepare(request)
        self.hub.sockets.add(ws)
        await self.hub.send(ws, self.lobby.state.snapshot())
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._frame(ws, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await self.hub.send(ws, ProtocolError("bad_json", _BINARY).frame())
        finally:
            self.hub.sockets.discard(ws)
        return ws

    async def _frame(self, ws: web.WebSocketResponse, raw: str) -> None:
        try:
            replies = await self.lobby.handle(parse_client(raw))
        except ProtocolError as exc:
            await self.hub.send(ws, exc.frame())
            return
        except Exception:  # a bug must not close the page's connection
            log.exception("playground: frame failed")
            await self.hub.send(ws, error("internal", _INTERNAL))
            return
        for reply in replies:
            await self.hub.send(ws, reply)
