"""Labelled lines: ``spam<TAB>text`` / ``ham<TAB>text`` files, read with positioned errors."""

from __future__ import annotations

from pathlib import Path


class TsvError(ValueError):
    """A malformed line in a labelled TSV file (message names file and line)."""


def read_tsv(path: str | Path) -> list[tuple[bool, str]]:
    """``label<TAB>text`` lines, label ``spam`` or ``ham``; blank lines are skipped."""
    rows: list[tuple[bool, str]] = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            label, sep, text = line.partition("\t")
            label = label.strip().lower()
            if not sep or label not in ("spam", "ham"):
                raise TsvError(
                    f"{path}:{number}: expected 'spam<TAB>text' or 'ham<TAB>text', "
                    f"got {line[:40]!r}"
                )
            rows.append((label == "spam", text))
    return rows
