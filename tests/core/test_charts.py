"""bot.charts: inline-safe bilingual SVGs for the dashboard and a fixed-size PNG for /stats."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from PIL import Image

from bot import charts
from bot.desk import DayPoint

SVG_NS = "{http://www.w3.org/2000/svg}"
DAYS = tuple(DayPoint(date(2026, 3, 1) + timedelta(days=i), messages=40 + i * 3 % 17,
                      active=4 + i % 7, joins=i % 3) for i in range(30))
HOURS = tuple((h * 7) % 24 for h in range(24))


def _texts(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join(el.text or "" for el in root.iter(f"{SVG_NS}text"))


def test_activity_svg_parses_as_xml_with_labels_in_the_chosen_language() -> None:
    en, zh = charts.activity_svg(DAYS, "en"), charts.activity_svg(DAYS, "zh-CN")
    assert "Messages" in _texts(en) and "Active members" in _texts(en)
    assert "消息" in _texts(zh) and "活跃成员" in _texts(zh) and "最近 30 天" in _texts(zh)
    assert "Messages" not in _texts(zh)


def test_svgs_are_inline_safe_responsive_and_labelled_for_screen_readers() -> None:
    for svg in (charts.activity_svg(DAYS, "en"), charts.hours_svg(HOURS, "zh"),
                charts.checkins_svg(DAYS, "zh")):
        assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
        assert "<style" not in svg  # a page-wide stylesheet would leak into the page
        root = ET.fromstring(svg)
        assert root.get("role") == "img" and root.get("aria-label")
        assert root.get("width") == "100%" and root.get("height") is None
        assert root.get("viewBox")


def test_svg_text_stays_text_so_the_browser_draws_chinese_with_its_fonts() -> None:
    svg = charts.hours_svg(HOURS, "zh")
    assert "活跃时段" in _texts(svg) and "时段" in _texts(svg)
    assert "sans-serif" in svg  # the browser falls back to a CJK font of its own


def test_two_charts_on_one_page_share_no_element_ids() -> None:
    ids = [{el.get("id") for el in ET.fromstring(svg).iter() if el.get("id")}
           for svg in (charts.activity_svg(DAYS, "en"), charts.checkins_svg(DAYS, "en"))]
    assert ids[0] and ids[1] and not ids[0] & ids[1]


def test_svgs_for_the_same_numbers_are_served_from_the_cache() -> None:
    first = charts.activity_svg(list(DAYS), "en")
    assert charts.activity_svg(DAYS, "en") is first


def test_stats_png_decodes_at_the_documented_size() -> None:
    top = [("Alice", 120.0), ("张三", 80.5), *[(f"user{i}", 50.0 - i) for i in range(8)]]
    png = charts.stats_png(DAYS, top, "zh", "测试群 stats")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (charts.PNG_WIDTH, charts.PNG_HEIGHT) == (1200, 800)


def test_empty_data_renders_without_error() -> None:
    png = charts.stats_png((), (), "en", "")
    assert Image.open(io.BytesIO(png)).size == (charts.PNG_WIDTH, charts.PNG_HEIGHT)
    for svg in (charts.activity_svg((), "en"), charts.hours_svg((), "zh"),
                charts.checkins_svg((), "zh")):
        assert ET.fromstring(svg).get("role") == "img"
    assert ET.fromstring(charts.hours_svg([0] * 24, "en")).get("aria-label")


def test_png_labels_fall_back_to_english_without_a_chinese_font() -> None:
    label = charts._label(charts.MESSAGES, "zh", raster=True)
    assert label == ("消息" if charts.cjk_font() else "Messages")
    assert charts._label(charts.MESSAGES, "zh") == "消息"  # SVG text is always Chinese


def test_importing_the_module_does_not_load_matplotlib() -> None:
    code = "import sys, bot.charts; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
