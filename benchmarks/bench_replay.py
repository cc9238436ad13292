"""Replay throughput: a synthetic 100,000-message Telegram Desktop export, observe mode."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from bot.tools.replay import replay  # noqa: E402

CHAT = ["今天的作业大家做完了吗", "这个问题我也遇到过，重启一下就好了", "周末有人一起去爬山吗",
        "老师讲的第三章我没太听懂，谁能帮忙解释一下", "谢谢分享，很有用", "下午三点开会，别忘了",
        "has anyone tried the new release?", "thanks, that fixed it for me", "打卡"]
TAIL = ["哈哈", "对吧", "明天见", "ok", "谢谢", "我试试", "有道理", "+1", "原来如此", "收到"]
BAD = ["加我薇信 abc12345 领取福利", "兼职日结，扣扣 1234567890", "免费送资料，加V: study_888"]
MEDIA = ["voice_message", "video_message", "sticker", "animation", "audio_file"]


def export(n: int, members: int = 2000, seed: int = 7) -> dict[str, Any]:
    """~3% ads, ~4% media, ~1% photos/forwards, joins for every member, 3 s apart."""
    rng = random.Random(seed)
    t0 = 1_762_000_000
    messages: list[dict[str, Any]] = []
    for user in range(members):
        messages.append({"id": len(messages) + 1, "type": "service", "action":
                         "join_group_by_link", "actor": f"m{user}", "actor_id": f"user{user}",
                         "date_unixtime": str(t0 + user), "text": ""})
    for i in range(n):
        user = rng.randrange(members)
        raw: dict[str, Any] = {"id": len(messages) + 1, "type": "message", "from": f"m{user}",
                               "from_id": f"user{user}", "date_unixtime": str(t0 + 3 * i)}
        roll = rng.random()
        if roll < 0.03:
            raw["text"] = rng.choice(BAD)
        elif roll < 0.07:
            raw.update(text="", media_type=rng.choice(MEDIA), file="f")
        elif roll < 0.08:
            raw.update(text="看看这个", forwarded_from="Some Channel", forwarded_from_id="channel9")
        elif roll < 0.09:
            raw.update(text=["资料在 ", {"type": "link", "text": "https://example.com/x"}],
                       photo="p.jpg")
        else:  # varied chat: phrases, numbers and words recombined, like real talk
            words = rng.sample(CHAT, 2)
            raw["text"] = f"{words[0]}，{rng.randrange(1000)} {words[1]} {rng.choice(TAIL)}"
        messages.append(raw)
    return {"name": "bench", "type": "private_supergroup", "id": 777, "messages": messages}


async def main(n: int, points: bool = True) -> None:
    config = load_config(ROOT / "config.example.yaml", env={})
    if not points:  # contribution points write per message: measure the core without them
        features = {k: v for k, v in config.default.features.items() if k != "points"}
        config = replace(config, default=config.default.model_copy(update={"features": features}))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        path.write_text(json.dumps(export(n), ensure_ascii=False), encoding="utf-8")
        started = time.perf_counter()
        report = await replay([path], config)
        total = time.perf_counter() - started
    data = report.to_json()
    label = "with" if points else "without"
    print(f"{label} contribution points: replay of {report.events} events "
          f"({report.messages} messages): "
          f"{total:.1f}s total incl. parsing, {report.seconds:.1f}s in the pipeline "
          f"({report.events / report.seconds:,.0f} events/s)")
    print(f"decisions: {data['decisions']}")
    print(f"handler errors: {data['handler_errors']}; unknown shapes: {data['unknown']}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main(int(args[0]) if args else 100_000, points="--no-points" not in sys.argv))
