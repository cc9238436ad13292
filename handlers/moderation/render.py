"""How moderation-log entries read in chat: one line each, content excerpts, media named."""

from __future__ import annotations

from bot.logged_text import content_text
from bot.ports import LogEntry
from bot.verdict import Action

_ACTION_ZH = {Action.ALLOW: "记录", Action.FLAG: "标记", Action.DELETE: "删除", Action.WARN: "警告",
              Action.MUTE: "禁言", Action.KICK: "移出", Action.BAN: "封禁"}


def excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def action_label(entry: LogEntry, lang: str) -> str:
    """``mute`` / ``禁言``; observe entries read ``would mute`` / ``(影子)禁言``."""
    zh = lang.startswith("zh")
    if entry.observe:
        would = entry.shadow_action or entry.action
        return f"(影子){_ACTION_ZH[would]}" if zh else f"would {would.label}"
    command = str(entry.content.get("command", ""))
    if entry.action == Action.ALLOW and command:
        return f"/{command}"
    return _ACTION_ZH[entry.action] if zh else entry.action.label


def entry_line(entry: LogEntry, lang: str = "en", *, with_content: bool = True) -> str:
    """``#12 mute tg:7 by tg:1 — reason [AD_X 6.0] «text» (mute: ok)``."""
    zh = lang.startswith("zh")
    by = ("自动" if zh else "auto") if entry.actor == "auto" else entry.actor
    head = f"#{entry.id} {entry.created_at:%m-%d %H:%M} {action_label(entry, lang)} " \
           f"{entry.user_id or '-'} ({'操作' if zh else 'by'} {by})"
    parts = [head]
    if entry.reason:
        parts.append(f"— {entry.reason}")
    if entry.symbols:
        top = sorted(entry.symbols.items(), key=lambda kv: -kv[1])[:3]
        parts.append("[" + ", ".join(f"{s} {v:g}" for s, v in top) + "]")
    text = content_text(entry.content, lang) if with_content else ""
    if text:
        parts.append(f"«{excerpt(text)}»")
    if entry.outcome and entry.outcome not in ("pending", "ok"):
        parts.append(f"({entry.outcome})")
    return " ".join(parts)
