"""Bilingual user-facing text: every string the bot shows exists in English and Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LANGUAGES = ("en", "zh-CN")


@dataclass(frozen=True, slots=True)
class Text:
    """One user-facing text in English and Simplified Chinese, with ``{name}`` placeholders."""

    en: str
    zh: str

    def render(self, lang: str = "en", /, **values: Any) -> str:
        template = self.zh if lang.lower().startswith("zh") else self.en
        return template.format(**values) if values else template

    def format(self, **values: Any) -> Text:
        """Fill placeholders in both languages, keeping the pair."""
        return Text(self.en.format(**values), self.zh.format(**values))

    def __str__(self) -> str:
        return self.en


def t(en: str, zh: str) -> Text:
    """Shorthand constructor used by policies and handlers."""
    return Text(en, zh)
