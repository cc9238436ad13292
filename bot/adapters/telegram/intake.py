"""Raw updates in: checked by shape, parsed one by one, the malformed counted and skipped."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Bot, Update

from bot.adapters.telegram.fastpath import plain
from bot.adapters.telegram.validate import problem, update_id_of
from bot.faults import Faults
from bot.metrics import Meter

#: api_kwargs mark of a stand-in for a skipped update (it only carries the id forward)
SKIPPED = "qunguan_skipped"
CAUSE = "telegram.invalid"


def is_skipped(update: Update) -> bool:
    return bool(update.api_kwargs.get(SKIPPED))


class Intake:
    """Screens every raw update before python-telegram-bot builds objects from it.

    A malformed update is counted under ``telegram.invalid`` and logged as one short line
    (its id and what was wrong, never its text); everything else goes on. ``accepted``
    counts updates handed on (the watchdog compares it with what was handled). A plain
    group text message skips PTB's object model: it goes on as a ``PlainMessage`` carrier.
    """

    def __init__(self, faults: Faults | None = None, meter: Meter | None = None) -> None:
        self.faults = faults or Faults()
        self.meter = meter or Meter()
        self.accepted = 0

    def parse(self, raw: object, bot: Bot | None) -> Update | None:
        """One raw update → Update, or None (counted and logged) when malformed."""
        wrong = problem(raw)
        if wrong is None:
            carrier = plain(raw)
            if carrier is not None:
                self.accepted += 1
                return carrier
            try:
                update = Update.de_json(raw, bot)  # type: ignore[arg-type]
            except Exception as exc:  # a field we do not read, of a type PTB refuses
                wrong = f"unparsable ({type(exc).__name__})"
            else:
                self.accepted += 1
                return update
        self.meter.malformed_update("tg", CAUSE)
        self.faults.note(CAUSE, "skipping telegram update %s: %s", update_id_of(raw), wrong)
        return None

    def batch(self, raws: Sequence[object], bot: Bot | None) -> tuple[Update, ...]:
        """A getUpdates batch: the good updates; when the last one is skipped, a bare stand-in
        with its id ends the batch so that polling acknowledges it and moves on."""
        updates = [u for u in (self.parse(raw, bot) for raw in raws) if u is not None]
        last = update_id_of(raws[-1]) if raws else None
        if last is not None and (not updates or updates[-1].update_id < last):
            updates.append(Update(last, api_kwargs={SKIPPED: True}))
            self.accepted += 1
        return tuple(updates)
