"""One-field copies of frozen dataclasses, without ``dataclasses.replace``'s generic walk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def setter(cls: type[T], name: str) -> Callable[[T, Any], T]:
    """``f(obj, value)`` = ``dataclasses.replace(obj, **{name: value})`` for ``cls``: the
    constructor called with every init field by position (``__post_init__`` runs as with
    ``replace``), ~3x faster on the message path (a snapshot or verdict per message)."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if name not in names or not all(f.init for f in fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}.{name} cannot be set by position")
    args = ", ".join("value" if n == name else f"o.{n}" for n in names)
    namespace: dict[str, Any] = {"cls": cls}
    exec(f"def with_{name}(o, value):\n    return cls({args})", namespace)
    made: Callable[[T, Any], T] = namespace[f"with_{name}"]
    return made
