"""One journal per running process: a journal file is held by an exclusive lock while in use."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

#: Workers started alike (same config, same directory) take the next free slot.
SLOTS = 32


class JournalSlot:
    """Holds ``<journal>.lock`` for the process's lifetime. Two workers with the same default
    path would otherwise append to, replay and compact one file; the second takes
    ``name.2.journal`` and so on. A restarted worker takes the first free slot, so a dead
    worker's journal is replayed by whoever starts next (shared claims keep that exactly once)."""

    def __init__(self, path: Path) -> None:
        self.path: Path | None = None
        self._fd: int | None = None
        for n in range(1, SLOTS + 1):
            candidate = path if n == 1 else path.with_name(f"{path.stem}.{n}{path.suffix}")
            fd = os.open(candidate.with_name(candidate.name + ".lock"),
                         os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.path, self._fd = candidate, fd
            if n > 1:
                log.info("journal %s is in use by another process; using %s", path, candidate)
            return
        log.warning("all %d journal slots beside %s are in use; running without a journal "
                    "(updates are acknowledged once their effects are flushed)", SLOTS, path)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None
