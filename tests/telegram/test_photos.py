"""Photos fetched for the QR check: size choice, the temp file's lifetime, staff skipped, and
every failure (unknown file, too big, too slow) delivering the message without the image."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from telegram import PhotoSize

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram.images import choose
from bot.adapters.telegram.standin import StandInBotApi, admin
from bot.events import Event, Kind, Message
from bot.gateway import ChatGateway
from policies.ads_qr import decode_qr
from tests.telegram.conftest import GROUP, RecordingSink, photo_update, qr_png, settings_for

CAP = 2 * 1024 * 1024


class Seen:
    """A sink action keeping, per message, the image path and the bytes readable at that time."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.images: list[bytes | None] = []

    async def __call__(self, event: Event, gateway: ChatGateway) -> None:
        assert isinstance(event, Message)
        path = event.of(Kind.IMAGE)[0].data.get("path", "")
        self.paths.append(path)
        self.images.append(await asyncio.to_thread(Path(path).read_bytes) if path else None)


async def _deliver(api: StandInBotApi, *updates: dict[str, Any], **settings: Any) -> Seen:
    seen = Seen()
    adapter = TelegramAdapter(settings_for(api, **settings), RecordingSink(act=seen))
    sink = adapter.processor.sink
    assert isinstance(sink, RecordingSink)
    await adapter.start()
    await api.feed(*updates)
    await sink.wait(len(updates))
    await adapter.stop()
    return seen


def exists(path: str) -> bool:
    return Path(path).exists()


def _size(file_id: str, side: int, size: int | None) -> PhotoSize:
    return PhotoSize(file_id, "u" + file_id, side, side, size)


def test_choose_takes_the_largest_size_under_the_cap() -> None:
    sizes = [_size("s", 90, 1_000), _size("m", 800, 90_000), _size("l", 2560, 3_000_000)]
    assert choose(sizes, CAP) == sizes[1]
    assert choose(sizes, 500) is None
    assert choose([_size("a", 90, None), _size("b", 320, None)], CAP) == _size("b", 320, None)


async def test_member_photo_arrives_with_the_fitting_size_as_a_file_removed_after_handling(
    api: StandInBotApi,
) -> None:
    png = qr_png("https://spam.example/join")
    api.add_file("photo-m", png)
    seen = await _deliver(api, photo_update(4001, 901, [
        ("photo-s", 90, 1_000), ("photo-m", 800, len(png)), ("photo-l", 2560, CAP + 1)]))
    assert api.of("getFile") == [{"file_id": "photo-m"}]
    assert api.of("download") == [{"file_path": "photos/photo-m.jpg"}]
    assert seen.images == [png]
    assert decode_qr(png) == ["https://spam.example/join"]
    assert not exists(seen.paths[0])


async def test_staff_photos_are_not_downloaded(api: StandInBotApi) -> None:
    api.admins[GROUP] = [admin(111, owner=True), admin(222)]
    api.add_file("photo-a", qr_png("https://example.org"))
    seen = await _deliver(api, photo_update(4002, 902, [("photo-a", 320, 500)]))
    assert seen.images == [None] and api.of("getFile") == []


async def test_zero_cap_turns_downloading_off(api: StandInBotApi) -> None:
    api.add_file("photo-z", qr_png("https://example.org"))
    seen = await _deliver(api, photo_update(4003, 903, [("photo-z", 320, 500)]),
                          qr_max_bytes=0)
    assert seen.images == [None] and api.of("getFile") == []


@pytest.mark.parametrize("failure", ["invalid_file_id", "getfile_error", "announced_too_big",
                                     "download_too_slow", "every_size_too_big"])
async def test_fetch_failures_deliver_the_message_without_the_image(
    api: StandInBotApi, failure: str
) -> None:
    png = qr_png("https://spam.example/join")
    sizes: list[tuple[str, int, int | None]] = [("photo-f", 320, len(png))]
    settings: dict[str, Any] = {}
    if failure != "invalid_file_id":
        api.add_file("photo-f", png)
    if failure == "getfile_error":
        api.fail("getFile", "bad_request")
    elif failure == "announced_too_big":  # the PhotoSize said small, getFile says otherwise
        sizes = [("photo-f", 320, 100)]
        settings["qr_max_bytes"] = len(png) - 1
    elif failure == "download_too_slow":
        api.file_delay = 5.0
        settings["image_timeout"] = 0.2
    elif failure == "every_size_too_big":
        settings["qr_max_bytes"] = len(png) - 1
    seen = await _deliver(api, photo_update(4004, 904, sizes), **settings)
    assert seen.images == [None]
    fetched = failure not in ("every_size_too_big",)
    assert bool(api.of("getFile")) is fetched
    assert bool(api.of("download")) is (failure == "download_too_slow")
