"""Dashboard pages for a busy chat (1,000 members, 100,000 messages) over HTTP, against a floor.

    python benchmarks/bench_dashboard.py [--members 1000] [--messages 100000] [--rounds 15]

The whole app runs on SQLite (the embedded default); a logged-in browser is an aiohttp client
in the same process. Each page is fetched ``--rounds`` times with the chart caches cleared (a
live chat's numbers change between two visits, so a cached chart is the exception); the floor
is the dashboard's smallest page (a chat the moderator does not moderate: the same server,
session and rights checks and template, no data). The budget is 200 ms a page (issue 18).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import charts  # noqa: E402
from bot.app import running_app  # noqa: E402
from bot.config import load_config  # noqa: E402
from storage.testing import seed_busy_chat  # noqa: E402

CHAT = "tg:-1001000000001"
MODERATOR = "tg:1"
BUDGET_MS = 200.0
CONFIG = """
storage: {{url: "sqlite+aiosqlite:///{db}"}}
telegram: {{enabled: false}}
playground: {{enabled: false}}
defaults: {{language: en, timezone: Asia/Shanghai}}
chats:
  "{chat}": {{moderators: ["{moderator}"]}}
"""
PAGES = {
    "overview": "", "overview 7 days": "?days=7", "members": "members",
    "members search": "members?q=member%2012", "check-ins": "checkins",
    "moderation": "moderation", "moderation filtered": "moderation?action=delete",
    "waitlist": "waitlist", "config": "config", "members.csv": "export/members.csv",
}


def _clear_charts() -> None:
    for cached in (charts._activity_svg, charts._hours_svg, charts._checkins_svg):
        cached.cache_clear()


async def _timed(http: aiohttp.ClientSession, url: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        _clear_charts()
        start = time.perf_counter()
        async with http.get(url) as response:
            await response.read()
            if response.status >= 400 and "tg%3A0/" not in url:
                raise SystemExit(f"{url}: HTTP {response.status}")
        times.append((time.perf_counter() - start) * 1000)
    return times


async def main(members: int, messages: int, rounds: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "q.yaml"
        path.write_text(CONFIG.format(db=Path(tmp) / "q.db", chat=CHAT, moderator=MODERATOR),
                        encoding="utf-8")
        config = load_config(path, env={})
        async with running_app(config, env={}, port=0) as app:
            assert app.services is not None
            start = time.perf_counter()
            await seed_busy_chat(app.services.db, CHAT, members=members, messages=messages,
                                 now=datetime.now(UTC))
            print(f"seeded {members:,} members and {messages:,} messages in "
                  f"{time.perf_counter() - start:.1f} s")
            base = f"http://127.0.0.1:{app.port}"
            link = app.services.extras["login_links"].link(MODERATOR)
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as http:
                token = link.split("t=", 1)[1]
                async with http.post(f"{base}/dashboard/login", data={"t": token}) as login:
                    assert login.status == 200, login.status
                floor = statistics.median(await _timed(
                    http, f"{base}/dashboard/c/tg%3A0/", rounds))  # not theirs: 403
                print(f"floor (a refusal: session, rights, template): {floor:.1f} ms\n")
                print(f"{'page':<22}{'median ms':>10}{'p90 ms':>9}{'x floor':>9}  budget")
                worst = 0.0
                for name, tail in PAGES.items():
                    url = f"{base}/dashboard/c/{CHAT.replace(':', '%3A')}/{tail}"
                    times = sorted(await _timed(http, url, rounds))
                    median = statistics.median(times)
                    p90 = times[int(len(times) * 0.9) - 1]
                    worst = max(worst, median)
                    verdict = "ok" if median <= BUDGET_MS else "OVER"
                    print(f"{name:<22}{median:>10.1f}{p90:>9.1f}{median / floor:>9.1f}  {verdict}")
    print(f"\nslowest page median {worst:.1f} ms; budget {BUDGET_MS:.0f} ms")
    return 0 if worst <= BUDGET_MS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.members, args.messages, args.rounds)))
