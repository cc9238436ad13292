"""/shadow per chat and per policy, /shadow report, /policies and /reload."""

from __future__ import annotations

from bot.runtime import RuntimeBook
from handlers.moderation.shadow import load_overrides
from tests.moderation.conftest import CHAT, MEMBER, Harness

AD = "兼职日结，加我薇信 qq88166 详聊"
PROMO = "欢迎关注我的频道 @best_deals_cn"


async def test_shadow_on_decides_and_logs_but_acts_on_nothing(harness: Harness) -> None:
    assert "Shadow mode on" in (await harness.command("shadow", "on"))[0]
    await harness.say(MEMBER, AD)
    assert harness.calls("delete", "mute", "kick") == []
    (entry,) = await harness.entries()
    assert entry.observe and entry.shadow_action is not None
    report = (await harness.command("shadow", "report"))[0]
    assert "1 decisions would have been taken" in report and "AD_" in report
    assert "test:7 (warn)" in report
    await harness.command("shadow", "off")
    await harness.say(MEMBER, AD)
    assert harness.calls("delete") == ["delete"]


async def test_shadow_for_one_policy_only(harness: Harness) -> None:
    assert "ads now runs in shadow mode" in (await harness.command("shadow", "on", "ads"))[0]
    await harness.say(MEMBER, PROMO)  # only the ads policy sees this one
    assert harness.calls("delete") == []
    await harness.say(MEMBER, AD)  # offers and the classifier still act on this one
    assert harness.calls("delete") == ["delete"]
    assert "ads: shadow" in (await harness.command("policies"))[0]
    assert "ads now acts" in (await harness.command("shadow", "off", "ads"))[0]
    await harness.say(MEMBER, PROMO)
    assert harness.calls("delete") == ["delete", "delete"]


async def test_shadow_switches_survive_a_restart(harness: Harness) -> None:
    await harness.command("shadow", "on", "ads")
    fresh = RuntimeBook(harness.services.config, harness.services.book.registry)
    harness.services.book = fresh
    assert await load_overrides(harness.services) == 1
    assert fresh.overrides(CHAT).observe_policies == frozenset({"ads"})


async def test_shadow_usage_and_unknown_policy(harness: Harness) -> None:
    assert "Usage: /shadow" in (await harness.command("shadow", "maybe"))[0]
    assert "No policy named nosuch" in (await harness.command("shadow", "on", "nosuch"))[0]


async def test_policies_shows_the_effective_configuration(harness: Harness) -> None:
    text = (await harness.command("policies"))[0]
    assert text.startswith("profile: default · enforcing")
    assert "ads: enforce" in text and "thresholds: flag ≥" in text
    assert "escalation: 2→mute" in text and "log chat: test:-999" in text


async def test_reload_with_an_invalid_file_keeps_the_running_config(harness: Harness) -> None:
    before = harness.services.config
    path = harness.config_path
    path.write_text(path.read_text(encoding="utf-8").replace(
        "log_retention: 30d", "log_retention: 30d\nlog_retentoin: 3d"), encoding="utf-8")
    text = (await harness.command("reload"))[0]
    assert "is invalid; the running configuration is kept" in text
    assert f"{path}:" in text and "unknown key 'log_retentoin'" in text
    assert harness.services.config is before


async def test_reload_with_a_valid_file_swaps_the_config(harness: Harness) -> None:
    path = harness.config_path
    path.write_text(path.read_text(encoding="utf-8").replace(
        "log_retention: 30d", "log_retention: 7d"), encoding="utf-8")
    texts = await harness.command("reload")
    assert "policies in this chat" in texts[0] or "重新加载配置" in texts[0]
    assert harness.services.config.app.log_retention.days == 7
