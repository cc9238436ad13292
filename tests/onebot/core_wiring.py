"""Test wiring: the real core (dispatcher, message handler, enforcer) with in-memory storage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, cast

from bot.config import LoadedConfig, load_config
from bot.dispatcher import Dispatcher
from bot.enforcer import Enforcer
from bot.events import Message
from bot.gateway import ChatGateway
from bot.history import ChatHistory
from bot.i18n import t
from bot.ledger import UpdateLedger
from bot.notifier import Notifier
from bot.policy import Context, PolicyFactory, PolicyOptions, SymbolInfo
from bot.ports_fake import MemoryModerationStore, MemoryPendingDeletions, MemoryProcessedKeys
from bot.registry import Registry
from bot.runtime import RuntimeBook
from bot.snapshots import ActivityBuffer, SnapshotCache
from bot.verdict import Verdict
from handlers.messages import MessageHandler

AD_WORD = "加微信"

CONFIG = """\
playground: {enabled: false}
server: {host: 127.0.0.1, port: 0}
storage: {url: "sqlite+aiosqlite:///{db}"}
onebot:
  - {name: qq, version: 11, impl: napcat, platform: qq}
  - {name: wechat, version: 12, impl: comwechat, platform: wx}
defaults:
  language: en
  notices: {keep: true}
  policies:
    test_ads: {}
"""


class AdWordOptions(PolicyOptions):
    """No options."""


class AdWordPolicy:
    """A stand-in ad policy: any message containing 加微信 is an ad worth a warn (6.0)."""

    name: ClassVar[str] = "test_ads"
    Options: ClassVar[type[PolicyOptions]] = AdWordOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        "AD_TEST": SymbolInfo("AD_TEST", 6.0, t("test advert", "测试广告")),
    }

    def __init__(self, options: Any) -> None:
        self.options = options

    def check(self, message: Message, ctx: Context) -> Iterable[Verdict]:
        if AD_WORD not in message.text:
            return []
        return [Verdict("AD_TEST", 6.0, t("advertising", "广告"), AD_WORD, policy=self.name)]


def registry() -> Registry:
    reg = Registry({}, plugins=False)
    # mypy cannot match a class to a protocol with ClassVar members: reported to the lead
    reg.register(cast(PolicyFactory, AdWordPolicy))
    return reg


def config(tmp: Path) -> LoadedConfig:
    path = tmp / "qunguan.yaml"
    path.write_text(CONFIG.replace("{db}", str(tmp / "q.db")), "utf-8")
    return load_config(path, env={}, registry=registry())


class Core:
    """The moderation core as the composition root wires it, on memory fakes."""

    def __init__(self, loaded: LoadedConfig) -> None:
        self.store = MemoryModerationStore()
        self.gateways: dict[str, ChatGateway] = {}
        notifier = Notifier(MemoryPendingDeletions(), self.gateways,
                            auto_delete=lambda chat: None)
        self.dispatcher = Dispatcher(UpdateLedger(MemoryProcessedKeys()))
        self.enforcer = Enforcer(self.store, notifier)
        self.messages = MessageHandler(
            RuntimeBook(loaded, registry()), self.enforcer,
            SnapshotCache(self.store), ActivityBuffer(self.store), ChatHistory(),
        )
        self.dispatcher.on(Message, self.messages)
