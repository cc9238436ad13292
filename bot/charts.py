"""Server-side charts: matplotlib SVGs for the dashboard's pages and a PNG for /stats in chat."""

from __future__ import annotations

import functools
import io
import re
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.desk import DayPoint
from bot.i18n import Text, t

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The /stats picture: 1200 × 800 pixels (12 × 8 inches at 100 dpi).
PNG_WIDTH = 1200
PNG_HEIGHT = 800
PNG_DPI = 100
SVG_SIZE = (8.0, 3.2)  # inches; the page scales the SVG to its width anyway

#: Fonts with Chinese glyphs, best first; the first one installed is used for pictures.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Droid Sans Fallback", "Microsoft YaHei", "PingFang SC",
             "SimHei", "AR PL UMing CN")

MESSAGES = t("Messages", "消息")
ACTIVE = t("Active members", "活跃成员")
CHECKINS = t("Check-ins", "打卡")
HOUR = t("Hour of day", "时段")
LAST_DAYS = t("Last {n} days", "最近 {n} 天")
BUSIEST = t("Busiest hours", "活跃时段")
TOP = t("Top contributors", "贡献榜")
POINTS = t("Points", "积分")
NO_POINTS = t("No contribution points yet", "还没有贡献积分")
STATS = t("Group statistics", "群统计")

BAR, LINE, MUTED = "#4c78a8", "#f58518", "#b8c7d9"
_LOCK = threading.Lock()  # rc_context and warnings filters are process-wide: one render at a time
_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE_ATTR = re.compile(r'\s(?:width|height)="[^"]*"')


@functools.cache
def cjk_font() -> str | None:
    """The name of an installed font that renders Chinese, or None (checked once)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _label(text: Text, lang: str, *, raster: bool = False, **values: object) -> str:
    """``text`` in ``lang``; in a raster picture without a CJK font, English (no tofu boxes)."""
    if raster and cjk_font() is None:
        lang = "en"
    return text.render(lang, **values)


@contextmanager
def _figure(width: float, height: float, *, dpi: int = PNG_DPI,
            fixed: bool = False) -> Iterator[Figure]:
    """A pyplot-free Figure under our own rc settings (Agg; SVG text kept as text).

    ``fixed``: set margins instead of the constrained layout, whose text measuring was half of
    an SVG's drawing time (pages draw charts per request; the PNG keeps the layout engine)."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    families = [f for f in ("DejaVu Sans", cjk_font()) if f]
    with _LOCK, mpl.rc_context({
        "svg.fonttype": "none", "svg.hashsalt": "qunguan", "font.family": "sans-serif",
        "font.sans-serif": [*families, "sans-serif"], "font.size": 10,
        "axes.spines.top": False, "axes.spines.right": False,
    }), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # missing glyphs in a name: boxes, not logs
        if not fixed:
            yield Figure(figsize=(width, height), dpi=dpi, layout="constrained")
            return
        fig = Figure(figsize=(width, height), dpi=dpi)
        fig.subplots_adjust(left=0.08, right=0.92, top=0.88, bottom=0.16)
        yield fig


def _ticks(ax: Axes, days: Sequence[DayPoint]) -> None:
    step = max(1, len(days) // 6)
    marks = list(range(len(days) - 1, -1, -step))[::-1]
    ax.set_xticks(marks, [days[i].day.strftime("%m-%d") for i in marks])
    ax.set_xlim(-0.6, max(len(days), 1) - 0.4)


def _activity(ax: Axes, days: Sequence[DayPoint], lang: str, raster: bool) -> None:
    """Messages as bars (left axis), active members as a line (right axis)."""
    from matplotlib.ticker import MaxNLocator

    xs = range(len(days))
    ax.bar(xs, [d.messages for d in days], color=BAR, label=_label(MESSAGES, lang, raster=raster))
    ax.set_ylabel(_label(MESSAGES, lang, raster=raster), color=BAR)
    _ticks(ax, days)
    ax.set_title(_label(LAST_DAYS, lang, raster=raster, n=len(days)), loc="left")
    twin = ax.twinx()
    twin.plot(xs, [d.active for d in days], color=LINE, marker="o", markersize=3,
              label=_label(ACTIVE, lang, raster=raster))
    twin.set_ylabel(_label(ACTIVE, lang, raster=raster), color=LINE)
    twin.set_ylim(bottom=0)
    for axis in (ax.yaxis, twin.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))
    twin.spines["right"].set_visible(True)
    ax.set_ylim(bottom=0)


def _inline(svg: str, label: str, prefix: str) -> str:
    """Embeddable in an HTML page: no prolog/doctype/style, responsive, accessible, ids ours."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<(style|metadata)\b[^>]*>.*?</\1>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\bid="', f'id="{prefix}-', svg)
    svg = re.sub(r"url\(#", f"url(#{prefix}-", svg)
    svg = re.sub(r'href="#', f'href="#{prefix}-', svg)
    root = _ROOT.search(svg)
    assert root is not None
    head = _SIZE_ATTR.sub("", root.group(0))[:-1].rstrip()
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    head += (f' width="100%" preserveAspectRatio="xMidYMid meet" role="img"'
             f' aria-label="{label}" style="height:auto;max-width:100%">')
    return svg[: root.start()] + head + svg[root.end():]


def _svg(fig: Figure, label: str, prefix: str) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return _inline(out.getvalue(), label, prefix)


def activity_svg(days: Sequence[DayPoint], lang: str) -> str:
    """Messages per day as bars and active members as a line (the last 30 days, say)."""
    return _activity_svg(tuple(days), _lang(lang))


def hours_svg(hours: Sequence[int], lang: str) -> str:
    """Messages by local hour of day (0–23), the busiest hour highlighted."""
    return _hours_svg(tuple(hours), _lang(lang))


def checkins_svg(days: Sequence[DayPoint], lang: str) -> str:
    """Check-ins per day (``DayPoint.messages`` holds the count, as in ``CheckinBoard``)."""
    return _checkins_svg(tuple(days), _lang(lang))


def _lang(lang: str) -> str:
    return "zh" if lang.lower().startswith("zh") else "en"


# An SVG costs 55-130 ms to draw: pages asking again for the same numbers get the cached one.
@functools.lru_cache(maxsize=256)
def _activity_svg(days: tuple[DayPoint, ...], lang: str) -> str:
    with _figure(*SVG_SIZE, fixed=True) as fig:
        _activity(fig.add_subplot(), days, lang, raster=False)
        label = (f"{LAST_DAYS.render(lang, n=len(days))}: {MESSAGES.render(lang)}, "
                 f"{ACTIVE.render(lang)}")
        return _svg(fig, label, "activity")


@functools.lru_cache(maxsize=256)
def _hours_svg(hours: tuple[int, ...], lang: str) -> str:
    counts = [*hours, *[0] * (24 - len(hours))][:24]
    top = max(counts) if any(counts) else None
    with _figure(*SVG_SIZE, fixed=True) as fig:
        ax = fig.add_subplot()
        ax.bar(range(24), counts, color=[LINE if c == top else BAR for c in counts])
        ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
        ax.set_xlim(-0.6, 23.6)
        ax.set_ylim(bottom=0)
        ax.set_xlabel(HOUR.render(lang))
        ax.set_ylabel(MESSAGES.render(lang))
        ax.set_title(BUSIEST.render(lang), loc="left")
        return _svg(fig, f"{BUSIEST.render(lang)}: {MESSAGES.render(lang)}", "hours")


@functools.lru_cache(maxsize=256)
def _checkins_svg(days: tuple[DayPoint, ...], lang: str) -> str:
    with _figure(*SVG_SIZE, fixed=True) as fig:
        ax = fig.add_subplot()
        ax.bar(range(len(days)), [d.messages for d in days], color=BAR)
        _ticks(ax, days)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(CHECKINS.render(lang))
        ax.set_title(LAST_DAYS.render(lang, n=len(days)), loc="left")
        return _svg(fig, f"{LAST_DAYS.render(lang, n=len(days))}: {CHECKINS.render(lang)}",
                    "checkins")


def stats_png(days: Sequence[DayPoint], top: Sequence[tuple[str, float]], lang: str,
              title: str) -> bytes:
    """The /stats picture, PNG_WIDTH × PNG_HEIGHT: 30-day activity above, the top
    contributors (name, points; best first) below; ``title`` "" says "Group statistics".
    CPU-bound (~0.2 s): call it via asyncio.to_thread."""
    with _figure(PNG_WIDTH / PNG_DPI, PNG_HEIGHT / PNG_DPI) as fig:
        upper, lower = fig.subplots(2, 1, height_ratios=(1, 1.1))
        _activity(upper, days, lang, raster=True)
        fig.suptitle(title or _label(STATS, lang, raster=True), fontsize=15, fontweight="bold")
        lower.set_title(_label(TOP, lang, raster=True), loc="left")
        if top:
            names, points = [n for n, _ in top], [p for _, p in top]
            rows = range(len(top) - 1, -1, -1)  # the best on top; slots keep bars slim
            bars = lower.barh(rows, points, color=BAR, height=0.7)
            lower.set_yticks(rows, names)
            lower.set_ylim(len(top) - max(len(top), 8) - 0.5, len(top) - 0.5)
            lower.bar_label(bars, [f"{p:g}" for p in points], padding=3)
            lower.set_xlabel(_label(POINTS, lang, raster=True))
            lower.set_xlim(0, max(max(points), 1) * 1.12)
        else:
            lower.set_axis_off()
            lower.text(0.5, 0.5, _label(NO_POINTS, lang, raster=True), ha="center",
                       va="center", transform=lower.transAxes, color=MUTED, fontsize=14)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=PNG_DPI)
        return out.getvalue()
