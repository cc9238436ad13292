"""Through the composition root (``qunguan run``): QQ and WeChat beside each other in one App."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.adapters.onebot import standin_events as ev
from bot.adapters.onebot.standin import StandIn
from bot.app import running_app
from bot.verdict import Action
from storage.logs import LogRepo

from .core_wiring import AD_WORD, config, registry

TOKEN = "app-token"


async def test_app_runs_qq_and_wechat_and_sanctions_through_each_platforms_actions(
    tmp_path: Path,
) -> None:
    loaded = config(tmp_path)
    env = {"ONEBOT_ACCESS_TOKEN": TOKEN}
    async with running_app(loaded, env=env, registry=registry(), port=0) as app:
        base = f"ws://127.0.0.1:{app.port}"
        qq = StandIn(f"{base}/onebot/v11/ws", token=TOKEN, self_id="10001")
        wx = StandIn(f"{base}/onebot/v12/ws", token=TOKEN, version=12, impl="ComWeChat",
                     self_id="wxid_bot")
        assert await qq.connect() == 101
        assert await wx.connect() == 101
        try:
            for n in range(3):
                await qq.send(ev.group_message(4242, 20004, [ev.text(f"{AD_WORD} {n}")],
                                               message_id=601 + n))
                await wx.send(ev.v12_group_message("88@chatroom", "wxid_spam",
                                                   [ev.text(f"{AD_WORD} {n}")],
                                                   message_id=f"80{n}"))
            await qq.wait_for("set_group_kick", within=15)
            await wx.wait_for("wx.delete_groupmember", within=15)
            assert [p["message_id"] for p in qq.of("delete_msg")] == [601, 602, 603]
            assert [p["duration"] for p in qq.of("set_group_ban")] == [
                int(timedelta(days=1).total_seconds())
            ]
            assert "delete_message" not in wx.names()
            assert wx.of("wx.delete_groupmember") == [
                {"group_id": "88@chatroom", "user_list": ["wxid_spam"]}
            ]
            assert app.services is not None
            await app.services.extras["onebot:wechat"].drain()
            await app.flush()  # outcomes are written behind, in batches
            async with app.services.db.session() as session:
                log = list(reversed(await LogRepo(session).recent("wx:88@chatroom")))
            assert [e.action for e in log] == [Action.WARN, Action.WARN, Action.KICK]
            assert log[1].degraded_from is Action.MUTE
            assert "degraded mute→warn" in log[1].outcome
        finally:
            await qq.close()
            await wx.close()
