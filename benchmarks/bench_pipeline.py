"""Full-pipeline throughput on SQLite: the default profile against zero policies, same run."""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import App  # noqa: E402
from bot.config import LoadedConfig, load_config  # noqa: E402
from bot.events import Kind, Message, Segment, Sender  # noqa: E402
from bot.gateway_fake import RecordingGateway  # noqa: E402

ZH = ["今天的作业大家做完了吗", "这个问题我也遇到过，重启一下就好了", "周末有人一起去爬山吗",
      "老师讲的第三章我没太听懂，谁能帮忙解释一下", "谢谢分享，很有用", "我觉得这个方案可以再优化",
      "下午三点开会，别忘了", "有没有推荐的入门书籍", "刚看完那部电影，结局太意外了"]
EN = ["has anyone tried the new release?", "thanks, that fixed it for me",
      "meeting moved to 3pm tomorrow", "I think the second approach is cleaner",
      "does this work on windows too?", "great talk yesterday, slides anywhere?"]
BAD = ["加我薇信 abc12345 领取福利", "兼职日结，扣扣 1234567890",
       "点击 http://spam.example/win 领红包", "免费送资料，加V: study_888",
       "fuck you idiot", "哈哈"]


def synthetic(n: int, seed: int = 7) -> list[Message]:
    """Mixed Chinese/English messages of realistic lengths, ~5% violations, 300 members."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        if rng.random() < 0.05:
            text = rng.choice(BAD)
        else:
            parts = [rng.choice(ZH if rng.random() < 0.7 else EN) for _ in range(rng.randint(1, 4))]
            text = "，".join(parts)
        sender = Sender(f"bench:{rng.randint(1, 300)}", name="m")
        segments: tuple[Segment, ...] = (Segment(Kind.TEXT, text),)
        if "http" in text:
            segments += (Segment(Kind.LINK, "http://spam.example/win",
                                 {"host": "spam.example"}),)
        out.append(Message("bench:1", str(i), sender, start + timedelta(seconds=i * 0.5),
                           segments))
    return out


async def measure(config: LoadedConfig, messages: list[Message]) -> tuple[float, list[float]]:
    app = App(config, env={}, port=0)
    services = app.build()
    await services.db.upgrade()
    gateway = RecordingGateway("bench")
    services.gateways["bench"] = gateway
    sink = services.dispatcher
    for m in messages[:200]:  # warm caches and the database
        await sink(replace(m, message_id=f"w{m.message_id}"), gateway)
    times = []
    began = time.perf_counter()
    for m in messages:
        t0 = time.perf_counter()
        await sink(m, gateway)
        times.append(time.perf_counter() - t0)
    await services.activity.flush()
    total = time.perf_counter() - began
    await services.db.dispose()
    return len(messages) / total, times


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1e6


async def main(n: int = 20_000) -> None:
    messages = synthetic(n)
    with tempfile.TemporaryDirectory() as tmp:
        env = {"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/full.db"}
        full = load_config(ROOT / "config.example.yaml", env=env)
        env_floor = {"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/floor.db"}
        floor_cfg = load_config(ROOT / "config.example.yaml", env=env_floor)
        no_policies = floor_cfg.default.model_copy(update={"policies": {}})
        floor_cfg = replace(floor_cfg, default=no_policies)
        floor_rate, floor_times = await measure(floor_cfg, messages)
        rate, times = await measure(full, messages)
    print(f"pipeline benchmark: {n} messages, default profile, SQLite")
    print(f"  zero policies : {floor_rate:9.0f} msg/s  p50 {pct(floor_times, 50):7.0f} µs"
          f"  p99 {pct(floor_times, 99):7.0f} µs")
    print(f"  default       : {rate:9.0f} msg/s  p50 {pct(times, 50):7.0f} µs"
          f"  p99 {pct(times, 99):7.0f} µs")
    print(f"  ratio default/zero-policies: {rate / floor_rate:.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
