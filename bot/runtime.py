"""Per-chat runtime: the policies, scoring and ladder a chat's config resolves to, built once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.config import LoadedConfig, ProfileConfig
from bot.decide import Scoring
from bot.ladder import Ladder, Step
from bot.pipeline import Pipeline
from bot.policy import ChatInfo, Policy
from bot.registry import Registry

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChatOverrides:
    """Runtime switches set by moderators' commands (persisted in the chat's settings)."""

    observe: bool | None = None
    observe_policies: frozenset[str] = frozenset()
    enforce_policies: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChatRuntime:
    """Everything needed to judge and sanction a message in one chat."""

    chat: str
    profile_name: str
    profile: ProfileConfig
    pipeline: Pipeline
    scoring: Scoring
    ladder: Ladder
    info: ChatInfo
    moderators: frozenset[str] = field(default_factory=frozenset)

    @property
    def language(self) -> str:
        return self.profile.language


def ladder_of(profile: ProfileConfig) -> Ladder:
    cfg = profile.ladder
    steps = tuple(Step(s.warns, s.action, s.duration) for s in cfg.escalation)
    return Ladder(warn_expiry=cfg.warn_expiry, steps=steps, mute_default=cfg.mute_default)


def build_policies(profile: ProfileConfig, registry: Registry) -> list[Policy]:
    policies: list[Policy] = []
    for name, entry in profile.policies.items():
        if not entry.enabled:
            continue
        factory = registry.get(name)
        policies.append(factory(factory.Options.model_validate(entry.options)))
    return policies


class RuntimeBook:
    """Lazily builds and caches a ChatRuntime per chat; ``reload`` swaps the config atomically."""

    def __init__(self, config: LoadedConfig, registry: Registry | None = None, *,
                 networks: Mapping[str, str] | None = None) -> None:
        self.registry = registry or Registry()
        self.config = config
        self._overrides: dict[str, ChatOverrides] = {}
        self._cache: dict[str, ChatRuntime] = {}
        self._network_of = dict(networks or self._networks(config))
        #: chat → the id its YAML entry is under (the id it had before a group migration)
        self.aliases: dict[str, str] = {}

    @staticmethod
    def _networks(config: LoadedConfig) -> dict[str, str]:
        from bot.config import normalise_chat_key

        return {
            normalise_chat_key(chat): name
            for name, net in config.app.networks.items()
            for chat in net.chats
        }

    def reload(self, config: LoadedConfig) -> None:
        self.config = config
        self._network_of = self._networks(config)
        self._cache.clear()

    def forget(self, chat: str) -> None:
        """Drop the chat's built runtime; the next ``get`` builds it again."""
        self._cache.pop(chat, None)

    def network_of(self, chat: str) -> str:
        return self._network_of.get(self.config_key(chat), "")

    def config_key(self, chat: str) -> str:
        """The id a chat's YAML entry is under: its own, else the id it had before migrating."""
        if chat in self.config.chats:
            return chat
        return self.aliases.get(chat, chat)

    def alias(self, chat: str, old: str) -> None:
        """YAML written for ``old`` applies to ``chat`` (restored from storage at startup)."""
        self.aliases[chat] = old
        self._cache.pop(chat, None)

    def set_overrides(self, chat: str, overrides: ChatOverrides) -> None:
        self._overrides[chat] = overrides
        self._cache.pop(chat, None)

    def overrides(self, chat: str) -> ChatOverrides:
        return self._overrides.get(chat, ChatOverrides())

    def rename(self, old: str, new: str) -> None:
        if old in self._overrides:
            self._overrides[new] = self._overrides.pop(old)
        self.alias(new, self.config_key(old))
        self._cache.pop(old, None)

    def get(self, chat: str) -> ChatRuntime:
        runtime = self._cache.get(chat)
        if runtime is None:
            runtime = self._cache[chat] = self._build(chat)
        return runtime

    def _build(self, chat: str) -> ChatRuntime:
        key = self.config_key(chat)
        profile = self.config.for_chat(key)
        over = self.overrides(chat)
        observe_policies = {n for n, e in profile.policies.items() if e.mode == "observe"}
        observe_policies = (observe_policies | over.observe_policies) - over.enforce_policies
        scoring = Scoring(
            thresholds=profile.ladder.action_thresholds(),
            symbol_scores=dict(profile.scores),
            family_caps=dict(profile.caps),
            observe_policies=frozenset(observe_policies),
            observe_chat=profile.observe if over.observe is None else over.observe,
        )
        info = ChatInfo(chat=chat, language=profile.language, timezone=profile.timezone,
                        topic=profile.topic, network=self.network_of(chat))
        return ChatRuntime(
            chat=chat,
            profile_name=self.config.profile_name(key),
            profile=profile,
            pipeline=Pipeline(build_policies(profile, self.registry)),
            scoring=scoring,
            ladder=ladder_of(profile),
            info=info,
            moderators=frozenset(profile.moderators),
        )
