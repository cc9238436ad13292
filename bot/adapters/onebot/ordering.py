"""OneBot's per-chat ordering: the neutral ``bot.ordering.PerKeyOrder`` (kept importable here)."""

from __future__ import annotations

from bot.ordering import PerKeyOrder

__all__ = ["PerKeyOrder"]
