"""QR codes in images, decoded off the event loop with zxing-cpp and Pillow.

Only images the adapter has already made available are decoded: an IMAGE segment with
``data["path"]`` (a local file) or ``data["bytes_b64"]``. Fetching the image, and capping its
download size, is the adapter's job; this module refuses files above ``max_bytes`` and images
above ``max_pixels`` again, so a policy never decodes something unbounded.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import logging
from pathlib import Path

from bot.events import Kind, Message

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 16_000_000


def image_sources(message: Message) -> list[str | bytes]:
    """Local paths or inline bytes of the message's images, in order."""
    sources: list[str | bytes] = []
    for segment in message.of(Kind.IMAGE):
        if path := segment.data.get("path"):
            sources.append(path)
        elif encoded := segment.data.get("bytes_b64"):
            try:
                sources.append(base64.b64decode(encoded, validate=True))
            except (binascii.Error, ValueError):
                log.debug("image %s: bad base64 payload", segment.data.get("file_id", "?"))
    return sources


def _read(source: str | bytes, max_bytes: int) -> bytes | None:
    if isinstance(source, bytes):
        return source if len(source) <= max_bytes else None
    path = Path(source)
    try:
        if path.stat().st_size > max_bytes:
            return None
        return path.read_bytes()
    except OSError:
        return None


def decode_qr(source: str | bytes, *, max_bytes: int = MAX_BYTES) -> list[str]:
    """Texts of the QR codes in one image (blocking: call through ``asyncio.to_thread``)."""
    import zxingcpp
    from PIL import Image

    data = _read(source, max_bytes)
    if data is None:
        return []
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                return []
            image.load()
            results = zxingcpp.read_barcodes(
                image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
            )
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.debug("QR decode failed: %s", exc)
        return []
    return [str(r.text) for r in results if r.text]


async def decode_all(sources: list[str | bytes], *, max_bytes: int = MAX_BYTES) -> list[str]:
    """QR texts of every image, decoded in a worker thread."""

    def work() -> list[str]:
        found: list[str] = []
        for source in sources:
            found.extend(decode_qr(source, max_bytes=max_bytes))
        return found

    return await asyncio.to_thread(work)
