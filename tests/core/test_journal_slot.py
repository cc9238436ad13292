"""Workers started alike never share a journal file; a freed slot is taken by the next one."""

from __future__ import annotations

from pathlib import Path

from bot.journal_slot import JournalSlot


def test_a_second_worker_with_the_same_default_path_takes_the_next_slot(tmp_path: Path) -> None:
    base = tmp_path / "qunguan.journal"
    first, second = JournalSlot(base), JournalSlot(base)
    try:
        assert first.path == base
        assert second.path == tmp_path / "qunguan.2.journal"
        first.release()
        restarted = JournalSlot(base)  # the first worker's journal is picked up again
        assert restarted.path == base
        restarted.release()
    finally:
        first.release()
        second.release()
