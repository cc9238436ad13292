"""bot.quick.setter: the same copy as dataclasses.replace, for every field."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.events import Role
from bot.i18n import t
from bot.policy import MemberSnapshot
from bot.quick import setter
from bot.verdict import Action, Verdict


def test_every_field_of_a_verdict_and_a_snapshot_copies_like_replace() -> None:
    verdict = Verdict("AD_X", 6.0, t("r", "r"), "ev", Action.WARN, None, 60, True, "",
                      (("AD", 2.0),))
    snapshot = MemberSnapshot("tg:1", Role.MODERATOR, datetime(2024, 1, 1, tzinfo=UTC), None,
                              5, 1, 2.5, True, False)
    cases: list[tuple[Any, object]] = [(verdict, "ads"), (snapshot, 7)]
    for obj, value in cases:
        for f in fields(obj):
            copied = setter(type(obj), f.name)(obj, value)
            assert copied == replace(obj, **{f.name: value})


def test_a_field_outside_init_is_refused() -> None:
    @dataclass(frozen=True)
    class Derived:
        a: int
        b: int = field(init=False, default=0)

    with pytest.raises(TypeError):
        setter(Derived, "a")
    with pytest.raises(TypeError):
        setter(Verdict, "nope")
