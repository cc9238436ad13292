"""send_photo over OneBot: v11 sends an inline base64 image segment, v12 uploads it first."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from .conftest import Served
from .test_connection import TOKEN, connected
from .test_wechat import CHAT as WX_CHAT
from .test_wechat import ROOM, wechat

CHAT = "qq:123456789"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00picture" * 8


async def test_v11_photo_is_an_image_segment_with_the_bytes_as_base64_after_the_caption(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    try:
        sent = await served.adapter.gateway.send_photo(CHAT, PNG, caption="群统计 / stats")
        assert sent is not None
        (params,) = impl.of("send_group_msg")
        assert params["group_id"] == 123456789
        text, image = params["message"]
        assert text == {"type": "text", "data": {"text": "群统计 / stats"}}
        assert image["type"] == "image"
        assert image["data"]["file"].startswith("base64://")
        assert base64.b64decode(image["data"]["file"].removeprefix("base64://")) == PNG
    finally:
        await impl.close()


async def test_v11_photo_without_caption_sends_no_empty_text_segment(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    try:
        assert await served.adapter.gateway.send_photo(CHAT, PNG) is not None
        (params,) = impl.of("send_group_msg")
        assert [s["type"] for s in params["message"]] == ["image"]
    finally:
        await impl.close()


async def test_v11_photo_that_the_implementation_refuses_returns_none(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    impl.failures["send_group_msg"] = (1200, "image too large")
    try:
        assert await served.adapter.gateway.send_photo(CHAT, PNG, caption="x") is None
    finally:
        await impl.close()


async def test_v12_photo_is_uploaded_then_sent_by_its_file_id(
    serve: Callable[..., Any],
) -> None:
    served, impl = await wechat(serve)
    try:
        sent = await served.adapter.gateway.send_photo(WX_CHAT, PNG, caption="stats")
        assert sent is not None
        (upload,) = impl.of("upload_file")
        assert upload["type"] == "data" and base64.b64decode(upload["data"]) == PNG
        (params,) = impl.of("send_message")
        assert params["group_id"] == ROOM
        assert params["message"][-1]["type"] == "image"
        assert params["message"][-1]["data"]["file_id"].startswith("standin-file-")
    finally:
        await impl.close()
