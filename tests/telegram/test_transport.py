"""AiohttpRequest: what python-telegram-bot's httpx transport raises, on a real socket."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.adapters.telegram.transport import AiohttpRequest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_refused_connection_is_a_network_error() -> None:
    request = AiohttpRequest(connect_timeout=2.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.do_request(f"http://127.0.0.1:{_free_port()}/bot1:X/getMe", "POST")
    finally:
        await request.shutdown()


async def test_a_silent_server_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/bot1:X/getMe", "POST")
    finally:
        await request.shutdown()
        server.close()


async def test_parameters_reach_the_server_as_a_form() -> None:
    seen: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        seen.append(head + await reader.readexactly(length))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        plain = RequestData([RequestParameter.from_input("chat_id", -100),
                             RequestParameter.from_input("text", "hi")])
        assert await request.do_request(f"http://127.0.0.1:{port}/b/sendMessage", "POST",
                                        plain) == (200, b'{"ok":true}')
        assert b"application/x-www-form-urlencoded" in seen[0]
        assert seen[0].endswith(b"chat_id=-100&text=hi")
    finally:
        await request.shutdown()
        server.close()


async def test_proxies_come_from_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    request = AiohttpRequest()
    await request.initialize()
    try:
        assert request._proxy("https://api.telegram.org/bot1:X/getMe") == \
            "http://proxy.example:3128"
        assert request._proxy("http://127.0.0.1:8081/bot1:X/getMe") is None
    finally:
        await request.shutdown()
