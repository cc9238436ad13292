"""Image uploads from the page: a size-capped ``data:`` URL saved as a temporary file."""

from __future__ import annotations

import base64
import binascii
import itertools
import secrets
import shutil
import tempfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import t

from .protocol import ProtocolError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_FILES = 200  # older uploads are removed: the playground keeps the last messages only

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)

NOT_IMAGE = t("That upload is not a PNG, JPEG, GIF or WebP image.",
              "上传的不是 PNG、JPEG、GIF 或 WebP 图片。")
TOO_LARGE = t("Images are limited to {mb} MB.", "图片不能超过 {mb} MB。")


@dataclass(frozen=True, slots=True)
class SavedImage:
    """An uploaded image on disk: policies read ``path``; the page fetches ``url``."""

    file_id: str
    path: Path

    @property
    def url(self) -> str:
        return f"/uploads/{self.path.name}"


def _extension(data: bytes) -> str | None:
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


class Uploads:
    """A private temporary directory of uploaded images, removed on ``close``."""

    def __init__(self, max_bytes: int = MAX_IMAGE_BYTES, max_files: int = MAX_FILES) -> None:
        self.max_bytes = max_bytes
        self.max_files = max_files
        self._dir: Path | None = None
        self._ids = itertools.count(1)
        self._saved: deque[Path] = deque()

    @property
    def directory(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="qunguan-playground-"))
        return self._dir

    def decode(self, data_url: str) -> bytes:
        """The bytes of a ``data:image/…;base64,…`` URL, checked for size and type."""
        header, sep, payload = data_url.partition(",")
        if not sep or not header.startswith("data:") or not header.endswith(";base64"):
            raise ProtocolError("bad_image", NOT_IMAGE)
        if len(payload) > (self.max_bytes * 4) // 3 + 4:
            raise ProtocolError("too_large", TOO_LARGE, mb=self.max_bytes // (1024 * 1024))
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("bad_image", NOT_IMAGE) from None
        if len(data) > self.max_bytes:
            raise ProtocolError("too_large", TOO_LARGE, mb=self.max_bytes // (1024 * 1024))
        return data

    def save(self, data_url: str) -> SavedImage:
        data = self.decode(data_url)
        ext = _extension(data)
        if ext is None:
            raise ProtocolError("bad_image", NOT_IMAGE)
        name = f"{secrets.token_hex(8)}.{ext}"
        path = self.directory / name
        path.write_bytes(data)
        self._saved.append(path)
        while len(self._saved) > self.max_files:
            self._saved.popleft().unlink(missing_ok=True)
        return SavedImage(file_id=f"local-img-{next(self._ids)}", path=path)

    def find(self, name: str) -> Path | None:
        """A saved upload by file name (no paths, no guessing outside the directory)."""
        if self._dir is None or "/" in name or "\\" in name or name.startswith("."):
            return None
        path = self._dir / name
        return path if path.is_file() else None

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
