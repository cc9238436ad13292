"""The playground inside the real app (storage, policies, handlers) over its WebSocket."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import zxingcpp
from PIL import Image

from bot.app import running_app
from bot.config import load_config


def qr_data_url(text: str) -> str:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    buffer = io.BytesIO()
    Image.fromarray(zxingcpp.write_barcode_to_image(barcode, scale=4)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


async def next_frame(ws: aiohttp.ClientWebSocketResponse, kind: str,
                     when: Callable[[dict[str, Any]], bool] = lambda _: True) -> dict[str, Any]:
    while True:
        data: dict[str, Any] = json.loads(await ws.receive_str(timeout=20))
        if data["type"] == kind and when(data):
            return data


async def test_a_qr_code_image_from_a_member_is_removed_with_its_reason(
        tmp_path: Path) -> None:
    config = load_config("config.example.yaml",
                         env={"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db"})
    async with running_app(config, env={}, port=0) as app, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"http://127.0.0.1:{app.port}/ws")
        state = await next_frame(ws, "state")
        member = next(m["id"] for m in state["members"] if m["role"] == "member")
        await ws.send_json({"type": "post", "member": member, "kind": "image",
                            "image": qr_data_url("https://u.wechat.com/join-my-group")})
        posted = (await next_frame(ws, "message"))["message"]
        assert posted["kind"] == "image" and posted["image_url"].startswith("/uploads/")
        explained = await next_frame(  # struck at once, then explained once decided
            ws, "removed", lambda f: f["message_id"] == posted["id"] and bool(f["reason_en"]))
        assert explained["reason_zh"]
        assert any(symbol.startswith("AD_") for symbol in explained["symbols"])
        await ws.close()
