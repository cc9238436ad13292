"""The playground gateway's send_photo: the picture is kept with the uploads and shown on pages."""

from __future__ import annotations

import io

from PIL import Image

from bot.adapters.local import CHAT
from bot.adapters.local.gateway import LocalGateway
from bot.adapters.local.state import PlaygroundState

from .conftest import Playground


def png(size: tuple[int, int] = (12, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, format="PNG")
    return buffer.getvalue()


async def test_bot_photo_reaches_every_page_as_an_image_message_served_from_uploads(
        playground: Playground) -> None:
    page = await playground.page()
    picture = png()
    sent = await playground.adapter.gateway.send_photo(CHAT, picture, caption="群统计 stats")
    assert sent is not None
    shown = (await page.next("bot_message"))["message"]
    assert shown["id"] == sent and shown["sender"] == "bot"
    assert shown["kind"] == "image" and shown["text"] == "群统计 stats"
    assert shown["image_url"].startswith("/uploads/")
    response = await playground.client.get(shown["image_url"])
    assert response.status == 200
    assert await response.read() == picture


async def test_bot_photo_is_in_the_snapshot_a_page_opened_later_receives(
        playground: Playground) -> None:
    sent = await playground.adapter.gateway.send_photo(CHAT, png(), caption="")
    later = await playground.client.ws_connect("/ws")
    state = await later.receive_json(timeout=5)
    [message] = [m for m in state["messages"] if m["id"] == sent]
    assert message["kind"] == "image" and message["image_url"]
    await later.close()


async def test_bot_photo_to_another_chat_or_of_non_image_bytes_is_not_sent(
        playground: Playground) -> None:
    gateway = playground.adapter.gateway
    assert await gateway.send_photo("local:elsewhere", png()) is None
    assert await gateway.send_photo(CHAT, b"not a picture") is None


async def test_without_uploads_the_page_gets_the_picture_as_a_data_url() -> None:
    seen: list[dict[str, object]] = []

    async def broadcast(frame: dict[str, object]) -> None:
        seen.append(frame)

    gateway = LocalGateway(PlaygroundState("lobby"), broadcast)
    assert await gateway.send_photo(CHAT, png(), caption="c") is not None
    message = seen[0]["message"]
    assert isinstance(message, dict)
    assert str(message["image_url"]).startswith("data:image/png;base64,")
