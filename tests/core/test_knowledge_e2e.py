"""Learned per-chat state through the real message handler: repeated long texts, trusted domains."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import LoadedConfig, load_config
from bot.events import Kind, Message, Segment, Sender
from bot.gateway_fake import RecordingGateway
from bot.knowledge import Knowledge
from bot.policy import Context
from handlers.services import Services
from storage.logs import LogRepo

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 2, 9, tzinfo=UTC)
CHAT = "test:-100"

SYLLABUS = ("Course outline for the autumn cohort: week one spreadsheets and pivot tables, "
            "week two querying databases, week three dashboards and reporting, sessions on "
            "Tuesday evenings")
QUESTION = ("Has anyone managed to make the debugger stop at breakpoints inside a worker "
            "process? Mine runs straight through them and I cannot see why")


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


def config(tmp_path: Path) -> LoadedConfig:
    """The example config without the trained classifier, whose verdicts on these invented
    texts depend on its seed data, not on what these tests prove."""
    loaded = load_config(ROOT / "config.example.yaml",
                         env={"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/q.db"})
    policies = {k: v for k, v in loaded.default.policies.items() if k != "classifier"}
    return replace(loaded, default=loaded.default.model_copy(update={"policies": policies}))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    built = App(config(tmp_path), env={}, port=0, clock=clock).build()
    await built.db.upgrade()
    yield built
    await built.db.dispose()


def knowledge(services: Services) -> Knowledge:
    found = services.extras["knowledge"]
    assert isinstance(found, Knowledge)
    return found


async def established(services: Services, *users: str) -> None:
    """Members of a month with plenty of messages."""
    for user in users:
        await services.store.touch(CHAT, Sender(user, user), START - timedelta(days=30), 40)


_ids = iter(range(1000, 100_000))


async def post(services: Services, clock: Clock, gateway: RecordingGateway, user: str,
               text: str, at: datetime) -> str:
    clock.now = at
    message_id = str(next(_ids))
    await services.dispatcher(Message(CHAT, message_id, Sender(user, user), at,
                                      (Segment(Kind.TEXT, text),)), gateway)
    return message_id


def deleted(gateway: RecordingGateway) -> list[str]:
    return [str(c.args.get("message_id", c.args.get("message_ids", ""))) for c in gateway.calls
            if c.name == "delete"]


async def symbols(services: Services) -> list[str]:
    async with services.db.session() as session:
        entries = await LogRepo(session).recent(CHAT, 20)
    return sorted({s for e in entries for s in e.symbols})


async def test_a_syllabus_posted_by_one_member_on_three_days_is_deleted_the_third_time(
        services: Services, clock: Clock) -> None:
    gateway = RecordingGateway("test")
    await established(services, "test:5")
    first = await post(services, clock, gateway, "test:5", SYLLABUS, START)
    second = await post(services, clock, gateway, "test:5", SYLLABUS.replace("Tuesday", "Thursday"),
                        START + timedelta(days=1))
    assert gateway.names().count("delete") == 0, (first, second)
    third = await post(services, clock, gateway, "test:5",
                       SYLLABUS.replace("Tuesday", "Monday") + " !!", START + timedelta(days=2))
    assert gateway.names().count("delete") == 1 and third in str(gateway.of("delete")[0].args)
    assert "AD_REPEATED_BY_SENDER" in await symbols(services)


async def test_asking_the_same_question_twice_is_not_deleted(
        services: Services, clock: Clock) -> None:
    gateway = RecordingGateway("test")
    await established(services, "test:6")
    await post(services, clock, gateway, "test:6", QUESTION, START)
    await post(services, clock, gateway, "test:6", "Anyone? " + QUESTION,
               START + timedelta(days=1))
    assert "delete" not in gateway.names()


async def test_the_same_long_text_from_three_members_is_deleted_the_third_time(
        services: Services, clock: Clock) -> None:
    gateway = RecordingGateway("test")
    await established(services, "test:11", "test:12", "test:13")
    for n, user in enumerate(("test:11", "test:12")):
        await post(services, clock, gateway, user, SYLLABUS, START + timedelta(hours=n))
    assert "delete" not in gateway.names()
    await post(services, clock, gateway, "test:13", SYLLABUS, START + timedelta(hours=3))
    assert gateway.names().count("delete") == 1
    assert "AD_REPEATED_ACROSS_MEMBERS" in await symbols(services)


async def test_fingerprints_survive_a_restart_on_the_same_database(
        tmp_path: Path, clock: Clock) -> None:
    gateway = RecordingGateway("test")
    first = App(config(tmp_path), env={}, port=0, clock=clock)
    services = first.build()
    await services.db.upgrade()
    await established(services, "test:5")
    await post(services, clock, gateway, "test:5", SYLLABUS, START)
    await post(services, clock, gateway, "test:5", SYLLABUS, START + timedelta(days=1))
    await first.flush()
    await services.db.dispose()

    second = App(config(tmp_path), env={}, port=0, clock=clock)
    again = second.build()
    await again.db.upgrade()
    try:
        await post(again, clock, gateway, "test:5", SYLLABUS, START + timedelta(days=2))
    finally:
        await again.db.dispose()
    assert gateway.names().count("delete") == 1


class Spy:
    """A policy that only remembers the contexts it was shown."""

    name = "spy"

    def __init__(self) -> None:
        self.seen: list[Context] = []

    def check(self, message: Message, ctx: Context) -> list[object]:
        self.seen.append(ctx)
        return []


def spy_on(services: Services) -> Spy:
    spy = Spy()
    runtime = services.book.get(CHAT)
    runtime.pipeline.policies = (spy, *runtime.pipeline.policies)  # type: ignore[assignment]
    return spy


SAYINGS = ("For the exercises I followed https://{host}/guide/chapter-{n}",
           "the answer is on https://{host}/faq/{n} near the bottom",
           "this explains recursion well: https://{host}/topics/{n}",
           "see https://{host}/errata/{n} before you start chapter two")


def link(host: str, n: int) -> str:
    return SAYINGS[n % len(SAYINGS)].format(host=host, n=n)


async def test_a_domain_posted_by_three_established_members_becomes_trusted(
        services: Services, clock: Clock) -> None:
    gateway = RecordingGateway("test")
    spy = spy_on(services)
    members = ("test:21", "test:22", "test:23")
    await established(services, *members, "test:24")
    for n, user in enumerate(members):
        await post(services, clock, gateway, user, link("notes.example-lab.org", n),
                   START + timedelta(hours=n))
    assert knowledge(services).trusted(CHAT) == frozenset({"notes.example-lab.org"})
    await post(services, clock, gateway, "test:24", link("notes.example-lab.org", 9),
               START + timedelta(hours=5))
    assert spy.seen[-1].trusted_domains == frozenset({"notes.example-lab.org"})
    assert spy.seen[0].trusted_domains == frozenset()
    await knowledge(services).flush()  # and it is stored: a new process starts trusting it
    fresh = Knowledge(knowledge(services).store)
    await fresh.look(Message(CHAT, "1", Sender("test:9"), START, ()), START)
    assert fresh.trusted(CHAT) == frozenset({"notes.example-lab.org"})


async def test_a_domain_in_deleted_messages_is_not_learned(
        services: Services, clock: Clock) -> None:
    gateway = RecordingGateway("test")
    members = ("test:31", "test:32", "test:33")
    await established(services, *members)
    for n, user in enumerate(members):
        await post(services, clock, gateway, user,
                   f"兼职日结，加我薇信 qq88{n}66 详聊 https://shop.example-deals.biz/p/{n}",
                   START + timedelta(hours=n))
    assert gateway.names().count("delete") == 3
    assert knowledge(services).trusted(CHAT) == frozenset()


async def test_a_moderators_spam_judgement_revokes_a_trusted_domain(
        services: Services, clock: Clock) -> None:
    gateway = RecordingGateway("test")
    members = ("test:41", "test:42", "test:43")
    await established(services, *members)
    for n, user in enumerate(members):
        await post(services, clock, gateway, user, link("wiki.example-lab.org", n),
                   START + timedelta(hours=n))
    learned = knowledge(services)
    assert learned.trusted(CHAT) == frozenset({"wiki.example-lab.org"})
    spam = Message(CHAT, "77", Sender("test:44"), START, (
        Segment(Kind.TEXT, link("wiki.example-lab.org", 7)),))
    await learned.distrust(spam, START + timedelta(hours=4))
    assert learned.trusted(CHAT) == frozenset()
    for n, user in enumerate(members):  # and it is not learned again for a while
        await post(services, clock, gateway, user,
                   f"https://wiki.example-lab.org/{n} or https://mirror.example-lab.org/{n}",
                   START + timedelta(days=1, hours=n))
    assert learned.trusted(CHAT) == frozenset({"mirror.example-lab.org"})
