"""/approve, /unapprove and /allowvoice: exemptions stored on the member, effective at once."""

from __future__ import annotations

from tests.moderation.conftest import CHAT, MEMBER, Harness

AD = "兼职日结，加我薇信 qq88166 详聊"


async def test_an_approved_member_is_skipped_by_automatic_policies(harness: Harness) -> None:
    await harness.say(MEMBER, "hi")
    texts = await harness.command("approve", "test:7")
    assert "automatic policies no longer apply" in texts[0]
    await harness.say(MEMBER, AD)
    assert harness.calls("delete") == []
    assert "no longer approved" in (await harness.command("unapprove", "test:7"))[0]
    await harness.say(MEMBER, AD)
    assert harness.calls("delete") == ["delete"]


async def test_allowvoice_sets_and_clears_the_voice_flag(harness: Harness) -> None:
    services = harness.services
    assert "may send voice" in (await harness.command("allowvoice", "test:7"))[0]
    snapshot = await services.snapshots.get(CHAT, MEMBER.id, harness.clock())
    assert snapshot.voice_allowed and not snapshot.approved
    assert "no longer send voice" in (await harness.command("allowvoice", "test:7", "off"))[0]
    snapshot = await services.snapshots.get(CHAT, MEMBER.id, harness.clock())
    assert not snapshot.voice_allowed
    commands = [e.content["command"] for e in await harness.entries()]
    assert commands == ["allowvoice", "allowvoice"]


async def test_exemptions_are_for_moderators_only(harness: Harness) -> None:
    texts = await harness.command("approve", "test:8", sender=MEMBER)
    assert texts == ["Only moderators can use /approve."]
