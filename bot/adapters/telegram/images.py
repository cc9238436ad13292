"""Photo bytes for the QR check: the largest size under a cap, fetched with a timeout into a
temporary file that lives exactly as long as the event is being handled."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from pathlib import Path

from telegram import Bot, PhotoSize
from telegram import Message as TgMessage
from telegram.error import TelegramError

from bot.events import Event, Kind, Message, Role, Segment

log = logging.getLogger(__name__)


def choose(sizes: Sequence[PhotoSize], max_bytes: int) -> PhotoSize | None:
    """The largest size (by area) whose known ``file_size`` fits ``max_bytes``; sizes without
    a ``file_size`` are tried only when none has one (getFile then tells the size)."""
    known = [p for p in sizes if p.file_size is not None]
    fitting = [p for p in known if p.file_size is not None and p.file_size <= max_bytes]
    if not known:
        fitting = list(sizes)
    if not fitting:
        return None
    return max(fitting, key=lambda p: (p.width * p.height, p.file_size or 0))


def wants_image(event: Event) -> bool:
    """A group message from a non-staff sender with a photo in it."""
    return (isinstance(event, Message) and not event.is_private
            and event.sender.role < Role.MODERATOR and bool(event.of(Kind.IMAGE)))


class PhotoFetcher:
    """getFile + download through PTB (so ``base_file_url`` applies), bounded by ``max_bytes``
    and ``timeout``; every failure is logged and the event goes on without the image."""

    def __init__(self, bot: Bot, *, max_bytes: int, timeout: float) -> None:
        self.bot = bot
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._dir: Path | None = None
        self._seq = 0
        self.fetched = 0
        self.failed = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def wants(self, event: Event, msg: TgMessage | None) -> bool:
        """Whether ``event`` (mapped from ``msg``) is a photo this fetcher would download."""
        return self.enabled and msg is not None and bool(msg.photo) and wants_image(event)

    @asynccontextmanager
    async def attached(self, event: Event, msg: TgMessage | None) -> AsyncIterator[Event]:
        """``event`` with ``data["path"]`` on its IMAGE segment when the photo could be fetched;
        the file is removed when the block ends."""
        if msg is None or not isinstance(event, Message) or not self.wants(event, msg):
            yield event
            return
        path = await self._fetch(msg.photo, f"{msg.chat.id}/{msg.message_id}")
        try:
            yield event if path is None else _with_path(event, path)
        finally:
            if path is not None:
                with suppress(OSError):
                    path.unlink()

    async def _fetch(self, sizes: Sequence[PhotoSize], where: str) -> Path | None:
        size = choose(sizes, self.max_bytes)
        if size is None:
            log.info("photo %s: every size is above %d bytes; checked without the image",
                     where, self.max_bytes)
            return None
        try:
            async with asyncio.timeout(self.timeout):
                data = await self._download(size)
        except (TelegramError, TimeoutError, OSError, RuntimeError, ValueError) as exc:
            self.failed += 1
            log.warning("photo %s: cannot fetch %.64s (%s); checked without the image",
                        where, size.file_id, str(exc) or type(exc).__name__)
            return None
        if data is None:
            return None
        self.fetched += 1
        path = self._next_path()
        await asyncio.to_thread(path.write_bytes, data)
        return path

    async def _download(self, size: PhotoSize) -> bytes | None:
        file = await self.bot.get_file(size.file_id, read_timeout=self.timeout)
        announced = file.file_size if file.file_size is not None else size.file_size
        if announced is None or announced > self.max_bytes:
            log.info("photo %.64s: size %s unknown or above %d bytes; not downloaded",
                     size.file_id, announced, self.max_bytes)
            return None
        data = bytes(await file.download_as_bytearray(read_timeout=self.timeout))
        if len(data) > self.max_bytes:
            log.info("photo %.64s: %d bytes downloaded, above the cap", size.file_id, len(data))
            return None
        return data

    def _next_path(self) -> Path:
        if self._dir is None or not self._dir.is_dir():
            self._dir = Path(tempfile.mkdtemp(prefix="qunguan-tg-photos-"))
        self._seq += 1
        return self._dir / f"{self._seq}.img"

    def close(self) -> None:
        """Remove the temporary folder (files in flight are removed by their own block)."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def _with_path(message: Message, path: Path) -> Message:
    segments: list[Segment] = []
    done = False
    for segment in message.segments:
        if segment.kind is Kind.IMAGE and not done:
            segment = replace(segment, data={**segment.data, "path": str(path)})
            done = True
        segments.append(segment)
    return replace(message, segments=tuple(segments))
